"""A resident answers the example survey: pages, drafts, CSRF, bad input and broken files."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import write_survey

from vliegwiel.core.storage import StorageError
from vliegwiel.surveys.status import CLOSED, set_status
from vliegwiel.web.app import MAX_CONTENT_LENGTH, create_app

BASE = "/enquete/dorpsenquete"
RESPONSES = "responses/dorpsenquete"


def page(n: int) -> str:
    return f"{BASE}/pagina/{n}"


def answer_example_survey(client) -> list[str]:
    """Walk the example survey as a resident without JavaScript; returns every redirect."""
    steps = [
        (page(1), {"leeftijd": "45_64", "woonduur": "12"}),
        (page(2), {"prettig_wonen": "8", "blijven_wonen": "ja"}),
        (page(3), {"voorzieningen_oordeel__bus": "slecht", "belangrijkste__winkel": "1"}),
        (page(4), {"contact_buren": "4", "ontmoeten": ["straat", "dorpshuis"]}),
        (page(5), {"vrijwilliger": "nee"}),
        (page(7), {"idee": "Een bankje bij de bushalte."}),
    ]
    locations = []
    for url, data in steps:
        response = client.post_form(url, data)
        assert response.status_code == 302, response.get_data(as_text=True)
        locations.append(response.headers["Location"])
    return locations


def test_home_lists_open_surveys_only(client, village):
    home = client.get("/").get_data(as_text=True)
    assert "Dorpsenquête" in home and f'href="{BASE}"' in home
    set_status(village.storage, "dorpsenquete", CLOSED)
    assert "Dorpsenquête" not in client.get("/").get_data(as_text=True)
    response = client.get(page(1))
    assert response.status_code == 404


def test_resident_completes_the_example_survey(client, village):
    intro = client.get(BASE)
    assert intro.status_code == 200
    first = client.get(page(1)).get_data(as_text=True)
    assert "Stap 1 van 6" in first  # the volunteering page is hidden until answered "ja"
    assert "<script" not in first
    locations = answer_example_survey(client)
    # "nee" to volunteering skips page 6.
    assert locations[4].endswith(page(7))
    assert locations[-1].endswith(f"{BASE}/controle")
    review = client.get(f"{BASE}/controle").get_data(as_text=True)
    assert "45 tot 65 jaar" in review and "12 jaar" in review and "1. De winkel" in review
    response = client.post_form(f"{BASE}/controle", {})
    assert response.headers["Location"].endswith(f"{BASE}/bedankt")
    assert client.get(f"{BASE}/bedankt").status_code == 200
    (record,) = village.storage.all(RESPONSES)
    assert record["answers"]["leeftijd"] == "45_64"
    assert record["answers"]["woonduur"] == 12
    assert record["answers"]["ontmoeten"] == ["straat", "dorpshuis"]
    assert "uren" not in record["answers"]
    assert record["survey_version"] == village.surveys.get("dorpsenquete").version
    # Anonymous: nothing that points at the resident's device.
    assert set(record) == {
        "id",
        "survey_id",
        "survey_version",
        "submitted_at",
        "channel",
        "answers",
        "indicators",
    }


def test_draft_resumes_on_the_same_device_and_not_on_another(app, client, village):
    client.post_form(page(1), {"leeftijd": "tot_25", "woonduur": "3"})
    client.post_form(page(2), {"prettig_wonen": "9"})
    # Coming back later in the same browser: the answers are still there.
    body = client.get(page(1)).get_data(as_text=True)
    assert 'value="tot_25" checked' in body and 'value="3"' in body
    assert 'id="prettig_wonen-9" name="prettig_wonen" value="9" checked' in client.get(
        page(2)
    ).get_data(as_text=True)
    # Another device starts fresh and does not see (or touch) the first draft.
    other = app.test_client()
    body = other.get(page(1)).get_data(as_text=True)
    assert "checked" not in body and 'value="3"' not in body
    other.post_form(page(1), {"leeftijd": "80_plus"})
    drafts = {d["answers"]["leeftijd"] for d in village.storage.all("drafts")}
    assert drafts == {"tot_25", "80_plus"}


def test_draft_id_never_appears_in_a_url_or_page(client, village):
    locations = answer_example_survey(client)
    (draft,) = village.storage.all("drafts")
    pages = [client.get(url).get_data(as_text=True) for url in (BASE, page(1), f"{BASE}/controle")]
    for text in locations + pages:
        assert draft["id"] not in text
    assert len(draft["id"]) >= 32  # unguessable


def test_draft_is_gone_after_submitting(client, village):
    answer_example_survey(client)
    assert village.storage.count("drafts") == 1
    client.post_form(f"{BASE}/controle", {})
    assert village.storage.count("drafts") == 0
    # Starting again gives an empty form, not the submitted answers.
    assert "checked" not in client.get(page(1)).get_data(as_text=True)
    assert client.get(f"{BASE}/controle").headers["Location"].endswith(BASE)


def test_post_without_csrf_token_stores_nothing(client, village):
    answer_example_survey(client)
    response = client.post(f"{BASE}/controle", data={})
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)
    assert village.storage.count(RESPONSES) == 0


def test_unknown_survey_gives_a_dutch_404(client):
    for url in ("/enquete/bestaat-niet", "/enquete/bestaat-niet/pagina/1", "/enquete/x/controle"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Deze pagina bestaat niet" in response.get_data(as_text=True)


def test_oversized_post_is_refused_with_413(client, village):
    huge = "1" * MAX_CONTENT_LENGTH
    response = client.post_form(page(1), {"leeftijd": "tot_25", "woonduur": huge})
    assert response.status_code == 413
    assert "Te veel tekst" in response.get_data(as_text=True)
    assert village.storage.count("drafts") == 0
    assert village.storage.count(RESPONSES) == 0


def test_corrupt_database_file_gives_503_and_is_left_alone(client, village, caplog):
    client.post_form(page(1), {"leeftijd": "tot_25"})
    (bucket,) = sorted((village.storage.data_dir / "drafts").glob("*.json"))
    bucket.write_text('{"records": {"1": {"id": "kap', encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        response = client.get(page(1))
    assert response.status_code == 503
    assert "Tijdelijk niet beschikbaar" in response.get_data(as_text=True)
    # Residents see no file paths; the log names the file for the organiser.
    assert str(bucket) not in response.get_data(as_text=True)
    assert str(bucket) in caplog.text
    # The token of any form in this session will do; the survey pages cannot render now.
    response = client.post_form(page(1), {"leeftijd": "80_plus"}, page="/beheer/login")
    assert response.status_code == 503
    # Never silently re-initialised.
    assert bucket.read_text(encoding="utf-8") == '{"records": {"1": {"id": "kap'


def test_missing_schema_file_stops_the_app_with_its_name(instance_dir: Path):
    (instance_dir / "data" / "meta.json").unlink()
    with pytest.raises(StorageError, match="meta.json is missing"):
        create_app(instance_dir, {"TESTING": True})
    assert not (instance_dir / "data" / "meta.json").exists()


def test_broken_survey_file_does_not_take_the_site_down(instance_dir, client):
    write_survey(instance_dir, "id: kapot\ntitle: Kapot\npages:\n  - id: p\n", "kapot.yaml")
    home = client.get("/")
    assert home.status_code == 200
    assert "Dorpsenquête" in home.get_data(as_text=True)
    assert client.get(page(1)).status_code == 200
    assert client.get("/enquete/kapot").status_code == 404
    assert client.post_form(page(1), {"leeftijd": "tot_25"}).status_code == 302


def test_continue_where_you_were_opens_the_page_after_the_last_one_answered(client):
    intro = client.get(BASE).get_data(as_text=True)
    assert "Verder waar u was" not in intro
    client.post_form(page(1), {"leeftijd": "tot_25"})
    client.post_form(page(2), {"prettig_wonen": "7"})
    intro = client.get(BASE).get_data(as_text=True)
    assert "Verder waar u was" in intro and f'href="{page(3)}"' in intro
    # A page refused for a missing answer is where the resident continues.
    client.post_form(page(2), {})
    assert f'href="{page(2)}"' in client.get(BASE).get_data(as_text=True)


def test_drafts_older_than_thirty_days_are_deleted_when_the_server_starts(
    app, make_app, client, village
):
    # docs/privacy.md: unfinished answers are kept at most 30 days, also when nobody returns.
    client.post_form(page(1), {"leeftijd": "tot_25"})
    (draft,) = village.storage.all("drafts")
    old = (datetime.now(UTC) - timedelta(days=31)).isoformat(timespec="seconds")
    village.storage.update("drafts", draft["id"], {"updated_at": old})
    app.test_client().post_form(page(1), {"leeftijd": "80_plus"})  # another resident, today
    make_app()
    assert [d["answers"] for d in village.storage.all("drafts")] == [{"leeftijd": "80_plus"}]
