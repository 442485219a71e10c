"""Many fixes as columns: what the intake hands to its sink, and what the monitor checks and stores.

A JSON batch of a thousand reports is read straight into these arrays, and single reports are
gathered into them once per group commit; from here on nothing is done per fix in Python (the
checks, the storage in blocks and the live picture all work on whole columns).
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jsms.tracking.osmand import Fix

NUMBERS = ("t", "lat", "lon", "speed_kmh", "bearing", "accuracy", "battery")
NAN = float("nan")


@dataclass
class FixColumns:
    """`device` names each row's device; numbers are NaN where the report had none, and lat/lon
    also where the device said its position was not valid. Alarms and extra attributes are rare:
    kept by row number."""

    device: list[str]
    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    speed_kmh: np.ndarray
    bearing: np.ndarray
    accuracy: np.ndarray
    battery: np.ndarray
    alarm: dict[int, str] = field(default_factory=dict)
    attributes: dict[int, dict[str, Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.device)

    @property
    def positioned(self) -> np.ndarray:
        return ~(np.isnan(self.lat) | np.isnan(self.lon))

    @classmethod
    def of(cls, fixes: list[Fix]) -> "FixColumns":
        rows = [
            (
                f.t,
                f.lat if f.valid else None,
                f.lon if f.valid else None,
                f.speed_kmh,
                f.bearing,
                f.accuracy,
                f.battery,
            )
            for f in fixes
        ]
        matrix = np.array(rows, dtype=float).reshape(len(fixes), len(NUMBERS))  # None becomes NaN
        return cls(
            [f.device for f in fixes],
            *matrix.T.copy(),
            alarm={k: f.alarm for k, f in enumerate(fixes) if f.alarm},
            attributes={k: f.attributes for k, f in enumerate(fixes) if f.attributes},
        )

    @classmethod
    def concat(cls, parts: list["FixColumns"]) -> "FixColumns":
        if len(parts) == 1:
            return parts[0]
        devices: list[str] = []
        alarm: dict[int, str] = {}
        attributes: dict[int, dict[str, Any]] = {}
        for part in parts:
            offset = len(devices)
            devices += part.device
            alarm |= {offset + k: v for k, v in part.alarm.items()}
            attributes |= {offset + k: v for k, v in part.attributes.items()}
        numbers = [np.concatenate([getattr(p, name) for p in parts]) for name in NUMBERS]
        return cls(devices, *numbers, alarm=alarm, attributes=attributes)

    @classmethod
    def gather(cls, batches: list["FixColumns | list[Fix]"]) -> "FixColumns":
        """One set of columns from what a group commit took: column batches and lists of single fixes."""
        singles = [fix for batch in batches if isinstance(batch, list) for fix in batch]
        parts = [batch for batch in batches if isinstance(batch, FixColumns)]
        if singles or not parts:
            parts.append(cls.of(singles))
        return cls.concat(parts)

    def take(self, index: np.ndarray) -> "FixColumns":
        """The rows `index` (an array of row numbers), in that order."""
        rows = index.tolist()
        new = {old: k for k, old in enumerate(rows)}
        return FixColumns(
            [self.device[i] for i in rows],
            *(getattr(self, name)[index] for name in NUMBERS),
            alarm={new[k]: v for k, v in self.alarm.items() if k in new},
            attributes={new[k]: v for k, v in self.attributes.items() if k in new},
        )

    def fix(self, i: int) -> Fix:
        """Row i as a single report (for the rare paths that want one: streams, SOS)."""
        numbers = {name: float(getattr(self, name)[i]) for name in NUMBERS[1:]}
        return Fix(
            device=self.device[i],
            t=float(self.t[i]),
            alarm=self.alarm.get(i),
            attributes=self.attributes.get(i, {}),
            **{name: None if value != value else value for name, value in numbers.items()},  # NaN: None
        )

    def to_fixes(self) -> list[Fix]:
        return [self.fix(i) for i in range(len(self))]

    def matrix(self, received: float) -> np.ndarray:
        """Rows × BLOCK_COLUMNS (t, received, lat, lon, speed, bearing, accuracy, battery) for storage."""
        out = np.empty((len(self), len(NUMBERS) + 1))
        out[:, 0] = self.t
        out[:, 1] = received
        for k, name in enumerate(NUMBERS[1:], start=2):
            out[:, k] = getattr(self, name)
        return out


def rows_by_key(keys: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Row numbers grouped by key (e.g. device slot), each group in arrival order."""
    if len(keys) == 0:
        return []
    if (keys == keys[0]).all():  # one device: the usual single report
        return [(int(keys[0]), np.arange(len(keys)))]
    order = np.argsort(keys, kind="stable")
    cuts = np.flatnonzero(np.diff(keys[order])) + 1
    return [(int(keys[group[0]]), group) for group in np.split(order, cuts)]
