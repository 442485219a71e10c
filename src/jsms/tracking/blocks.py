"""Positions stored in blocks (see `models.PingBlock`): writing one group commit's fixes, one row per
device, and reading a journey's track back as one row per report."""

import uuid
from collections.abc import Iterable
from typing import Any

import numpy as np
import orjson
from sqlalchemy.orm import Session

from jsms.core.db import execute_many_raw, placeholder
from jsms.tracking.columns import FixColumns
from jsms.tracking.models import BLOCK_COLUMNS

BLOCK_SQL_COLUMNS = ("device_id", "journey_id", "t_first", "t_last", "count", "data", "extras")
DTYPE = np.dtype("<f8")


def decode(data: bytes, count: int) -> np.ndarray:
    """count × len(BLOCK_COLUMNS) floats."""
    return np.frombuffer(data, dtype=DTYPE).reshape(count, len(BLOCK_COLUMNS))


def extras_of(fixes: FixColumns, rows: np.ndarray) -> str | None:
    """[index in the block, alarm, attributes] for the block's rows that carry either."""
    if not fixes.alarm and not fixes.attributes:
        return None
    rare = [
        [k, fixes.alarm.get(row), fixes.attributes.get(row) or None]
        for k, row in enumerate(rows.tolist())
        if row in fixes.alarm or row in fixes.attributes
    ]
    return orjson.dumps(rare).decode() if rare else None


def store(
    session: Session,
    fixes: FixColumns,
    groups: list[tuple[uuid.UUID, uuid.UUID | None, np.ndarray]],
    received: float,
) -> None:
    """One block per (device, its journey, its row numbers), straight to the driver (no ORM on the
    hot path)."""
    sqlite_ = session.get_bind().dialect.name == "sqlite"
    marks = [placeholder(session)] * len(BLOCK_SQL_COLUMNS)
    if not sqlite_:
        marks[-1] += "::json"
    matrix = fixes.matrix(received).astype(DTYPE, copy=False)
    values = []
    for device, journey, rows in groups:
        times = fixes.t[rows]
        values.append(
            (
                device.hex if sqlite_ else device,
                (journey.hex if sqlite_ else journey) if journey else None,
                float(times.min()),
                float(times.max()),
                len(rows),
                matrix[rows].tobytes(),
                extras_of(fixes, rows),
            )
        )
    sql = f"INSERT INTO ping_block ({', '.join(BLOCK_SQL_COLUMNS)}) VALUES ({', '.join(marks)})"
    execute_many_raw(session, sql, values)


def expand(blocks: Iterable[Any]) -> list[dict[str, Any]]:
    """One dict per report (device_id, t, lat, lon, speed_kmh, bearing, accuracy, battery, alarm,
    attributes), oldest first."""
    out: list[dict[str, Any]] = []
    for block in blocks:
        numbers = decode(block.data, block.count)
        rare = {k: (alarm, attributes) for k, alarm, attributes in (block.extras or [])}
        for k, row in enumerate(numbers.tolist()):
            item = {
                name: (None if value != value else value)
                for name, value in zip(BLOCK_COLUMNS, row, strict=True)
            }
            alarm, attributes = rare.get(k, (None, None))
            out.append({"device_id": block.device_id, **item, "alarm": alarm, "attributes": attributes})
    out.sort(key=lambda item: item["t"])
    return out
