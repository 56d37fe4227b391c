"""Survey lifecycle: concept -> test -> open -> closed, by hand, by date, in the CLI, on upgrade."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from access_helpers import add_survey, answer_online
from click.testing import CliRunner
from conftest import PASSWORDS, VillageClient
from test_resident_flow import answer_example_survey

from vliegwiel.accounts.model import add_user
from vliegwiel.cli.main import main
from vliegwiel.core.instance import init_instance
from vliegwiel.core.storage import Storage
from vliegwiel.core.village import build_village
from vliegwiel.surveys.responses import responses_of, trial_responses_collection
from vliegwiel.surveys.status import (
    CONCEPT,
    STATUS,
    Lifecycle,
    lifecycle_of,
    set_status,
    status_of,
)
from vliegwiel.web.app import create_app

EXAMPLE = "dorpsenquete"
PAGE = f"/beheer/enquete/{EXAMPLE}"
NEW_SURVEY = """\
id: nieuw
title: Proefenquête
pages:
  - id: p1
    questions:
      - id: mening
        type: short_text
        text: Wat vindt u?
"""


@pytest.fixture
def concept(village) -> str:
    """The example survey back in concept, as `vliegwiel init` makes it."""
    set_status(village.storage, EXAMPLE, CONCEPT)
    return EXAMPLE


def answer_kort(client, survey_id: str = "nieuw", text: str = "Prima") -> None:
    """Answer the one-question survey NEW_SURVEY through the resident pages."""
    client.post_form(f"/enquete/{survey_id}/pagina/1", {"mening": text})
    response = client.post_form(f"/enquete/{survey_id}/controle", {})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_fresh_instance_ships_concepts_that_residents_cannot_see(tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(main, ["init", str(tmp_path / "dorp"), "--name", "Nieuwdorp"])
    assert result.exit_code == 0, result.output
    assert "concepten die bewoners nog niet zien" in result.output
    app = create_app(tmp_path / "dorp", {"TESTING": True})
    resident = app.test_client()
    assert "Dorpsenquête" not in resident.get("/").get_data(as_text=True)
    assert resident.get(f"/enquete/{EXAMPLE}").status_code == 404
    assert resident.get(f"/enquete/{EXAMPLE}/pagina/1").status_code == 404
    result = runner.invoke(
        main, ["survey", "status", EXAMPLE, "--instance", str(tmp_path / "dorp")]
    )
    assert result.output.strip() == f"{EXAMPLE}: concept"


def test_a_file_copied_in_by_hand_is_a_concept(client, village, instance_dir):
    (instance_dir / "surveys" / "nieuw.yaml").write_text(NEW_SURVEY, encoding="utf-8")
    assert client.get("/enquete/nieuw").status_code == 404
    assert "Proefenquête" not in client.get("/").get_data(as_text=True)
    client.login("beheerder")
    dashboard = client.get("/beheer/").get_data(as_text=True)
    row = dashboard[dashboard.index("Proefenquête") :]
    assert "concept" in row[: row.index("</tr>")]


def test_a_template_added_in_the_browser_is_a_concept(client, village):
    client.login("beheerder")
    response = client.post_form(
        "/beheer/sjablonen/eenzaamheid_kort", {}, page="/beheer/sjablonen/", follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "toegevoegd als concept" in page
    added = [s for s in village.surveys.all() if s.id != EXAMPLE]
    assert added and all(status_of(village.storage, s.id) == CONCEPT for s in added)
    resident = client.application.test_client()
    assert resident.get(f"/enquete/{added[0].id}").status_code == 404


def test_team_answers_in_test_are_kept_apart_and_never_counted(client, village, concept):
    client.login("beheerder")
    client.post_form(f"{PAGE}/status", {"status": "test"}, page=PAGE)
    resident = client.application.test_client()
    assert resident.get(f"/enquete/{EXAMPLE}").status_code == 404

    intro = client.get(f"/enquete/{EXAMPLE}").get_data(as_text=True)
    assert "Testmodus" in intro
    assert client.get(f"/enquete/{EXAMPLE}/pagina/1").status_code == 200
    answer_example_survey(client)
    sent = client.post_form(f"/enquete/{EXAMPLE}/controle", {})
    assert sent.status_code == 302 and "test=1" in sent.location
    thanks = client.get(sent.location).get_data(as_text=True)
    assert "Dit was een testantwoord" in thanks

    assert responses_of(village, EXAMPLE) == []
    (stored,) = village.storage.all(trial_responses_collection(EXAMPLE))
    assert stored["answers"]["prettig_wonen"] == 8 and stored["test"] is True
    survey_page = client.get(PAGE).get_data(as_text=True)
    assert "0 antwoorden" in survey_page
    assert "1 testantwoord, apart bewaard" in survey_page

    client.post_form(f"{PAGE}/status", {"status": "open"}, page=PAGE)
    assert resident.get(f"/enquete/{EXAMPLE}").status_code == 200
    # Once open, the team member's answers count like anyone's: no test banner any more.
    assert "Testmodus" not in client.get(f"/enquete/{EXAMPLE}").get_data(as_text=True)


def test_a_test_draft_does_not_become_a_real_answer(client, village, concept):
    client.login("beheerder")
    client.post_form(f"{PAGE}/status", {"status": "test"}, page=PAGE)
    client.post_form(
        f"/enquete/{EXAMPLE}/pagina/1",
        {"leeftijd": "80_plus", "huishouden": "alleen", "woonduur": "40"},
    )
    client.post_form(f"{PAGE}/status", {"status": "open"}, page=PAGE)
    # The same browser now meets the live survey: its test answers are not carried over.
    assert client.get(f"/enquete/{EXAMPLE}/controle").status_code == 302
    page = client.get(f"/enquete/{EXAMPLE}/pagina/1").get_data(as_text=True)
    assert 'value="80_plus" checked' not in page and "checked" not in page


def test_logged_out_visitors_never_see_a_test_survey(client, village, concept):
    set_status(village.storage, EXAMPLE, "test")
    for url in (f"/enquete/{EXAMPLE}", f"/enquete/{EXAMPLE}/pagina/1", "/code/" + EXAMPLE):
        assert client.get(url).status_code == 404
    assert "Dorpsenquête" not in client.get("/").get_data(as_text=True)


def test_back_to_concept_is_refused_once_residents_answered(client, village):
    client.login("beheerder")
    resident = client.application.test_client()
    answer_example_survey(resident)
    assert resident.post_form(f"/enquete/{EXAMPLE}/controle", {}).status_code == 302
    response = client.post_form(
        f"{PAGE}/status", {"status": "test"}, page=PAGE, follow_redirects=True
    )
    assert "kan niet meer terug naar concept of test" in response.get_data(as_text=True)
    assert status_of(village.storage, EXAMPLE) == "open"
    result = CliRunner().invoke(
        main, ["survey", "concept", EXAMPLE, "--instance", str(village.instance_dir)]
    )
    assert result.exit_code == 1
    assert "heeft antwoorden van bewoners" in result.output


def test_unknown_status_is_a_bad_request(client, village):
    client.login("beheerder")
    assert client.post_form(f"{PAGE}/status", {"status": "weg"}, page=PAGE).status_code == 400


def test_dates_open_and_close_a_survey_without_a_click(client, village, concept):
    client.login("beheerder")
    response = client.post_form(
        f"{PAGE}/planning",
        {"opens_at": "2099-03-01T09:00", "closes_at": "2099-03-15T17:00"},
        page=PAGE,
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "De planning is opgeslagen" in page
    assert "Gaat vanzelf open op 01-03-2099 09:00" in page
    assert "Sluit vanzelf op 15-03-2099 17:00" in page
    lifecycle = lifecycle_of(village.storage, EXAMPLE)
    # Typed in Dutch time (CET in March): 08:00 UTC.
    assert lifecycle.opens_at == datetime(2099, 3, 1, 8, 0, tzinfo=UTC)
    assert lifecycle.status() == CONCEPT
    resident = client.application.test_client()
    assert resident.get(f"/enquete/{EXAMPLE}").status_code == 404

    # The opening moment came (stored as the planning page stores it): open for residents.
    moment = datetime.now(UTC)
    village.storage.update(
        STATUS,
        EXAMPLE,
        {
            "opens_at": (moment - timedelta(minutes=1)).isoformat(),
            "closes_at": (moment + timedelta(hours=1)).isoformat(),
        },
    )
    assert resident.get(f"/enquete/{EXAMPLE}").status_code == 200
    assert "Dorpsenquête" in resident.get("/").get_data(as_text=True)
    # Setting a closing date on a survey that opened by date keeps it open.
    client.post_form(f"{PAGE}/planning", {"closes_at": "2099-04-01T12:00"}, page=PAGE)
    assert status_of(village.storage, EXAMPLE) == "open"

    village.storage.update(
        STATUS, EXAMPLE, {"closes_at": (moment - timedelta(seconds=1)).isoformat()}
    )
    # Closed: no page to answer; the survey's link says it is closed (issue 12).
    assert resident.get(f"/enquete/{EXAMPLE}/pagina/1").status_code == 404
    assert "Deze enquête is gesloten" in resident.get(f"/enquete/{EXAMPLE}").get_data(as_text=True)
    assert "gesloten" in client.get("/beheer/").get_data(as_text=True)
    # Reopening by hand drops the passed closing date.
    client.post_form(f"{PAGE}/status", {"status": "open"}, page=PAGE)
    assert resident.get(f"/enquete/{EXAMPLE}").status_code == 200
    assert lifecycle_of(village.storage, EXAMPLE).closes_at is None


def test_a_closing_date_before_the_opening_is_refused(client, village, concept):
    client.login("beheerder")
    response = client.post_form(
        f"{PAGE}/planning",
        {"opens_at": "2099-03-15T09:00", "closes_at": "2099-03-01T09:00"},
        page=PAGE,
        follow_redirects=True,
    )
    assert "De sluitingsdatum moet na de openingsdatum" in response.get_data(as_text=True)
    assert lifecycle_of(village.storage, EXAMPLE) == Lifecycle(
        CONCEPT, changed_at=lifecycle_of(village.storage, EXAMPLE).changed_at
    )
    bad = client.post_form(
        f"{PAGE}/planning", {"opens_at": "morgen"}, page=PAGE, follow_redirects=True
    )
    assert "Vul een datum en tijd in" in bad.get_data(as_text=True)


def test_the_cli_shows_opens_schedules_and_closes(instance_dir: Path):
    runner = CliRunner()
    where = ["--instance", str(instance_dir)]

    def run(*args: str) -> str:
        result = runner.invoke(main, ["survey", *args, *where])
        assert result.exit_code == 0, result.output
        return result.output.strip()

    assert run("concept", EXAMPLE) == f"{EXAMPLE}: concept"
    assert run("test", EXAMPLE) == f"{EXAMPLE}: test"
    assert run("open", EXAMPLE, "--at", "2099-06-01 10:00") == (
        f"{EXAMPLE}: test, gaat open op 2099-06-01 10:00 CEST"
    )
    assert run("close", EXAMPLE, "--at", "2099-06-30") == (
        f"{EXAMPLE}: test, gaat open op 2099-06-01 10:00 CEST, sluit op 2099-06-30 00:00 CEST"
    )
    shown = json.loads(run("status", EXAMPLE, "--json"))
    assert shown["status"] == "test" and shown["opens_at"] == "2099-06-01T08:00:00+00:00"
    assert run("open", EXAMPLE) == f"{EXAMPLE}: open, sluit op 2099-06-30 00:00 CEST"
    assert run("close", EXAMPLE) == f"{EXAMPLE}: closed"
    listed = runner.invoke(main, ["surveys", "--json", *where]).output
    assert json.loads(listed)[0]["status"] == "closed"

    bad = runner.invoke(main, ["survey", "open", EXAMPLE, "--at", "volgende week", *where])
    assert bad.exit_code == 2 and "is geen datum" in bad.output
    unknown = runner.invoke(main, ["survey", "open", "bestaat-niet", *where])
    assert unknown.exit_code == 1 and "onbekende enquête 'bestaat-niet'" in unknown.output


def test_surveys_that_were_live_before_the_upgrade_stay_open(tmp_path: Path):
    # An instance from before the lifecycle: schema version 1, surveys open without a record.
    path = init_instance(tmp_path / "oud", "Ouddorp")
    village = build_village(path)
    add_user(village.storage, "beheerder", "beheerder", PASSWORDS["beheerder"])
    for record in village.storage.all(STATUS):
        village.storage.delete(STATUS, record["id"])
    (path / "data" / "meta.json").write_text('{"schema_version": 1}', encoding="utf-8")

    app = create_app(path, {"TESTING": True})
    app.test_client_class = VillageClient
    resident = app.test_client()
    assert resident.get(f"/enquete/{EXAMPLE}").status_code == 200
    assert list((path / "backups").glob("before-v1-to-v2-*.zip"))
    # A file added after the upgrade is a concept, also after another restart.
    (path / "surveys" / "nieuw.yaml").write_text(NEW_SURVEY, encoding="utf-8")
    again = create_app(path, {"TESTING": True}).test_client()
    assert again.get("/enquete/nieuw").status_code == 404
    assert again.get(f"/enquete/{EXAMPLE}").status_code == 200


def test_a_code_survey_in_test_skips_the_code_step_for_the_team(client, village, instance_dir):
    add_survey(instance_dir, "buurt", access="code")
    set_status(village.storage, "buurt", "test")
    resident = client.application.test_client()
    assert resident.get("/code/buurt").status_code == 404
    client.login("beheerder")
    page = client.get("/enquete/buurt/pagina/1")
    assert page.status_code == 200 and "Testmodus" in page.get_data(as_text=True)
    assert answer_online(client, "buurt").status_code == 302
    assert responses_of(village, "buurt") == []
    assert len(village.storage.all(trial_responses_collection("buurt"))) == 1


def test_a_survey_closed_by_another_process_takes_no_answer_after_its_pages(
    client, village, instance_dir
):
    # A resident's pages may show the state this process read a moment ago; storing the
    # answers always reads it as stored now. The close below is written to the data folder
    # by another Storage, as `vliegwiel survey close` in another process would: this
    # process does not hear of it.
    (instance_dir / "surveys" / "nieuw.yaml").write_text(NEW_SURVEY, encoding="utf-8")
    set_status(village.storage, "nieuw", "open")
    assert client.get("/enquete/nieuw/pagina/1").status_code == 200
    client.post_form("/enquete/nieuw/pagina/1", {"mening": "Prima"})
    Storage(instance_dir / "data").update(STATUS, "nieuw", {"status": "closed"})
    response = client.post_form("/enquete/nieuw/controle", {}, page="/enquete/nieuw/pagina/1")
    assert response.status_code == 404
    assert responses_of(village, "nieuw") == []
    # From here on this process knows: every page says the survey is gone.
    assert client.get("/enquete/nieuw/pagina/1").status_code == 404
