"""`jsms osint ingest`: files, folders, feed files and feeds over HTTP into a node's review queue."""

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.test_cli import jsms

ARTICLES = Path(__file__).parent / "articles"


@pytest.fixture(scope="module")
def blank_node(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("osint") / "node"
    assert jsms("db", "upgrade", data_dir=data_dir).returncode == 0
    return data_dir


@pytest.fixture
def node(blank_node, tmp_path) -> Path:
    """A new node of its own for each test (a copy: migrating one takes seconds)."""
    return Path(shutil.copytree(blank_node, tmp_path / "node"))


def rows(node: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(node / "jsms.db") as db:
        return db.execute(sql).fetchall()


def test_a_folder_is_stored_once_and_its_attacks_proposed(cli, node):
    first = cli("osint", "ingest", str(ARTICLES), data_dir=node)
    assert first.returncode == 0, first.stderr
    stored = rows(node, "select count(*), sum(reports_new_incident) from news_article")[0]
    assert stored == (13, 10)
    besham = rows(node, "select distinct event_id from news_article where location like '%besham-%'")
    assert len(besham) == 1 and besham[0][0] is not None  # two outlets, one proposal
    proposals = rows(node, "select count(*) from news_event where status = 'pending'")[0][0]
    assert proposals == 8  # ten reports, two of them second reports of an attack
    again = cli("osint", "ingest", str(ARTICLES), data_dir=node)
    assert again.returncode == 0 and rows(node, "select count(*) from news_article") == [(13,)]
    assert "13" in again.stdout.splitlines()[-2]  # all thirteen already stored


def test_a_feed_over_http_brings_the_whole_article_from_its_page(cli, node, news_site):
    result = cli("osint", "ingest", f"{news_site}/feed.xml", data_dir=node)
    assert result.returncode == 0, result.stderr
    [(title, text, published, location)] = rows(
        node, "select title, text, published_on, location from news_article"
    )
    assert title == "Gunmen attack engineers' convoy in Gwadar" and published == "2023-08-14"
    assert "Baloch Liberation Army" in text and "All rights reserved" not in text
    assert location == f"{news_site}/gwadar.html"
    [(fields,)] = rows(node, "select fields from news_event")
    assert '"claimed_by": "Baloch Liberation Army' in fields and '"place": "Gwadar"' in fields
    page = cli("osint", "ingest", f"{news_site}/gwadar.html", data_dir=node)  # the page itself
    assert page.returncode == 0, page.stderr  # the page itself: read, and already stored
    assert rows(node, "select count(*) from news_article") == [(1,)]


def test_unreadable_sources_are_named_and_the_rest_is_stored(cli, node, news_site):
    nothing = cli("osint", "ingest", "no-such-folder", data_dir=node)
    assert nothing.returncode == 2 and "no-such-folder: no such file or folder" in nothing.stderr
    mixed = jsms(
        "osint", "ingest", f"{news_site}/missing.xml", str(ARTICLES / "dasu-2021.txt"), data_dir=node
    )
    assert mixed.returncode == 1  # through a real process: the exit code an operator sees
    assert "missing.xml: the server answered 404" in mixed.stderr
    assert rows(node, "select count(*) from news_article") == [(1,)]


def test_poll_reads_the_feeds_that_are_due(cli, node, news_site):
    from jsms.core.actor import Actor
    from jsms.core.db import engine_for, new_session
    from jsms.osint.models import NewsFeed

    with new_session(
        Actor.system("tests"), engine_for(f"sqlite:///{node / 'jsms.db'}"), write=True
    ) as session:
        session.add(NewsFeed(name="Example Wire", url=f"{news_site}/feed.xml"))
        session.add(NewsFeed(name="Gone", url=f"{news_site}/gone.xml"))
        session.commit()
    first = cli("osint", "poll", data_dir=node)
    assert first.returncode == 1  # one feed failed; the other was read
    assert "Example Wire" in first.stdout and "404" in first.stdout
    assert rows(node, "select count(*) from news_article") == [(1,)]
    assert "no feed is due" in cli("osint", "poll", data_dir=node).stdout
    again = cli("osint", "poll", "--all", data_dir=node)
    assert "Example Wire" in again.stdout and rows(node, "select count(*) from news_article") == [(1,)]
