"""Reading OsmAnd / Traccar Client reports: every form and unit the protocol allows, and bad input."""

import orjson
import pytest

from jsms.tracking.osmand import PingError, from_json, from_params, parse_time

RECEIVED = 1_800_000_000.0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1700000000", 1_700_000_000.0),
        ("1700000000123", 1_700_000_000.123),  # milliseconds
        ("2016-01-27T18:55:47Z", 1_453_920_947.0),
        ("2016-01-27T23:55:47+05:00", 1_453_920_947.0),
        ("2016-01-27 18:55:47", 1_453_920_947.0),  # the server's zone: UTC
        ("", RECEIVED),
    ],
)
def test_timestamps(text, seconds):
    assert parse_time(text, RECEIVED) == pytest.approx(seconds)


def test_the_legacy_android_query():
    fix = from_params(
        [
            ("id", "123456"),
            ("timestamp", "1700000000"),
            ("lat", "25.1216"),
            ("lon", "62.3254"),
            ("speed", "10"),
            ("bearing", "90"),
            ("altitude", "12"),
            ("accuracy", "8"),
            ("batt", "77"),
            ("mock", "true"),
        ],
        RECEIVED,
    )
    assert (fix.device, fix.lat, fix.lon) == ("123456", 25.1216, 62.3254)
    assert fix.speed_kmh == pytest.approx(18.52)  # knots
    assert (fix.bearing, fix.altitude, fix.accuracy, fix.battery) == (90, 12, 8, 77)
    assert fix.attributes == {"mock": True}
    assert fix.has_position and fix.alarm is None


def test_deviceid_location_alarm_and_attributes():
    fix = from_params(
        [
            ("deviceid", "abc"),
            ("location", "30.1,67.2"),
            ("alarm", "SOS"),
            ("battery_temp", "31.5"),
            ("x", "y"),
        ],
        RECEIVED,
    )
    assert (fix.device, fix.lat, fix.lon, fix.alarm) == ("abc", 30.1, 67.2, "sos")
    assert fix.t == RECEIVED
    assert fix.attributes == {"battery_temp": 31.5, "x": "y"}


def test_a_report_without_position_is_a_heartbeat():
    fix = from_params([("id", "abc"), ("batt", "50")], RECEIVED)
    assert not fix.has_position and fix.battery == 50


def test_an_invalid_fix_keeps_its_numbers_but_is_not_a_position():
    fix = from_params([("id", "abc"), ("lat", "30"), ("lon", "67"), ("valid", "false")], RECEIVED)
    assert not fix.has_position


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ([("lat", "30"), ("lon", "67")], "id (or deviceid) is missing"),
        ([("id", " ")], "id (or deviceid) is missing"),
        ([("id", "a"), ("lat", "north"), ("lon", "67")], "lat 'north' is not a number"),
        ([("id", "a"), ("lat", "91"), ("lon", "67")], "lat 91.0 is outside -90..90"),
        ([("id", "a"), ("lat", "30")], "lat and lon must come together"),
        ([("id", "a"), ("lat", "nan"), ("lon", "67")], "lat 'nan' is not a finite number"),
        (
            [("id", "a"), ("timestamp", "yesterday")],
            "timestamp 'yesterday' is neither Unix time nor ISO 8601",
        ),
        ([("id", "a"), ("location", "30")], "location '30' is not 'lat,lon'"),
    ],
)
def test_bad_reports_say_what_is_wrong(params, message):
    with pytest.raises(PingError) as error:
        from_params(params, RECEIVED)
    assert str(error.value) == message


def test_the_json_form():
    body = {
        "device_id": "48241179",
        "location": {
            "timestamp": "2025-06-15T13:45:12.862Z",
            "coords": {"latitude": 25.12, "longitude": 62.33, "speed": 10, "heading": -1, "accuracy": 5},
            "battery": {"level": 0.79, "is_charging": False},
            "alarm": "sos",
            "extras": {"trip": "A-1", "nested": {"no": 1}},
        },
    }
    fix = from_json(body, RECEIVED)
    assert (fix.device, fix.lat, fix.lon, fix.alarm) == ("48241179", 25.12, 62.33, "sos")
    assert fix.speed_kmh == pytest.approx(36.0)  # m/s
    assert fix.bearing is None and fix.accuracy is None  # negative heading, accuracy under 10 m ignored
    assert fix.battery == 79.0
    assert fix.attributes == {"trip": "A-1"}
    assert fix.t == pytest.approx(1_749_995_112.862)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "the JSON body must be an object"),
        ({"location": {}}, "device_id is missing"),
        (
            {"device_id": "a", "location": {"coords": {"latitude": "x", "longitude": 1}}},
            "latitude 'x' is not a number",
        ),
        (
            {"device_id": "a", "location": {"coords": {"latitude": 100, "longitude": 1}}},
            "lat 100.0 is outside -90..90",
        ),
    ],
)
def test_bad_json_reports(body, message):
    with pytest.raises(PingError) as error:
        from_json(body, RECEIVED)
    assert str(error.value) == message


def test_a_batch_read_in_columns_equals_one_read_item_by_item():
    import random

    import orjson

    from jsms.tracking.intake import read_fast, read_item_by_item

    rng = random.Random(5)
    items = []
    for k in range(300):
        item = {"device": f" dev-{k % 7} ", "t": 1_790_000_000 + k}
        if k % 3:
            item |= {
                "lat": rng.uniform(-90, 90),
                "lon": rng.uniform(-180, 180),
                "speed_kmh": rng.choice([0, 55.5]),
            }
        if k % 5 == 0:
            item |= {"t": (1_790_000_000 + k) * 1000, "battery": 80, "alarm": "SOS" if k % 10 == 0 else None}
        if k % 11 == 0:
            item.pop("t")
        items.append(item)
    body = orjson.dumps({"pings": items})
    fast = read_fast(body, 1_790_000_999.0)
    assert fast is not None
    assert fast.to_fixes() == read_item_by_item(body, 1_790_000_999.0).to_fixes()
    assert fast.alarm == {k: "sos" for k in range(0, 300, 10)} and fast.t[11] == 1_790_000_999.0


@pytest.mark.parametrize(
    "bad",
    [
        {"lat": 91, "lon": 0},
        {"lat": 10},
        {"speed_kmh": True},
        {"t": -5},
        {"battery": "full"},
        {"device": ""},
        {"device": "   "},
        {"t": "2026-11-23T10:00:00Z"},  # fine, but the item-by-item way reads ISO times
        {"alarm": True},
    ],
)
def test_a_doubtful_batch_is_read_item_by_item(bad):
    from jsms.tracking.intake import read_fast

    items = [
        {"device": "a", "t": 1_790_000_000, "lat": 1.0, "lon": 2.0},
        {"device": "b", "t": 1_790_000_001} | bad,
    ]
    assert read_fast(orjson.dumps({"pings": items}), 0.0) is None


def test_an_infinite_number_refuses_the_batch():
    from jsms.core.errors import Invalid
    from jsms.tracking.intake import parse_batch, read_fast

    body = b'{"pings": [{"device": "a", "lat": 1.0, "lon": 2.0, "accuracy": 1e999}]}'
    assert read_fast(body, 0.0) is None
    with pytest.raises(Invalid):
        parse_batch(body, 0.0)
