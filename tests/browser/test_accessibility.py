"""axe-core on every page the tours reach, and reflow at 320 CSS px (WCAG 2.1 AA)."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from .flows import walk
from .live import REFLOW, LiveServer, new_context

#: axe-core ships inside the axe-playwright-python package: nothing is fetched at test time.
AXE = Axe()
BLOCKING = ("serious", "critical")
#: Stops every walk must reach; a tour that silently stops early would audit too little.
EXPECTED_STOPS = {
    "home",
    "intro",
    "page-error",
    "page-1",
    "review",
    "thanks",
    "not-found",
    "privacy",
    "login",
    "dashboard",
    "results",
    "code",
    "code-from-letter",
    "code-used",
    "round-code",
    "rounds",
    "round",
    "round-ideas",
    "round-idea-form",
    "round-vote",
    "round-outcome",
    "round-pledge",
    "round-published",
    "flywheel",
    "public-results",
    "admin-rounds",
    "admin-round",
    "admin-round-ideas",
}


def blocking_violations(page: Page) -> list[str]:
    """Serious and critical axe violations on the current page, one readable line each."""
    results = AXE.run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [" ".join(node["target"]) for node in violation["nodes"][:5]]
            lines.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}"
            )
    return lines


def test_no_serious_accessibility_violations_on_any_page(browser: Browser, live_server: LiveServer):
    context = new_context(browser, live_server)
    page = context.new_page()
    problems, stops = [], []
    try:
        for stop in walk(page, live_server):
            stops.append(stop)
            problems += [f"{stop} ({page.url}): {line}" for line in blocking_violations(page)]
    finally:
        context.close()
    assert EXPECTED_STOPS <= set(stops), f"the walk did not reach {EXPECTED_STOPS - set(stops)}"
    assert not problems, "\n".join(problems)


def test_the_audit_catches_a_violation(page: Page):
    # An unlabelled text box is a critical violation: the audit above must be able to fail.
    page.goto("/")
    assert blocking_violations(page) == []
    page.evaluate("() => document.querySelector('main').append(document.createElement('input'))")
    assert any(line.startswith("label (critical)") for line in blocking_violations(page))


OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
              + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
}"""


def test_every_page_reflows_at_320_css_pixels(browser: Browser, live_server: LiveServer):
    # 320 CSS px is a 1280 px screen at 400% zoom, so 200% zoom (640 px) is covered too.
    context = new_context(browser, live_server, viewport=REFLOW)
    page = context.new_page()
    problems = []
    try:
        for stop in walk(page, live_server):
            wider = page.evaluate(OVERFLOW)
            if wider:
                problems.append(f"{stop}: scrolls sideways; too wide: {wider}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
