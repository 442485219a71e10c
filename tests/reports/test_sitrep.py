"""The daily situation report through the API, the page and the CLI: the PDF opened and read
back (its text and pages), in the three languages; the partner's copy without what its marking
withholds; the analyst's outlook."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from tests.incidents.test_incidents_api import FIELD_REPORT

DAY = date(2026, 11, 20)  # the report of the 20th covers 08:00 on the 19th to 08:00 on the 20th


def pdf_text(body: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def verified_incident(api, **more) -> dict:
    incident = api.post("/api/v1/incidents", "host.officer", json={**FIELD_REPORT, **more}).json()
    assert api.post(f"/api/v1/incidents/{incident['id']}/verify", "host.commander").status_code == 200
    return incident


def sitrep(api, user: str, **params):
    answer = api.get("/api/v1/reports/sitrep", user, params={"date": DAY.isoformat(), **params})
    assert answer.status_code == 200, answer.text
    return answer


@pytest.fixture(autouse=True)
def _renderer():
    try:
        import weasyprint  # noqa: F401
    except OSError as missing:  # pragma: no cover - CI installs Pango
        pytest.skip(f"the Pango library is missing (libpango-1.0-0): {missing}")


def test_the_sitrep_pdf_holds_the_days_incidents_and_its_marking(api):
    verified_incident(api)
    answer = sitrep(api, "host.commander", lang="en", format="pdf")
    assert answer.headers["content-type"] == "application/pdf"
    text, pages = pdf_text(answer.content)
    assert pages >= 1
    assert "Situation report" in text and "20 November 2026" in text
    assert "IED found on the coastal highway near Ormara" in text
    assert answer.headers["x-marking"] in text  # every page carries the marking
    assert "The 24 hours from 19/11/2026, 08:00 to 20/11/2026, 08:00" in text
    assert "Incidents of the last 30 days by type" in text  # the chart …
    html = sitrep(api, "host.commander", lang="en", format="html").text
    chart = html.split("Incidents of the last 30 days by type")[1].split("<h2>")[0]
    assert "<svg" in chart and "IED" in chart.split('class="legend"')[1]  # … and its legend


def test_the_partners_copy_lacks_what_its_marking_withholds(api):
    verified_incident(api)
    verified_incident(api, title="Host-only source report on the Gwadar harbour road", tlp="red")
    host = pdf_text(sitrep(api, "host.commander", lang="en").content)[0]
    partner_answer = sitrep(api, "partner.liaison", lang="en")
    partner = pdf_text(partner_answer.content)[0]
    assert "Host-only source report" in host and "TLP:RED" in host
    assert "Host-only source report" not in partner
    assert "IED found on the coastal highway near Ormara" in partner
    assert partner_answer.headers["x-marking"] != "TLP:RED"


def test_the_sitrep_in_chinese_and_urdu(api):
    verified_incident(api)
    chinese, pages = pdf_text(sitrep(api, "partner.liaison", lang="zh").content)
    assert "态势报告" in chinese and pages >= 1
    urdu_answer = sitrep(api, "host.analyst", lang="ur", format="html")
    assert 'dir="rtl"' in urdu_answer.text and "Noto Nastaliq Urdu" in urdu_answer.text
    urdu, _ = pdf_text(sitrep(api, "host.analyst", lang="ur").content)
    assert "IED found on the coastal highway near Ormara" in urdu  # titles as they were written


def test_the_analysts_outlook_is_in_the_report(api):
    url = f"/api/v1/reports/sitrep/{DAY.isoformat()}/outlook"
    text = "Daylight moves only on the coastal highway until the IED cell is found."
    assert api.put(url, "partner.liaison", json={"text": text}).status_code == 403
    written = api.put(url, "host.analyst", json={"text": text})
    assert written.status_code == 200 and written.json()["analyst"] == "host.analyst"
    html = sitrep(api, "partner.liaison", lang="en", format="html").text
    assert text in html
    assert api.put(url, "host.analyst", json={"text": ""}).status_code == 422


def test_bad_requests_are_refused(api):
    assert api.get("/api/v1/reports/sitrep", "host.commander", params={"lang": "fr"}).status_code == 422
    assert (
        api.get("/api/v1/reports/sitrep", "host.commander", params={"date": "yesterday"}).status_code == 422
    )
    assert api.get("/api/v1/reports/sitrep", None).status_code == 401


def test_the_reports_page_opens_the_report(api, browser):
    verified_incident(api)
    browser.sign_in("host.analyst", language="en")
    page = browser.get("/reports")
    assert page.status_code == 200 and "Download PDF" in page.text
    assert (
        browser.post(
            "/reports/sitrep/outlook", {"day": DAY.isoformat(), "text": "Calm expected."}
        ).status_code
        == 303
    )
    report = browser.get(f"/reports/sitrep?date={DAY.isoformat()}&lang=en&format=html")
    assert "IED found on the coastal highway near Ormara" in report.text and "Calm expected." in report.text


def test_the_cli_writes_the_report(sqlite_node, tmp_path):
    from typer.testing import CliRunner

    from jsms.cli import app
    from jsms.core.config import get_settings, use_settings

    before = get_settings()
    target = tmp_path / "sitrep.pdf"
    try:
        args = ["--data-dir", str(sqlite_node.data_dir), "report", "sitrep", "--date", "2024-03-27"]
        result = CliRunner().invoke(app, [*args, "--lang", "zh", "--out", str(target)])
        bad = CliRunner().invoke(app, [*args, "--lang", "fr"])
        weekly = CliRunner().invoke(
            app,
            [
                *("--data-dir", str(sqlite_node.data_dir), "report", "assessment", "--province", "PK-KP"),
                *("--date", "2024-03-27", "--format", "html", "--out", str(tmp_path / "week.html")),
            ],
        )
    finally:
        use_settings(before)
    assert result.exit_code == 0, result.output
    text, pages = pdf_text(target.read_bytes())
    assert pages >= 1 and "态势报告" in text
    assert bad.exit_code == 2 and "--lang" in bad.output
    assert weekly.exit_code == 0, weekly.output
    assert (
        "Suicide bombing of a convoy of Dasu project engineers at Besham"
        in (tmp_path / "week.html").read_text()
    )


def test_the_weekly_threat_assessment_of_a_province(api):
    verified_incident(api)  # in Balochistan (Ormara), within the week ending on the 20th
    url = f"/api/v1/reports/threat-assessment/PK-BA/{DAY.isoformat()}/judgement"
    judgement = "The coastal highway remains the likeliest target; no change to escorts."
    assert api.put(url, "host.analyst", json={"text": judgement}).status_code == 200
    answer = api.get(
        "/api/v1/reports/threat-assessment",
        "host.commander",
        params={"province": "PK-BA", "date": DAY.isoformat(), "lang": "en"},
    )
    assert answer.status_code == 200, answer.text
    text, pages = pdf_text(answer.content)
    assert pages >= 2
    assert "Weekly threat assessment: Balochistan" in text and judgement in text
    assert "Incidents by type and month" in text and "Sites of highest risk" in text
    assert "Gwadar Port" in text  # a site of the province, rated
    assert "IED found on the coastal highway near Ormara" in text
    urdu = api.get(
        "/api/v1/reports/threat-assessment",
        "host.analyst",
        params={"province": "PK-BA", "date": DAY.isoformat(), "lang": "ur", "format": "html"},
    )
    assert 'dir="rtl"' in urdu.text and "بلوچستان" in urdu.text
    legend = urdu.text.split('class="legend"')[1].split("</ul>")[0]  # in the page, shaped with it
    assert "دیسی ساختہ بم" in legend  # IED
    bad = api.get("/api/v1/reports/threat-assessment", "host.commander", params={"province": "PK-XX"})
    assert bad.status_code == 422
    refused = api.put(url.replace("PK-BA", "PK-XX"), "host.analyst", json={"text": "x"})
    assert refused.status_code == 422
