"""An article as the extractor reads it: its title, publication date, source and sentences."""

import re
from dataclasses import dataclass
from datetime import date

from jsms.osint.dates import publication_date_in

_META = re.compile(r"^[ \t]*(?P<key>Published|Source)[ \t]*:[ \t]*(?P<value>.+?)[ \t]*$", re.I | re.M)
# Words of a site's furniture, not of a headline.
_CHROME = re.compile(
    r"^(?:home|loading|latest|menu|search|share|comments?|related|advertisement|post comment|"
    r"increase font size|date:|check also|latest stories|original source)\b",
    re.I,
)
_ABBREVIATIONS = [
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Gen",
    "Lt",
    "Col",
    "Maj",
    "Capt",
    "Brig",
    "Sgt",
    "Insp",
    "Supt",
    "Prof",
    "St",
    "No",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
    "Govt",
    "Dept",
    "Jr",
    "Sr",
    "vs",
    "etc",
    "Inc",
    "Ltd",
    "Co",
    "Rs",
]
_ENDS_IN_ABBREVIATION = re.compile(r"\b(?:" + "|".join(_ABBREVIATIONS) + r"|[A-Z])\.$")  # or an initial
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|\n+")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in the article's text
    end: int
    index: int


@dataclass(frozen=True)
class Article:
    text: str  # the body as given, metadata lines removed
    title: str
    published: date | None
    source: str | None
    sentences: tuple[Sentence, ...]


def read_article(raw: str, published: date | None = None, title: str | None = None) -> Article:
    """Split off the `Published:` and `Source:` lines, find the headline and the sentences."""
    meta = {m.group("key").lower(): m.group("value") for m in _META.finditer(raw)}
    text = _META.sub("", raw).strip()
    if published is None and "published" in meta:
        published = publication_date_in(meta["published"])
    if published is None:
        published = publication_date_in(text[:400])
    sentences = tuple(split_sentences(text))
    return Article(text, title or headline(text), published, meta.get("source"), sentences)


def headline(text: str) -> str:
    """The first line that reads like a headline: a few words, no closing full stop, not site chrome.
    A line repeated further down (page furniture, then the story) is the surest sign."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    candidates = [
        line
        for line in lines[:12]
        if 3 <= len(line.split()) <= 25 and not line.endswith((".", ":")) and not _CHROME.match(line)
    ]
    for line in candidates:
        if sum(other.endswith(line) for other in lines) > 1:
            return line
    return candidates[0] if candidates else (lines[0][:200] if lines else "")


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[max(start, m.start() - 6) : m.start()]
        if "\n" not in m.group(0) and _ENDS_IN_ABBREVIATION.search(before):
            continue  # "Dr. Li", "Oct. 6", "A. Khan": not the end of a sentence
        _add(sentences, text, start, m.start())
        start = m.end()
    _add(sentences, text, start, len(text))
    return sentences


def _add(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        offset = start + chunk.index(stripped)
        sentences.append(Sentence(stripped, offset, offset + len(stripped), len(sentences)))
