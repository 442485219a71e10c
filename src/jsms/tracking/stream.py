"""Scale-out of tracking over Redis Streams: servers append, workers check, nothing counts twice.

With `JSMS_REDIS_URL` set, the servers' intake appends each group of fixes to the stream of its
partition (`jsms:pings:<p>`, a journey's devices all in one partition) and answers once Redis
has them; run Redis with `appendonly yes` and `appendfsync always` so that an answered ping is
on disk. `jsms worker` processes read the streams in one consumer group. Each partition is
owned by one worker at a time through a lease (a Redis key that expires unless renewed), so a
journey's engine state lives in one process. A worker that takes a partition over — because its
owner died — first claims the entries the dead one had read but not acknowledged (XAUTOCLAIM).

Exactly once: a worker stores a batch's pings, alerts and engine states together with the last
entry id of the batch (`stream_offset`) in one transaction, and acknowledges the entries only
after that commit. An entry delivered again (the crash fell between commit and acknowledgement)
is at or below the stored offset and is skipped; alerts have idempotent keys besides.
"""

import logging
import os
import socket
import threading
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import asdict

import orjson
import redis
from sqlalchemy.orm import Session

from jsms.core.config import get_settings
from jsms.core.db import new_session
from jsms.core.heap import settle_after_startup
from jsms.tracking.columns import FixColumns
from jsms.tracking.intake import Intake
from jsms.tracking.models import StreamOffset
from jsms.tracking.osmand import Fix
from jsms.tracking.service import TRACKING, Directory, Monitor, device_journeys

log = logging.getLogger("jsms.tracking.stream")
GROUP = "jsms-tracking"
STREAM = "jsms:pings:{}"
LEASE = "jsms:lease:{}"
WORKER = "jsms:worker:{}"  # a worker's heartbeat: how many share the partitions
LEASE_MS = 10_000
READ_COUNT = 5_000
BLOCK_MS = 200
MAP_REFRESH_S = 2.0
TICK_SECONDS = 5.0
MAX_STREAM_LENGTH = 5_000_000  # approximate trimming, far beyond any consumer lag

# Renew a lease only if this worker still holds it (a lease that lapsed may be someone else's).
RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


def connect(url: str | None = None) -> redis.Redis:
    return redis.Redis.from_url(url or get_settings().redis_url, socket_timeout=10)


def partition_of(key: uuid.UUID | str, partitions: int) -> int:
    """Stable across processes and restarts (unlike Python's salted hash)."""
    return zlib.crc32(str(key).encode()) % partitions


def encode(fix: Fix, received: float) -> bytes:
    data = asdict(fix)
    data.pop("token")  # checked at intake; never stored
    data["received"] = received
    return orjson.dumps(data)


def decode(raw: bytes) -> tuple[Fix, float]:
    data = orjson.loads(raw)
    received = data.pop("received")
    return Fix(**data), received


def entry_key(entry_id: bytes | str) -> tuple[int, int]:
    """Stream ids ("ms-seq") in their order."""
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


# ---- the servers' side ---------------------------------------------------------------------


class StreamSink:
    """The intake's sink: append fixes to their partitions' streams in one round trip."""

    def __init__(self, client: redis.Redis, directory: Directory, partitions: int):
        self.client = client
        self.directory = directory
        self.partitions = partitions
        self._journey_of: dict[uuid.UUID, uuid.UUID] = {}
        self._map_read = 0.0

    def __call__(self, fixes: FixColumns, received: float) -> None:
        self._refresh_map()
        pipe = self.client.pipeline(transaction=False)
        for fix in fixes.to_fixes():
            entry = self.directory.find(fix.device)
            if entry is None:  # unknown devices were refused before they got here
                continue
            key = self._journey_of.get(entry.id, entry.id)
            stream = STREAM.format(partition_of(key, self.partitions))
            pipe.xadd(stream, {b"f": encode(fix, received)}, maxlen=MAX_STREAM_LENGTH, approximate=True)
        pipe.execute()  # raises if Redis refused: the waiting requests are answered 503

    def forget_map(self) -> None:
        self._map_read = 0.0

    def _refresh_map(self) -> None:
        if time.monotonic() - self._map_read < MAP_REFRESH_S:
            return
        with new_session(TRACKING) as session:
            self._journey_of = device_journeys(session)
        self._map_read = time.monotonic()


class StreamTracking:
    """Tracking in a server process with Redis: the device directory for intake checks, and the
    group-commit intake appending to the streams. Workers do the checking."""

    def __init__(self, url: str | None = None, partitions: int | None = None) -> None:
        self.client = connect(url)
        self._directory = Directory()
        partitions = partitions or get_settings().tracking_partitions
        self.intake = Intake(StreamSink(self.client, self._directory, partitions))

    @property
    def directory(self) -> Directory:
        return self._directory

    def start(self) -> "StreamTracking":
        self.refresh_directory()
        self.intake.start()
        return self

    def stop(self) -> None:
        self.intake.stop()
        self.client.close()

    def refresh_directory(self) -> None:
        """Read the devices again now, and which journeys they are on at the next append."""
        with new_session(TRACKING) as session:
            self._directory.load(session)
        self.intake.sink.forget_map()


# ---- the workers' side ---------------------------------------------------------------------


class StreamWorker:
    """One `jsms worker`'s share of tracking: the partitions it leases, read, checked, acknowledged."""

    def __init__(
        self,
        url: str | None = None,
        partitions: int | None = None,
        name: str | None = None,
        lease_ms: int = LEASE_MS,
    ):
        self.client = connect(url)
        self.partitions = partitions or get_settings().tracking_partitions
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.lease_ms = lease_ms
        self.owned: set[int] = set()
        self.monitor = Monitor(journey_filter=self._owns_journey)
        self._renew = self.client.register_script(RENEW)
        self._leases_checked = 0.0
        self._ticked = time.monotonic()
        self.processed = 0
        for p in range(self.partitions):
            try:
                self.client.xgroup_create(STREAM.format(p), GROUP, id="0", mkstream=True)
            except redis.ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise

    def _owns_journey(self, journey_id: uuid.UUID) -> bool:
        return partition_of(journey_id, self.partitions) in self.owned

    def run(self, stop: Callable[[], bool] = lambda: False) -> None:
        log.info("worker %s consuming %d partitions", self.name, self.partitions)
        try:
            while not stop():
                self.step()
        finally:
            self.release()

    def step(self) -> int:
        """Keep the leases, read what is new, tick the clock; returns how many entries were handled."""
        if time.monotonic() - self._leases_checked >= self.lease_ms / 3000:
            self._keep_leases()
        handled = 0
        if self.owned:
            streams = {STREAM.format(p): ">" for p in sorted(self.owned)}
            replies = self.client.xreadgroup(GROUP, self.name, streams, count=READ_COUNT, block=BLOCK_MS)
            for stream, entries in replies or []:
                handled += self._handle(_partition(stream), entries)
        else:
            time.sleep(BLOCK_MS / 1000)
        if time.monotonic() - self._ticked >= TICK_SECONDS:
            self._ticked = time.monotonic()
            self.monitor.in_unit(lambda session: self.monitor.tick(session))
        return handled

    # ---- leases ----------------------------------------------------------------------

    def _keep_leases(self) -> None:
        """Renew what we hold, take free partitions up to our fair share (the partitions divided
        among the workers alive), and hand back any beyond it so that a new worker gets some."""
        self._leases_checked = time.monotonic()
        self.client.set(WORKER.format(self.name), b"1", px=self.lease_ms)
        workers = max(1, sum(1 for _ in self.client.scan_iter(match=WORKER.format("*"), count=100)))
        share = -(-self.partitions // workers)
        gained, lost = [], []
        for p in range(self.partitions):
            key = LEASE.format(p)
            if p in self.owned:
                if not self._renew(keys=[key], args=[self.name, self.lease_ms]):
                    lost.append(p)  # it lapsed (a long pause): someone else may hold it now
            elif len(self.owned) + len(gained) < share and self._take(key):
                gained.append(p)
        surplus = sorted(self.owned - set(lost))[share:]
        for p in surplus:
            self._give_back(p)
        lost += surplus
        if not gained and not lost:
            return
        self.owned = (self.owned | set(gained)) - set(lost)
        log.info("worker %s: partitions gained %s, lost %s", self.name, gained, lost)
        self.monitor.in_unit(
            lambda session: self.monitor.refresh(session, force=True)
        )  # states of the new journeys
        for p in gained:
            self._recover(p)

    def _take(self, key: str) -> bool:
        """A free partition, or one still ours (we dropped it after a failed batch)."""
        if self.client.set(key, self.name, nx=True, px=self.lease_ms):
            return True
        return bool(self._renew(keys=[key], args=[self.name, self.lease_ms]))

    def _give_back(self, p: int) -> None:
        key = LEASE.format(p)
        if self.client.get(key) == self.name.encode():
            self.client.delete(key)

    def _recover(self, p: int) -> None:
        """Claim what a previous owner read and did not acknowledge, and handle it first."""
        stream, start = STREAM.format(p), "0-0"
        while True:
            start, entries, *_ = self.client.xautoclaim(stream, GROUP, self.name, 0, start, count=READ_COUNT)
            live = [(entry_id, fields) for entry_id, fields in entries if fields]
            if live:
                log.info("worker %s claimed %d pending pings of partition %d", self.name, len(live), p)
                self._handle(p, live)
            deleted = [entry_id for entry_id, fields in entries if not fields]  # trimmed away
            if deleted:
                self.client.xack(stream, GROUP, *deleted)
            if start in (b"0-0", "0-0"):
                return

    def release(self) -> None:
        """Give the partitions back at once (a clean stop), rather than letting the leases lapse."""
        for p in list(self.owned):
            self._give_back(p)
        self.client.delete(WORKER.format(self.name))
        self.owned.clear()

    # ---- entries ---------------------------------------------------------------------

    def _handle(self, p: int, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> int:
        if not entries:
            return 0
        last = max((e for e, _ in entries), key=entry_key)

        def work(session: Session) -> None:
            done = session.get(StreamOffset, p, with_for_update=True)
            done_key = entry_key(done.last_id) if done else (-1, -1)
            fresh = [fields for entry_id, fields in entries if entry_key(entry_id) > done_key]
            for received, fixes in _by_received(fresh):
                self.monitor.process(session, FixColumns.of(fixes), received)
            if entry_key(last) > done_key:
                session.merge(StreamOffset(partition=p, last_id=last.decode()))

        self.monitor.in_unit(work)
        self.client.xack(STREAM.format(p), GROUP, *[e for e, _ in entries])
        self.processed += len(entries)
        return len(entries)


def _partition(stream: bytes | str) -> int:
    text = stream.decode() if isinstance(stream, bytes) else stream
    return int(text.rsplit(":", 1)[1])


def _by_received(entries: list[dict[bytes, bytes]]):
    """Fixes in arrival order, grouped by the moment they were received (one group per intake commit)."""
    groups: list[tuple[float, list[Fix]]] = []
    for fields in entries:
        fix, received = decode(fields[b"f"])
        if groups and groups[-1][0] == received:
            groups[-1][1].append(fix)
        else:
            groups.append((received, [fix]))
    return groups


def run_worker(stop: threading.Event | None = None) -> None:
    """`jsms worker`'s tracking loop: restart after a failure (Redis or the database away)."""
    stop = stop or threading.Event()
    worker = StreamWorker()
    settle_after_startup()
    while not stop.is_set():
        try:
            worker.run(stop.is_set)
        except (redis.RedisError, OSError):
            log.exception("Redis unreachable; retrying in 2 s")
            worker.owned.clear()
            stop.wait(2)
        except Exception:
            log.exception("a tracking batch failed; it stays pending and is retried")
            worker.owned.clear()  # re-acquire: claims the pending entries again
            stop.wait(1)
