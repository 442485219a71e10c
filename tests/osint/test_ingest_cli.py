"""`jsms osint ingest`: files, folders, feed files and feeds over HTTP into a node's review queue."""

import functools
import sqlite3
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.test_cli import jsms

ARTICLES = Path(__file__).parent / "articles"

PAGE = """<!doctype html><html><head><title>Gunmen attack engineers' convoy in Gwadar</title>
<meta property="article:published_time" content="2023-08-14"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Gunmen attack engineers' convoy in Gwadar</h1>
<p>GWADAR: Militants attacked a convoy carrying Chinese engineers near the Faqir Colony intersection
in Gwadar on Sunday, the military said. Two attackers were killed in the exchange of fire with the
security forces escorting the convoy, and no Chinese national was harmed.</p>
<p>The engineers were travelling from the port to the airport when the convoy came under small-arms
fire and a grenade attack. The Baloch Liberation Army claimed responsibility for the attack.</p>
<p>Security has been tightened on the coastal highway and around the port since the attack.</p>
</article><footer>All rights reserved</footer></body></html>"""

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example Wire</title><link>{base}/</link>
<description>News</description>
<item><title>Gunmen attack engineers' convoy in Gwadar</title><link>{base}/gwadar.html</link>
<pubDate>Mon, 14 Aug 2023 08:00:00 GMT</pubDate>
<description>Militants attacked a convoy of Chinese engineers in Gwadar.</description></item>
</channel></rss>"""


@pytest.fixture
def node(tmp_path) -> Path:
    data_dir = tmp_path / "node"
    assert jsms("db", "upgrade", data_dir=data_dir).returncode == 0
    return data_dir


def rows(node: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(node / "jsms.db") as db:
        return db.execute(sql).fetchall()


@pytest.fixture
def news_site(tmp_path):
    """A news site on 127.0.0.1: an RSS feed whose entry is a teaser, and the article's page."""
    root = tmp_path / "site"
    root.mkdir()
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    )
    base = f"http://127.0.0.1:{server.server_port}"
    (root / "gwadar.html").write_text(PAGE, encoding="utf-8")
    (root / "feed.xml").write_text(FEED.format(base=base), encoding="utf-8")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield base
    server.shutdown()


def test_a_folder_is_stored_once_and_its_attacks_proposed(node):
    first = jsms("osint", "ingest", str(ARTICLES), data_dir=node)
    assert first.returncode == 0, first.stderr
    stored = rows(node, "select count(*), sum(reports_new_incident) from news_article")[0]
    assert stored == (13, 10)
    besham = rows(node, "select distinct event_id from news_article where location like '%besham-%'")
    assert len(besham) == 1 and besham[0][0] is not None  # two outlets, one proposal
    proposals = rows(node, "select count(*) from news_event where status = 'pending'")[0][0]
    assert proposals == 8  # ten reports, two of them second reports of an attack
    again = jsms("osint", "ingest", str(ARTICLES), data_dir=node)
    assert again.returncode == 0 and rows(node, "select count(*) from news_article") == [(13,)]
    assert "13" in again.stdout.splitlines()[-2]  # all thirteen already stored


def test_a_feed_over_http_brings_the_whole_article_from_its_page(node, news_site):
    result = jsms("osint", "ingest", f"{news_site}/feed.xml", data_dir=node)
    assert result.returncode == 0, result.stderr
    [(title, text, published, location)] = rows(
        node, "select title, text, published_on, location from news_article"
    )
    assert title == "Gunmen attack engineers' convoy in Gwadar" and published == "2023-08-14"
    assert "Baloch Liberation Army" in text and "All rights reserved" not in text
    assert location == f"{news_site}/gwadar.html"
    [(fields,)] = rows(node, "select fields from news_event")
    assert '"claimed_by": "Baloch Liberation Army' in fields and '"place": "Gwadar"' in fields


def test_a_page_url_is_read_for_its_main_text(node, news_site):
    result = jsms("osint", "ingest", f"{news_site}/gwadar.html", data_dir=node)
    assert result.returncode == 0, result.stderr
    assert rows(node, "select count(*) from news_event") == [(1,)]


def test_unreadable_sources_are_named_and_the_rest_is_stored(node, news_site):
    nothing = jsms("osint", "ingest", "no-such-folder", data_dir=node)
    assert nothing.returncode == 2 and "no-such-folder: no such file or folder" in nothing.stderr
    mixed = jsms(
        "osint", "ingest", f"{news_site}/missing.xml", str(ARTICLES / "dasu-2021.txt"), data_dir=node
    )
    assert mixed.returncode == 1
    assert "missing.xml: the server answered 404" in mixed.stderr
    assert rows(node, "select count(*) from news_article") == [(1,)]
