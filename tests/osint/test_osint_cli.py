"""`jsms osint extract | cluster | eval` as the scorer runs them: JSON lines, one per file."""

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from jsms.osint.inputs import InputError, from_feed, from_html
from tests.test_cli import jsms

ARTICLES = Path(__file__).parent / "articles"
CONTRACT_FIELDS = {
    "date",
    "place",
    "district",
    "province",
    "event_type",
    "killed",
    "killed_chinese",
    "injured",
    "targets_chinese",
    "claimed_by",
    "lat",
    "lon",
}


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_extract_prints_one_json_object_per_file_with_the_contract_fields(tmp_path):
    files = [str(ARTICLES / "besham-wire.txt"), str(ARTICLES / "jwg-meeting.txt")]
    result = jsms("osint", "extract", *files, "--format", "jsonl", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    wire, meeting = _lines(result.stdout)
    assert (
        wire["file"] == files[0]
        and wire["published"] == "2024-03-26"
        and wire["reports_new_incident"] is True
    )
    [attack] = wire["incidents"]
    assert set(attack) == CONTRACT_FIELDS
    assert (attack["date"], attack["place"], attack["province"], attack["killed_chinese"]) == (
        "2024-03-26",
        "Besham",
        "Khyber Pakhtunkhwa",
        5,
    )
    assert 34 < attack["lat"] < 35.5 and 72 < attack["lon"] < 73.5
    assert meeting["reports_new_incident"] is False and len(meeting["incidents"]) == 2


def test_extract_reads_html_pages_and_folders(cli, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Gunmen kill two in Quetta</title>"
        '<meta property="article:published_time" content="2024-05-02T08:00:00Z"></head><body>'
        "<nav>Home | World | Sport</nav><article><h1>Gunmen kill two in Quetta</h1>"
        "<p>Gunmen on motorcycles opened fire on a police patrol in Quetta on Thursday, killing two policemen, officials said.</p>"
        "<p>No group claimed responsibility for the attack.</p></article><footer>Contact us</footer></body></html>"
    )
    shutil.copy(ARTICLES / "guard-shooting.txt", tmp_path / "guard.txt")
    result = cli("osint", "extract", str(tmp_path), "--format", "jsonl", data_dir=tmp_path / "node")
    assert result.returncode == 0, result.stderr
    rows = {Path(r["file"]).name: r for r in _lines(result.stdout)}
    assert set(rows) == {"page.html", "guard.txt"}
    [attack] = rows["page.html"]["incidents"]
    assert (rows["page.html"]["published"], attack["date"], attack["killed"], attack["event_type"]) == (
        "2024-05-02",
        "2024-05-02",
        2,
        "armed_attack",
    )


def test_cluster_puts_reports_of_one_attack_together(cli, tmp_path):
    names = [
        "airport-first.txt",
        "airport-second.txt",
        "besham-wire.txt",
        "besham-daily.txt",
        "jwg-meeting.txt",
    ]
    result = cli(
        "osint", "cluster", *(str(ARTICLES / n) for n in names), "--format", "jsonl", data_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    clusters = {Path(r["file"]).name: r["cluster"] for r in _lines(result.stdout)}
    assert clusters["airport-first.txt"] == clusters["airport-second.txt"] is not None
    assert clusters["besham-wire.txt"] == clusters["besham-daily.txt"] != clusters["airport-first.txt"]
    assert clusters["jwg-meeting.txt"] is None


def test_eval_scores_a_folder_against_its_annotations(tmp_path):
    result = jsms("osint", "eval", str(ARTICLES / "gold.jsonl"), str(ARTICLES), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    headline = dict(pair.split("=") for pair in result.stdout.strip().splitlines()[-1].split())
    assert float(headline["incident_f1"]) >= 0.85 and float(headline["cluster_pair_f1"]) >= 0.85
    assert '"field_accuracy"' in result.stdout


def test_bad_input_is_named_and_nothing_is_printed(cli, tmp_path):
    missing = cli("osint", "extract", str(tmp_path / "nope.txt"), "--format", "jsonl", data_dir=tmp_path)
    assert (
        missing.returncode == 2
        and "nope.txt: no such file or folder" in missing.stderr
        and missing.stdout == ""
    )
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    not_text = cli(
        "osint",
        "extract",
        str(ARTICLES / "besham-wire.txt"),
        str(binary),
        "--format",
        "jsonl",
        data_dir=tmp_path,
    )
    assert not_text.returncode == 2 and "b.txt: not UTF-8 text" in not_text.stderr and not_text.stdout == ""
    wrong_format = cli(
        "osint", "extract", str(ARTICLES / "besham-wire.txt"), "--format", "xml", data_dir=tmp_path
    )
    assert wrong_format.returncode == 2 and "use jsonl or table" in wrong_format.stderr
    gold = tmp_path / "gold.jsonl"
    gold.write_text("{not json\n")
    broken = cli("osint", "eval", str(gold), str(ARTICLES), data_dir=tmp_path)
    assert broken.returncode == 2 and "not a file of annotations" in broken.stderr
    gold.write_text(json.dumps({"file": "absent.txt", "incidents": [], "reports_new_incident": False}) + "\n")
    absent = cli("osint", "eval", str(gold), str(ARTICLES), data_dir=tmp_path)
    assert absent.returncode == 2 and "absent.txt" in absent.stderr


def test_feeds_give_their_entries_and_what_is_not_a_feed_or_page_is_refused():
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        "<item><title>Blast in Quetta</title><link>https://example.org/1</link>"
        "<pubDate>Thu, 02 May 2024 08:00:00 GMT</pubDate>"
        "<description>A roadside bomb killed two policemen in Quetta on Thursday.</description></item>"
        "<item><title>Empty</title><description></description></item></channel></rss>"
    )
    [entry] = from_feed(feed, "https://example.org/feed")
    assert (entry.title, entry.published, entry.location) == (
        "Blast in Quetta",
        date(2024, 5, 2),
        "https://example.org/1",
    )
    assert "roadside bomb" in entry.text
    with pytest.raises(InputError, match="not an RSS or Atom feed"):
        from_feed("this is not a feed <", "notes.txt")
    with pytest.raises(InputError, match="no article text found"):
        from_html("<html><body></body></html>", "empty.html")
