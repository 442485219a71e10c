"""Fixtures of the news tests: a news site on 127.0.0.1, and `jsms` run in this process."""

import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from jsms.cli import app
from jsms.core.config import get_settings, use_settings


@pytest.fixture
def cli(monkeypatch):
    """`jsms` run in this process (the gazetteer is loaded once, not per command), answering like
    a finished process (returncode, stdout, stderr); the settings a command sets for its data
    directory are put back afterwards."""
    for name in [n for n in os.environ if n.startswith("JSMS_")]:
        monkeypatch.delenv(name)
    before = get_settings()
    runner = CliRunner()

    def run(*args: str, data_dir):
        result = runner.invoke(app, ["--data-dir", str(data_dir), *args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)

    yield run
    use_settings(before)


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
