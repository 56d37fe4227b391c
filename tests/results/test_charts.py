"""vliegwiel.results.charts: self-contained, accessible SVG; hidden cells are never drawn."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from vliegwiel.results.charts import CHART_STYLE, SERIES_COLOURS, bar_chart, line_chart

SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
ROWS = [
    ("Met de auto, als bestuurder", 41),
    ("Openbaar vervoer (buurtbus)", None),
    ("Fiets of elektrische fiets", 23),
    ("Lopend", 0),
]


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def texts_with_class(root: ElementTree.Element, css_class: str) -> list[str]:
    return [
        node.text or ""
        for node in root.iter()
        if local(node.tag) == "text" and css_class in (node.get("class") or "").split()
    ]


def bars(root: ElementTree.Element) -> list[ElementTree.Element]:
    return [
        node
        for node in root.iter()
        if local(node.tag) == "rect" and "tooltip-trigger" in (node.get("class") or "")
    ]


@pytest.fixture(params=["bar", "line"])
def any_chart(request: pytest.FixtureRequest) -> str:
    if request.param == "bar":
        return bar_chart("Vervoer naar de huisarts", ROWS)
    return line_chart(
        "Eenzaamheid per meting", {"Dorp": [3.1, None, 2.8]}, ["2024", "2025", "2026"]
    )


def test_markup_is_inline_ready_and_self_contained(any_chart: str) -> None:
    assert any_chart.startswith("<svg")
    root = parse(any_chart)  # well-formed XML

    urls = set(re.findall(r"https?://[^\s\"'<>)]+", any_chart))
    assert urls <= SVG_NAMESPACES
    assert "<script" not in any_chart
    assert "<!--" not in any_chart
    for node in root.iter():
        assert not any(local(name) == "href" for name in node.attrib), node.attrib


def test_screen_reader_gets_title_and_values(any_chart: str) -> None:
    root = parse(any_chart)
    first, second = list(root)[:2]

    assert local(first.tag) == "title" and first.text
    assert local(second.tag) == "desc"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{first.get('id')} {second.get('id')}"
    # Only our own title and description: pygal's tooltip-only ones would be read out too.
    assert [local(node.tag) for node in root.iter()].count("desc") == 1


def test_bar_description_lists_every_row() -> None:
    root = parse(bar_chart("Vervoer naar de huisarts", ROWS))
    desc = next(node for node in root if local(node.tag) == "desc").text or ""

    assert "Met de auto, als bestuurder: 41" in desc
    assert "Fiets of elektrische fiets: 23" in desc
    assert "Lopend: 0" in desc
    assert "Openbaar vervoer (buurtbus): verborgen" in desc


def test_hidden_rows_are_not_drawn_but_a_zero_is() -> None:
    root = parse(bar_chart("Vervoer naar de huisarts", ROWS))

    assert len(bars(root)) == 3  # 41, 23 and the real zero; not the hidden row
    assert sorted(texts_with_class(root, "value")) == ["0", "23", "41"]
    axis_labels = [
        node.text
        for group in root.iter()
        if "axis" in (group.get("class") or "").split()
        for node in group.iter()
        if local(node.tag) == "text"
    ]
    assert "Lopend" in axis_labels
    assert "Openbaar vervoer (buurtbus)" not in axis_labels
    # ...but a sighted reader is told it is missing, not left to think it is zero.
    assert "Openbaar vervoer" in " ".join(texts_with_class(root, "title"))


def test_rows_read_top_down_in_the_given_order() -> None:
    root = parse(bar_chart("Volgorde", [("Eerste", 5), ("Tweede", 3), ("Derde", 1)]))
    labels = {
        node.text: float(node.get("y", "0"))
        for node in root.iter()
        if local(node.tag) == "text" and node.text in ("Eerste", "Tweede", "Derde")
    }

    assert labels["Eerste"] < labels["Tweede"] < labels["Derde"]


def test_percent_chart_shows_percentages_on_a_0_to_100_axis() -> None:
    root = parse(bar_chart("Tevredenheid", [("Tevreden", 62.5), ("Ontevreden", 20)], percent=True))
    all_text = [node.text for node in root.iter() if local(node.tag) == "text"]

    assert sorted(texts_with_class(root, "value")) == ["20%", "62,5%"]
    assert "100%" in all_text


def test_all_hidden_shows_no_data_text() -> None:
    svg = bar_chart("Alles verborgen", [("Auto", None), ("Fiets", None)])

    assert bars(parse(svg)) == []
    assert "Geen gegevens om te tonen" in svg


def test_line_breaks_at_hidden_wave() -> None:
    root = parse(
        line_chart(
            "Eenzaamheid per meting",
            {"Dorp": [3.1, None, 2.8, 2.5], "Gemeente": [3.3, 3.2, 3.0, 2.9]},
            ["2023", "2024", "2025", "2026"],
        )
    )
    dots = [
        node
        for node in root.iter()
        if local(node.tag) == "circle" and "dot" in (node.get("class") or "")
    ]
    desc = next(node for node in root if local(node.tag) == "desc").text or ""

    assert len(dots) == 7  # 3 for Dorp (one hidden), 4 for Gemeente
    assert "Dorp: 2023: 3,1; 2024: geen waarde" in desc
    assert "Gemeente: 2023: 3,3; 2024: 3,2" in desc


def test_line_series_must_match_the_labels() -> None:
    with pytest.raises(ValueError, match="Dorp"):
        line_chart("Te kort", {"Dorp": [1.0, 2.0]}, ["2024", "2025", "2026"])


def test_two_charts_on_one_page_do_not_share_ids() -> None:
    first = parse(bar_chart("Een", [("a", 1)]))
    second = parse(bar_chart("Twee", [("a", 1)]))

    assert first.get("id") != second.get("id")
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_colours_have_enough_contrast_against_the_background() -> None:
    for colour in SERIES_COLOURS:
        assert _contrast(colour, CHART_STYLE.background) >= 4.5, colour
    assert _contrast(CHART_STYLE.foreground, CHART_STYLE.background) >= 7


def _contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
