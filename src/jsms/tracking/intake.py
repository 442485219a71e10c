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
from typing import Any

import numpy as np
import orjson

from jsms.core.errors import FieldError, Invalid
from jsms.tracking.columns import FixColumns
from jsms.tracking.osmand import MILLISECONDS_FROM, Fix, PingError, parse_time

log = logging.getLogger("jsms.tracking")
TICK_SECONDS = 5.0
MAX_BATCH = 10_000
NUMBERS = ("lat", "lon", "speed_kmh", "bearing", "accuracy", "battery")  # FixColumns' order
NUMBER_TYPES = {int, float, type(None)}

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


def parse_batch(body: bytes, received: float) -> FixColumns:
    """The fixes of a `{"pings": [...]}` batch; every bad item is named in one Invalid error."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise Invalid(f"The body is not JSON: {error}") from None
    items = data.get("pings") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise Invalid('The body must be an object with a list "pings"')
    if len(items) > MAX_BATCH:
        raise Invalid(f"A batch holds at most {MAX_BATCH} pings; this one has {len(items)}")
    fixes = _columns(items, received)
    if fixes is not None:
        return fixes
    # Something is off: go item by item, to name every bad one.
    fixes, errors = [], []
    for index, item in enumerate(items):
        try:
            fixes.append(_batch_fix(item, received))
        except PingError as error:
            errors.append(FieldError(["body", "pings", index], str(error)))
    if errors:
        raise Invalid(f"{len(errors)} of {len(items)} pings are invalid; none was stored", errors)
    return FixColumns.of(fixes)


def _columns(items: list[Any], received: float) -> FixColumns | None:
    """The fast way through a well-formed batch: each field checked for the whole batch at once
    (types, finiteness, ranges). Returns None at the first doubt; the slow way then says what."""
    if not all(type(item) is dict for item in items):
        return None
    devices = [item.get("device") for item in items]
    if not all(type(d) is str and d and not d.isspace() for d in devices):
        return None
    devices = [d.strip() for d in devices]
    columns = {}
    for name in ("t", *NUMBERS):
        values = [item.get(name) for item in items]
        if not set(map(type, values)) <= NUMBER_TYPES:
            return None  # strings, booleans, objects: the slow way
        columns[name] = np.array(values, dtype=float)  # None becomes NaN (JSON has no NaN of its own)
    t, lat, lon = columns["t"], columns["lat"], columns["lon"]
    present = {name: ~np.isnan(column) for name, column in columns.items()}
    if any(np.isinf(column).any() for column in columns.values()) or (t[present["t"]] < 0).any():
        return None
    if (present["lat"] != present["lon"]).any():
        return None
    if (np.abs(lat[present["lat"]]) > 90).any() or (np.abs(lon[present["lon"]]) > 180).any():
        return None
    t = np.where(present["t"], np.where(t >= MILLISECONDS_FROM, t / 1000, t), received)
    alarms = {k: str(item["alarm"]).lower()[:40] for k, item in enumerate(items) if item.get("alarm")}
    return FixColumns(devices, t, *(columns[name] for name in NUMBERS), alarm=alarms)


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
