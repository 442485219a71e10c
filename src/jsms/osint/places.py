"""Where: place names in article text, found through the gazetteer and placed in their district.

Names come from three sources, most specific first: landmarks and small towns the press names
(`data/landmarks.csv`), GeoNames' towns (through `jsms.geo.gazetteer`, with their alternate
spellings), and the districts and provinces themselves. A name several places share is settled by
the article's context: the province the article names, then the larger place.
"""

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from jsms.geo.gazetteer import fold, places
from jsms.geo.provinces import PROVINCES, districts

LANDMARK, TOWN, DISTRICT, PROVINCE = 0, 1, 2, 3  # how specific a name is (lower: more)
MAX_WORDS = 5

PROVINCE_ALIASES = {
    "PK-BA": ("Balochistan", "Baluchistan", "Balochistan province"),
    "PK-KP": ("Khyber Pakhtunkhwa", "Khyber-Pakhtunkhwa", "KP", "KPK", "NWFP", "Pakhtunkhwa"),
    "PK-PB": ("Punjab",),
    "PK-SD": ("Sindh", "Sind"),
    "PK-JK": ("Azad Kashmir", "Azad Jammu and Kashmir", "AJK"),
    "PK-GB": ("Gilgit-Baltistan", "Gilgit Baltistan"),
    "PK-IS": ("Islamabad Capital Territory", "ICT"),
}
# Districts by the names the press still uses for them (Kohistan was split in 2014).
DISTRICT_ALIASES = {"Upper Kohistan": ("Kohistan",), "Nushki": ("Noshki",), "Kech": ("Turbat district",)}
# GeoNames spellings that news text uses as ordinary words or people's names.
NOT_PLACES = frozenset(
    fold(n) for n in ("Abbas", "Ibis", "Basra", "Chamber", "Kamara", "Chor", "Haveli", "Police", "Bazar")
)
# Karachi's districts are one city to the press: name the city beside the district.
CITY_OF_DISTRICT = {
    d: "Karachi"
    for d in (
        "Karachi South",
        "Karachi East",
        "Karachi Central",
        "Karachi West",
        "Korangi",
        "Malir",
        "Keamari",
    )
}


@dataclass(frozen=True)
class GazetteerEntry:
    name: str
    rank: int  # LANDMARK, TOWN, DISTRICT or PROVINCE
    lat: float
    lon: float
    district: str | None
    province: str | None  # ISO 3166-2 code
    population: int = 0

    @property
    def province_name(self) -> str | None:
        return PROVINCES[self.province].name if self.province else None

    @property
    def district_name(self) -> str | None:
        city = CITY_OF_DISTRICT.get(self.district or "")
        return f"{self.district} ({city})" if city and city not in (self.district or "") else self.district


@dataclass(frozen=True)
class PlaceMention:
    text: str
    start: int
    end: int
    candidates: tuple[GazetteerEntry, ...]


def _key(words: list[str]) -> str:
    return " ".join(fold(w).replace(".", "") for w in words)


@lru_cache(maxsize=1)
def name_index() -> dict[str, tuple[GazetteerEntry, ...]]:
    """Folded name → every place of that name."""
    index: dict[str, list[GazetteerEntry]] = {}

    def add(name: str, entry: GazetteerEntry) -> None:
        words = re.findall(r"[\w'’.]+", name)
        if not words or len(words) > MAX_WORDS or fold(name) in NOT_PLACES:
            return
        index.setdefault(_key(words), []).append(entry)

    rows = resources.files("jsms.osint").joinpath("data", "landmarks.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(line for line in rows.splitlines() if not line.startswith("#")):
        entry = GazetteerEntry(
            row["name"], LANDMARK, float(row["lat"]), float(row["lon"]), row["district"], row["province"]
        )
        for name in (row["name"], *filter(None, row["aliases"].split("|"))):
            add(name, entry)
    for place in places():
        entry = GazetteerEntry(
            place.name, TOWN, place.lat, place.lon, place.district, place.province, place.population
        )
        for name in {place.name, *place.alternate_names}:
            # Latin spellings that look like names: codes (KHI) and lower-case forms are not.
            if len(name) >= 4 and re.fullmatch(r"[A-Z][a-z][A-Za-z .'-]*", name):
                add(name, entry)
    for district in districts():
        entry = GazetteerEntry(
            district.name, DISTRICT, district.lat, district.lon, district.name, district.province
        )
        for name in (district.name, *DISTRICT_ALIASES.get(district.name, ())):
            add(name, entry)
            add(f"{name} district", entry)
    for code, province in PROVINCES.items():
        entry = GazetteerEntry(province.name, PROVINCE, 0.0, 0.0, None, code)
        for name in (province.name, *PROVINCE_ALIASES.get(code, ())):
            add(name, entry)
    return {key: tuple(entries) for key, entries in index.items()}


_WORD = re.compile(r"[A-Za-z](?:[A-Za-z'’`-]|\.(?=[A-Za-z]))*")


def find_places(text: str) -> list[PlaceMention]:
    """Every gazetteer name in the text, longest first where names overlap, in text order."""
    index = name_index()
    words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
    found: list[PlaceMention] = []
    i = 0
    while i < len(words):
        if not words[i][0][0].isupper():  # a place name starts with a capital
            i += 1
            continue
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            chunk = words[i : i + n]
            if n > 1 and any(text[a[2] : b[1]].strip() not in ("", "-") for a, b in pairwise(chunk)):
                continue  # the words of one name are not split by punctuation
            names = [re.sub(r"(?:'s|’s|`s|s'|\.)$", "", w) for w, _, _ in chunk]
            entries = index.get(_key(names))
            if entries:
                found.append(
                    PlaceMention(text[chunk[0][1] : chunk[-1][2]], chunk[0][1], chunk[-1][2], entries)
                )
                i += n
                break
        else:
            i += 1
    return found


def settle(mention: PlaceMention, provinces_named: set[str]) -> GazetteerEntry:
    """The place a name most likely means here: in a province the article names, the most specific
    kind, the largest."""
    pool = [c for c in mention.candidates if c.province in provinces_named] or list(mention.candidates)
    return min(pool, key=lambda c: (c.rank, -c.population))
