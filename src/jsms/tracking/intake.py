"""Ping intake: every request waits until its fixes are durable, and many requests share one commit.

Requests (OsmAnd reports, JSON batches, the field page) hand their fixes to `Intake.submit` and
await it. One writer thread takes everything that has arrived, stores it and runs the live
checks in a single unit of work, commits, and only then answers all of those requests at once
(group commit): under load each commit carries hundreds of fixes, and a fix is never
acknowledged before it is on disk. The same thread ticks the engine's clock every few seconds,
so the engine is only ever touched by one thread.

Where the fixes go is the sink's business: the database (one process does everything), or a
Redis stream that tracking workers consume (`stream.py`).
"""

import asyncio
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any

import msgspec
import numpy as np
import orjson

from jsms.core.errors import FieldError, Invalid
from jsms.tracking.columns import FixColumns
from jsms.tracking.osmand import MILLISECONDS_FROM, Fix, PingError, parse_time

log = logging.getLogger("jsms.tracking")
TICK_SECONDS = 5.0
MAX_BATCH = 10_000
NUMBERS = ("lat", "lon", "speed_kmh", "bearing", "accuracy", "battery")  # FixColumns' order

Sink = Callable[[FixColumns, float], None]
Batch = FixColumns | list[Fix]


class Intake:
    """The group-commit writer. `sink(fixes, received)` must make the fixes durable or raise."""

    def __init__(
        self, sink: Sink, tick: Callable[[], None] | None = None, tick_seconds: float = TICK_SECONDS
    ):
        self.sink = sink
        self.tick = tick
        self.tick_seconds = tick_seconds
        self._pending: list[tuple[Batch, asyncio.Future, asyncio.AbstractEventLoop]] = []
        self._condition = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None
        self.commits = 0
        self.fixes = 0

    def start(self) -> "Intake":
        self._thread = threading.Thread(target=self._run, name="jsms-intake", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._condition:
            self._stop = True
            self._condition.notify()
        if self._thread is not None:
            self._thread.join(timeout=10)

    async def submit(self, fixes: Batch) -> None:
        """Return once the fixes are durable; raise if they could not be stored."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._condition:
            self._pending.append((fixes, future, loop))
            self._condition.notify()
        await future

    def _run(self) -> None:
        next_tick = time.monotonic() + self.tick_seconds
        while True:
            with self._condition:
                while not self._pending and not self._stop and time.monotonic() < next_tick:
                    self._condition.wait(max(next_tick - time.monotonic(), 0.0))
                if self._stop and not self._pending:
                    return
                taken, self._pending = self._pending, []
            if taken:
                self._write(taken)
            if self.tick is not None and time.monotonic() >= next_tick:
                next_tick = time.monotonic() + self.tick_seconds
                try:
                    self.tick()
                except Exception:  # the clock must keep ticking through a database hiccup
                    log.exception("tracking tick failed")

    def _write(self, taken) -> None:
        fixes = FixColumns.gather([batch for batch, _, _ in taken])
        error: BaseException | None = None
        try:
            self.sink(fixes, time.time())
            self.commits += 1
            self.fixes += len(fixes)
        except Exception as failure:  # every waiting request learns its fixes were not stored
            log.exception("storing %d fixes failed", len(fixes))
            error = failure
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future]] = {}
        for _, future, loop in taken:
            by_loop.setdefault(loop, []).append(future)
        for loop, futures in by_loop.items():
            loop.call_soon_threadsafe(_settle, futures, error)


def _settle(futures: list[asyncio.Future], error: BaseException | None) -> None:
    for future in futures:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)


# ---- JSON batches ------------------------------------------------------------------------


class _Ping(msgspec.Struct):
    """A well-formed item of a batch, as msgspec checks it in C while reading the JSON."""

    device: str
    t: float | None = None
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    speed_kmh: float | None = None
    bearing: float | None = None
    accuracy: float | None = None
    battery: float | None = None
    alarm: str | None = None


class _Batch(msgspec.Struct):
    pings: list[_Ping]


_BATCH = msgspec.json.Decoder(_Batch)


def parse_batch(body: bytes, received: float) -> FixColumns:
    """The fixes of a `{"pings": [...]}` batch; every bad item is named in one Invalid error."""
    fast = read_fast(body, received)
    return fast if fast is not None else read_item_by_item(body, received)


def read_fast(body: bytes, received: float) -> FixColumns | None:
    """The fast way through a well-formed batch: read into typed structs, then each remaining
    check done for the whole batch at once. None at the first doubt (an ISO time, a bad item):
    the item-by-item way then reads it, or says what is wrong with every bad item."""
    try:
        pings = _BATCH.decode(body).pings
    except msgspec.DecodeError:  # not JSON, or not the usual shape: the slow way says which
        return None
    if len(pings) > MAX_BATCH:
        raise Invalid(f"A batch holds at most {MAX_BATCH} pings; this one has {len(pings)}")
    devices = [p.device.strip() for p in pings]
    if not all(devices):
        return None
    columns = {name: _column([getattr(p, name) for p in pings]) for name in ("t", *NUMBERS)}
    t, lat, lon = columns["t"], columns["lat"], columns["lon"]
    if any(np.isinf(column).any() for column in columns.values()) or (t < 0).any():
        return None
    if (np.isnan(lat) != np.isnan(lon)).any():
        return None
    t = np.where(np.isnan(t), received, np.where(t >= MILLISECONDS_FROM, t / 1000, t))
    alarms = {k: p.alarm.lower()[:40] for k, p in enumerate(pings) if p.alarm}
    return FixColumns(devices, t, *(columns[name] for name in NUMBERS), alarm=alarms)


def _column(values: list[float | None]) -> np.ndarray:
    """Floats, NaN for None (the common cases, all present or all absent, the quick way)."""
    absent = values.count(None)
    if absent == 0:
        return np.fromiter(values, dtype=float, count=len(values))
    if absent == len(values):
        return np.full(len(values), np.nan)
    return np.array(values, dtype=float)


def read_item_by_item(body: bytes, received: float) -> FixColumns:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise Invalid(f"The body is not JSON: {error}") from None
    items = data.get("pings") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise Invalid('The body must be an object with a list "pings"')
    if len(items) > MAX_BATCH:
        raise Invalid(f"A batch holds at most {MAX_BATCH} pings; this one has {len(items)}")
    fixes, errors = [], []
    for index, item in enumerate(items):
        try:
            fixes.append(_batch_fix(item, received))
        except PingError as error:
            errors.append(FieldError(["body", "pings", index], str(error)))
    if errors:
        raise Invalid(f"{len(errors)} of {len(items)} pings are invalid; none was stored", errors)
    return FixColumns.of(fixes)


def _batch_fix(item: Any, received: float) -> Fix:
    if not isinstance(item, dict):
        raise PingError("a ping must be an object")
    device = item.get("device")
    if not isinstance(device, str) or not device.strip():
        raise PingError("device is missing")
    stamp = item.get("t")
    if stamp is None:
        t = received
    elif isinstance(stamp, int | float) and not isinstance(stamp, bool):
        t = parse_time(repr(stamp), received)
    elif isinstance(stamp, str):
        t = parse_time(stamp, received)
    else:
        raise PingError(f"t {stamp!r} is not a time")
    values = {}
    for name in NUMBERS:
        value = item.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise PingError(f"{name} {value!r} is not a number")
        values[name] = float(value)
    lat, lon = values.get("lat"), values.get("lon")
    if (lat is None) != (lon is None):
        raise PingError("lat and lon must come together")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise PingError(f"position {lat},{lon} is outside the globe")
    alarm = item.get("alarm")
    return Fix(
        device=device.strip(),
        t=t,
        alarm=str(alarm).lower()[:40] if alarm else None,
        **values,
    )
