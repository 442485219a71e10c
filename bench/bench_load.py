"""Sustained mixed load on a node that runs as in production: PostgreSQL, Redis, the web server
and one `jsms worker` (events, and the pings from the Redis streams).

For `JSMS_LOAD_SECONDS` (default 120) four kinds of traffic arrive at fixed rates, each request
sent on schedule whether or not the previous one was answered (an open loop: a slow server
shows as latency, not as less load): tracker reports over OsmAnd, page views of signed-in
officers, API reads and API writes (new incidents, each then changed). Each kind also stops at
a count (`rate × seconds`), so the run is bounded in both. Printed: per kind the requests, the
error rate and the latency percentiles; the resident memory of the server and the worker at the
start, their peak and the end (a leak shows as growth that does not level off).
"""

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tests.support import pg
from tests.support import redis_server as rs
from tests.support.server import answers, free_port

from bench.timing import machine_reference

SECONDS = float(os.environ.get("JSMS_LOAD_SECONDS", "120"))
# Requests per second of each kind.
RATES = {"ping": 100.0, "page": 4.0, "api read": 20.0, "api write": 2.0}
PAGES = ("/", "/incidents", "/journeys", "/alerts", "/sites")
READS = (
    "/api/v1/incidents?limit=50",
    "/api/v1/sites?limit=50",
    "/api/v1/alerts?limit=50",
    "/api/v1/tracking/positions",
    "/api/v1/risk/areas",
    "/api/v1/journeys?status=under_way",
)
INCIDENT = {
    "title": "Load test: suspicious vehicle near the coastal highway",
    "occurred_at": "2026-11-20T04:30:00+05:00",
    "time_precision": "time",
    "lat": 25.21,
    "lon": 64.64,
    "place_name": "Ormara",
    "kind": "ied",
    "target_category": "convoy",
    "killed": 0,
    "injured": 0,
}


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: defaultdict = field(default_factory=lambda: defaultdict(int))

    def add(self, seconds: float, problem: str | None) -> None:
        self.latencies.append(seconds)
        if problem:
            self.errors[problem] += 1


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Node:
    """PostgreSQL, Redis, the server and a worker, started in a temporary directory."""

    def __init__(self, work: Path):
        self.work = work
        self.postgres = pg.start()
        self.redis = rs.start(work)
        self.port, self.osmand = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("JSMS_")} | {
            "JSMS_DATA_DIR": str(work / "node"),
            "JSMS_DATABASE_URL": self.postgres.url,
            "JSMS_REDIS_URL": self.redis.url,
            "JSMS_DISPATCH_IN_SERVER": "false",
            # The load's few devices report far faster than trackers do: counted, never refused.
            "JSMS_PING_RATE_LIMIT": "100000000/minute",
            "JSMS_LOGIN_RATE_LIMIT": "100000/minute",
        }
        self.processes: list[subprocess.Popen] = []

    def _jsms(self, *args: str, log: str) -> subprocess.Popen:
        output = open(self.work / log, "wb")  # noqa: SIM115 - the child keeps it
        process = subprocess.Popen(
            [sys.executable, "-m", "jsms.cli", *args], env=self.env, stdout=output, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def start(self) -> None:
        loading = self._jsms("demo", "--load-only", log="load.log")
        if loading.wait(timeout=600) != 0:
            raise RuntimeError(f"loading the demo failed; see {self.work}/load.log")
        command = ("demo", "--no-simulate", "--port", str(self.port), "--osmand-port", str(self.osmand))
        self.server = self._jsms(*command, log="server.log")
        self.worker = self._jsms("worker", "--interval", "0.2", log="worker.log")
        if not answers(self.base, 180):
            raise RuntimeError(f"the server did not start; see {self.work}/server.log")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        self.redis.stop()
        self.postgres.stop()

    def memory(self) -> dict[str, float]:
        return {"server": _rss_mb(self.server.pid), "worker": _rss_mb(self.worker.pid)}


async def _signed_in_pages(client: httpx.AsyncClient) -> None:
    await client.get("/login")
    form = {
        "username": "host.officer",
        "password": "demo",
        "next": "/",
        "csrf_token": client.cookies["jsms_csrf"],
    }
    answer = await client.post("/login", data=form)
    if answer.status_code != 303:
        raise RuntimeError(f"the page sign-in failed: {answer.status_code}")


async def _timed(tally: Tally, call) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        answer = await call()
    except httpx.HTTPError as error:
        tally.add(time.perf_counter() - started, type(error).__name__)
        return None
    problem = None if answer.status_code < 400 else str(answer.status_code)
    tally.add(time.perf_counter() - started, problem)
    return answer


async def _at_rate(rate: float, seconds: float, send) -> None:
    """Call `send(k)` at `rate` per second for `seconds`, each on schedule (an open loop)."""
    count = int(rate * seconds)
    start = time.perf_counter()
    tasks = []
    for k in range(count):
        delay = start + k / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(k)))
    await asyncio.gather(*tasks)


async def _load(node: Node, tallies: dict[str, Tally], seconds: float) -> None:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
    async with (
        httpx.AsyncClient(base_url=node.base, limits=limits, timeout=30) as api,
        httpx.AsyncClient(base_url=node.base, limits=limits, timeout=30) as pages,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{node.osmand}", limits=limits, timeout=30) as trackers,
    ):
        token = (
            await api.post("/api/v1/auth/token", data={"username": "host.analyst", "password": "demo"})
        ).json()
        api.headers["Authorization"] = f"Bearer {token['access_token']}"
        await _signed_in_pages(pages)
        devices = (await api.get("/api/v1/devices", params={"limit": 100})).json()["items"]
        trackers_ids = [d["identifier"] for d in devices if d["identifier"].startswith("demo-")]
        t0 = time.time()

        async def ping(k: int) -> None:
            device = trackers_ids[k % len(trackers_ids)]
            query = {"id": device, "timestamp": f"{t0 + k / 100:.2f}", "lat": 25.3, "lon": 64.1, "speed": 20}
            await _timed(tallies["ping"], lambda: trackers.get("/", params=query))

        async def page(k: int) -> None:
            await _timed(tallies["page"], lambda: pages.get(PAGES[k % len(PAGES)]))

        async def read(k: int) -> None:
            await _timed(tallies["api read"], lambda: api.get(READS[k % len(READS)]))

        async def write(k: int) -> None:
            body = {**INCIDENT, "title": f"{INCIDENT['title']} #{k}"}
            created = await _timed(tallies["api write"], lambda: api.post("/api/v1/incidents", json=body))
            if created is not None and created.status_code == 201:
                change = {"narrative": f"Checked by the patrol ({k})."}
                incident = created.json()
                headers = {"If-Match": created.headers.get("etag", "*")}
                await _timed(
                    tallies["api write"],
                    lambda: api.patch(f"/api/v1/incidents/{incident['id']}", json=change, headers=headers),
                )

        senders = {"ping": ping, "page": page, "api read": read, "api write": write}
        await asyncio.gather(*(_at_rate(RATES[kind], seconds, senders[kind]) for kind in senders))


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 10) - 1] if len(values) > 1 else values[0]


async def _watch_memory(node: Node, samples: list[dict[str, float]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(node.memory())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=5)
    samples.append(node.memory())


async def _run(node: Node, seconds: float) -> tuple[dict[str, Tally], list[dict[str, float]]]:
    tallies = defaultdict(Tally)
    samples: list[dict[str, float]] = []
    stop = asyncio.Event()
    watcher = asyncio.create_task(_watch_memory(node, samples, stop))
    await _load(node, tallies, seconds)
    stop.set()
    await watcher
    return tallies, samples


def report(tallies: dict[str, Tally], samples: list[dict[str, float]], seconds: float) -> None:
    print(f"{seconds:.0f} s of mixed load (open loop), PostgreSQL + Redis, server + 1 worker")
    columns = ("rate/s", "requests", "errors", "p50 ms", "p95 ms", "p99 ms")
    print(f"  {'kind':<10} " + " ".join(f"{c:>8}" for c in columns))
    for kind, rate in RATES.items():
        tally = tallies[kind]
        errors = sum(tally.errors.values())
        ms = [v * 1000 for v in tally.latencies]
        print(
            f"  {kind:<10} {rate:>8g} {len(ms):>8} {errors / max(len(ms), 1):>8.2%} "
            f"{_percentile(ms, 50):>8.1f} {_percentile(ms, 95):>8.1f} {_percentile(ms, 99):>8.1f}"
        )
        if tally.errors:
            print(f"      errors: {dict(tally.errors)}")
    for process in ("server", "worker"):
        series = [s[process] for s in samples]
        print(
            f"  memory of the {process}: {series[0]:.0f} MB at the start, peak {max(series):.0f} MB, "
            f"{series[-1]:.0f} MB at the end"
        )


def main() -> None:
    print(f"machine reference (a fixed Python loop, lower is faster): {machine_reference():.0f} ms")
    with tempfile.TemporaryDirectory(prefix="jsms-load-") as work:
        node = Node(Path(work))
        try:
            node.start()
            tallies, samples = asyncio.run(_run(node, SECONDS))
        finally:
            node.stop()
    report(tallies, samples, SECONDS)


if __name__ == "__main__":
    main()
