"""What residents and organisers do in the browser, shared by every browser test.

Two kinds of helper live here:

* steps (``fill``, ``next_page``, ``answer_example_survey``, ``log_in``) that act on a page the
  way a person does: through labels, buttons and links by their visible, accessible names;
* tours: generators that walk a part of the site and ``yield`` a short name at every page
  worth checking, leaving the page in that state. The accessibility, reflow and screenshot
  tests run their check at every stop of every tour in ``TOURS``.

To cover a new area (rounds, invitation codes, reports), write a tour generator for it and
add it to ``TOURS``: it is then audited by axe, checked for reflow and photographed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from playwright.sync_api import Page, expect

from vliegwiel.demo import add_sample_responses

EXAMPLE = "dorpsenquete"
#: An organiser (role beheerder) that the live_server fixture adds to every fresh instance.
ORGANISER = "organisator"
ORGANISER_PASSWORD = "organisator-wachtwoord-42"

#: Answers for every page of the example survey, by form field name (see the templates in
#: templates/questions/: a radio group or checkboxes share the question id as name, a matrix
#: row is ``<question>__<statement>``, a ranking place ``<question>__<option>``).
EXAMPLE_ANSWERS: list[dict[str, str | list[str]]] = [
    {"leeftijd": "45_64", "huishouden": "gezin", "woonduur": "12"},
    {"prettig_wonen": "8", "blijven_wonen": "ja", "woning_nodig": ["starters", "ouderen"]},
    {
        "voorzieningen_oordeel__winkel": "goed",
        "voorzieningen_oordeel__huisarts": "matig",
        "voorzieningen_oordeel__bus": "slecht",
        "belangrijkste__school": "1",
        "belangrijkste__winkel": "2",
    },
    {"contact_buren": "4", "eenzaam_gevoel": "soms", "ontmoeten": ["dorpshuis", "vereniging"]},
    {"vrijwilliger": "ja", "wil_helpen": ["groen"]},
    {"uren": "6"},  # only shown because vrijwilliger is "ja"
    {"idee": "Een bankje bij de bushalte, zodat ouderen kunnen uitrusten."},
]

#: How those answers are stored (docs/architecture.md, "Answers as stored").
EXAMPLE_STORED = {
    "leeftijd": "45_64",
    "huishouden": "gezin",
    "woonduur": 12,
    "prettig_wonen": 8,
    "blijven_wonen": "ja",
    "woning_nodig": ["starters", "ouderen"],
    "voorzieningen_oordeel": {"winkel": "goed", "huisarts": "matig", "bus": "slecht"},
    "belangrijkste": ["school", "winkel"],
    "contact_buren": 4,
    "eenzaam_gevoel": "soms",
    "ontmoeten": ["dorpshuis", "vereniging"],
    "vrijwilliger": "ja",
    "wil_helpen": ["groen"],
    "uren": 6,
    "idee": "Een bankje bij de bushalte, zodat ouderen kunnen uitrusten.",
}


def fill(page: Page, answers: dict[str, str | list[str]]) -> None:
    """Answer the questions on the current page by form field name."""
    for name, value in answers.items():
        # CSS only (no page.evaluate): these steps must also work with JavaScript disabled.
        field = page.locator(f'[name="{name}"]').first
        if page.locator(f'select[name="{name}"]').count():
            field.select_option(value)
        elif field.get_attribute("type") in ("radio", "checkbox"):
            for one in [value] if isinstance(value, str) else value:
                page.locator(f'input[name="{name}"][value="{one}"]').check()
        else:
            field.fill(value)


def next_page(page: Page) -> None:
    page.get_by_role("button", name="Volgende").click()


def start_example_survey(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Dorpsenquête").click()
    page.get_by_role("link", name="Begin de enquête").click()


def answer_pages(page: Page, first: int = 0, last: int | None = None) -> None:
    """Fill and leave pages ``first``..``last`` (0-based, inclusive) of the example survey."""
    last = len(EXAMPLE_ANSWERS) - 1 if last is None else last
    for number in range(first, last + 1):
        fill(page, EXAMPLE_ANSWERS[number])
        next_page(page)


def send(page: Page) -> None:
    """From the review page: send, and land on the thank-you page."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw antwoorden")
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor uw antwoorden")


def answer_example_survey(page: Page) -> None:
    start_example_survey(page)
    answer_pages(page)
    send(page)


def log_in(page: Page, username: str = ORGANISER, password: str = ORGANISER_PASSWORD) -> None:
    page.goto("/beheer/login")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overzicht")


# --- tours -----------------------------------------------------------------------------------

Tour = Callable[[Page, object], Iterator[str]]


def resident_tour(page: Page, server) -> Iterator[str]:
    """Every resident page of the survey flow, including its error states."""
    page.goto("/")
    yield "home"
    page.goto("/privacy")
    yield "privacy"
    page.goto("/bestaat-niet")
    yield "not-found"
    page.goto(f"/enquete/{EXAMPLE}")
    yield "intro"
    page.get_by_role("link", name="Begin de enquête").click()
    next_page(page)  # the first page has a required question: an error summary appears
    expect(page.get_by_role("alert")).to_be_visible()
    yield "page-error"
    for number, answers in enumerate(EXAMPLE_ANSWERS, 1):
        fill(page, answers)
        yield f"page-{number}"
        next_page(page)
    yield "review"
    send(page)
    yield "thanks"
    page.goto("/?taal=en")
    yield "home-english"
    page.goto(f"/enquete/{EXAMPLE}")
    yield "intro-english"
    page.goto("/?taal=nl")


def organiser_tour(page: Page, server) -> Iterator[str]:
    """Login (also refused), dashboard and the results of a survey with enough responses."""
    with server.app.app_context():
        village = server.village
        add_sample_responses(village, village.surveys.get(EXAMPLE), 40)
    page.goto("/beheer/login")
    yield "login"
    page.get_by_label("Gebruikersnaam").fill(ORGANISER)
    page.get_by_label("Wachtwoord").fill("niet-het-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("status")).to_be_visible()
    yield "login-refused"
    log_in(page)
    yield "dashboard"
    page.get_by_role("link", name="Dorpsenquête").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dorpsenquête")
    yield "results"


#: Every tour, in order; the site-wide checks walk them all.
TOURS: tuple[Tour, ...] = (resident_tour, organiser_tour)


def walk(page: Page, server) -> Iterator[str]:
    for tour in TOURS:
        yield from tour(page, server)
