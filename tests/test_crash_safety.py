"""Crash safety: kill -9 the server during a ping stream, a worker while it delivers events, and
an import half-way; after a restart nothing acknowledged is lost, nothing is half-written, every
event is delivered exactly once, and the audit chain verifies.

(A tracking worker killed during a Redis stream is in tests/test_tracking_end_to_end.py.)
"""

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from tests.support.server import answers, free_port, node_environment

JSMS = [sys.executable, "-m", "jsms.cli"]


def jsms(*args: str, data_dir: Path, **popen):
    return subprocess.Popen([*JSMS, *args], env=node_environment(JSMS_DATA_DIR=str(data_dir)), **popen)


def finished(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    environment = node_environment(JSMS_DATA_DIR=str(data_dir))
    return subprocess.run([*JSMS, *args], env=environment, capture_output=True, text=True, timeout=300)


def copy_node(source: Path, target: Path) -> Path:
    """A copy of a node that is not running: database (consistently), key and name."""
    target.mkdir(parents=True)
    for name in ("secret.key", "node-id"):
        (target / name).write_bytes((source / name).read_bytes())
    with sqlite3.connect(source / "jsms.db") as original, sqlite3.connect(target / "jsms.db") as copy:
        original.backup(copy)
    original.close()
    copy.close()
    return target


def query(data_dir: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(data_dir / "jsms.db") as db:
        rows = db.execute(sql, args).fetchall()
    db.close()
    return rows


def table_counts(data_dir: Path) -> dict[str, int]:
    tables = [name for (name,) in query(data_dir, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {name: query(data_dir, f'SELECT count(*) FROM "{name}"')[0][0] for name in sorted(tables)}


def audit_verifies(data_dir: Path) -> None:
    verified = finished("audit", "verify", data_dir=data_dir)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    """A demo node loaded and never served: its incidents' events are still to be delivered."""
    data_dir = tmp_path_factory.mktemp("crash-template")
    result = finished("demo", "--load-only", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    # Thousands of events waiting, so that a worker can be killed in the middle of them.
    history = acled_file(data_dir / "history.csv", 3000, first=800_000)
    imported = finished(
        "incidents", "import", str(history), "--format", "acled", "--verify", data_dir=data_dir
    )
    assert imported.returncode == 0, imported.stderr
    return data_dir


# ---- the server, during a ping stream ----------------------------------------------------


class Serving:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.port, self.osmand = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Serving":
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - the child keeps it
        command = ["demo", "--no-simulate", "--port", str(self.port), "--osmand-port", str(self.osmand)]
        self.process = jsms(*command, data_dir=self.data_dir, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        assert answers(self.base, 120), (self.data_dir / "server.log").read_text()[-2000:]
        return self

    def token(self, username: str = "host.commander") -> str:
        answer = httpx.post(f"{self.base}/api/v1/auth/token", data={"username": username, "password": "demo"})
        return answer.json()["access_token"]


class Stream(threading.Thread):
    """A tracker reporting as fast as it is answered; it notes which reports were acknowledged."""

    def __init__(self, osmand: int, device: str, lat: float, lon: float):
        super().__init__(daemon=True)
        self.url = f"http://127.0.0.1:{osmand}/"
        self.device, self.lat, self.lon = device, lat, lon
        self.sent: list[int] = []
        self.acknowledged: list[int] = []
        self.stop = threading.Event()
        self.t0 = int(time.time()) - 5_000  # whole seconds, one per report, all distinct

    def run(self) -> None:
        with httpx.Client(timeout=5) as client:
            for k in range(100_000):
                if self.stop.is_set():
                    return
                t = self.t0 + k
                self.sent.append(t)
                params = {"id": self.device, "timestamp": t, "lat": self.lat, "lon": self.lon, "speed": 10}
                try:
                    if client.get(self.url, params=params).status_code == 200:
                        self.acknowledged.append(t)
                except httpx.TransportError:
                    time.sleep(0.05)


def test_a_server_killed_during_a_ping_stream_loses_no_acknowledged_ping(loaded, tmp_path):
    node = Serving(copy_node(loaded, tmp_path / "node")).start()
    headers = {"Authorization": f"Bearer {node.token()}"}
    journeys = httpx.get(f"{node.base}/api/v1/journeys", headers=headers, params={"status": "under_way"})
    journey = httpx.get(
        f"{node.base}/api/v1/journeys/{journeys.json()['items'][0]['id']}", headers=headers
    ).json()
    lon, lat = journey["route"]["coordinates"][0]
    devices = httpx.get(f"{node.base}/api/v1/devices", headers=headers, params={"limit": 100}).json()["items"]
    device = next(d["identifier"] for d in devices if d["identifier"].startswith("demo-"))

    stream = Stream(node.osmand, device, lat, lon)
    stream.start()
    deadline = time.monotonic() + 60
    while len(stream.acknowledged) < 300 and time.monotonic() < deadline:
        time.sleep(0.05)
    kill(node.process)  # mid-stream: reports are in flight
    time.sleep(0.3)
    stream.stop.set()
    stream.join(timeout=10)
    acknowledged = set(stream.acknowledged)
    assert len(acknowledged) >= 300 and len(stream.sent) > len(acknowledged)

    node.start()
    try:
        headers = {"Authorization": f"Bearer {node.token()}"}
        positions = httpx.get(f"{node.base}/api/v1/tracking/positions", headers=headers).json()
        journey_id = next(p["journey_id"] for p in positions if p["device"] == device)
        track = httpx.get(
            f"{node.base}/api/v1/journeys/{journey_id}/track", headers=headers, timeout=30
        ).json()
        stored = {round(ping["t"]) for ping in track if ping["t"] >= stream.t0}
    finally:
        node.process.terminate()
        node.process.wait(timeout=30)
    assert acknowledged <= stored, f"{len(acknowledged - stored)} acknowledged pings lost"
    assert stored <= set(stream.sent)  # and nothing stored that was never sent
    audit_verifies(node.data_dir)


# ---- a worker, while it delivers events ----------------------------------------------------


def pending(data_dir: Path) -> int:
    return query(data_dir, "SELECT count(*) FROM outbox_event WHERE delivered_at IS NULL")[0][0]


def deliver_all(data_dir: Path) -> None:
    worker = jsms(
        "worker", "--interval", "0.1", data_dir=data_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while pending(data_dir) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert pending(data_dir) == 0
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_events_are_delivered_exactly_once_across_a_killed_worker(loaded, tmp_path):
    steady = copy_node(loaded, tmp_path / "steady")
    crashed = copy_node(loaded, tmp_path / "crashed")
    waiting = pending(crashed)
    assert waiting > 3000

    deliver_all(steady)  # what an uninterrupted delivery leaves

    worker = jsms(
        "worker", "--interval", "0.1", data_dir=crashed, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    worker.stdout.readline()  # it has started
    time.sleep(0.5)
    assert worker.poll() is None
    kill(worker)
    left = pending(crashed)
    assert 0 < left <= waiting, "the worker was killed before or after its work, not during it"
    deliver_all(crashed)

    # Every table holds as many rows as after the uninterrupted delivery: no event applied twice.
    counts = table_counts(crashed)
    assert counts == table_counts(steady) | {"audit_record": counts["audit_record"]}
    # So does the audit trail, but for the threat levels' recomputation after each batch, which
    # runs once per batch and so as often as the batches were cut; the levels end the same.
    by_action = "SELECT action, count(*) FROM audit_record WHERE action != 'threat_level.update' GROUP BY 1"
    assert query(crashed, by_action) == query(steady, by_action)
    levels = "SELECT area, level, computed_level, intensity FROM threat_level ORDER BY 1"
    after_crash, uninterrupted = query(crashed, levels), query(steady, levels)
    assert [row[:3] for row in after_crash] == [row[:3] for row in uninterrupted]
    # (intensities decay by the second: equal up to the seconds between the two runs)
    assert all(
        abs(a[3] - b[3]) <= 1e-5 * max(b[3], 1) for a, b in zip(after_crash, uninterrupted, strict=True)
    )
    audit_verifies(crashed)


# ---- an import, half-way -------------------------------------------------------------------

ACLED_HEADER = (
    "event_id_cnty,event_date,latitude,longitude,sub_event_type,event_type,location,admin1,fatalities,notes,"
    "country\n"
)


def acled_file(path: Path, rows: int, first: int) -> Path:
    """`rows` distinct events, all inland in Balochistan and Sindh."""
    lines = []
    for k in range(rows):
        day = date(2021, 1, 1) + timedelta(days=k % 1500)
        lat, lon = 26.3 + (k % 50) * 0.025, 64.6 + (k // 50 % 80) * 0.045
        lines.append(
            f"PAK{first + k},{day},{lat:.4f},{lon:.4f},Armed clash,Battles,Place {k},Balochistan,"
            f"{k % 3},Test row {k},Pakistan\n"
        )
    path.write_text(ACLED_HEADER + "".join(lines))
    return path


def test_an_import_killed_half_way_leaves_nothing_and_runs_again_whole(loaded, tmp_path):
    node = copy_node(loaded, tmp_path / "node")
    before = query(node, "SELECT count(*) FROM incident")[0][0]
    data_set = acled_file(tmp_path / "acled.csv", 4000, first=900_000)

    importing = jsms("incidents", "import", str(data_set), "--format", "acled", data_dir=node,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(2.0)
    assert importing.poll() is None, "the import ended before it could be killed"
    kill(importing)
    assert query(node, "SELECT count(*) FROM incident")[0][0] == before  # nothing half-written
    audit_verifies(node)

    again = finished("incidents", "import", str(data_set), "--format", "acled", data_dir=node)
    assert again.returncode == 0, again.stderr
    assert query(node, "SELECT count(*) FROM incident")[0][0] == before + 4000
    once_more = finished("incidents", "import", str(data_set), "--format", "acled", data_dir=node)
    assert once_more.returncode == 0 and query(node, "SELECT count(*) FROM incident")[0][0] == before + 4000
    audit_verifies(node)
