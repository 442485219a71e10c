"""Articles in: plain text files and folders, HTML pages (main text by trafilatura), RSS/Atom feeds
(feedparser). Each becomes a `RawArticle`: text, title, publication date and source, as found."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import feedparser
import httpx
import trafilatura

from jsms.osint.text import read_article

TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
FETCH_TIMEOUT_S = 20.0
FULL_ENTRY_WORDS = 120  # a feed entry shorter than this is a teaser: the page has the article
USER_AGENT = "JSMS news monitor (+https://github.com/jsms)"
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


def read_source(source: str) -> list[RawArticle]:
    """The articles of one source as given on the command line: a URL (a feed or a page), a feed
    file, an article file, or a folder of article files."""
    if source.startswith(("http://", "https://")):
        return fetch(source)
    path = Path(source)
    if path.is_file() and path.suffix.lower() in FEED_SUFFIXES:
        try:
            return from_feed(path.read_bytes(), source)
        except OSError as error:
            raise InputError(f"{path}: {error.strerror or error}") from error
    return [read_path(p) for p in expand([path])]


def fetch(url: str) -> list[RawArticle]:
    """A feed's entries (teasers completed from their pages), or the article on a page."""
    response = _get(url)
    kind = response.headers.get("content-type", "").lower()
    head = response.content[:500].lstrip().lower()
    if any(t in kind for t in ("rss", "atom", "xml")) or head.startswith(b"<?xml") or b"<rss" in head:
        return [_fuller(entry) for entry in from_feed(response.content, url)]
    return [from_html(response.content, url)]


def _get(url: str) -> httpx.Response:
    try:
        response = httpx.get(
            url, timeout=FETCH_TIMEOUT_S, follow_redirects=True, headers={"User-Agent": USER_AGENT}
        )
        response.raise_for_status()
    except httpx.HTTPStatusError as error:
        raise InputError(f"{url}: the server answered {error.response.status_code}") from error
    except httpx.HTTPError as error:
        raise InputError(f"{url}: {error}") from error
    return response


def _fuller(entry: RawArticle) -> RawArticle:
    """A feed entry that gives only a teaser: the article from its page when it can be had (the
    feed's title and date stand)."""
    if len(entry.text.split()) >= FULL_ENTRY_WORDS or not entry.location.startswith(("http://", "https://")):
        return entry
    try:
        page = from_html(_get(entry.location).content, entry.location)
    except InputError:
        return entry
    return RawArticle(
        entry.location, page.text, entry.title or page.title, entry.published or page.published, entry.source
    )


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
