"""The OsmAnd / Traccar Client protocol: one position report from a query, a form or a JSON body.

Pure functions over plain data (see standards.md §4). What the Traccar server accepts, we accept:
`id` or `deviceid`; `timestamp` in Unix seconds, milliseconds, ISO 8601 or `yyyy-MM-dd HH:mm:ss`
(read as UTC, the server's zone); `lat`/`lon` or `location=lat,lon`; `speed` in knots; `alarm`
(e.g. `sos`); any other parameter kept as an attribute. A report without a position is a
heartbeat: it proves the device is alive and reuses its last known place.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

KNOTS_TO_KMH = 1.852
MPS_TO_KMH = 3.6
MILLISECONDS_FROM = 2**31 - 1  # Traccar: larger Unix times are milliseconds
MIN_JSON_ACCURACY_M = 10.0  # Traccar's osmand.minAccuracy: better claims are ignored
MAX_ATTRIBUTES = 32
MAX_TEXT = 200

NUMERIC = {
    "lat": "lat",
    "lon": "lon",
    "bearing": "bearing",
    "heading": "bearing",
    "altitude": "altitude",
    "accuracy": "accuracy",
    "batt": "battery",
}
IGNORED = {"id", "deviceid", "timestamp", "location", "valid", "alarm", "token", "speed", "notificationToken"}


class PingError(ValueError):
    """A report that cannot be read; the message says which parameter and why."""


@dataclass(slots=True)
class Fix:
    """One position report as the protocol gave it, times in Unix seconds (UTC), speed in km/h."""

    device: str
    t: float
    lat: float | None = None
    lon: float | None = None
    speed_kmh: float | None = None
    bearing: float | None = None
    altitude: float | None = None
    accuracy: float | None = None
    battery: float | None = None
    alarm: str | None = None
    valid: bool = True
    token: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def has_position(self) -> bool:
        return self.valid and self.lat is not None and self.lon is not None


def parse_time(text: str, received: float) -> float:
    """A timestamp as Traccar reads it, in Unix seconds."""
    text = text.strip()
    if not text:
        return received
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(number) or number < 0:
            raise PingError(f"timestamp {text!r} is not a time")
        return number / 1000 if number >= MILLISECONDS_FROM else number
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise PingError(f"timestamp {text!r} is neither Unix time nor ISO 8601") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _number(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PingError(f"{name} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise PingError(f"{name} {text!r} is not a finite number")
    return value


def _attribute(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    try:
        value = float(text)
    except ValueError:
        return text[:MAX_TEXT]
    return value if math.isfinite(value) else text[:MAX_TEXT]


def _check_place(fix: Fix) -> None:
    if (fix.lat is None) != (fix.lon is None):
        raise PingError("lat and lon must come together")
    if fix.lat is not None and not (-90 <= fix.lat <= 90):
        raise PingError(f"lat {fix.lat} is outside -90..90")
    if fix.lon is not None and not (-180 <= fix.lon <= 180):
        raise PingError(f"lon {fix.lon} is outside -180..180")


def from_params(params: list[tuple[str, str]], received: float) -> Fix:
    """A report from query or form parameters (a repeated parameter keeps its last value)."""
    values: dict[str, str] = {}
    extra: dict[str, Any] = {}
    for name, value in params:
        values[name] = value
        if name not in IGNORED and name not in NUMERIC and len(extra) < MAX_ATTRIBUTES:
            extra[name[:40]] = _attribute(value)
    device = (values.get("id") or values.get("deviceid") or "").strip()
    if not device:
        raise PingError("id (or deviceid) is missing")
    fix = Fix(device=device, t=parse_time(values.get("timestamp", ""), received), attributes=extra)
    for name, attribute in NUMERIC.items():
        if name in values and values[name].strip():
            setattr(fix, attribute, _number(name, values[name]))
    if "location" in values and fix.lat is None:
        parts = values["location"].split(",")
        if len(parts) != 2:
            raise PingError(f"location {values['location']!r} is not 'lat,lon'")
        fix.lat, fix.lon = _number("location", parts[0]), _number("location", parts[1])
    if values.get("speed", "").strip():
        knots = _number("speed", values["speed"])
        fix.speed_kmh = knots * KNOTS_TO_KMH if knots >= 0 else None
    fix.valid = values.get("valid", "true").strip().lower() in ("true", "1")
    alarm = values.get("alarm", "").strip()
    fix.alarm = alarm[:40].lower() or None
    fix.token = values.get("token") or None
    _check_place(fix)
    return fix


def from_json(body: Any, received: float) -> Fix:
    """A report in the JSON form (the background-geolocation format of Traccar Client 9)."""
    if not isinstance(body, dict):
        raise PingError("the JSON body must be an object")
    device = body.get("device_id")
    if not isinstance(device, str | int) or not str(device).strip():
        raise PingError("device_id is missing")
    location = body.get("location") or {}
    if not isinstance(location, dict):
        raise PingError("location must be an object")
    stamp = location.get("timestamp")
    fix = Fix(device=str(device).strip(), t=parse_time(str(stamp), received) if stamp else received)
    coords = location.get("coords")
    if coords is not None:
        if not isinstance(coords, dict):
            raise PingError("location.coords must be an object")
        fix.lat = _json_number(coords, "latitude")
        fix.lon = _json_number(coords, "longitude")
        speed = _json_number(coords, "speed")
        fix.speed_kmh = speed * MPS_TO_KMH if speed is not None and speed >= 0 else None
        heading = _json_number(coords, "heading")
        fix.bearing = heading if heading is not None and heading >= 0 else None
        accuracy = _json_number(coords, "accuracy")
        fix.accuracy = accuracy if accuracy is not None and accuracy >= MIN_JSON_ACCURACY_M else None
        fix.altitude = _json_number(coords, "altitude")
    battery = location.get("battery")
    if isinstance(battery, dict):
        level = _json_number(battery, "level")
        fix.battery = round(level * 100, 1) if level is not None and level >= 0 else None
    alarm = location.get("alarm")
    fix.alarm = str(alarm)[:40].lower() if alarm else None
    extras = location.get("extras")
    if isinstance(extras, dict):
        fix.attributes = {
            str(k)[:40]: v
            for k, v in list(extras.items())[:MAX_ATTRIBUTES]
            if isinstance(v, str | int | float | bool)
        }
    _check_place(fix)
    return fix


def _json_number(data: dict[str, Any], name: str) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PingError(f"{name} {value!r} is not a number")
    return float(value)
