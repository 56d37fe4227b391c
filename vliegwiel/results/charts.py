"""Accessible, self-contained SVG charts (pygal) for reports, web pages and PDFs.

The markup is meant to be pasted inline into HTML: no XML prolog, no scripts, no comments,
no external CSS, fonts or JavaScript (pygal by default links a script on a CDN and credits
itself with URLs in comments). Each chart opens with a ``<title>`` and a ``<desc>`` that lists
every value in words, and the root is ``role="img"`` labelled by both, so a screen reader
reads the numbers that a sighted reader sees.

A value of None is a cell hidden by small-group protection. It is never drawn, not even as
zero: a bar chart leaves the row out and says so in a visible note and in the ``<desc>``; a
line chart breaks the line at that point.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from xml.etree import ElementTree

from flask_babel import gettext as _
from markupsafe import escape
from pygal import HorizontalBar, Line
from pygal.style import Style

from vliegwiel.web.number_format import dutch_number

__all__ = ["CHART_STYLE", "bar_chart", "chart_style_hash", "line_chart", "responsive"]

# pygal appends a legacy import hook (find_module only) to sys.meta_path so that its map
# plugins import as pygal.maps.*. We use no maps, and on Python 3.11 the hook makes every
# failed import anywhere in the process (e.g. mimetypes probing for _winapi) emit an
# ImportWarning, which pytest's filterwarnings=error turns into a crash. Python 3.12 no
# longer calls such hooks at all, so dropping it changes nothing we use. (pygal is imported
# last above so that nothing fails to import between pygal's import and this line.)
sys.meta_path[:] = [
    finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"
]

# Dark enough for at least 4.5:1 against white, so bars, lines and their legend text all
# pass WCAG's contrast rules; ordered so neighbouring series also differ in lightness.
SERIES_COLOURS = ("#1f4e79", "#b34700", "#1b6e3a", "#7b2d8e", "#a4161a", "#4d4d4d")

CHART_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1a1a1a",
    foreground_strong="#000000",
    foreground_subtle="#595959",
    # pygal's default 0.7 opacity washes the colours out below the contrast we need.
    opacity="1",
    opacity_hover="1",
    transition="0ms",
    colors=SERIES_COLOURS,
    font_family='"DejaVu Sans", "Liberation Sans", Arial, sans-serif',
    # At the narrowest a chart is drawn NARROW_WIDTH wide and shown about 0.9 times that
    # (288 CSS px on a 320 px phone), so 16 units stay above 12 CSS px (issue 12).
    title_font_size=20,
    label_font_size=16,
    major_label_font_size=16,
    value_font_size=16,
    value_label_font_size=16,
    legend_font_size=16,
    tooltip_font_size=16,
    no_data_font_size=20,
)

_COMMON_CONFIG: dict[str, Any] = {
    "style": CHART_STYLE,
    "js": [],
    "disable_xml_declaration": True,
    "width": 800,
    "tooltip_border_radius": 0,
}

_ROW_HEIGHT = 44
#: Drawing widths: pages show the narrow drawing below 48rem (phones), the wide one above;
#: an SVG scaled down to a phone's width would shrink its text to a few pixels.
WIDE_WIDTH, NARROW_WIDTH = 800, 320


def responsive(draw: Callable[[int], str], narrow: str | None = None) -> str:
    """Both drawings of a chart, for the page's stylesheet to show the one that fits
    (style.css: .chart-wide / .chart-narrow; the PDF shows the wide one). ``narrow`` is a
    ready phone drawing (``bar_list``); by default the chart is drawn NARROW_WIDTH wide."""
    return (
        f'<span class="chart-wide">{draw(WIDE_WIDTH)}</span>'
        f'<span class="chart-narrow">{narrow if narrow is not None else draw(NARROW_WIDTH)}</span>'
    )


def bar_list(title: str, rows: list[tuple[str, float | None]], *, percent: bool = False) -> str:
    """A bar chart for phones: one line of page text per row (label, then bar and value),
    so the text is the page's own size at any width. Bars are tiny inline SVGs (the page's
    Content-Security-Policy forbids style attributes); hidden rows are named, not drawn."""
    formatter = _format_percent if percent else _format_number
    shown = [(label, value) for label, value in rows if value is not None]
    hidden = [label for label, value in rows if value is None]
    top = 100.0 if percent else max([value for _label, value in shown] + [1.0])
    items = []
    for label, value in shown:
        length = max(0.0, min(100.0, 100.0 * value / top)) if top else 0.0
        items.append(
            f'<li><span class="bar-label">{escape(label)}</span>'
            f'<span class="bar-line"><svg class="bar" viewBox="0 0 100 10" '
            f'preserveAspectRatio="none" aria-hidden="true" focusable="false">'
            f'<rect width="{length:.1f}" height="10" fill="{SERIES_COLOURS[0]}"/></svg>'
            f'<span class="bar-value">{escape(formatter(value))}</span></span></li>'
        )
    note = ""
    if hidden:
        text = _("Niet getoond (te weinig antwoorden): %(labels)s", labels=", ".join(hidden))
        note = f'<span class="help bar-note">{escape(text)}</span>'
    return (
        f'<span class="bar-list" role="group" aria-label="{escape(title)}">'
        f'<span class="bar-title">{escape(title)}</span>'
        f"<ul>{''.join(items)}</ul>{note}</span>"
    )


def bar_chart(
    title: str,
    rows: list[tuple[str, float | None]],
    *,
    percent: bool = False,
    width: int = WIDE_WIDTH,
) -> str:
    """Horizontal bar chart of ``(label, value)`` rows, first row at the top.

    ``percent`` means the values are percentages (0-100): the axis runs from 0 to 100 and
    numbers carry a ``%``. Rows whose value is None are hidden cells and are not drawn.
    """
    shown = [(label, value) for label, value in rows if value is not None]
    hidden = [label for label, value in rows if value is None]
    formatter = _format_percent if percent else _format_number

    visible_title = title
    if hidden:
        visible_title += "\n" + _(
            "Niet getoond (te weinig antwoorden): %(labels)s", labels=", ".join(hidden)
        )
    chart = HorizontalBar(
        **{**_COMMON_CONFIG, "width": width},
        title=visible_title,
        height=160 + _ROW_HEIGHT * max(len(shown), 2),
        show_legend=False,
        print_values=True,
        print_values_position="top",
        # Room after the longest bar for its value, which we move out of the bar.
        margin_right=70,
        value_formatter=formatter,
        no_data_text=_("Geen gegevens om te tonen"),
        # Five ticks, never cut short: eleven shrank to "1…" when the labels took the room.
        truncate_label=-1,
        **({"range": (0, 100), "y_labels": [0, 25, 50, 75, 100]} if percent else {}),
    )
    # Not a config key: pygal silently ignores xml_filters=... passed to the constructor.
    chart.add_xml_filter(_accessibility_filter(title, _bar_description(rows, formatter)))
    chart.add_xml_filter(_values_after_bars)
    chart.add_xml_filter(_shared_style)
    # pygal draws a horizontal chart bottom-up; reverse so it reads in the given order.
    chart.x_labels = [label for label, _value in reversed(shown)]
    chart.add(title, [value for _label, value in reversed(shown)])
    return chart.render(is_unicode=True)


def line_chart(
    title: str,
    series: Mapping[str, Sequence[float | None]],
    x_labels: list[str],
    *,
    width: int = WIDE_WIDTH,
) -> str:
    """Line chart of one or more series over ``x_labels`` (e.g. survey waves).

    Each series has one value per x label; None (hidden or not measured) breaks the line.
    """
    for name, values in series.items():
        if len(values) != len(x_labels):
            raise ValueError(
                f"series {name!r} has {len(values)} values for {len(x_labels)} x labels"
            )
    chart = Line(
        **{**_COMMON_CONFIG, "width": width},
        title=title,
        height=480 if width >= WIDE_WIDTH else 400,
        allow_interruptions=True,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        dots_size=5,
        value_formatter=_format_number,
        no_data_text=_("Geen gegevens om te tonen"),
    )
    chart.add_xml_filter(_accessibility_filter(title, _line_description(series, x_labels)))
    chart.add_xml_filter(_shared_style)
    chart.x_labels = x_labels
    for name, values in series.items():
        chart.add(name, list(values))
    return chart.render(is_unicode=True)


def _bar_description(
    rows: list[tuple[str, float | None]], formatter: Callable[[float], str]
) -> str:
    parts = [
        f"{label}: {formatter(value)}"
        if value is not None
        else f"{label}: {_('verborgen, te weinig antwoorden')}"
        for label, value in rows
    ]
    return "; ".join(parts) + "." if parts else _("Geen gegevens om te tonen")


def _line_description(series: Mapping[str, Sequence[float | None]], x_labels: list[str]) -> str:
    lines = []
    for name, values in series.items():
        points = [
            f"{x}: {_format_number(value)}"
            if value is not None
            else f"{x}: {_('geen waarde (verborgen of niet gemeten)')}"
            for x, value in zip(x_labels, values, strict=True)
        ]
        lines.append(f"{name}: " + "; ".join(points) + ".")
    return " ".join(lines) if lines else _("Geen gegevens om te tonen")


def _accessibility_filter(title: str, description: str) -> Callable[[Any], Any]:
    """An xml_filter for pygal: strip what is not ours to ship, add title and description."""

    def apply(root: Any) -> Any:
        _strip(root)
        chart_id = root.get("id") or "chart"
        title_node = ElementTree.Element("title", id=f"{chart_id}-title")
        title_node.text = title
        desc_node = ElementTree.Element("desc", id=f"{chart_id}-desc")
        desc_node.text = description
        # First children, where assistive technology looks for them.
        root.insert(0, desc_node)
        root.insert(0, title_node)
        root.set("role", "img")
        root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
        return root

    return apply


# The pages' Content-Security-Policy forbids inline styles unless their hash is allowed. pygal
# scopes each chart's <style> to a random id, so every chart would need its own hash; instead
# every chart carries the same stylesheet, scoped to the pygal-chart class, and the policy
# allows exactly that one (chart_style_hash). PDFs need the inline style too: one way for both.
_LINE_WIDTH_RULE = ".pygal-chart .line-graph .series{stroke-width:3}"


@functools.cache
def _chart_css() -> str:
    """pygal's stylesheet for our style and every series colour, scoped to the class."""
    chart = Line(**_COMMON_CONFIG, show_legend=True)
    for index in range(len(SERIES_COLOURS)):
        chart.add(str(index), [1, 2])
    root = chart.render_tree()
    chart_id = root.get("id")
    css = "".join(
        node.text or ""
        for node in root.iter()
        if isinstance(node.tag, str) and node.tag.endswith("style")
    )
    return re.sub(r"\s+", " ", css.replace(f"#{chart_id}", ".pygal-chart")) + _LINE_WIDTH_RULE


def chart_style_hash() -> str:
    """The CSP source expression ('sha256-...') that allows the charts' shared stylesheet."""
    digest = hashlib.sha256(_chart_css().encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _shared_style(root: Any) -> Any:
    styles = [
        node for node in root.iter() if isinstance(node.tag, str) and node.tag.endswith("style")
    ]
    for node in styles:
        node.text = ""
    if styles:
        styles[0].text = _chart_css()
    return root


def _strip(root: Any) -> None:
    """Remove comments (pygal's URLs), scripts, and the tooltip-only titles and descs."""
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else None
            local = tag.rsplit("}", 1)[-1] if tag else None
            if (
                tag is None  # comments and processing instructions
                or local in ("script", "title", "desc")
                or "tooltip-overlay" in (child.get("class") or "")
            ):
                parent.remove(child)


def _values_after_bars(root: Any) -> Any:
    """Move printed values from the end of each bar to just after it.

    pygal centres them on the bar's end, half on the dark bar, where dark text is unreadable.
    """
    for node in root.iter("text"):
        if "value" in (node.get("class") or "").split():
            node.set("text-anchor", "start")
            node.set("x", str(float(node.get("x", "0")) + 6))
    return root


def _format_number(value: float) -> str:
    """In the page's language: 1.234 and 12,5 on a Dutch page, 1,234 and 12.5 on an English one."""
    return dutch_number(value, 1)


def _format_percent(value: float) -> str:
    return f"{_format_number(value)}%"
