"""Tracking throughput and alert latency (issue 6), against a real `jsms demo` server.

The server (SQLite, every acknowledged ping committed with synchronous=FULL, all live checks on)
runs pinned to core 0; this process, the load generator, to core 1. Figures:

- single-ping OsmAnd GETs per second through the OsmAnd port        (target ≥ 8,000)
- pings per second in JSON batches of 1,000 through the API          (target ≥ 200,000)
- from a ping's sending to its deviation alert reaching a live (SSE) subscriber, p50 and p99,
  while 2,000 other pings per second arrive                          (target p99 < 20 ms)
  — once from trackers sending one ping per request, once from gateways sending batches

Each throughput figure is the median of three runs. `make bench ARGS=bench_tracking`.
"""

import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import httpx
import orjson
from tests.support.server import answers, free_port

from bench.load import Load, get, post_json
from bench.timing import machine_reference

RUNS = 3
RUN_SECONDS = 8.0
CONNECTIONS = 256  # trackers keep their connections open; many at once, as in the field
BATCH = 1_000
BATCH_CONNECTIONS = 16  # gateways sending in parallel
BACKGROUND_RATE = 2_000  # pings per second while alert latency is measured
LATENCY_SAMPLES = 150
GATEWAY_BATCH = 50  # the latency probe's second background: gateways forwarding their trackers
HOST = "127.0.0.1"


def _pin(core: int) -> None:
    if hasattr(os, "sched_setaffinity") and os.cpu_count() and os.cpu_count() > 1:
        os.sched_setaffinity(0, {core})


@contextmanager
def demo_server():
    """`jsms demo` on free ports in a fresh data directory, pinned to core 0."""
    port, osmand = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="jsms-bench-") as data_dir:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JSMS_")}
        # The load comes from a few dozen devices, each far above a tracker's pace: the limiter
        # still counts every report (its cost is measured), with a rate it does not reach.
        env |= {"JSMS_PING_RATE_LIMIT": "100000000/minute", "JSMS_PING_BATCH_RATE_LIMIT": "1000000/minute"}
        log = open(Path(data_dir) / "server.log", "wb")  # noqa: SIM115 - closed below
        command = ["demo", "--no-simulate", "--port", str(port), "--osmand-port", str(osmand)]
        process = subprocess.Popen(
            [sys.executable, "-m", "jsms.cli", *command, "--data-dir", data_dir],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: _pin(0),
        )
        try:
            base = f"http://{HOST}:{port}"
            if not answers(base, 180):
                raise RuntimeError(f"the demo server did not start; see {data_dir}/server.log")
            yield base, port, osmand
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()


class Fleet:
    """The demo's convoys under way: their devices and a point on each route."""

    def __init__(self, base: str):
        answer = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "host.officer", "password": "demo"}
        )
        self.token = answer.json()["access_token"]
        headers = {"Authorization": f"Bearer {self.token}"}
        devices = httpx.get(f"{base}/api/v1/devices", headers=headers, params={"limit": 100}).json()["items"]
        journeys = httpx.get(
            f"{base}/api/v1/journeys", headers=headers, params={"status": "under_way"}
        ).json()
        self.start: dict[str, tuple[float, float]] = {}
        self.routes: dict[str, list] = {}  # by the convoy's call sign, which names its devices
        for journey in journeys["items"]:
            detail = httpx.get(f"{base}/api/v1/journeys/{journey['id']}", headers=headers).json()
            self.routes[detail["convoy_leader_call_sign"]] = detail["route"]["coordinates"]
        for device in devices:
            call_sign = "-".join(device["identifier"].split("-")[1:3]).upper()  # demo-north-9-1 → NORTH-9
            if call_sign in self.routes:
                lon, lat = self.routes[call_sign][min(5, len(self.routes[call_sign]) - 1)]
                self.start[device["identifier"]] = (lat, lon)
        # The latency probe drives the Punjab convoy's armoured vehicle; the others make the load.
        self.probe = "demo-punjab-3-1"
        self.background = [d for d in self.start if not d.startswith("demo-punjab-3")]

    def probe_route(self) -> list:
        return self.routes["PUNJAB-3"]


def single_ping_request(fleet: Fleet) -> Callable[[], bytes]:
    """A fresh report each time, from the trackers in turn, stamped now: as a fleet in the field
    (replaying old timestamps would make the database insert out of order, which no fleet does)."""
    counter = itertools.count()

    def request() -> bytes:
        device = fleet.background[next(counter) % len(fleet.background)]
        lat, lon = fleet.start[device]
        query = f"id={device}&timestamp={time.time():.3f}&lat={lat:.6f}&lon={lon:.6f}&speed=0&accuracy=8"
        return get(f"/?{query}", HOST)

    return request


def batch_request(fleet: Fleet, headers: dict[str, str], size: int = BATCH) -> Callable[[], bytes]:
    """A fresh batch of `size` reports each time, the trackers in turn, stamped over the last second."""
    positions = [(d, *fleet.start[d]) for d in fleet.background]

    def request() -> bytes:
        now = time.time()
        pings = [
            {"device": d, "t": now - 1 + k / size, "lat": lat, "lon": lon, "speed_kmh": 0.0}
            for k, (d, lat, lon) in zip(range(size), itertools.cycle(positions))
        ]
        return post_json("/api/v1/tracking/pings", HOST, orjson.dumps({"pings": pings}), headers)

    return request


def throughput(port: int, request: Callable[[], bytes], connections: int) -> tuple[float, int, int]:
    """(answers per second, 200s, others) of one run."""
    load = Load(HOST, port, request, connections, RUN_SECONDS)
    seconds = asyncio.run(load.run())
    ok = load.statuses.get(200, 0)
    return ok / seconds, ok, sum(load.statuses.values()) - ok


def bench_single(fleet: Fleet, osmand_port: int) -> None:
    rates = []
    for run in range(RUNS):
        rate, ok, bad = throughput(osmand_port, single_ping_request(fleet), CONNECTIONS)
        rates.append(rate)
        print(f"  single-ping run {run + 1}: {rate:,.0f} req/s ({ok:,} answered 200, {bad} otherwise)")
    print(
        f"OsmAnd single-ping requests per second   median {statistics.median(rates):10,.0f}   target ≥ 8,000"
    )


def bench_batches(fleet: Fleet, port: int) -> None:
    headers = {"Authorization": f"Bearer {fleet.token}"}
    rates = []
    for run in range(RUNS):
        rate, ok, bad = throughput(port, batch_request(fleet, headers), BATCH_CONNECTIONS)
        rates.append(rate * BATCH)
        print(
            f"  batch run {run + 1}: {rate * BATCH:,.0f} pings/s ({ok:,} batches of {BATCH:,}, {bad} refused)"
        )
    print(f"JSON batch pings per second   median {statistics.median(rates):10,.0f}   target ≥ 200,000")


# ---- alert latency -----------------------------------------------------------------------


async def _subscribe(port: int, token: str, arrivals: asyncio.Queue, ready: asyncio.Event) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(
        f"GET /api/v1/live HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    )
    await writer.drain()
    event = None
    while True:
        line = (await reader.readline()).decode().strip()
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
            ready.set()
        elif line.startswith("data:") and event == "alert":
            data = json.loads(line.split(":", 1)[1])
            if data.get("kind") == "deviation" and data.get("change") in ("raised", "repeated"):
                arrivals.put_nowait((time.perf_counter(), data["id"]))


async def _background(port: int, request: Callable[[], bytes], per_request: int, stop: asyncio.Event) -> int:
    """Paced load: BACKGROUND_RATE pings per second (requests of `per_request` pings) over 20
    connections; returns the pings sent."""
    connections, sent = 20, 0
    period = connections * per_request / BACKGROUND_RATE

    async def one(index: int) -> None:
        nonlocal sent
        reader, writer = await asyncio.open_connection(HOST, port)
        next_at = time.perf_counter() + index * period / connections
        while not stop.is_set():
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            next_at += period
            writer.write(request())
            await _read_answer(reader)
            sent += per_request
        writer.close()

    await asyncio.gather(*(one(i) for i in range(connections)))
    return sent


async def _read_answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    if length:
        await reader.readexactly(length)
    return int(head[9:12])


async def _latency(fleet: Fleet, port: int, osmand_port: int, gateways: bool) -> tuple[list, int, float]:
    arrivals: asyncio.Queue = asyncio.Queue()
    ready, stop = asyncio.Event(), asyncio.Event()
    subscriber = asyncio.create_task(_subscribe(port, fleet.token, arrivals, ready))
    await asyncio.wait_for(ready.wait(), 10)
    if gateways:
        headers = {"Authorization": f"Bearer {fleet.token}"}
        load = _background(port, batch_request(fleet, headers, GATEWAY_BATCH), GATEWAY_BATCH, stop)
    else:
        load = _background(osmand_port, single_ping_request(fleet), 1, stop)
    background = asyncio.create_task(load)
    reader, writer = await asyncio.open_connection(HOST, osmand_port)
    route = fleet.probe_route()
    lon, lat = route[min(8, len(route) - 1)]
    off = lat + 1.5 / 110.574  # 1.5 km north of the road
    base = time.time() + 3600  # the probe's own clock runs ahead: each sample is a fresh episode
    samples, started = [], time.perf_counter()
    api = httpx.AsyncClient(
        base_url=f"http://{HOST}:{port}", headers={"Authorization": f"Bearer {fleet.token}"}
    )

    async def report(t: float, at_lat: float) -> None:
        query = urlencode(
            {
                "id": fleet.probe,
                "timestamp": f"{t:.0f}",
                "lat": f"{at_lat:.6f}",
                "lon": f"{lon:.6f}",
                "speed": "30",
                "accuracy": "8",
            }
        )
        writer.write(get(f"/?{query}", HOST))
        assert await _read_answer(reader) == 200

    for k in range(LATENCY_SAMPLES + 2):
        t = base + k * 1200
        await report(t, lat)  # on the road
        for step in range(1, 5):  # off it: the dwell (two minutes) is not over yet
            await report(t + 30 * step, off)
        while not arrivals.empty():
            arrivals.get_nowait()
        sent = time.perf_counter()
        await report(t + 150, off)  # this one completes the dwell: the alert
        stored = time.perf_counter()
        arrived, alert_id = await asyncio.wait_for(arrivals.get(), 10)
        if k >= 2:  # the first episodes warm the caches
            samples.append((arrived - sent, stored - sent))
        # An operator resolves it, so that the next deviation raises a new alert (not a repeat).
        await api.post(f"/api/v1/alerts/{alert_id}/resolve", json={"note": "benchmark probe"})
        for step in range(1, 4):  # back on the road long enough to clear
            await report(t + 150 + 90 * step, lat)
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    stop.set()
    background_sent = await background
    subscriber.cancel()
    writer.close()
    await api.aclose()
    return samples, background_sent, elapsed


def bench_latency(fleet: Fleet, port: int, osmand_port: int, gateways: bool) -> None:
    both, background, elapsed = asyncio.run(_latency(fleet, port, osmand_port, gateways))
    samples = [total for total, _ in both]
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    source = f"gateways, batches of {GATEWAY_BATCH}" if gateways else "trackers, one ping per request"
    print(f"  background load during the probe: {background / elapsed:,.0f} pings/s from {source}")
    answered = statistics.median(stored for _, stored in both) * 1000
    print(f"  of which the ping's own answer (stored, checked, committed): median {answered:.1f} ms")
    print(
        f"alert latency, ping to live subscriber   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   target p99 < 20 ms"
        f"   n={len(samples)}"
    )


def main() -> None:
    _pin(1)
    print(f"machine reference (a fixed Python loop, lower is faster): {machine_reference():.0f} ms")
    with demo_server() as (base, port, osmand_port):
        fleet = Fleet(base)
        print(
            f"server on core 0, load on core 1; {len(fleet.background)} trackers loading, probe {fleet.probe}"
        )
        bench_single(fleet, osmand_port)
        bench_batches(fleet, port)
        bench_latency(fleet, port, osmand_port, gateways=False)
        bench_latency(fleet, port, osmand_port, gateways=True)


if __name__ == "__main__":
    main()
