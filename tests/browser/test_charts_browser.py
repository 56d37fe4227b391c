"""Charts on organiser pages are styled in a real browser under the Content-Security-Policy."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.flows import EXAMPLE, log_in
from vliegwiel.cli.demo import add_sample_responses
from vliegwiel.results.charts import SERIES_COLOURS


def _rgb(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def test_chart_styles_apply_without_csp_violations(page: Page, live_server) -> None:
    with live_server.app.app_context():
        village = live_server.village
        add_sample_responses(village, village.surveys.get(EXAMPLE), 40)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text)
        if "Content Security Policy" in message.text
        else None,
    )
    # The pygal drawings are for wider screens; phones get an HTML bar list instead.
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page)
    page.get_by_role("link", name="Dorpsenquête").click()
    chart = page.locator(".chart-wide svg.pygal-chart").first
    expect(chart).to_be_visible()
    # Without the allowed stylesheet the bars fall back to black and the background to none.
    bar = chart.locator(".series .color-0 rect, .series.color-0 rect, rect.rect").first
    fill = bar.evaluate("element => getComputedStyle(element).fill")
    assert fill == _rgb(SERIES_COLOURS[0])
    assert violations == []
