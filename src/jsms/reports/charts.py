"""Figures of the reports, drawn with matplotlib as SVG. They carry only numbers and dates; names
(the legend) are written in the page around them, where Chinese and Urdu are shaped properly —
neither matplotlib nor the SVG text of the PDF renderer joins Urdu letters."""

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: figures are only ever written to files

from matplotlib import pyplot
from shapely.geometry import MultiPolygon, Polygon

from jsms.geo.provinces import province_shapes

KIND_COLOURS = {
    "suicide_bombing": "#b91c1c",
    "ied": "#dc2626",
    "armed_attack": "#ea580c",
    "kidnapping": "#7c3aed",
    "rocket_grenade": "#be185d",
    "foiled_plot": "#0f766e",
    "threat": "#ca8a04",
}
OTHER_COLOUR = "#475569"
STYLE = {"svg.fonttype": "none", "font.family": "sans-serif", "font.size": 9}


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", transparent=True)
    pyplot.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: without the XML declaration and doctype


def _outlines(axes) -> None:
    _, shapes, _ = province_shapes()
    for shape in shapes:
        polygons = (
            shape.geoms if isinstance(shape, MultiPolygon) else [shape] if isinstance(shape, Polygon) else []
        )
        for polygon in polygons:
            x, y = polygon.exterior.xy
            axes.plot(x, y, color="#94a3b8", linewidth=0.6)


def incident_map(points: Sequence[tuple[float, float, str, str]], width_cm: float = 16.0) -> str:
    """Pakistan's provinces and the incidents as numbered dots: (lat, lon, kind, label) each."""
    with matplotlib.rc_context(STYLE):
        figure, axes = pyplot.subplots(figsize=(width_cm / 2.54, width_cm / 2.54 * 0.85))
        _outlines(axes)
        for lat, lon, kind, label in points:
            axes.scatter(
                [lon], [lat], s=60, color=KIND_COLOURS.get(kind, OTHER_COLOUR), zorder=3, edgecolors="white"
            )
            axes.annotate(label, (lon, lat), xytext=(5, 4), textcoords="offset points", fontsize=8, zorder=4)
        axes.set_xlim(60.5, 77.5)
        axes.set_ylim(23.5, 37.2)
        axes.set_aspect("equal")
        axes.axis("off")
        return _svg(figure)


def colour_of(kind: str) -> str:
    return KIND_COLOURS.get(kind, OTHER_COLOUR)


def stacked_bars(periods: Sequence[str], series: dict[str, Sequence[int]]) -> str:
    """Stacked bars of counts by period (month, day), one colour per kind (`colour_of`). The legend
    is left to the page: names in Urdu need the page's text shaping, which SVG text in the PDF lacks."""
    with matplotlib.rc_context(STYLE):
        figure, axes = pyplot.subplots(figsize=(16 / 2.54, 7 / 2.54))
        bottom = [0] * len(periods)
        for kind, counts in series.items():
            axes.bar(periods, counts, bottom=bottom, color=colour_of(kind))
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        step = max(1, len(periods) // 12)  # a readable number of labels (every few days)
        axes.set_xticks(range(0, len(periods), step), [periods[i] for i in range(0, len(periods), step)])
        axes.spines[["top", "right"]].set_visible(False)
        axes.tick_params(axis="x", labelrotation=45)
        return _svg(figure)


def risk_map(
    lats, lons, values, outline, sites: Sequence[tuple[float, float, str]], width_cm: float = 16.0
) -> str:
    """The risk intensity over a province as a heat map, its outline, and its sites numbered."""
    with matplotlib.rc_context(STYLE):
        figure, axes = pyplot.subplots(figsize=(width_cm / 2.54, width_cm / 2.54 * 0.8))
        if len(lats) and len(lons):
            extent = (lons[0], lons[-1], lats[0], lats[-1])
            image = axes.imshow(
                values, origin="lower", extent=extent, cmap="YlOrRd", vmin=0, interpolation="bilinear"
            )
            figure.colorbar(image, ax=axes, shrink=0.7)
        polygons = outline.geoms if isinstance(outline, MultiPolygon) else [outline]
        for polygon in polygons:
            x, y = polygon.exterior.xy
            axes.plot(x, y, color="#1e293b", linewidth=0.8)
        for lat, lon, label in sites:
            axes.scatter([lon], [lat], s=30, color="#1e3a8a", marker="s", zorder=3, edgecolors="white")
            axes.annotate(label, (lon, lat), xytext=(4, 3), textcoords="offset points", fontsize=8, zorder=4)
        axes.set_aspect("equal")
        axes.axis("off")
        return _svg(figure)
