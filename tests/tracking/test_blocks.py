"""Positions stored in blocks come back as they were reported."""

import uuid
from types import SimpleNamespace

import numpy as np
import orjson

from jsms.tracking import blocks
from jsms.tracking.columns import FixColumns
from jsms.tracking.osmand import Fix


def test_a_block_expands_to_the_reports_it_holds():
    device = uuid.uuid4()
    fixes = [
        Fix("phone", 1_790_000_010.5, 25.1, 62.3, speed_kmh=40.0, battery=80.0),
        Fix("phone", 1_790_000_000.0, 25.0, 62.2, alarm="sos", attributes={"ignition": True}),
        Fix("phone", 1_790_000_020.0, 25.2, 62.4, valid=False, accuracy=900.0),
        Fix("phone", 1_790_000_030.0),  # a heartbeat without a position
    ]
    columns = FixColumns.of(fixes)
    extras = blocks.extras_of(columns, np.arange(len(fixes)))
    block = SimpleNamespace(
        device_id=device,
        count=len(fixes),
        data=columns.matrix(1_790_000_031.0).tobytes(),
        extras=orjson.loads(extras),
    )
    rows = blocks.expand([block])
    assert [r["t"] for r in rows] == [1_790_000_000.0, 1_790_000_010.5, 1_790_000_020.0, 1_790_000_030.0]
    first, second, invalid, heartbeat = rows
    assert first["alarm"] == "sos" and first["attributes"] == {"ignition": True} and first["lat"] == 25.0
    assert second["speed_kmh"] == 40.0 and second["battery"] == 80.0 and second["alarm"] is None
    assert invalid["lat"] is None and invalid["accuracy"] == 900.0  # an invalid fix is no position
    assert heartbeat["lat"] is None and heartbeat["speed_kmh"] is None
    assert all(r["received"] == 1_790_000_031.0 and r["device_id"] == device for r in rows)
