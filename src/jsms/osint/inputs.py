"""Articles in: plain text files and folders, HTML pages (main text by trafilatura), RSS/Atom feeds
(feedparser). Each becomes a `RawArticle`: text, title, publication date and source, as found."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import feedparser
import trafilatura

from jsms.osint.text import read_article

TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
MIN_WORDS = 5  # fewer is a menu, a caption or an empty page, not an article


def too_short(text: str) -> bool:
    return len(text.split()) < MIN_WORDS


class InputError(ValueError):
    """An input that cannot be read as an article (named, with why)."""


@dataclass(frozen=True)
class RawArticle:
    location: str  # file path or URL, as given
    text: str
    title: str | None = None
    published: date | None = None
    source: str | None = None


def from_html(html: str | bytes, location: str) -> RawArticle:
    document = trafilatura.bare_extraction(
        html, url=location if "://" in location else None, with_metadata=True, favor_recall=True
    )
    if document is None or too_short(document.text or ""):
        raise InputError(f"{location}: no article text found in the page")
    published = _iso_date(document.date)
    return RawArticle(location, document.text, document.title or None, published, document.url or None)


def from_text(text: str, location: str) -> RawArticle:
    if not text.strip():
        raise InputError(f"{location}: the file is empty")
    article = read_article(text)
    return RawArticle(location, text, None, article.published, article.source)


def read_path(path: Path) -> RawArticle:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: {error.strerror or error}") from error
    if path.suffix.lower() in HTML_SUFFIXES:
        return from_html(data, str(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start})") from error
    if text.lstrip().lower().startswith(("<!doctype html", "<html")):
        return from_html(text, str(path))
    return from_text(text, str(path))


def expand(paths: list[Path]) -> Iterator[Path]:
    """Files as given, and the article files inside folders (sorted, so runs are repeatable)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES + HTML_SUFFIXES
            )
        elif path.exists():
            yield path
        else:
            raise InputError(f"{path}: no such file or folder")


def from_feed(content: str | bytes, location: str) -> list[RawArticle]:
    """The entries of an RSS or Atom feed, each with its content (or summary) as the text."""
    feed = feedparser.parse(content)
    if feed.bozo and not feed.entries:
        raise InputError(f"{location}: not an RSS or Atom feed ({feed.bozo_exception})")
    articles = []
    for entry in feed.entries:
        body = (
            entry.get("content", [{}])[0].get("value") if entry.get("content") else entry.get("summary", "")
        )
        text = trafilatura.extract(body) if body and "<" in body else body
        if not (text or "").strip():
            continue
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        published = date(*parsed[:3]) if parsed else None
        articles.append(
            RawArticle(entry.get("link") or location, text, entry.get("title"), published, entry.get("link"))
        )
    return articles


def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
