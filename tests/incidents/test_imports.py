"""Data-set imports: ACLED and GTD files written from their published columns, and a mapped CSV."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from jsms.core.actor import Actor
from jsms.core.db import new_session
from jsms.incidents import imports
from jsms.incidents.models import Incident
from jsms.incidents.service import import_incidents

DATA = Path(__file__).parent / "data"
IMPORTER = Actor("host.analyst", "host_analyst", "host")


def parsed(kind: str) -> list:
    text = (DATA / f"{kind}_sample.csv").read_text()
    return list(imports.PARSERS[kind](text))


def test_acled_rows_become_incidents_bad_rows_name_their_line():
    rows = parsed("acled")
    good = [r for r in rows if isinstance(r, imports.ImportedRow)]
    bad = {r.line: r.reason for r in rows if isinstance(r, imports.BadRow)}
    skipped = [r for r in rows if isinstance(r, imports.SkippedRow)]
    assert [r.external_id for r in good] == ["PAK90001", "PAK90002", "PAK90003"]
    assert set(bad) == {5, 6} and "event_date" in bad[5] and "coordinates" in bad[6]
    assert len(skipped) == 1 and "Afghanistan" in skipped[0].reason
    ied, bombing, abduction = (r.incident for r in good)
    assert (ied.kind, ied.killed, ied.target_category) == ("ied", 2, "security_forces")
    assert (bombing.kind, bombing.protected_nationality_targeted, bombing.claimed_by) == (
        "suicide_bombing",
        True,
        "BLA: Balochistan Liberation Army",
    )
    assert bombing.occurred_at.isoformat().startswith("2026-10-12")  # "12 October 2026" read too
    assert abduction.kind == "kidnapping" and abduction.target_category == "civilians"
    assert [s.title for s in ied.sources] == ["Dawn", "Express Tribune"]


def test_gtd_rows_become_incidents():
    rows = parsed("gtd")
    good = {r.external_id: r.incident for r in rows if isinstance(r, imports.ImportedRow)}
    bad = {r.line: r.reason for r in rows if isinstance(r, imports.BadRow)}
    assert set(good) == {"201807140001", "201811230001", "201905000001"}
    assert set(bad) == {5, 6} and "nkill" in bad[6]
    mastung = good["201807140001"]
    assert (mastung.kind, mastung.killed, mastung.injured) == ("suicide_bombing", 149, 186)
    consulate = good["201811230001"]
    assert consulate.protected_nationality_targeted and consulate.target_category == "diplomatic"
    assert good["201905000001"].time_precision == "month" and good["201905000001"].claimed_by is None


def test_a_file_without_the_columns_is_refused_whole():
    with pytest.raises(imports.FileProblem, match="event_id_cnty"):
        list(imports.parse_acled("a,b\n1,2\n"))
    with pytest.raises(imports.FileProblem, match="unknown field"):
        list(imports.parse_csv("x\n1\n", {"colour": "x"}))


def test_csv_with_a_column_map():
    text = (
        "Ref,When,Y,X,What,Where,Dead\nr1,2026-09-01T10:00:00+05:00,33.6,73.1,armed_attack,Rawalpindi,2\n"
        "r2,2026-09-02,33.7,73.0,bombing,Islamabad,\n"
    )
    rows = list(
        imports.parse_csv(
            text,
            {
                "id": "Ref",
                "date": "When",
                "lat": "Y",
                "lon": "X",
                "kind": "What",
                "place": "Where",
                "killed": "Dead",
            },
        )
    )
    assert isinstance(rows[0], imports.ImportedRow) and rows[0].incident.killed == 2
    assert isinstance(rows[1], imports.BadRow) and rows[1].line == 3 and "kind" in rows[1].reason


def test_importing_twice_adds_nothing(connection):
    session = new_session(IMPORTER)
    first = import_incidents(session, IMPORTER, parsed("acled"), "acled")
    second = import_incidents(session, IMPORTER, parsed("acled"), "acled")
    assert (first.created, first.already_present, len(first.bad), len(first.skipped)) == (3, 0, 2, 1)
    assert (second.created, second.already_present) == (0, 3)
    count = session.scalar(
        select(func.count()).select_from(Incident).where(Incident.source_system == "acled")
    )
    assert count == 3
    gtd = import_incidents(session, IMPORTER, parsed("gtd"), "gtd", verify=True)
    assert gtd.created == 3
    states = set(session.scalars(select(Incident.state).where(Incident.source_system == "gtd")))
    assert states == {"verified"}
    session.close()


def test_import_needs_the_right_role(connection):
    session = new_session(Actor("partner.liaison", "partner_liaison_officer", "partner"))
    from jsms.core.errors import Forbidden

    with pytest.raises(Forbidden):
        import_incidents(session, Actor("partner.liaison", "partner_liaison_officer", "partner"), [], "acled")
    session.close()
