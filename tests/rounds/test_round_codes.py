"""Invitation codes in participation rounds: one household, one say, from any device."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from access_helpers import add_survey, text_of
from click.testing import CliRunner
from conftest import write_survey
from pdf_reading import decode_qr_codes, pdf_page_count, pdf_page_images, pdf_text
from round_helpers import make_round, set_shortlist, submit_idea, support, vote

from vliegwiel.cli.main import main
from vliegwiel.reach.codes import Household, codes_collection, create_codes
from vliegwiel.rounds.model import collection, participant_hash


@pytest.fixture
def code_round(organiser, village, clock) -> str:
    round_id = make_round(organiser, village, requires_codes="ja")
    clock.set("2026-03-09T10:00")  # the ideas phase
    return round_id


def new_codes(village, scope: str, count: int = 1, **kw) -> list[str]:
    households = [Household("Kerkstraat", str(n + 1), "1234 AB") for n in range(count)]
    issued = create_codes(village.storage, village.config.secret_key, scope, households, **kw)
    return [i.code for i in issued]


def enter_round_code(client, round_id: str, code: str, **query):
    url = f"/ronde/{round_id}/code"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post_form(url, {"code": code})


def resident_with_code(app, round_id: str, code: str):
    client = app.test_client()
    assert enter_round_code(client, round_id, code).status_code == 302
    return client


def supports_of(village, round_id: str) -> list[dict]:
    return village.storage.all(collection(round_id, "supports"))


# --- without a code ---------------------------------------------------------------------------


def test_without_a_code_pages_can_be_read_but_actions_go_to_the_code_page(app, village, code_round):
    [code] = new_codes(village, code_round)
    author = resident_with_code(app, code_round, code)
    idea = submit_idea(author, code_round, "Bankjes bij de vijver")
    stranger = app.test_client()

    page = stranger.get(f"/ronde/{code_round}/idee/{idea}")
    assert page.status_code == 200
    assert "Eén stem per huishouden, met de code uit uw brief" in text_of(page)
    assert f'href="/ronde/{code_round}/code"' in page.get_data(as_text=True)

    refused = support(stranger, code_round, idea)
    assert refused.status_code == 302
    assert refused.headers["Location"] == (
        f"/ronde/{code_round}/code?terug=/ronde/{code_round}/idee/{idea}"
    )
    assert supports_of(village, code_round) == []
    new = stranger.post_form(f"/ronde/{code_round}/idee-nieuw", {"title": "Zonder code"})
    assert new.status_code == 302 and new.headers["Location"].startswith(
        f"/ronde/{code_round}/code"
    )
    assert len(village.storage.all(collection(code_round, "ideas"))) == 1

    # The code page explains why, and after the code the resident is back at the idea.
    code_page = stranger.get(refused.headers["Location"])
    assert "Vul eerst de code uit uw brief in" in text_of(code_page)
    back = stranger.post_form(refused.headers["Location"], {"code": code})
    assert back.status_code == 302
    assert back.headers["Location"] == f"/ronde/{code_round}/idee/{idea}"


def test_the_code_page_sends_only_to_pages_of_the_same_round(app, village, code_round):
    [code] = new_codes(village, code_round)
    for bad in ("//evil.example/x", "https://evil.example", "/ronde/ander-ronde/stemmen"):
        response = enter_round_code(app.test_client(), code_round, code, terug=bad)
        assert response.headers["Location"] == f"/ronde/{code_round}"


# --- one say per household ------------------------------------------------------------------


def test_one_support_per_idea_and_one_ballot_per_household_from_any_browser(
    app, village, organiser, code_round, clock
):
    first, second = new_codes(village, code_round, 2)
    kitchen = resident_with_code(app, code_round, first)
    phone = resident_with_code(app, code_round, first)  # the same letter, another device
    neighbour = resident_with_code(app, code_round, second)

    bomen = submit_idea(kitchen, code_round, "Bomen op het plein")
    bankjes = submit_idea(neighbour, code_round, "Bankjes")
    assert support(kitchen, code_round, bomen).status_code == 302
    assert support(kitchen, code_round, bankjes).status_code == 302  # several ideas: fine
    again = support(phone, code_round, bomen)
    assert again.status_code == 400 and "al" in text_of(again)
    assert support(neighbour, code_round, bomen).status_code == 302
    assert len(supports_of(village, code_round)) == 3

    set_shortlist(organiser, code_round, {bomen: 0, bankjes: 0})
    clock.set("2026-03-16T10:00")  # the prioritise phase
    assert vote(kitchen, code_round, {"idee": [bomen]}).status_code == 302
    # The other device sees the household's vote; a forged second ballot is refused too.
    assert "U heeft gestemd" in text_of(phone.get(f"/ronde/{code_round}/stemmen"))
    twice = phone.post_form(
        f"/ronde/{code_round}/stemmen",
        {"idee": [bankjes]},
        page=f"/ronde/{code_round}/code",
    )
    assert twice.status_code == 400 and "al gestemd" in text_of(twice)
    assert vote(neighbour, code_round, {"idee": [bankjes]}).status_code == 302
    ballots = village.storage.all(collection(code_round, "ballots"))
    assert len(ballots) == 2

    # The household changes its vote from the other device: still one ballot, the new one.
    changed = phone.post_form(
        f"/ronde/{code_round}/stemmen",
        {"idee": [bankjes], "wijzigen": "ja"},
        page=f"/ronde/{code_round}/stemmen",
    )
    assert changed.status_code == 302
    ballots = village.storage.all(collection(code_round, "ballots"))
    assert sorted(b["ballot"] for b in ballots) == [[bankjes], [bankjes]]

    # The code is never used up: the household keeps its key for the whole round.
    assert all(not r["used"] for r in village.storage.all(codes_collection(code_round)))


def test_the_stored_participant_cannot_be_matched_to_a_code_record(app, village, code_round):
    [code] = new_codes(village, code_round)
    resident = resident_with_code(app, code_round, code)
    idea = submit_idea(resident, code_round, "Een moestuin")
    assert support(resident, code_round, idea).status_code == 302
    [stored] = supports_of(village, code_round)
    [record] = village.storage.all(codes_collection(code_round))
    # Someone holding data/ has the record ids; none of these derivations gives the participant.
    assert stored["participant"] not in {
        participant_hash(code_round, f"code:{record['id']}"),
        participant_hash(code_round, record["id"]),
        hashlib.sha256(record["id"].encode()).hexdigest()[:32],
    }
    assert code.replace("-", "") not in str(village.storage.all(collection(code_round, "ideas")))


def test_a_round_without_codes_still_counts_per_browser_and_says_so(app, village, organiser, clock):
    round_id = make_round(organiser, village)
    clock.set("2026-03-09T10:00")
    resident = app.test_client()
    idea = submit_idea(resident, round_id, "Speeltuin")
    page = text_of(resident.get(f"/ronde/{round_id}/ideeen"))
    assert "Eén keer per browser" in page and "code uit uw brief" not in page
    assert resident.get(f"/ronde/{round_id}/code").status_code == 302
    assert support(app.test_client(), round_id, idea).status_code == 302


# --- bad codes and guessing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [("K7PM-4XQD", "12 tekens"), ("ZZZZ-ZZZZ-ZZZZ", "kennen we niet"), ("", "12 tekens")],
)
def test_wrong_codes_get_a_friendly_dutch_message(app, code_round, typed, message):
    response = enter_round_code(app.test_client(), code_round, typed)
    assert response.status_code == 400
    page = text_of(response)
    assert message in page and "Vraag hulp" in page and "Traceback" not in page


def test_a_code_for_a_survey_or_another_round_does_not_open_this_round(
    app, village, organiser, code_round
):
    other_round = make_round(organiser, village, requires_codes="ja", title="Andere ronde")
    [for_other] = new_codes(village, other_round)
    [for_survey] = new_codes(village, "buurt")
    for code in (for_other, for_survey):
        response = enter_round_code(app.test_client(), code_round, code)
        assert response.status_code == 400 and "kennen we niet" in text_of(response)


def test_an_expired_code_says_so(app, village, code_round):
    [code] = new_codes(village, code_round, expires_on=date.today() - timedelta(days=1))
    response = enter_round_code(app.test_client(), code_round, code)
    assert response.status_code == 400 and "verlopen" in text_of(response)


def test_guessing_round_codes_is_throttled_like_survey_codes(app, code_round):
    app.config["ACCESS_FAILURES_PER_SESSION"] = 2
    client = app.test_client()
    for _ in range(4):
        assert enter_round_code(client, code_round, "K7PM").status_code == 400  # a typo
    enter_round_code(client, code_round, "ZZZZ-ZZZZ-ZZZZ")
    enter_round_code(client, code_round, "ZZZZ-ZZZZ-ZZZY")
    blocked = enter_round_code(client, code_round, "ZZZZ-ZZZZ-ZZZX")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "te veel verkeerde codes" in text_of(blocked)


def test_the_qr_link_fills_in_the_code(app, village, code_round):
    [code] = new_codes(village, code_round)
    page = app.test_client().get(f"/ronde/{code_round}/code?c={code.replace('-', '')}")
    assert page.status_code == 200
    assert f'value="{code.replace("-", "")}"' in page.get_data(as_text=True)


# --- letters ------------------------------------------------------------------------------------


def _letters_lead_to_the_round(app, village, pdf: bytes, round_id: str, count: int) -> None:
    assert pdf_page_count(pdf) == count
    text = pdf_text(pdf)
    assert "Eén stem per huishouden" in text and "Samen het dorp groener" in text
    base = village.config.base_url
    for image in pdf_page_images(pdf, scale=2):
        [url] = decode_qr_codes(image)
        assert url.startswith(f"{base}/ronde/{round_id}/code?c=")
        # The QR code's address is the real code page, and its code opens the round.
        resident = app.test_client()
        path = url.removeprefix(base)
        code = path.split("?c=")[1]
        assert f'value="{code}"' in resident.get(path).get_data(as_text=True)
        assert enter_round_code(resident, round_id, code).status_code == 302
        assert f'href="/ronde/{round_id}/code"' not in resident.get(
            f"/ronde/{round_id}/ideeen"
        ).get_data(as_text=True)


def test_organisers_print_letters_for_a_round(app, village, organiser, code_round):
    overview = organiser.get(f"/beheer/rondes/{code_round}")
    assert f"/beheer/rondes/{code_round}/codes" in overview.get_data(as_text=True)
    response = organiser.post_form(
        f"/beheer/rondes/{code_round}/codes",
        {"count": "2", "contact": "Dorpshuis De Linde"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Dorpshuis De Linde" in pdf_text(response.data)
    _letters_lead_to_the_round(app, village, response.data, code_round, 2)
    page = text_of(organiser.get(f"/beheer/rondes/{code_round}/codes"))
    assert "Codes per straat" in page and "Nog niet gebruikt" not in page


def test_only_beheerders_make_round_codes(app, code_round):
    ambassador = app.test_client()
    ambassador.login("ambassadeur")
    assert ambassador.get(f"/beheer/rondes/{code_round}/codes").status_code == 403


def test_the_codes_command_makes_letters_for_a_round(
    app, village, code_round, instance_dir, tmp_path
):
    out = tmp_path / "brieven.pdf"
    args = ["--instance", str(instance_dir), "-o", str(out), "--count", "2"]
    result = CliRunner().invoke(main, ["codes", code_round, *args])
    assert result.exit_code == 0, result.output
    assert village.storage.count(codes_collection(code_round)) == 2
    _letters_lead_to_the_round(app, village, out.read_bytes(), code_round, 2)

    unknown = CliRunner().invoke(main, ["codes", "bestaat-niet", *args])
    assert unknown.exit_code == 1 and "onbekende enquête 'bestaat-niet'" in unknown.output


def test_the_codes_command_refuses_an_id_that_is_both_survey_and_round(
    village, code_round, instance_dir, tmp_path
):
    add_survey(instance_dir, "buurt")
    survey = (instance_dir / "surveys" / "buurt.yaml").read_text()
    write_survey(instance_dir, survey.replace("id: buurt", f"id: {code_round}"), "buurt.yaml")
    out = tmp_path / "brieven.pdf"
    args = ["codes", code_round, "--instance", str(instance_dir), "-o", str(out), "--count", "1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "is zowel een enquête als een ronde" in result.output
    assert not out.exists()
    assert village.storage.count(codes_collection(code_round)) == 0
