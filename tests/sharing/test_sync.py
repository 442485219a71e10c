"""Two nodes on 127.0.0.1 with their own databases: the host node (a running demo) releases, the
partner node takes in with `jsms sync` — what the markings allow, once, and updates as versions."""

import sqlite3
from datetime import UTC, datetime

import httpx
import pytest

from tests.support.server import free_port, node_environment
from tests.test_cli import jsms

PARTNER = {"JSMS_NODE_PARTY": "partner"}


def _token(base: str, user: str) -> dict[str, str]:
    answer = httpx.post(f"{base}/api/v1/auth/token", data={"username": user, "password": "demo"})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _verified_incident(base: str, title: str, tlp: str, release_to: list[str] | None = None) -> str:
    created = httpx.post(
        f"{base}/api/v1/incidents",
        headers=_token(base, "host.officer"),
        json={
            "title": title,
            "occurred_at": datetime.now(UTC).isoformat(),
            "lat": 25.12,
            "lon": 62.33,
            "place_name": "Gwadar port road",
            "kind": "armed_attack",
            "killed": 1,
            "tlp": tlp,
            "release_to": release_to,
        },
    )
    assert created.status_code == 201, created.text
    incident_id = created.json()["id"]
    verified = httpx.post(
        f"{base}/api/v1/incidents/{incident_id}/verify", headers=_token(base, "host.analyst")
    )
    assert verified.status_code == 200, verified.text
    return incident_id


def _sync(partner_dir, base: str, *extra: str):
    return jsms(
        "sync",
        "--peer",
        f"{base}/taxii2/",
        "--peer-party",
        "host",
        "--user",
        "partner.liaison",
        "--password",
        "demo",
        *extra,
        data_dir=partner_dir,
        env=PARTNER,
    )


def _taken_in(partner_dir) -> dict[str, tuple[str, int]]:
    with sqlite3.connect(partner_dir / "jsms.db") as db:
        rows = db.execute("SELECT external_id, title, killed FROM incident WHERE source_system = 'partner'")
        return {external: (title, killed) for external, title, killed in rows}


@pytest.fixture(scope="module")
def partner_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("partner-node")
    prepared = jsms("db", "upgrade", data_dir=data_dir, env=PARTNER)
    assert prepared.returncode == 0, prepared.stderr
    return data_dir


def test_what_the_host_releases_reaches_the_partner_once_and_updates_follow(demo_server, partner_dir):
    amber = _verified_incident(demo_server, "Amber: shots at a convoy", "amber")
    red = _verified_incident(demo_server, "Red: source reporting", "red")
    host_only = _verified_incident(demo_server, "Amber, host only", "amber", ["host"])

    first = _sync(partner_dir, demo_server)
    assert first.returncode == 0, first.stderr
    taken = _taken_in(partner_dir)
    assert f"incident--{amber}" in taken
    assert f"incident--{red}" not in taken and f"incident--{host_only}" not in taken
    assert int(first.stdout.split()[0]) == len(taken)

    again = _sync(partner_dir, demo_server)
    assert again.returncode == 0 and again.stdout.startswith("0 created, 0 updated")
    assert _taken_in(partner_dir) == taken

    changed = httpx.patch(
        f"{demo_server}/api/v1/incidents/{amber}",
        headers={**_token(demo_server, "host.officer"), "If-Match": _etag(demo_server, amber)},
        json={"killed": 3},
    )
    assert changed.status_code == 200, changed.text
    update = _sync(partner_dir, demo_server)
    assert update.stdout.startswith("0 created, 1 updated"), update.stdout
    assert _taken_in(partner_dir)[f"incident--{amber}"] == ("Amber: shots at a convoy", 3)


def _etag(base: str, incident_id: str) -> str:
    return httpx.get(f"{base}/api/v1/incidents/{incident_id}", headers=_token(base, "host.officer")).headers[
        "etag"
    ]


def test_a_node_that_does_not_answer_is_reported_and_nothing_is_lost(partner_dir):
    down = f"http://127.0.0.1:{free_port()}"
    failed = _sync(partner_dir, down, "--attempts", "1")
    assert failed.returncode == 1 and "did not answer" in failed.stderr
    with sqlite3.connect(partner_dir / "jsms.db") as db:
        (error,) = db.execute(
            "SELECT last_error FROM sync_state WHERE peer = ?", (f"{down}/taxii2/",)
        ).fetchone()
    assert error


def test_a_scheduled_sync_keeps_trying_a_node_that_is_down(partner_dir):
    import subprocess
    import sys
    import time

    down = f"http://127.0.0.1:{free_port()}/taxii2/"
    environment = node_environment(JSMS_DATA_DIR=str(partner_dir), **PARTNER)
    command = [
        *(sys.executable, "-m", "jsms.cli", "sync", "--peer", down, "--peer-party", "host"),
        *("--user", "partner.liaison", "--password", "demo", "--attempts", "1", "--every", "5"),
    ]
    process = subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(12)
        assert process.poll() is None  # still on its schedule
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=20)
    assert errors.count("did not answer") >= 2 and "will try again in 5 s" in errors
