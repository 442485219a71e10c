"""Positions stored in blocks (see `models.PingBlock`): writing one group commit's fixes, one row per
device, and reading a journey's track back as one row per report."""

import uuid
from collections.abc import Iterable
from typing import Any

import numpy as np
import orjson
from sqlalchemy.orm import Session

from jsms.tracking.models import BLOCK_COLUMNS
from jsms.tracking.osmand import Fix

BLOCK_SQL_COLUMNS = ("device_id", "journey_id", "t_first", "t_last", "count", "data", "extras")
DTYPE = np.dtype("<f8")


def encode(fixes: list[Fix], received: float) -> bytes:
    """The fixes' numbers, row by row, as little-endian float64 (None and invalid positions: NaN)."""
    rows = [
        (
            f.t,
            received,
            f.lat if f.valid else None,
            f.lon if f.valid else None,
            f.speed_kmh,
            f.bearing,
            f.accuracy,
            f.battery,
        )
        for f in fixes
    ]
    return np.array(rows, dtype=DTYPE).tobytes()


def decode(data: bytes, count: int) -> np.ndarray:
    """count × len(BLOCK_COLUMNS) floats."""
    return np.frombuffer(data, dtype=DTYPE).reshape(count, len(BLOCK_COLUMNS))


def extras_of(fixes: list[Fix]) -> list[list[Any]] | None:
    rare = [[k, f.alarm, f.attributes or None] for k, f in enumerate(fixes) if f.alarm or f.attributes]
    return rare or None


def store(
    session: Session,
    by_device: dict[uuid.UUID, list[Fix]],
    journey_of: dict[uuid.UUID, uuid.UUID],
    received: float,
) -> None:
    """One block per device, straight to the driver (no ORM on the hot path)."""
    connection = session.connection()
    dialect = connection.dialect
    sqlite_ = dialect.name == "sqlite"
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    marks = [mark] * len(BLOCK_SQL_COLUMNS)
    if not sqlite_:
        marks[-1] = f"{mark}::json"
    values = []
    for device, fixes in by_device.items():
        journey = journey_of.get(device)
        times = [f.t for f in fixes]
        extras = extras_of(fixes)
        values.append(
            (
                device.hex if sqlite_ else device,
                (journey.hex if sqlite_ else journey) if journey else None,
                min(times),
                max(times),
                len(fixes),
                encode(fixes, received),
                orjson.dumps(extras).decode() if extras else None,
            )
        )
    sql = f"INSERT INTO ping_block ({', '.join(BLOCK_SQL_COLUMNS)}) VALUES ({', '.join(marks)})"
    connection.exec_driver_sql(sql, values)


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
