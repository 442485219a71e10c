"""Reading incident data sets: ACLED exports, the Global Terrorism Database, and any CSV with a
column map. Pure parsing: each row becomes an `ImportedRow` (an incident to create, with its id in
the data set) or a `BadRow` naming the line and the reason. No database here.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError

from jsms.incidents.schemas import IncidentCreate

ACLED_REQUIRED = ("event_id_cnty", "event_date", "latitude", "longitude", "sub_event_type")
GTD_REQUIRED = ("eventid", "iyear", "imonth", "iday", "latitude", "longitude", "attacktype1_txt")
CSV_FIELDS = (
    "id",
    "date",
    "lat",
    "lon",
    "kind",
    "title",
    "place",
    "killed",
    "injured",
    "claimed_by",
    "narrative",
    "target",
    "protected_targeted",
    "source_url",
)
CSV_REQUIRED = ("id", "date", "lat", "lon", "kind")

ACLED_KINDS = {
    "suicide bomb": "suicide_bombing",
    "remote explosive/landmine/ied": "ied",
    "armed clash": "armed_attack",
    "attack": "armed_attack",
    "abduction/forced disappearance": "kidnapping",
    "grenade": "rocket_grenade",
    "shelling/artillery/missile attack": "rocket_grenade",
    "air/drone strike": "rocket_grenade",
    "disrupted weapons use": "foiled_plot",
}
GTD_KINDS = {
    "bombing/explosion": "ied",
    "armed assault": "armed_attack",
    "assassination": "armed_attack",
    "hostage taking (kidnapping)": "kidnapping",
    "hostage taking (barricade incident)": "kidnapping",
}
GTD_TARGETS = {
    "military": "security_forces",
    "police": "security_forces",
    "government (diplomatic)": "diplomatic",
    "private citizens & property": "civilians",
    "transportation": "convoy",
    "business": "project_site",
    "utilities": "infrastructure",
    "telecommunication": "infrastructure",
    "educational institution": "civilians",
}
ACLED_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d-%m-%Y", "%d/%m/%Y")
PAKISTAN = {"pakistan", "586", "pk"}
PROTECTED_WORDS = ("chinese", "china")


@dataclass(frozen=True)
class ImportedRow:
    line: int
    external_id: str
    incident: IncidentCreate


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass(frozen=True)
class SkippedRow:
    line: int
    reason: str


Parsed = ImportedRow | BadRow | SkippedRow


class FileProblem(ValueError):
    """The file as a whole cannot be read (not a CSV, or columns missing)."""


def _rows(text: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [column for column in required if column not in header]
    if missing:
        raise FileProblem(f"the file lacks the column(s) {', '.join(missing)}")
    for row in reader:
        # The header is line 1; a row's line is where it starts (quoted fields may span lines).
        clean = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        yield reader.line_num, clean


def _number(value: str, field: str, *, integer: bool = False) -> float | int | None:
    if value in ("", "-99", "-9"):
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{field} {value!r} is not a number") from None
    return int(number) if integer else number


def _protected(*texts: str) -> bool:
    joined = " ".join(texts).lower()
    return any(word in joined for word in PROTECTED_WORDS)


def _incident(line: int, external_id: str, values: dict) -> Parsed:
    try:
        return ImportedRow(line, external_id, IncidentCreate(**values))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return BadRow(line, f"{where}: {first['msg']}" if where else first["msg"])


def parse_acled(text: str) -> Iterator[Parsed]:
    for line, row in _rows(text, ACLED_REQUIRED):
        if row.get("country", "pakistan").lower() not in PAKISTAN and row.get("iso", "586") not in PAKISTAN:
            yield SkippedRow(line, f"not in Pakistan ({row.get('country')})")
            continue
        try:
            day = _acled_date(row["event_date"])
            lat, lon = _number(row["latitude"], "latitude"), _number(row["longitude"], "longitude")
            killed = _number(row.get("fatalities", ""), "fatalities", integer=True)
        except ValueError as error:
            yield BadRow(line, str(error))
            continue
        if lat is None or lon is None:
            yield BadRow(line, "no coordinates")
            continue
        sub_event = row["sub_event_type"]
        notes = row.get("notes", "")
        place = ", ".join(p for p in (row.get("location"), row.get("admin2"), row.get("admin1")) if p)
        sources = [
            {"title": s.strip(), "publisher": s.strip()}
            for s in row.get("source", "").split(";")
            if s.strip()
        ]
        yield _incident(
            line,
            row["event_id_cnty"],
            {
                "title": f"{sub_event or row.get('event_type', 'Event')} — {row.get('location') or place}"[
                    :300
                ],
                "occurred_at": day,
                "time_precision": "day",
                "lat": lat,
                "lon": lon,
                "place_name": place[:200],
                "kind": ACLED_KINDS.get(sub_event.lower(), "other"),
                "target_category": "civilians" if row.get("civilian_targeting") else _acled_target(row),
                "protected_nationality_targeted": _protected(notes, row.get("actor2", "")),
                "killed": killed,
                "claimed_by": (row.get("actor1") or None),
                "narrative": notes,
                "sources": sources[:50],
            },
        )


def _acled_target(row: dict[str, str]) -> str:
    return "security_forces" if "state forces" in row.get("inter2", "").lower() else "other"


def _acled_date(value: str) -> datetime:
    for fmt in ACLED_DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"event_date {value!r} is not a date")


def parse_gtd(text: str) -> Iterator[Parsed]:
    for line, row in _rows(text, GTD_REQUIRED):
        if row.get("country_txt", "Pakistan").lower() not in PAKISTAN:
            yield SkippedRow(line, f"not in Pakistan ({row.get('country_txt')})")
            continue
        try:
            year = _number(row["iyear"], "iyear", integer=True)
            month = _number(row["imonth"], "imonth", integer=True) or 0
            day = _number(row["iday"], "iday", integer=True) or 0
            if year is None:
                raise ValueError("iyear is missing")
            occurred = datetime(year, month or 1, day or 1, tzinfo=UTC)
            lat, lon = _number(row["latitude"], "latitude"), _number(row["longitude"], "longitude")
            killed = _number(row.get("nkill", ""), "nkill", integer=True)
            injured = _number(row.get("nwound", ""), "nwound", integer=True)
        except ValueError as error:
            yield BadRow(line, str(error))
            continue
        if lat is None or lon is None:
            yield BadRow(line, "no coordinates")
            continue
        attack = row["attacktype1_txt"]
        kind = (
            "suicide_bombing"
            if row.get("suicide") == "1" and attack.lower().startswith("bombing")
            else GTD_KINDS.get(attack.lower(), "other")
        )
        group = row.get("gname", "")
        yield _incident(
            line,
            row["eventid"],
            {
                "title": f"{attack} — {row.get('city') or row.get('provstate') or 'Pakistan'}"[:300],
                "occurred_at": occurred,
                "time_precision": "day" if day else "month",
                "lat": lat,
                "lon": lon,
                "place_name": ", ".join(p for p in (row.get("city"), row.get("provstate")) if p)[:200],
                "kind": kind,
                "target_category": GTD_TARGETS.get(row.get("targtype1_txt", "").lower(), "other"),
                "protected_nationality_targeted": row.get("natlty1_txt", "").lower() == "china",
                "killed": killed,
                "injured": injured,
                "claimed_by": None if group.lower() in ("", "unknown") else group,
                "narrative": row.get("summary", ""),
            },
        )


def parse_csv(text: str, column_map: dict[str, str]) -> Iterator[Parsed]:
    """Any CSV: `column_map` names the file's column for each field (id, date, lat, lon, kind, …)."""
    unknown = sorted(set(column_map) - set(CSV_FIELDS))
    if unknown:
        raise FileProblem(
            f"unknown field(s) in the column map: {', '.join(unknown)}; known: {', '.join(CSV_FIELDS)}"
        )
    columns = {field: column_map.get(field, field) for field in CSV_FIELDS}
    for line, row in _rows(text, tuple(columns[f] for f in CSV_REQUIRED)):
        value = {field: row.get(column, "") for field, column in columns.items()}
        try:
            occurred = datetime.fromisoformat(value["date"])
            occurred = occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC)
            lat, lon = _number(value["lat"], "lat"), _number(value["lon"], "lon")
            killed = _number(value["killed"], "killed", integer=True)
            injured = _number(value["injured"], "injured", integer=True)
        except ValueError as error:
            yield BadRow(line, str(error))
            continue
        yield _incident(
            line,
            value["id"],
            {
                "title": (value["title"] or f"{value['kind']} — {value['place']}")[:300],
                "occurred_at": occurred,
                "lat": lat,
                "lon": lon,
                "place_name": value["place"][:200],
                "kind": value["kind"],
                "target_category": value["target"] or "other",
                "protected_nationality_targeted": value["protected_targeted"].lower() in ("1", "true", "yes"),
                "killed": killed,
                "injured": injured,
                "claimed_by": value["claimed_by"] or None,
                "narrative": value["narrative"],
                "sources": [{"title": value["source_url"], "url": value["source_url"]}]
                if value["source_url"]
                else [],
            },
        )


PARSERS = {"acled": parse_acled, "gtd": parse_gtd}
