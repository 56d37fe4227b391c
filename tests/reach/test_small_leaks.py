"""Smaller leaks from the security review (finding 10): data entry is no oracle, a lezer
sees no sign-up names, and a linked-mode letter promises only what is true."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from access_helpers import add_survey, text_of
from pdf_reading import pdf_text

from vliegwiel.reach.codes import Household, create_codes
from vliegwiel.rounds.meetings import create_meeting, sign_up
from vliegwiel.rounds.model import TIMEZONE, create_round


@pytest.fixture
def code_app(instance_dir, make_app):
    add_survey(instance_dir, "buurt", access="code", anonymous=True)
    add_survey(instance_dir, "gekoppeld", access="code", anonymous=False)
    return make_app()


def test_data_entry_checks_of_codes_are_limited_per_account(code_app):
    ambassador = code_app.test_client()
    ambassador.login("ambassadeur")
    url = "/beheer/enquete/buurt/invoer"
    for n in range(30):
        code = f"ZZZZ-ZZZZ-{n:04d}".replace("0", "Z")
        response = ambassador.post_form(url, {"household_code": code, "tevreden": "ja"})
        assert response.status_code == 400
    blocked = ambassador.post_form(url, {"household_code": "ZZZZ-ZZZZ-ZZZY", "tevreden": "ja"})
    assert blocked.status_code == 429
    # Another organiser is not affected.
    beheerder = code_app.test_client()
    beheerder.login("beheerder")
    village = code_app.extensions["vliegwiel"]
    households = [Household("Kerkstraat", "1", "1234 AB")]
    code = create_codes(village.storage, village.config.secret_key, "buurt", households)[0].code
    response = beheerder.post_form(url, {"household_code": code, "tevreden": "ja"})
    assert response.status_code == 302


def test_a_lezer_sees_no_names_of_people_who_signed_up(app, village):
    record = create_round(village.storage, title="Dorpsavond")
    meeting = create_meeting(
        village.storage,
        record["id"],
        title="Dorpsavond",
        starts_at=datetime(2026, 3, 12, 19, tzinfo=TIMEZONE),
        place="Dorpshuis",
    )
    sign_up(
        village.storage,
        record["id"],
        meeting["id"],
        "Jannie Visser",
        now=datetime(2026, 3, 1, tzinfo=TIMEZONE),
    )
    url = f"/beheer/rondes/{record['id']}/bijeenkomst/{meeting['id']}"
    lezer = app.test_client()
    lezer.login("lezer")
    page = text_of(lezer.get(url))
    assert "1 aanmelding" in page and "Jannie Visser" not in page
    beheerder = app.test_client()
    beheerder.login("beheerder")
    assert "Jannie Visser" in text_of(beheerder.get(url))


def test_a_linked_mode_letter_promises_another_device_with_the_same_code(code_app):
    organiser = code_app.test_client()
    organiser.login("beheerder")
    data = {
        "addresses": (io.BytesIO(b"straat;huisnummer;postcode\nKerkstraat;1;1234 AB\n"), "a.csv")
    }
    response = organiser.post_form(
        "/beheer/enquete/gekoppeld/codes", data, content_type="multipart/form-data"
    )
    assert response.mimetype == "application/pdf"
    letter = " ".join(pdf_text(response.data).split())
    # Kept by the code's draft (tests/reach/test_linked_drafts.py).
    assert "op dit of een ander apparaat verder gaan met dezelfde code" in letter
    page = text_of(code_app.test_client().get("/code/gekoppeld"))
    assert "op dit of een ander apparaat verder gaan met dezelfde code" in page
