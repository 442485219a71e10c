"""End to end, as it runs in the field: a `jsms demo` server whose intake appends to a real Redis,
two `jsms worker` processes checking the streams, and a tracker that is nothing but plain HTTP
GETs in the OsmAnd format (urllib, not the project's code). The convoy deviates and stops: each
raises exactly one alert, which reaches a live subscriber and the CAP feed (valid CAP 1.2). One
worker is killed with SIGKILL mid-stream: every acknowledged report is stored, none twice."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
import redis
from lxml import etree
from sqlalchemy import create_engine, text

from jsms.tracking.blocks import decode
from jsms.tracking.stream import LEASE, partition_of
from tests.support.server import _serve, free_port, node_environment
from tests.tracking.conftest import CAP_NS, Convoy
from tests.tracking.conftest import cap_schema as cap_schema  # a fixture

PARTITIONS = 8
JOURNEY = "Plant engineers to the Orange Line depot"


@pytest.fixture(scope="module")
def field(tmp_path_factory, redis_server):
    """The demo served with Redis, and two tracking workers (events stay with the server)."""
    redis.Redis.from_url(redis_server.url).flushall()
    data_dir = tmp_path_factory.mktemp("field")
    env = node_environment(JSMS_REDIS_URL=redis_server.url, JSMS_TRACKING_PARTITIONS=str(PARTITIONS))
    port, osmand = free_port(), free_port()
    workers: list[subprocess.Popen] = []
    with open(data_dir / "server.log", "wb") as log:
        served = _serve(port, env, data_dir, log, osmand_port=osmand, extra=("--no-simulate",))
        base = next(served)
        for number in range(2):
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "jsms.cli", "--data-dir", str(data_dir), "worker", "--no-events"],
                    env=env,
                    stdout=open(data_dir / f"worker{number}.log", "wb"),  # noqa: SIM115 - closed with the process
                    stderr=subprocess.STDOUT,
                )
            )
        client = redis.Redis.from_url(redis_server.url)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not (
            len(list(client.scan_iter("jsms:worker:*"))) == 2
            and all(client.exists(LEASE.format(p)) for p in range(PARTITIONS))
        ):
            time.sleep(0.3)
        try:
            yield {
                "base": base,
                "osmand": f"http://127.0.0.1:{osmand}",
                "data_dir": data_dir,
                "workers": workers,
                "redis": redis_server.url,
            }
        finally:
            for process in workers:
                if process.poll() is None:
                    process.terminate()
                    process.wait(timeout=20)
            next(served, None)


def token(base: str, user: str = "host.officer") -> str:
    response = httpx.post(f"{base}/api/v1/auth/token", data={"username": user, "password": "demo"})
    return response.json()["access_token"]


def osmand_get(server: str, **params) -> int:
    """What a Traccar Client phone does: GET / with the report in the query string."""
    with urllib.request.urlopen(f"{server}/?{urlencode(params)}", timeout=10) as response:
        return response.status


def stored(data_dir: Path, device_ids: list[str]) -> tuple[int, int]:
    """(reports stored for these devices, distinct reports among them), read from the blocks."""
    engine = create_engine(f"sqlite:///{data_dir / 'jsms.db'}")
    marks = ", ".join(f"'{d.replace('-', '')}'" for d in device_ids)
    with engine.connect() as connection:
        rows = connection.execute(
            text(f"SELECT device_id, count, data FROM ping_block WHERE device_id IN ({marks})")
        ).all()
    engine.dispose()
    reports = [(device, t) for device, count, data in rows for t in decode(data, count)[:, 0].tolist()]
    return len(reports), len(set(reports))


class Subscriber(threading.Thread):
    """A live subscriber over SSE: notes when each alert kind first arrives."""

    def __init__(self, base: str, bearer: str):
        super().__init__(daemon=True)
        self.base, self.bearer, self.alerts, self.ready = base, bearer, {}, threading.Event()

    def run(self) -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server stops at the end of the module
            self._listen()

    def _listen(self) -> None:
        headers = {"Authorization": f"Bearer {self.bearer}"}
        with httpx.stream("GET", f"{self.base}/api/v1/live", headers=headers, timeout=None) as response:
            event = None
            for line in response.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                    self.ready.set()
                elif line.startswith("data:") and event == "alert":
                    data = json.loads(line.split(":", 1)[1])
                    self.alerts.setdefault(data["kind"], data)


def test_a_convoy_reporting_over_osmand_deviates_and_stops_while_a_worker_is_killed(field, cap_schema):
    base, headers = field["base"], {"Authorization": f"Bearer {token(field['base'])}"}
    journeys = httpx.get(f"{base}/api/v1/journeys", headers=headers, params={"status": "under_way"}).json()
    journey = next(j for j in journeys["items"] if j["purpose"].startswith(JOURNEY))
    detail = httpx.get(f"{base}/api/v1/journeys/{journey['id']}", headers=headers).json()
    convoy = Convoy(
        detail, "demo-punjab-3-1", "demo-punjab-3-2", [tuple(c) for c in detail["route"]["coordinates"]]
    )
    devices = httpx.get(f"{base}/api/v1/devices", headers=headers, params={"q": "demo-punjab-3-"}).json()[
        "items"
    ]
    ours = [d["id"] for d in devices if d["identifier"] in (convoy.protected, convoy.escort)]
    subscriber = Subscriber(base, token(base))
    subscriber.start()
    assert subscriber.ready.wait(10)

    steps, off_route, stopped = 100, range(20, 45), range(60, 96)
    t0 = time.time() - steps * 30  # the reports cover the last fifty minutes, thirty seconds apart
    sent, km = 0, 3.0
    client = redis.Redis.from_url(field["redis"])
    killed = None
    for step in range(steps):
        if step == 50:  # mid-stream: kill the worker that owns this journey's partition
            owner = client.get(LEASE.format(partition_of(journey["id"], PARTITIONS))).decode()
            killed = int(owner.rsplit("-", 1)[1])
            os.kill(killed, signal.SIGKILL)
        moving = step not in stopped
        km += 0.5 if moving else 0.0
        north = 1.5 if step in off_route else 0.0
        for device, behind in ((convoy.protected, 0.0), (convoy.escort, 0.15)):
            lat, lon = convoy.point_at(km - behind, north)
            status = osmand_get(
                field["osmand"],
                id=device,
                timestamp=int(t0 + step * 30),
                lat=f"{lat:.6f}",
                lon=f"{lon:.6f}",
                speed=f"{(32.4 if moving else 0.0):.1f}",
                accuracy=8,
            )
            assert status == 200
            sent += 1
    assert killed in {w.pid for w in field["workers"]}

    deadline = time.monotonic() + 60  # the dead worker's lease lapses (10 s); the other claims its pings
    while time.monotonic() < deadline and stored(field["data_dir"], ours)[0] < sent:
        time.sleep(0.5)
    total, distinct = stored(field["data_dir"], ours)
    assert total == sent and distinct == sent  # nothing acknowledged is lost, nothing stored twice

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not {"deviation", "stop"} <= subscriber.alerts.keys():
        time.sleep(0.2)
    assert {"deviation", "stop"} <= subscriber.alerts.keys()  # pushed live
    found = httpx.get(
        f"{base}/api/v1/alerts", headers=headers, params={"journey_id": journey["id"], "limit": 100}
    ).json()["items"]
    kinds = [a["kind"] for a in found if a["kind"] in ("deviation", "stop")]
    assert sorted(kinds) == ["deviation", "stop"]  # exactly one each

    feed = httpx.get(f"{base}/api/v1/alerts/cap", headers=headers)
    messages = etree.fromstring(feed.content).findall(f".//{{{CAP_NS}}}alert")
    ids = {a["id"] for a in found if a["kind"] in ("deviation", "stop")}
    ours_in_feed = [m for m in messages if any(i in m.findtext(f"{{{CAP_NS}}}identifier") for i in ids)]
    assert len(ours_in_feed) == 2
    for message in ours_in_feed:
        assert cap_schema.validate(message), cap_schema.error_log
