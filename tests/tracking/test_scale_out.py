"""Scale-out with a real redis-server: the intake appends pings to Redis Streams, workers that
lease partitions check them; a worker that dies mid-stream has its pending pings claimed by
another; nothing acknowledged is lost and nothing is stored or alerted twice."""

import time
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jsms.core.db import unit_of_work
from jsms.tracking import tasks
from jsms.tracking.models import PingBlock, StreamOffset
from jsms.tracking.service import TRACKING
from jsms.tracking.stream import GROUP, LEASE, STREAM, StreamTracking, StreamWorker, partition_of
from tests.conftest import Api, shared_app
from tests.tracking.conftest import start_convoy
from tests.tracking.test_live_api import report

PARTITIONS = 4


@pytest.fixture
def stream_runtime(connection, node, redis_url) -> Iterator[StreamTracking]:
    runtime = StreamTracking(redis_url, PARTITIONS).start()
    tasks.use(runtime)
    try:
        yield runtime
    finally:
        runtime.stop()
        tasks.use(None)


@pytest.fixture
def stream_api(stream_runtime, node) -> Iterator[Api]:

    with TestClient(shared_app(), raise_server_exceptions=False) as client:
        yield Api(client, node.database_url)


@pytest.fixture
def stream_convoy(stream_api, stream_runtime):
    return start_convoy(stream_api, stream_runtime.refresh_directory)


def worker(redis_url, name: str) -> StreamWorker:
    return StreamWorker(redis_url, PARTITIONS, name=name, lease_ms=2_000)


def drain(*workers: StreamWorker, until=lambda: False, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not until():
        for w in workers:
            w.step()


def stored_pings(device_ids: list[str] | None = None) -> int:
    with unit_of_work(TRACKING) as session:
        return session.scalar(select(func.coalesce(func.sum(PingBlock.count), 0)))


def deviations(api, journey_id) -> list[dict]:
    found = api.get("/api/v1/alerts", "host.officer", params={"journey_id": journey_id, "kind": "deviation"})
    return found.json()["items"]


def send(api, convoy, t0: float, steps: range, off_route: range = range(0)) -> int:
    """One report per step from the armoured vehicle and one from the escort, 30 s apart."""
    sent = 0
    for step in steps:
        km = 0.5 + step * 0.5  # 60 km/h
        north = 1.5 if step in off_route else 0.0
        for device, behind in ((convoy.protected, 0.0), (convoy.escort, 0.2)):
            lat, lon = convoy.point_at(max(km - behind, 0.0), north)
            assert report(api, device, t0 + step * 30, lat, lon).status_code == 200
            sent += 1
    return sent


def test_pings_go_through_redis_to_a_worker_and_alert_once(stream_api, stream_convoy, redis_url):
    api, convoy = stream_api, stream_convoy
    before = stored_pings()
    sent = send(api, convoy, time.time(), range(60), off_route=range(20, 45))
    partition = partition_of(convoy.journey["id"], PARTITIONS)
    assert redis.Redis.from_url(redis_url).xlen(STREAM.format(partition)) == sent  # all on one partition
    assert stored_pings() == before  # acknowledged by Redis; no worker has run yet
    w = worker(redis_url, "w1")
    drain(w, until=lambda: stored_pings() - before == sent)
    assert stored_pings() - before == sent
    assert len(deviations(api, convoy.journey["id"])) == 1
    w.release()


def test_a_dead_workers_pending_pings_are_claimed_and_none_is_stored_twice(
    stream_api, stream_convoy, redis_url
):
    api, convoy = stream_api, stream_convoy
    client = redis.Redis.from_url(redis_url)
    partition = partition_of(convoy.journey["id"], PARTITIONS)
    before = stored_pings()
    t0 = time.time()
    first = send(api, convoy, t0, range(20))
    dying = worker(redis_url, "dying")
    dying._keep_leases()
    assert partition in dying.owned

    # It stores and commits the first batch, then dies before acknowledging it.
    original_xack = dying.client.xack
    dying.client.xack = lambda *a, **k: (_ for _ in ()).throw(ConnectionError("killed"))
    with pytest.raises(ConnectionError):
        dying.step()
    assert stored_pings() - before == first
    with unit_of_work(TRACKING) as session:
        assert session.get(StreamOffset, partition) is not None
    # More pings arrive; it reads them and dies before storing them.
    second = send(api, convoy, t0, range(20, 60), off_route=range(30, 55))
    stream = STREAM.format(partition)
    read = client.xreadgroup(GROUP, "dying", {stream: ">"}, count=10_000)
    assert sum(len(entries) for _, entries in read) == second
    pending = client.xpending(stream, GROUP)["pending"]
    assert pending == first + second  # none acknowledged
    dying.client.xack = original_xack
    client.delete(LEASE.format(partition))  # its lease lapses, as a dead worker's does
    client.delete(f"jsms:worker:{dying.name}")

    heir = worker(redis_url, "heir")
    drain(heir, until=lambda: client.xpending(stream, GROUP)["pending"] == 0)
    assert client.xpending(stream, GROUP)["pending"] == 0
    assert stored_pings() - before == first + second  # the first batch was not stored again
    assert len(deviations(api, convoy.journey["id"])) == 1


def test_workers_share_the_partitions_and_a_new_one_gets_its_share(redis_url, connection):
    one, two = worker(redis_url, "one"), worker(redis_url, "two")
    one._keep_leases()
    assert one.owned == set(range(PARTITIONS))  # alone: all of them
    two._keep_leases()
    one._keep_leases()  # sees two workers: hands back the surplus
    two._keep_leases()
    assert len(one.owned) == len(two.owned) == PARTITIONS // 2
    assert not one.owned & two.owned
    one.release()
    two._keep_leases()
    assert two.owned == set(range(PARTITIONS))
    two.release()
