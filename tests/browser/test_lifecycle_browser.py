"""The team's survey cycle in a real Chromium: write a survey in the browser, preview it, test
it (answers not counted), open it, a resident answers, close it."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from vliegwiel.surveys.responses import responses_of, trial_responses_collection

from .flows import EDITOR_SURVEY, EDITOR_SURVEY_YAML, log_in, next_page, write_in_editor
from .live import DESKTOP, LiveServer, new_context


def status_button(page: Page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    expect(page.get_by_role("status").first).to_be_visible()


def answer_buurtfeest(page: Page, komt: str, taak: str) -> None:
    page.get_by_role("link", name="Begin de enquête").click()
    page.get_by_label(komt, exact=True).check()
    next_page(page)
    page.get_by_label("Waarmee wilt u helpen?").fill(taak)
    next_page(page)
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor uw antwoorden")


def test_the_team_writes_tests_opens_and_closes_a_survey(
    browser: Browser, page: Page, live_server: LiveServer
):
    village = live_server.village
    team = new_context(browser, live_server, viewport=DESKTOP).new_page()
    log_in(team)

    # Write it in the browser: a mistake is named at its line, then the preview of every page.
    team.get_by_role("link", name="Nieuwe enquête maken").click()
    mistake = EDITOR_SURVEY_YAML.replace("type: long_text", "type: lange_tekst")
    line = mistake.splitlines().index("        type: lange_tekst") + 1
    write_in_editor(team, mistake, "Opslaan")
    expect(team.get_by_role("alert")).to_contain_text(
        f"nieuw.yaml:{line}: vraag 'taak': onbekend vraagtype 'lange_tekst'"
    )
    expect(team.locator(f"#regel-{line}")).to_contain_text("type: lange_tekst")
    expect(team.locator(f"#regel-{line}")).to_contain_text(f"Regel {line}: vraag 'taak'")
    write_in_editor(team, EDITOR_SURVEY_YAML, "Controleren en voorbeeld tonen")
    preview = team.locator(".preview")
    expect(preview.get_by_text("Stap 2 van 2")).to_be_visible()
    expect(preview.get_by_text("Komt u naar het buurtfeest?")).to_be_visible()
    expect(preview.get_by_label("Waarmee wilt u helpen?")).to_be_disabled()
    team.get_by_role("button", name="Opslaan").click()
    expect(team.get_by_text("Status: concept")).to_be_visible()
    assert (village.instance_dir / "surveys" / f"{EDITOR_SURVEY}.yaml").is_file()

    # A concept does not exist for residents.
    page.goto("/")
    expect(page.get_by_role("link", name="Buurtfeest")).to_have_count(0)
    assert page.goto(f"/enquete/{EDITOR_SURVEY}").status == 404

    status_button(team, "In test zetten")
    team.get_by_role("link", name="Zelf testen zoals een bewoner").click()
    expect(team.get_by_text("Testmodus.")).to_be_visible()
    answer_buurtfeest(team, "Nee", "Testantwoord van het team")
    expect(team.get_by_text("Dit was een testantwoord")).to_be_visible()
    assert page.goto(f"/enquete/{EDITOR_SURVEY}").status == 404  # still hidden

    team.get_by_role("link", name="Terug naar de enquête in het beheer").click()
    summary = team.locator("h1 + p")
    expect(summary).to_contain_text("0 antwoorden")
    expect(team.get_by_text("1 testantwoord, apart bewaard; telt niet mee.")).to_be_visible()
    status_button(team, "Nu openen")
    expect(team.get_by_text("Status: open")).to_be_visible()

    page.goto("/")
    page.get_by_role("link", name="Buurtfeest").click()
    answer_buurtfeest(page, "Ja", "Ik bak taarten")
    team.reload()
    expect(summary).to_contain_text("1 antwoord ")
    (counted,) = responses_of(village, EDITOR_SURVEY)
    assert counted["answers"] == {"komt": "ja", "taak": "Ik bak taarten"}
    (kept_apart,) = village.storage.all(trial_responses_collection(EDITOR_SURVEY))
    assert kept_apart["answers"]["komt"] == "nee"

    status_button(team, "Enquête sluiten")
    expect(team.get_by_text("Status: gesloten")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("link", name="Buurtfeest")).to_have_count(0)
