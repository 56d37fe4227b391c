"""The team moderates a village's worth of free texts in a real Chromium without JavaScript:
identical texts on one row with a count, everything on a page selected and approved at once,
a name removed from a useful text; and a first login with a one-time password leads to the
password page before anything else opens."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from vliegwiel.accounts.model import add_user, authenticate
from vliegwiel.results.moderation import REDACTION_MARK
from vliegwiel.results.tallies import APPROVED, compute_results, text_items
from vliegwiel.surveys.responses import save_response

from .flows import EXAMPLE, log_in
from .live import DESKTOP, LiveServer, new_context

NAMED = "Mevrouw Jansen op nummer 4 kan wel wat hulp gebruiken met de tuin."
TEXTS = (
    [f"Idee {n}: meer bankjes langs de dijk." for n in range(1, 9)]
    + [NAMED]
    + ["Een pinautomaat"] * 3
)


def _seed(server: LiveServer) -> None:
    village = server.village
    survey = village.surveys.get(EXAMPLE)
    for text in TEXTS:
        save_response(village, survey, {"leeftijd": "45_64", "prettig_wonen": 8, "idee": text})


def _items(server: LiveServer):
    village = server.village
    survey = village.surveys.get(EXAMPLE)
    with server.app.test_request_context():
        return text_items(village, survey, village.storage.all(f"responses/{EXAMPLE}"))


def _published(server: LiveServer) -> list[str]:
    village = server.village
    with server.app.test_request_context():
        results = compute_results(village, village.surveys.get(EXAMPLE), with_texts=True)
    return next(q for q in results.questions if q.question.id == "idee").texts


def test_bulk_approval_and_redaction_without_javascript(
    browser: Browser, live_server: LiveServer, screenshot_dir: Path
):
    _seed(live_server)
    for viewport, name in ((None, "phone"), (DESKTOP, "desktop")):
        options = {"viewport": viewport} if viewport else {}
        context = new_context(browser, live_server, java_script_enabled=False, **options)
        page = context.new_page()
        log_in(page)
        page.goto(f"/beheer/uitslag/{EXAMPLE}/teksten")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Teksten beoordelen")
        page.screenshot(path=screenshot_dir / f"moderatie-{name}.png", full_page=True)
        context.close()

    context = new_context(browser, live_server, java_script_enabled=False)
    page = context.new_page()
    log_in(page)
    page.goto(f"/beheer/uitslag/{EXAMPLE}/teksten")
    # Three identical texts are one row; the filter starts at the texts still to review.
    expect(page.get_by_text("3 keer ingevuld")).to_have_count(1)
    expect(page.get_by_text("Te beoordelen (10)")).to_be_visible()

    # Remove a name from a useful text: the row shows the mark, the name is not published.
    row = page.locator("ul.moderation > li", has_text="op nummer 4")
    row.get_by_text("Naam of ander deel weglaten").click()
    row.get_by_label("Weg te laten deel").fill("Mevrouw Jansen")
    row.get_by_role("button", name="Weglaten en goedkeuren").click()
    expect(page.get_by_text("Het deel is weggelaten; de tekst is goedgekeurd.")).to_be_visible()
    page.get_by_role("link", name="Goedgekeurd (1)").click()
    expect(page.locator(".moderation-text")).to_have_text(
        [f"{REDACTION_MARK} op nummer 4 kan wel wat hulp gebruiken met de tuin."]
    )
    page.screenshot(path=screenshot_dir / "moderatie-weggelaten-phone.png", full_page=True)

    # Select everything on the page, leave one out, approve the rest with one button.
    page.get_by_role("link", name="Te beoordelen (9)").click()
    page.get_by_role("link", name="Alles op deze pagina selecteren").click()
    page.get_by_role("checkbox", name="Idee 1: meer bankjes langs de dijk.").uncheck()
    page.get_by_role("button", name="Selectie goedkeuren").click()
    expect(page.get_by_text("10 teksten goedgekeurd.")).to_be_visible()
    expect(page.locator(".moderation-text")).to_have_text(["Idee 1: meer bankjes langs de dijk."])

    statuses = {i.text: i.status for i in _items(live_server)}
    assert statuses["Idee 1: meer bankjes langs de dijk."] is None
    assert [statuses[t] for t in TEXTS if t != TEXTS[0]] == [APPROVED] * (len(TEXTS) - 1)
    published = _published(live_server)
    assert published.count("Een pinautomaat") == 3
    assert not any("Jansen" in t for t in published)
    context.close()


def test_a_one_time_password_must_be_changed_first(
    browser: Browser, live_server: LiveServer, screenshot_dir: Path
):
    storage = live_server.village.storage
    _user, one_time = add_user(storage, "secretaris", "beheerder")
    context = new_context(browser, live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/beheer/login")
    page.get_by_label("Gebruikersnaam").fill("secretaris")
    page.get_by_label("Wachtwoord").fill(one_time)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtwoord wijzigen")
    expect(page.get_by_text("U bent ingelogd met een eenmalig wachtwoord")).to_be_visible()
    page.screenshot(path=screenshot_dir / "wachtwoord-eerste-keer-phone.png", full_page=True)

    # The menu leads nowhere else until the password is changed.
    page.get_by_role("link", name="Rondes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtwoord wijzigen")

    page.get_by_label("Huidig wachtwoord").fill(one_time)
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("fiets boom kerk molen")
    page.get_by_label("Nieuw wachtwoord nog een keer").fill("fiets boom kerk mole")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_text("De twee nieuwe wachtwoorden zijn niet gelijk.")).to_be_visible()

    page.get_by_label("Huidig wachtwoord").fill(one_time)
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("fiets boom kerk molen")
    page.get_by_label("Nieuw wachtwoord nog een keer").fill("fiets boom kerk molen")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rondes")
    expect(page.get_by_text("Uw wachtwoord is gewijzigd.")).to_be_visible()
    assert authenticate(storage, "secretaris", "fiets boom kerk molen") is not None
    assert authenticate(storage, "secretaris", one_time) is None
    context.close()
