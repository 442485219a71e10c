"""The pieces of extraction, each over a table of cases: time expressions, counts, place names."""

from datetime import date

import pytest

from jsms.osint.counts import parse_count
from jsms.osint.dates import find_times, publication_date_in
from jsms.osint.places import find_places, settle
from jsms.osint.text import headline, read_article, split_sentences

PUBLISHED = date(2024, 11, 13)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on Friday", "2024-11-08"),
        ("on Wednesday", "2024-11-13"),  # the day of publication itself
        ("yesterday", "2024-11-12"),
        ("late on Sunday", "2024-11-10"),
        ("last month", "2024-10"),
        ("Last month`s bombing", "2024-10"),
        ("earlier this month", "2024-11"),
        ("last October", "2024-10"),
        ("last November", "2023-11"),  # the same month last year, not this one
        ("in April", "2024-04"),
        ("in December", "2023-12"),  # a month still to come this year happened last year
        ("in April last year", "2023-04"),
        ("the April attack", "2024-04"),
        ("on July 29", "2024-07-29"),
        ("on 29 July", "2024-07-29"),
        ("October 6, 2024", "2024-10-06"),
        ("6 October 2024", "2024-10-06"),
        ("Oct. 6, 2024", "2024-10-06"),
        ("2022-04-26", "2022-04-26"),
        ("in March 2024", "2024-03"),
        ("on the 3rd of this month", "2024-11-03"),
    ],
)
def test_time_expressions_resolve_against_the_publication_date(text, expected):
    found = find_times(text, PUBLISHED)
    assert [t.iso() for t in found] == [expected]


@pytest.mark.parametrize("text", ["in 2024", "attacks may happen", "recently", "in the past"])
def test_vague_expressions_and_the_verb_may_give_no_time(text):
    assert find_times(text, PUBLISHED) == []


def test_without_a_publication_date_only_full_dates_resolve():
    assert [t.iso() for t in find_times("on Friday, October 6, 2024, last month", None)] == ["2024-10-06"]


def test_the_publication_date_is_the_first_full_date_in_the_header():
    assert publication_date_in("Latest News - October 19, 2024\nUpdated 2024-10-20") == date(2024, 10, 19)
    assert publication_date_in("no date here") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("two", 2),
        ("twenty-five", 25),
        ("13", 13),
        ("1,200", 1200),
        ("a dozen", 12),
        ("one hundred and five", 105),
        ("a", 1),
        ("many", None),
    ],
)
def test_counts_in_words_and_digits(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("text", "name", "district", "province"),
    [
        ("a blast near Besham", "Besham", "Shangla", "PK-KP"),
        ("near Bisham on the highway", "Besham", "Shangla", "PK-KP"),  # another spelling
        ("outside Jinnah International Airport", "Karachi airport", "Malir", "PK-SD"),
        ("in Dera Ismail Khan", "Dera Ismail Khan", "Dera Ismail Khan", "PK-KP"),
        ("in Kohistan", "Upper Kohistan", "Upper Kohistan", "PK-KP"),  # the old district's name
        ("in Turbat", "Turbat", "Kech", "PK-BA"),
        ("across Balochistan", "Balochistan", None, "PK-BA"),
        ("in KP", "Khyber Pakhtunkhwa", None, "PK-KP"),
    ],
)
def test_place_names_are_found_with_their_district_and_province(text, name, district, province):
    [mention] = find_places(text)
    entry = settle(mention, set())
    assert (entry.name, entry.district, entry.province) == (name, district, province)


def test_lower_case_words_and_people_named_like_places_are_not_places():
    assert find_places("the hub of trade, said Abbas, at the bela") == []


def test_an_ambiguous_name_is_settled_by_the_province_the_article_names():
    [mention] = find_places("Kalat")
    assert len({c.province for c in mention.candidates}) >= 1
    assert settle(mention, {"PK-BA"}).province == "PK-BA"


def test_sentences_split_at_full_stops_but_not_after_titles_or_initials():
    parts = [
        s.text
        for s in split_sentences("Dr. Li arrived on Oct. 6 in Karachi. Two were hurt. A. Khan said so.")
    ]
    assert parts == ["Dr. Li arrived on Oct. 6 in Karachi.", "Two were hurt.", "A. Khan said so."]


def test_an_article_gives_its_metadata_lines_and_headline():
    raw = "Home Latest News\n\nBlast kills two in Quetta\n\nTwo people were killed.\nPublished: 2024-05-02\nSource: https://example.org/a\n"
    article = read_article(raw)
    assert (article.published, article.source, article.title) == (
        date(2024, 5, 2),
        "https://example.org/a",
        "Blast kills two in Quetta",
    )
    assert "Published:" not in article.text
    assert (
        headline("Menu\nSearch\nGunmen attack convoy in Gwadar\nGunmen attack convoy in Gwadar")
        == "Gunmen attack convoy in Gwadar"
    )
