"""Deduplication: reports of one event, from different outlets and days, become one cluster.

Two reports are of the same event when the attacks they report as news agree: dates within a few
days, the same province and district where both say, kinds of attack that can be the same, tolls
that do not contradict. Where several clusters would fit, the one whose reports share most words
with this one wins. Articles that report no new attack belong to no cluster.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from jsms.osint.extract import Extraction, Incident

SAME_EVENT_DAYS = 3
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "at",
        "to",
        "and",
        "or",
        "for",
        "with",
        "by",
        "from",
        "as",
        "is",
        "was",
        "were",
        "are",
        "be",
        "been",
        "has",
        "have",
        "had",
        "its",
        "it",
        "that",
        "this",
        "said",
        "says",
        "after",
        "over",
        "into",
        "near",
        "who",
        "which",
        "when",
        "while",
        "their",
        "they",
        "he",
        "she",
        "his",
        "her",
        "police",
        "officials",
    ]
)


@dataclass
class Cluster:
    key: str
    incident: Incident
    words: set[str] = field(default_factory=set)


def day_of(value: str | None, day_of_month: int = 15) -> date | None:
    """The day of a "YYYY-MM-DD" or "YYYY-MM" date; a month alone counts as `day_of_month`
    (its middle, for comparing reports)."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1], parts[2] if len(parts) > 2 else day_of_month)


def lead_words(extraction: Extraction) -> set[str]:
    lead = " ".join([extraction.article.title, *(s.text for s in extraction.article.sentences[:4])])
    return {w for w in re.findall(r"[a-z]{3,}", lead.lower()) if w not in _STOP}


def same_event(a: Incident, b: Incident) -> bool:
    day_a, day_b = day_of(a.date), day_of(b.date)
    if (
        day_a is None
        or day_b is None
        or abs((day_a - day_b).days) > SAME_EVENT_DAYS + (15 if "month" in (a.precision, b.precision) else 0)
    ):
        return False
    if a.province and b.province and a.province != b.province:
        return False
    if a.district and b.district and _district_words(a.district).isdisjoint(_district_words(b.district)):
        return False
    compatible = (
        {"suicide_bombing", "ied"},
        {"armed_attack", "rocket_grenade"},
        {"armed_attack", "suicide_bombing"},
    )
    if (
        a.event_type
        and b.event_type
        and a.event_type != b.event_type
        and {a.event_type, b.event_type} not in compatible
    ):
        return False
    for name in ("killed_protected", "killed"):
        x, y = getattr(a, name), getattr(b, name)
        if x is not None and y is not None and abs(x - y) > max(2, max(x, y) // 2):
            return False  # tolls rise as reports come in, but not from 2 to 20
    return True


def _district_words(district: str) -> set[str]:
    return set(re.findall(r"[a-z]+", district.lower()))


def closest(clusters: list[Cluster], new: Incident, words: set[str]) -> Cluster | None:
    """The cluster this report belongs to: of those whose event it can be, the one sharing most
    words with it; None if it can be none of them."""
    fitting = [c for c in clusters if same_event(c.incident, new)]
    if not fitting:
        return None
    return max(fitting, key=lambda c: len(c.words & words) / (len(c.words | words) or 1))


def cluster(extractions: list[Extraction]) -> list[str | None]:
    """A cluster key for each article that reports a new attack, None for the others."""
    clusters: list[Cluster] = []
    order = sorted(range(len(extractions)), key=lambda i: (extractions[i].article.published or date.max, i))
    assigned: dict[int, str | None] = {}
    for i in order:
        extraction = extractions[i]
        new = next((incident for incident in extraction.incidents if incident.new), None)
        if new is None:
            assigned[i] = None
            continue
        words = lead_words(extraction)
        best = closest(clusters, new, words)
        if best is not None:
            best.words |= words
            assigned[i] = best.key
        else:
            key = f"event-{len(clusters) + 1}"
            clusters.append(Cluster(key, new, words))
            assigned[i] = key
    return [assigned[i] for i in range(len(extractions))]
