"""Stellingen in a real Chromium without JavaScript: a resident votes through ten statements
one at a time, suggests one, and reads the result an organiser brought up to date."""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Browser, expect

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))

from vliegwiel_stellingen import conversations as conv  # noqa: E402

from vliegwiel.plugin_support import PluginStore, wait_for_background  # noqa: E402

from .flows import log_in  # noqa: E402
from .live import DESKTOP, PHONE, LiveServer, new_context  # noqa: E402

STATEMENTS = [f"Stelling over het dorp, nummer {n}." for n in range(1, 11)]
CHOICES = ["Eens", "Oneens", "Overslaan"]


def test_a_resident_votes_through_ten_statements_without_javascript(
    browser: Browser, live_server: LiveServer, screenshot_dir: Path
):
    store = PluginStore(live_server.village.storage, "stellingen")
    set_id = conv.create(store, "Het dorpsplein", STATEMENTS)
    context = new_context(browser, live_server, java_script_enabled=False)
    page = context.new_page()

    page.goto("/stellingen/")
    page.get_by_role("link", name="Het dorpsplein").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Het dorpsplein")
    page.screenshot(path=screenshot_dir / "stellingen-stem-phone.png", full_page=True)
    met = []
    for position in range(1, 11):
        expect(page.get_by_text(f"Stelling {position} van 10")).to_be_visible()
        group = page.get_by_role("group")
        text = group.locator(".statement").inner_text()
        met.append(text)
        group.get_by_role("button", name=CHOICES[position % 3], exact=True).click()
    expect(page.get_by_text("U heeft over alle stellingen gestemd. Dank u wel!")).to_be_visible()
    assert sorted(met) == sorted(STATEMENTS)  # every statement once, in an order of its own

    votes = conv.votes(store, set_id)
    assert len(votes) == 10 and len({v.participant for v in votes}) == 1
    chosen = {STATEMENTS[v.statement - 1]: v.value for v in votes}
    stored_as = {"Eens": 1, "Oneens": -1, "Overslaan": 0}
    assert [chosen[text] for text in met] == [stored_as[CHOICES[p % 3]] for p in range(1, 11)]

    page.get_by_role("link", name="Zelf een stelling voorstellen").click()
    page.get_by_label("Uw stelling").fill("Het plein krijgt een waterpomp.")
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_role("status")).to_contain_text("na controle door de organisatie")
    assert [s["text"] for s in conv.suggestions(store, set_id)] == [
        "Het plein krijgt een waterpomp."
    ]

    page.get_by_role("link", name="Bekijk de uitslag").click()
    expect(page.get_by_text("Er is nog geen uitslag")).to_be_visible()
    context.close()

    organiser = new_context(browser, live_server, viewport=DESKTOP).new_page()
    log_in(organiser)
    organiser.goto("/beheer/")
    menu = organiser.get_by_role("navigation", name="Beheer")
    menu.get_by_role("link", name="Stellingen", exact=True).click()
    organiser.get_by_role("link", name="Het dorpsplein").click()
    expect(organiser.get_by_text("Het plein krijgt een waterpomp.")).to_be_visible()
    organiser.screenshot(path=screenshot_dir / "stellingen-beheer-desktop.png", full_page=True)
    organiser.get_by_role("button", name="Goedkeuren").click()
    expect(organiser.get_by_text("Er wachten geen voorstellen.")).to_be_visible()
    assert len(conv.statements(store, set_id)) == 11
    wait_for_background(live_server.app)  # the analysis the organiser's visit asked for

    for viewport, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        reader = new_context(browser, live_server, viewport=viewport, java_script_enabled=False)
        result = reader.new_page()
        result.goto(f"/stellingen/{set_id}/uitslag")
        expect(result.get_by_text("Nog geen groepen")).to_be_visible()
        result.screenshot(path=screenshot_dir / f"stellingen-uitslag-{label}.png", full_page=True)
        reader.close()


def test_residents_see_real_groups_once_an_organiser_updated_the_results(
    browser: Browser, live_server: LiveServer, screenshot_dir: Path
):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "themes"))
    from stellingen_villages import simulate

    store = PluginStore(live_server.village.storage, "stellingen")
    set_id = conv.create(store, "Het dorpsplein", STATEMENTS + ["Een elfde.", "Een twaalfde."])
    triples = [(v.participant, v.statement, v.value) for v in simulate([60, 60], seed=2)]
    conv.record_votes(store, set_id, triples, channel="papier", replace=True)

    for viewport, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        organiser = new_context(browser, live_server, viewport=viewport).new_page()
        log_in(organiser)
        organiser.goto(f"/beheer/stellingen/{set_id}")
        wait_for_background(live_server.app)
        organiser.reload()
        expect(organiser.get_by_role("heading", name="Groep 2:")).to_be_visible()
        expect(organiser.get_by_text("Berekend op")).to_be_visible()
        expect(organiser.get_by_text("wordt bijgewerkt")).to_have_count(0)
        expect(organiser.get_by_label("Enquête")).to_be_visible()
        width = organiser.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"]
        organiser.screenshot(
            path=screenshot_dir / f"stellingen-beheer-uitslag-{label}.png", full_page=True
        )

    for viewport, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        reader = new_context(browser, live_server, viewport=viewport, java_script_enabled=False)
        page = reader.new_page()
        page.goto(f"/stellingen/{set_id}/uitslag")
        expect(page.get_by_text("Deelnemers: 120")).to_be_visible()
        expect(page.get_by_text("De stemmen vormen 2 groepen")).to_be_visible()
        headings = page.get_by_role("heading", level=3).all_inner_texts()
        assert len(headings) == 2 and all("deelnemers" in h for h in headings)
        # Nothing scrolls sideways on a phone: the table scrolls inside its own box.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"]
        page.screenshot(path=screenshot_dir / f"stellingen-groepen-{label}.png", full_page=True)
        reader.close()


def test_a_household_votes_with_its_code_and_goes_on_in_another_browser(
    browser: Browser, live_server: LiveServer, screenshot_dir: Path
):
    from .flows import issue_codes

    store = PluginStore(live_server.village.storage, "stellingen")
    set_id = conv.create(store, "De speeltuin", STATEMENTS[:4])
    conv.set_requires_codes(store, set_id, True)
    code, other = issue_codes(live_server, 2, scope=f"stellingen-{set_id}")

    phone = new_context(browser, live_server, viewport=PHONE, java_script_enabled=False)
    page = phone.new_page()
    page.goto(f"/stellingen/{set_id}/")
    expect(page.get_by_text("met de code uit de brief")).to_be_visible()
    page.get_by_role("link", name="Code invullen").click()
    page.get_by_label("Uw code").fill("ZZZZ-ZZZZ-ZZZZ")
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("alert")).to_contain_text("Deze code kennen we niet")
    page.screenshot(path=screenshot_dir / "stellingen-code-fout-phone.png", full_page=True)
    page.get_by_label("Uw code").fill(code)
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_text("Uw code klopt")).to_be_visible()
    expect(page.get_by_text("Stelling 1 van 4")).to_be_visible()
    page.screenshot(path=screenshot_dir / "stellingen-code-stem-phone.png", full_page=True)
    page.get_by_role("group").get_by_role("button", name="Eens", exact=True).click()
    page.get_by_role("group").get_by_role("button", name="Oneens", exact=True).click()
    expect(page.get_by_text("Stelling 3 van 4")).to_be_visible()
    phone.close()

    laptop = new_context(browser, live_server, viewport=DESKTOP, java_script_enabled=False)
    page = laptop.new_page()
    page.goto(f"/stellingen/{set_id}/code?c={code.replace('-', '')}")  # the letter's QR code
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_text("Stelling 3 van 4")).to_be_visible()  # where the household was
    page.screenshot(path=screenshot_dir / "stellingen-code-verder-desktop.png", full_page=True)
    for _ in range(2):
        page.get_by_role("group").get_by_role("button", name="Overslaan", exact=True).click()
    expect(page.get_by_text("U heeft over alle stellingen gestemd")).to_be_visible()
    laptop.close()

    votes = conv.votes(store, set_id)
    assert len(votes) == 4 and len({v.participant for v in votes}) == 1
    assert sorted(v.value for v in votes) == [-1, 0, 0, 1]
    assert other  # a second household's code, unused: nobody else voted

    organiser = new_context(browser, live_server, viewport=PHONE).new_page()
    log_in(organiser)
    organiser.goto(f"/beheer/stellingen/{set_id}/codes")
    expect(organiser.get_by_role("heading", level=1)).to_contain_text("Codes en brieven")
    width = organiser.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    organiser.screenshot(path=screenshot_dir / "stellingen-codes-beheer-phone.png", full_page=True)
