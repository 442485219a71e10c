"""Test fixtures: a migrated node with the demo data set, on SQLite and on a real PostgreSQL.

Every API test runs once per database, inside a transaction that is rolled back at its
end, so tests never see each other's changes. A test that needs a component that is
absent here skips naming it; in CI (CI=true) it fails instead, since nothing may skip.
"""

import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from jsms.core import db as core_db
from jsms.core import throttle
from jsms.core.config import Settings, get_settings, use_settings
from jsms.core.db import engine_for
from tests.support import pg
from tests.support import redis_server as rs
from tests.support.server import TEST_LIMITS, demo_node, demo_server, free_port  # noqa: F401  (fixtures: a real `jsms demo` node)

IN_CI = os.environ.get("CI") == "true"
TEST_SECRET = "test-secret-key-for-the-suite-only"
DEMO_PASSWORD = "demo"
# The demo users the issue names, plus the partner representative and the administrator.
DEMO_USERS = (
    "host.commander",
    "host.officer",
    "host.analyst",
    "partner.liaison",
    "partner.representative",
    "company.security",
    "jwg.secretary",
    "auditor",
    "admin",
)


def missing_component(name: str, why: str) -> None:
    message = f"{name} is not available: {why}"
    if IN_CI:
        pytest.fail(f"{message} (CI must run every test)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[pg.PostgresServer]:
    try:
        server = pg.start()
    except (FileNotFoundError, KeyError) as error:
        missing_component("PostgreSQL", str(error))
    except Exception as error:  # initdb or pg_ctl failed: say how
        missing_component("PostgreSQL", f"the server did not start: {error}")
    yield server
    server.stop()


def _prepare_node(url: str, data_dir: Path) -> Settings:
    """Migrate, bootstrap and load the demo data set into an empty database."""
    from jsms.core.actor import Actor
    from jsms.core.bootstrap import bootstrap_node
    from jsms.demo.loader import load_demo
    from jsms.schema import upgrade

    limits = {name.removeprefix("JSMS_").lower(): rate for name, rate in TEST_LIMITS.items()}
    settings = Settings(
        data_dir=data_dir, database_url=url, secret_key=TEST_SECRET, demo_password=DEMO_PASSWORD, **limits
    )
    use_settings(settings)
    upgrade(engine_for(url))
    with core_db.unit_of_work(Actor.system("tests")) as session:
        bootstrap_node(session)
    load_demo()
    return settings


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def node(request, tmp_path_factory) -> Settings:
    """A prepared node per database kind (the demo data set, committed once per session)."""
    data_dir = tmp_path_factory.mktemp(f"node-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{data_dir / 'jsms.db'}"
    else:
        url = request.getfixturevalue("postgres_server").url
    return _prepare_node(url, data_dir)


@pytest.fixture(scope="session")
def sqlite_node(tmp_path_factory) -> Settings:
    """A prepared SQLite node, for tests of logic that does not depend on the database kind."""
    data_dir = tmp_path_factory.mktemp("node-sqlite-only")
    return _prepare_node(f"sqlite:///{data_dir / 'jsms.db'}", data_dir)


def _rolled_back(settings: Settings) -> Iterator[Connection]:
    use_settings(settings)
    engine = engine_for(settings.database_url)
    connection = engine.connect()
    transaction = connection.begin()
    core_db.share_connection(connection)
    try:
        yield connection
    finally:
        core_db.share_connection(None)
        transaction.rollback()
        connection.close()


@pytest.fixture
def configure(node):
    """Change settings for one test, with throttles that have counted nothing yet."""

    def apply(**changes):
        use_settings(node.model_copy(update=changes))
        throttle._throttle.cache_clear()

    yield apply
    use_settings(node)
    throttle._throttle.cache_clear()


@pytest.fixture
def connection(node: Settings) -> Iterator[Connection]:
    """The test's own transaction on the node; everything the test writes is rolled back."""
    yield from _rolled_back(node)


@pytest.fixture
def sqlite_connection(sqlite_node: Settings) -> Iterator[Connection]:
    yield from _rolled_back(sqlite_node)


@functools.cache
def shared_app():
    """One application for the in-process tests (no event delivery, no tracking threads): building
    an application's routes costs a second, and each test opens its own client on it."""
    from jsms.web.app import create_app

    return create_app(dispatch_events=False, track=False)


class Api:
    """A test client that signs in as a named user and remembers the tokens it got."""

    _tokens: dict[tuple[str, str], str] = {}

    def __init__(self, client: TestClient, node_url: str):
        self.client = client
        self.node_url = node_url

    def token(self, username: str, password: str = DEMO_PASSWORD) -> str:
        key = (self.node_url, username)
        if key not in self._tokens:
            response = self.client.post(
                "/api/v1/auth/token", data={"username": username, "password": password}
            )
            assert response.status_code == 200, response.text
            self._tokens[key] = response.json()["access_token"]
        return self._tokens[key]

    def headers(self, username: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"} if username else {}

    def get(self, url: str, as_user: str | None, **kwargs):
        return self.client.get(url, headers=self.headers(as_user) | kwargs.pop("headers", {}), **kwargs)

    def post(self, url: str, as_user: str | None, **kwargs):
        return self.client.post(url, headers=self.headers(as_user) | kwargs.pop("headers", {}), **kwargs)

    def put(self, url: str, as_user: str | None, **kwargs):
        return self.client.put(url, headers=self.headers(as_user) | kwargs.pop("headers", {}), **kwargs)

    def patch(self, url: str, as_user: str | None, **kwargs):
        return self.client.patch(url, headers=self.headers(as_user) | kwargs.pop("headers", {}), **kwargs)

    def delete(self, url: str, as_user: str | None, **kwargs):
        return self.client.delete(url, headers=self.headers(as_user) | kwargs.pop("headers", {}), **kwargs)

    def first(self, url: str, as_user: str = "host.commander", **params) -> dict:
        """The first item a list endpoint returns for these filters."""
        response = self.get(url, as_user, params={"limit": 1, **params})
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert items, f"no item at {url} with {params}"
        return items[0]


@pytest.fixture
def api(connection: Connection, node: Settings) -> Iterator[Api]:
    # No tracking threads: they would share the test's connection (tracking tests bring their own).
    with TestClient(shared_app(), raise_server_exceptions=False) as client:
        yield Api(client, node.database_url)


@pytest.fixture
def sqlite_api(sqlite_connection: Connection, sqlite_node: Settings) -> Iterator[Api]:
    """The API on SQLite only, for tests of logic the database kind cannot change."""
    with TestClient(shared_app(), raise_server_exceptions=False) as client:
        yield Api(client, sqlite_node.database_url)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[rs.RedisServer]:
    try:
        server = rs.start(tmp_path_factory.mktemp("redis"))
    except FileNotFoundError as error:
        missing_component("Redis", str(error))
    except Exception as error:
        missing_component("Redis", f"the server did not start: {error}")
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server) -> str:
    """A clean Redis for each test."""
    import redis

    redis.Redis.from_url(redis_server.url).flushall()
    return redis_server.url


@pytest.fixture
def browser(api):
    """The pages driven as a browser would (tests/web/conftest.py's Browser), signed out."""
    from tests.web.conftest import Browser

    api.client.cookies.clear()
    return Browser(api.client)


@pytest.fixture
def smtp_inbox():
    """A real SMTP server on a free port, named in the settings; yields the messages it received."""
    from aiosmtpd.controller import Controller

    received: list = []

    class Inbox:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    settings = get_settings()
    use_settings(settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port}))
    try:
        yield received
    finally:
        use_settings(settings)
        controller.stop()
