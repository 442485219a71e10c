"""Reports as HTML (one template per report) and as PDF (the same HTML through WeasyPrint, which
shapes Chinese and Urdu with HarfBuzz and lays Urdu out right to left). The fonts are the Noto
families of Debian's fonts-noto-core and fonts-noto-cjk packages."""

from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from jsms.alerts.service import KIND_LABELS as ALERT_KINDS
from jsms.alerts.service import SEVERITY_LABELS
from jsms.core.errors import DomainError
from jsms.core.i18n import Translator
from jsms.core.marking import Tlp
from jsms.geo.provinces import province_outline
from jsms.incidents.labels import KINDS as INCIDENT_KINDS
from jsms.movements.labels import JOURNEY_STATES
from jsms.reports import charts
from jsms.reports.assessment import ThreatAssessment, province_name
from jsms.reports.sitrep import Sitrep
from jsms.risk.areas import LEVELS
from jsms.risk.service import area_name

# The first family that has a character draws it: Latin, then the script of the language.
FONTS = {
    "en": '"Noto Sans", "Noto Sans CJK SC", "Noto Naskh Arabic", sans-serif',
    "zh": '"Noto Sans CJK SC", "Noto Sans", sans-serif',
    "ur": '"Noto Nastaliq Urdu", "Noto Naskh Arabic", "Noto Sans", sans-serif',
}
MARKING_COLOURS = {
    Tlp.CLEAR: "#0f172a",
    Tlp.GREEN: "#15803d",
    Tlp.AMBER: "#b45309",
    Tlp.AMBER_STRICT: "#b45309",
    Tlp.RED: "#b91c1c",
}
FORMATS = ("html", "pdf")


class RendererMissing(DomainError):
    status = 503
    title = "Report renderer unavailable"
    slug = "renderer-missing"


@lru_cache(maxsize=1)
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("jsms.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _common(report, t: Translator) -> dict:
    """What every report template is given: the language's words, fonts, labels and marking."""
    return {
        "report": report,
        "t": t,
        "_": t.gettext,
        "when": lambda moment: Markup('<bdi dir="ltr">{}</bdi>').format(t.datetime(moment, "short")),
        "fonts": FONTS[t.language],
        "marking_colour": MARKING_COLOURS.get(report.marking, "#0f172a"),
        "kinds": INCIDENT_KINDS,
        "levels": LEVELS,
        "area_name": lambda key: area_name(key, t.language),
    }


def _legend(series: dict, t: Translator) -> list[tuple[str, str]]:
    """The colours of a chart's kinds and their names, written in the page (see charts)."""
    return [(charts.colour_of(kind), t.gettext(INCIDENT_KINDS.get(kind, kind))) for kind in series]


def sitrep_html(report: Sitrep, language: str) -> str:
    t = Translator(language, report.reader.timezone)
    points = [(i.lat, i.lon, i.kind, str(n)) for n, i in enumerate(report.incidents, start=1)]
    return (
        _templates()
        .get_template("reports/sitrep.html")
        .render(
            **_common(report, t),
            map_svg=charts.incident_map(points) if points else "",
            trend_svg=charts.stacked_bars(report.trend_days, report.trend) if report.trend else "",
            legend=_legend(report.trend, t),
            alert_kinds=ALERT_KINDS,
            severities=SEVERITY_LABELS,
            journey_states=JOURNEY_STATES,
        )
    )


def assessment_html(report: ThreatAssessment, language: str) -> str:
    t = Translator(language, report.reader.timezone)
    lats, lons, values = report.raster
    sites = [(site.lat, site.lon, str(n)) for n, (site, _) in enumerate(report.sites, start=1)]
    return (
        _templates()
        .get_template("reports/assessment.html")
        .render(
            **_common(report, t),
            province=province_name(report.province, t.language),
            trend_svg=charts.stacked_bars(report.months, report.by_kind) if report.by_kind else "",
            legend=_legend(report.by_kind, t),
            map_svg=charts.risk_map(lats, lons, values, province_outline(report.province), sites),
        )
    )


def pdf_of(html: str) -> bytes:
    """The HTML laid out on A4 pages. WeasyPrint needs the Pango library (Debian: libpango-1.0-0)."""
    try:
        from weasyprint import HTML
    except OSError as missing:  # the Python package is there, the system library is not
        raise RendererMissing(
            f"PDF needs the Pango library (apt install libpango-1.0-0): {missing}"
        ) from None
    return HTML(string=html).write_pdf()
