"""When: the time expressions of news English, resolved against the publication date.

A news article dates events against its own publication day ("on Friday", "last month", "in
April"), so every expression resolves relative to it, to a day or only to a month, as precisely as
the words allow. Years on their own ("in 2024") are too vague to place an event and give nothing.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_WEEKDAY = r"(?P<weekday>" + "|".join(WEEKDAYS) + r")"

# Most specific first: a span matched by one pattern is not matched again by a later one.
_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("iso", r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
        ("month_day_year", rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"),
        ("day_month_year", rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b"),
        ("month_year", rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b"),
        ("day_this_month", rf"\b(?:on\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?this\s+month\b"),
        ("month_day", rf"\b{_MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?![:.]\d)"),
        ("day_month", rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b"),
        ("month_last_year", rf"\b(?:in\s+)?{_MONTH},?\s+(?:of\s+)?last\s+year\b"),
        ("last_month_name", rf"\b(?:last|this\s+past|past)\s+{_MONTH}\b"),
        ("yesterday", r"\b(?:yesterday|the\s+previous\s+day|a\s+day\s+earlier)\b"),
        ("today", r"\b(?:today|this\s+(?:morning|afternoon|evening)|tonight|earlier\s+today)\b"),
        ("weekday", rf"\b(?:(?:on|last|this\s+past|early|late)\s+)?{_WEEKDAY}\b"),
        ("last_week", r"\b(?:last|past|previous)\s+week\b"),
        ("this_week", r"\b(?:this|earlier\s+this)\s+week\b"),
        ("last_month", r"\b(?:last|past|previous)\s+month(?:'s|`s|’s)?\b"),
        ("this_month", r"\b(?:this|earlier\s+this)\s+month\b"),
        ("month_possessive", rf"\b{_MONTH}(?:'s|`s|’s)"),
        ("in_month", rf"\b(?:in|during|since|of|early|late|mid-?)\s+{_MONTH}\b(?!\s+\d)"),
        ("month_before_event", rf"\bthe\s+{_MONTH}\s+(?=(?:\w+\s+)?(?:attack|bombing|blast|assault|raid))"),
    )
)


@dataclass(frozen=True)
class TimeRef:
    """A resolved time expression: the day (or the first of the month) and its precision."""

    day: date
    precision: str  # "day" | "month"
    start: int
    end: int
    text: str

    def iso(self) -> str:
        return self.day.isoformat() if self.precision == "day" else self.day.strftime("%Y-%m")


def _month_of(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def _last_month_named(month: int, published: date, include_current: bool) -> date:
    """The latest month of that name not after the publication month (or strictly before)."""
    year = published.year
    if month > published.month or (month == published.month and not include_current):
        year -= 1
    return date(year, month, 1)


def _day_in_past(month: int, day: int, published: date) -> date | None:
    """A day and month without a year: the latest such day not after publication (plus a day)."""
    for year in (published.year, published.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate <= published + timedelta(days=1):
            return candidate
    return None


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _resolve(kind: str, m: re.Match, published: date | None) -> tuple[date, str] | None:
    group = m.groupdict()
    if kind in ("iso", "month_day_year", "day_month_year"):
        month = int(group["month"]) if kind == "iso" else _month_of(group["month"])
        try:
            return date(int(group["year"]), month, int(group["day"])), "day"
        except ValueError:
            return None
    if kind == "month_year":
        return date(int(group["year"]), _month_of(group["month"]), 1), "month"
    if published is None:
        return None  # everything below counts from the publication date
    if kind in ("month_day", "day_month"):
        day = _day_in_past(_month_of(group["month"]), int(group["day"]), published)
        return (day, "day") if day else None
    if kind == "day_this_month":
        try:
            return published.replace(day=int(group["day"])), "day"
        except ValueError:
            return None
    if kind == "month_last_year":
        return date(published.year - 1, _month_of(group["month"]), 1), "month"
    if kind == "last_month_name":
        return _last_month_named(_month_of(group["month"]), published, include_current=False), "month"
    if kind in ("in_month", "month_possessive", "month_before_event"):
        return _last_month_named(_month_of(group["month"]), published, include_current=True), "month"
    if kind == "yesterday":
        return published - timedelta(days=1), "day"
    if kind == "today":
        return published, "day"
    if kind == "weekday":
        # "on Friday" in a report is the latest Friday up to the day it was published.
        back = (published.weekday() - WEEKDAYS.index(group["weekday"].lower())) % 7
        return published - timedelta(days=back), "day"
    if kind == "last_week":
        return _month_start(published - timedelta(days=7)), "month"
    if kind == "this_week":
        return _month_start(published), "month"
    if kind == "last_month":
        return _month_start(_month_start(published) - timedelta(days=1)), "month"
    if kind == "this_month":
        return _month_start(published), "month"
    return None


def find_times(text: str, published: date | None) -> list[TimeRef]:
    """Every time expression in the text that resolves to a day or a month, in text order."""
    taken: list[tuple[int, int]] = []
    found: list[TimeRef] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if "month" in m.groupdict() and m.group("month") == "may":
                continue  # the verb; the month is written with a capital
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            resolved = _resolve(kind, m, published)
            if resolved is None:
                continue
            taken.append((m.start(), m.end()))
            found.append(TimeRef(resolved[0], resolved[1], m.start(), m.end(), m.group(0)))
    return sorted(found, key=lambda t: t.start)


def publication_date_in(header: str) -> date | None:
    """The first full date (with its year) in an article's opening lines, if any."""
    patterns = dict(_PATTERNS)
    found = []
    for kind in ("iso", "month_day_year", "day_month_year"):
        for m in patterns[kind].finditer(header):
            resolved = _resolve(kind, m, None)
            if resolved:
                found.append((m.start(), resolved[0]))
    return min(found)[1] if found else None
