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
from datetime import datetime, timedelta

from playwright.sync_api import Page, expect

from vliegwiel.cli.demo import add_sample_responses
from vliegwiel.reach.codes import Household, create_codes
from vliegwiel.reach.letters import code_url, round_code_url
from vliegwiel.rounds.ballots import cast_ballot
from vliegwiel.rounds.count import outcome_now
from vliegwiel.rounds.ideas import set_decision, set_shortlist, submit_idea, support
from vliegwiel.rounds.model import create_round, get_round, phase, update_round, utc_now
from vliegwiel.surveys.status import OPEN, set_status

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


# --- invitation codes and participation rounds: seeding and steps -----------------------------

#: A one-question survey that needs an invitation code (``access: code``).
CODE_SURVEY = "buurtbus"
CODE_SURVEY_YAML = """\
id: buurtbus
title: Buurtbus
intro: Een korte vraag over de buurtbus.
access: code
pages:
  - id: vervoer
    title: Vervoer
    questions:
      - id: buurtbus_gebruik
        type: single_choice
        text: Zou u de buurtbus gebruiken?
        required: true
        options:
          - {value: ja, label: Ja}
          - {value: nee, label: Nee}
          - {value: misschien, label: Misschien}
"""
ROUND_KINDS = ("ideas", "prioritise", "commit", "results")


def add_code_survey(server) -> None:
    """Put the code survey in the instance's surveys/ folder (the registry picks it up)."""
    path = server.village.instance_dir / "surveys" / f"{CODE_SURVEY}.yaml"
    path.write_text(CODE_SURVEY_YAML, encoding="utf-8")
    # A new file is a concept; these tours walk it as the live survey residents answer.
    set_status(server.village.storage, CODE_SURVEY, OPEN)


def issue_codes(server, count: int, scope: str = CODE_SURVEY) -> list[str]:
    """Codes as printed on letters (``K7PM-4XQD-93HT``) for a survey or a round (``scope``),
    stored hashed like the organiser's."""
    village = server.village
    households = [Household("Dorpsstraat", str(n), "9999 AA") for n in range(1, count + 1)]
    issued = create_codes(village.storage, village.config.secret_key, scope, households)
    return [item.code for item in issued]


def letter_url(server, code: str) -> str:
    """The address a letter's QR code opens (reach.letters, with the live server URL)."""
    return code_url(server.url, CODE_SURVEY, code)


def round_in_phase(storage, open_phase: str, *, title: str, **settings) -> dict:
    """A scheduled round whose ``open_phase`` runs now (real time): week-long phases in order,
    the open one started a day ago. ``settings`` as in rounds.check_settings."""
    index = ROUND_KINDS.index(open_phase)
    first = utc_now() - timedelta(days=1 + 7 * index)
    phases = []
    for n, kind in enumerate(ROUND_KINDS):
        start = first + timedelta(days=7 * n)
        end = None if kind == "results" else start + timedelta(days=7)
        phases.append({"kind": kind, "start": start.isoformat(), "end": end and end.isoformat()})
    record = create_round(storage, title=title, phases=phases, settings=settings, now=first)
    update_round(storage, record["id"], {"scheduled": True})
    return get_round(storage, record["id"])


def during(record: dict, kind: str) -> datetime:
    """A moment an hour into the phase ``kind`` of ``record`` (to seed what residents did)."""
    return phase(record, kind).start + timedelta(hours=1)


def seed_ideas(storage, record: dict, ideas: dict[str, int], supporters: int = 0) -> list[dict]:
    """Ideas by other residents, ``{title: cost}``, each supported by ``supporters`` people;
    with costs above 0 they go on the shortlist in this order."""
    when = during(record, "ideas")
    made = []
    for number, title in enumerate(ideas, 1):
        idea = submit_idea(
            storage,
            record,
            title=title,
            description=f"{title}: zo wordt het dorp mooier.",
            participant=f"bewoner-{number}",
            now=when,
        )
        for person in range(supporters):
            support(storage, record, idea["id"], participant=f"steuner-{person}", now=when)
        made.append(idea)
    shortlisted = [(i["id"], n, ideas[i["title"]]) for n, i in enumerate(made, 1)]
    if any(cost for _, _, cost in shortlisted):
        set_shortlist(storage, record["id"], shortlisted, locked_by_votes=False)
    return made


def seed_ballots(storage, record: dict, ballots: list[list[str]]) -> None:
    """Ballots (lists of idea ids) cast by other residents during the vote, then counted as
    an organiser's page would count them.

    Residents' pages never count (they show "De stemmen worden nu geteld" and queue a count in
    the server); the tours that walk the outcome and pledge pages want the counted page.
    """
    for number, ballot in enumerate(ballots, 1):
        cast_ballot(
            storage,
            record,
            ballot,
            participant=f"stemmer-{number}",
            now=during(record, "prioritise"),
        )
    outcome_now(storage, get_round(storage, record["id"]))


def tick(page: Page, labels: list[str]) -> None:
    for label in labels:
        page.get_by_label(label, exact=False).check()


# --- tours of codes and rounds --------------------------------------------------------------


def codes_tour(page: Page, server) -> Iterator[str]:
    """The resident's code page: empty, a wrong code, a letter's link, a used code."""
    add_code_survey(server)
    code, spare = issue_codes(server, 2)
    page.goto(f"/code/{CODE_SURVEY}")
    yield "code"
    page.get_by_label("Uw code").fill("12")
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "code-malformed"
    page.goto(letter_url(server, code))
    yield "code-from-letter"
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("link", name="Begin de enquête").click()
    fill(page, {"buurtbus_gebruik": "ja"})
    next_page(page)
    send(page)
    page.goto(letter_url(server, code))
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("alert")).to_contain_text("al gebruikt")
    yield "code-used"

    # A round with codes: one household, one say.
    record = round_in_phase(
        server.village.storage, "ideas", title="Dorpsbudget met codes", requires_codes=True
    )
    [round_code] = issue_codes(server, 1, scope=record["id"])
    page.goto(f"/ronde/{record['id']}/code")
    yield "round-code"
    page.get_by_label("Uw code").fill("0000-0000-0000")
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "round-code-unknown"
    page.goto(round_code_url(server.url, record["id"], round_code))
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("status")).to_be_visible()
    yield "round-with-code"


def rounds_tour(page: Page, server) -> Iterator[str]:
    """Every resident page of a round: ideas, an idea, the idea form, voting, the outcome,
    "Wie doet mee?", published decisions and the flywheel."""
    storage = server.village.storage
    ideas_round = round_in_phase(storage, "ideas", title="Groener dorp")
    seed_ideas(storage, ideas_round, {"Bomen langs de Dorpsstraat": 0}, supporters=2)
    page.goto("/rondes")
    yield "rounds"
    page.get_by_role("link", name="Groener dorp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Groener dorp")
    yield "round"
    page.get_by_role("link", name="Bekijk de ideeën").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ideeën")
    yield "round-ideas"
    page.get_by_role("link", name="Bomen langs de Dorpsstraat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bomen langs de Dorpsstraat")
    yield "round-idea"
    page.goto(f"/ronde/{ideas_round['id']}/idee-nieuw")
    yield "round-idea-form"
    page.get_by_role("button", name="Idee insturen").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "round-idea-form-error"

    vote_round = round_in_phase(
        storage, "prioritise", title="Dorpsbudget", method="greedy_budget", budget=1000
    )
    seed_ideas(storage, vote_round, {"Speeltuin": 600, "Jeu-de-boulesbaan": 500})
    page.goto(f"/ronde/{vote_round['id']}/stemmen")
    yield "round-vote"
    tick(page, ["Speeltuin", "Jeu-de-boulesbaan"])
    page.get_by_role("button", name="Stem uitbrengen").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "round-vote-error"

    commit_round = round_in_phase(
        storage, "commit", title="Samen aan de slag", method="equal_shares", budget=1000
    )
    ideas = seed_ideas(storage, commit_round, {"Moestuin": 400, "Bankjes": 300, "Kunstgras": 900})
    seed_ballots(storage, commit_round, [[ideas[0]["id"], ideas[1]["id"]], [ideas[2]["id"]]])
    page.goto(f"/ronde/{commit_round['id']}/uitslag")
    yield "round-outcome"
    page.goto(f"/ronde/{commit_round['id']}/meedoen")
    yield "round-pledge"
    page.get_by_label("Telefoon of e-mail").fill("06-12345678")
    page.get_by_role("button", name="Ik doe mee").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "round-pledge-error"

    done_round = round_in_phase(storage, "results", title="Dorpshuis open")
    made = seed_ideas(storage, done_round, {"Koffieochtend": 0, "Repair-café": 0})
    set_decision(storage, done_round["id"], made[0]["id"], "pilot", "Start in april")
    set_decision(storage, done_round["id"], made[1]["id"], "niet_nu", "Eerst een ruimte zoeken")
    update_round(storage, done_round["id"], {"results_published": True})
    page.goto(f"/ronde/{done_round['id']}")
    yield "round-published"
    page.goto("/vliegwiel")
    yield "flywheel"


def organiser_rounds_tour(page: Page, server) -> Iterator[str]:
    """The organiser's pages for rounds, codes and letters, paper entry and survey results."""
    storage = server.village.storage
    record = round_in_phase(
        storage, "commit", title="Beheer: dorpsbudget", method="greedy_budget", budget=800
    )
    ideas = seed_ideas(storage, record, {"Bloembakken": 300, "Fietsenrek": 600}, supporters=1)
    seed_ballots(storage, record, [[ideas[0]["id"]], [ideas[1]["id"]]])
    code_round = round_in_phase(storage, "ideas", title="Beheer: met codes", requires_codes=True)
    add_code_survey(server)
    with server.app.app_context():
        village = server.village
        add_sample_responses(village, village.surveys.get(EXAMPLE), 12)
    log_in(page)
    base = f"/beheer/rondes/{record['id']}"
    stops = {
        "admin-rounds": "/beheer/rondes",
        "admin-round-new": "/beheer/rondes/nieuw",
        "admin-round": base,
        "admin-round-settings": f"{base}/instellingen",
        "admin-round-ideas": f"{base}/ideeen",
        "admin-round-selection": f"{base}/selectie",
        "admin-round-decisions": f"{base}/besluiten",
        "admin-round-pledges": f"{base}/toezeggingen",
        "admin-round-meetings": f"{base}/bijeenkomsten",
        "admin-codes": f"/beheer/enquete/{CODE_SURVEY}/codes",
        "admin-round-codes": f"/beheer/rondes/{code_round['id']}/codes",
        "admin-paper-entry": f"/beheer/enquete/{CODE_SURVEY}/invoer",
        "admin-results": f"/beheer/uitslag/{EXAMPLE}",
        "admin-results-texts": f"/beheer/uitslag/{EXAMPLE}/teksten",
        "admin-results-compare": f"/beheer/uitslag/{EXAMPLE}/vergelijken",
        "admin-password": "/beheer/wachtwoord",
    }
    for stop, path in stops.items():
        response = page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        yield stop
    page.goto("/beheer/rondes/nieuw")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "admin-round-new-error"
    page.goto(f"/beheer/uitslag/{EXAMPLE}")
    page.get_by_role("link", name="Uitslag openbaar maken").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uitslag openbaar maken")
    yield "publish-preview"
    page.get_by_role("button", name="Deze uitslag openbaar maken").click()
    expect(page.get_by_role("status")).to_be_visible()
    page.goto(f"/uitslag/{EXAMPLE}")
    yield "public-results"


#: A two-page survey the team writes in the browser's editor (lifecycle tour and test).
EDITOR_SURVEY = "buurtfeest"
EDITOR_SURVEY_YAML = """\
id: buurtfeest
title: Buurtfeest
intro: Twee vragen over het buurtfeest in juni.
pages:
  - id: feest
    title: Het feest
    questions:
      - id: komt
        type: single_choice
        text: Komt u naar het buurtfeest?
        required: true
        options:
          - {value: ja, label: Ja}
          - {value: nee, label: Nee}
  - id: helpen
    title: Helpen
    questions:
      - id: taak
        type: long_text
        text: Waarmee wilt u helpen?
"""


def write_in_editor(page: Page, text: str, button: str) -> None:
    page.get_by_label("De enquête in YAML").fill(text)
    page.get_by_role("button", name=button).click()


def lifecycle_tour(page: Page, server) -> Iterator[str]:
    """The team writes a survey in the editor (a mistake first), previews it, saves it as a
    concept, tests it, and opens it. Needs a logged-in beheerder; run after the other tours."""
    page.goto("/beheer/")
    page.get_by_role("link", name="Nieuwe enquête maken").click()
    yield "survey-new"
    write_in_editor(
        page,
        EDITOR_SURVEY_YAML.replace("type: single_choice", "type: keuze"),
        "Controleren en voorbeeld tonen",
    )
    expect(page.get_by_role("alert")).to_be_visible()
    yield "survey-editor-problems"
    write_in_editor(page, EDITOR_SURVEY_YAML, "Controleren en voorbeeld tonen")
    expect(page.get_by_text("Geen problemen gevonden.")).to_be_visible()
    yield "survey-editor-preview"
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Buurtfeest")
    yield "survey-concept"
    page.get_by_role("button", name="In test zetten").click()
    expect(page.get_by_role("status").first).to_be_visible()
    yield "survey-in-test"
    page.get_by_role("link", name="Zelf testen zoals een bewoner").click()
    page.get_by_role("link", name="Begin de enquête").click()
    yield "survey-test-page"
    page.get_by_label("Ja").check()
    next_page(page)
    next_page(page)
    page.get_by_role("button", name="Versturen").click()
    yield "survey-test-thanks"
    page.get_by_role("link", name="Terug naar de enquête in het beheer").click()
    page.get_by_role("button", name="Nu openen").click()
    expect(page.get_by_role("status").first).to_be_visible()
    yield "survey-open"


#: Every tour, in order; the site-wide checks walk them all.
TOURS: tuple[Tour, ...] = (
    resident_tour,
    organiser_tour,
    codes_tour,
    rounds_tour,
    organiser_rounds_tour,
    lifecycle_tour,
)


def walk(page: Page, server) -> Iterator[str]:
    for tour in TOURS:
        yield from tour(page, server)
