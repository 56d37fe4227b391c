"""Stellingen with household codes, as in participation rounds: the organiser prints letters,
one participant per code, a household goes on with its code on another device, wrong codes
are refused and guessing is throttled. Real app, real TinyDB files, the letters PDF read back."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from access_helpers import text_of
from pdf_reading import decode_qr_codes, pdf_page_images, pdf_text

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))

from vliegwiel_stellingen import conversations as conv  # noqa: E402

from vliegwiel.plugin_support import PluginStore  # noqa: E402

STATEMENTS = [f"Stelling {n} over de speeltuin." for n in range(1, 6)]
CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def store_of(app) -> PluginStore:
    return PluginStore(app.extensions["vliegwiel"].storage, "stellingen")


@pytest.fixture
def set_id(app, organiser) -> str:
    set_id = conv.create(store_of(app), "De speeltuin", STATEMENTS)
    turned_on = organiser.post_form(
        f"/beheer/stellingen/{set_id}/codes-verplicht", page=f"/beheer/stellingen/{set_id}"
    )
    assert turned_on.status_code == 302
    return set_id


@pytest.fixture
def letters(organiser, set_id) -> bytes:
    response = organiser.post_form(
        f"/beheer/stellingen/{set_id}/codes",
        {"count": "3", "contact": "Het dorpshuis"},
        page=f"/beheer/stellingen/{set_id}/codes",
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return response.data


def codes_in(pdf: bytes) -> list[str]:
    return CODE.findall(pdf_text(pdf))


def enter(client, set_id: str, code: str):
    return client.post_form(f"/stellingen/{set_id}/code", {"code": code})


def vote_next(client, set_id: str, choice: str = "eens") -> int:
    """Vote on the statement the page shows; returns its number."""
    page = client.get(f"/stellingen/{set_id}/").get_data(as_text=True)
    number = int(re.search(r'name="stelling" value="(\d+)"', page).group(1))
    response = client.post_form(
        f"/stellingen/{set_id}/stem",
        {"stelling": number, "stem": choice},
        page=f"/stellingen/{set_id}/",
    )
    assert response.status_code == 302
    return number


def test_the_organiser_prints_one_letter_per_household_with_its_code_and_qr(
    app, organiser, set_id, letters
):
    codes = codes_in(letters)
    assert len(set(codes)) == 3
    text = " ".join(pdf_text(letters).split())
    assert "Doe mee: De speeltuin" in text and "Eén huishouden, één stem" in text
    assert "Het dorpshuis" in text
    qr_links = decode_qr_codes(pdf_page_images(letters)[0])
    base = app.extensions["vliegwiel"].config.base_url.rstrip("/")
    assert qr_links == [f"{base}/stellingen/{set_id}/code?c={codes[0].replace('-', '')}"]
    page = organiser.get(f"/beheer/stellingen/{set_id}/codes").get_data(as_text=True)
    assert "Codes en brieven" in page and ">3<" in page  # three codes, no addresses
    # Only keyed hashes are stored: no code appears in the data folder.
    data_dir = app.extensions["vliegwiel"].instance_dir / "data"
    data = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
    assert not any(code.replace("-", "").encode() in data for code in codes)


def test_without_a_code_nobody_votes(app, set_id):
    stranger = app.test_client()
    page = stranger.get(f"/stellingen/{set_id}/")
    assert "met de code uit de brief" in text_of(page) and 'name="stem"' not in page.get_data(
        as_text=True
    )
    refused = stranger.post_form(
        f"/stellingen/{set_id}/stem",
        {"stelling": 1, "stem": "eens"},
        page=f"/stellingen/{set_id}/code",
    )
    assert refused.status_code == 302 and refused.location.endswith(f"/stellingen/{set_id}/code")
    suggest = stranger.get(f"/stellingen/{set_id}/voorstel")
    assert suggest.status_code == 302 and suggest.location.endswith(f"/stellingen/{set_id}/code")
    assert conv.votes(store_of(app), set_id) == []


def test_one_participant_per_code_and_the_household_goes_on_on_another_device(app, set_id, letters):
    first_code, second_code, _ = codes_in(letters)
    phone = app.test_client()
    assert enter(phone, set_id, first_code).status_code == 302
    voted = [vote_next(phone, set_id), vote_next(phone, set_id)]

    # The same household on the laptop: typed in lower case without dashes.
    laptop = app.test_client()
    assert enter(laptop, set_id, first_code.replace("-", "").lower()).status_code == 302
    page = laptop.get(f"/stellingen/{set_id}/").get_data(as_text=True)
    assert "Stelling 3 van 5" in page  # where the household stopped
    shown = int(re.search(r'name="stelling" value="(\d+)"', page).group(1))
    assert shown not in voted
    # A vote the phone cast already does not count twice from the laptop.
    laptop.post_form(
        f"/stellingen/{set_id}/stem",
        {"stelling": voted[0], "stem": "oneens"},
        page=f"/stellingen/{set_id}/",
    )
    voted += [vote_next(laptop, set_id) for _ in range(3)]
    assert "alle stellingen gestemd" in text_of(phone.get(f"/stellingen/{set_id}/"))

    neighbour = app.test_client()
    assert enter(neighbour, set_id, second_code).status_code == 302
    vote_next(neighbour, set_id, "oneens")

    votes = conv.votes(store_of(app), set_id)
    by_participant: dict[str, dict[int, int]] = {}
    for v in votes:
        by_participant.setdefault(v.participant, {})[v.statement] = v.value
    assert sorted(len(cast) for cast in by_participant.values()) == [1, 5]
    household = next(cast for cast in by_participant.values() if len(cast) == 5)
    assert household[voted[0]] == 1  # the phone's "eens" stands
    # The participant key is neither the code nor its stored hash.
    keys = set(by_participant)
    stored = {
        r["id"] for r in app.extensions["vliegwiel"].storage.all(f"codes/stellingen-{set_id}")
    }
    assert not keys & stored and not any(first_code.replace("-", "") in k for k in keys)


def test_wrong_codes_are_refused_with_a_reason(app, organiser, set_id, letters):
    client = app.test_client()
    malformed = enter(client, set_id, "K7PM")
    assert malformed.status_code == 400 and "12 tekens" in text_of(malformed)
    unknown = enter(client, set_id, "ZZZZ-ZZZZ-ZZZZ")
    assert unknown.status_code == 400 and "kennen we niet" in text_of(unknown)
    # A code of another conversation does not open this one.
    other = conv.create(store_of(app), "Het plein", STATEMENTS)
    organiser.post_form(
        f"/beheer/stellingen/{other}/codes-verplicht", page=f"/beheer/stellingen/{other}"
    )
    other_letters = organiser.post_form(
        f"/beheer/stellingen/{other}/codes",
        {"count": "1"},
        page=f"/beheer/stellingen/{other}/codes",
    ).data
    (foreign,) = codes_in(other_letters)
    response = enter(client, set_id, foreign)
    assert response.status_code == 400 and "kennen we niet" in text_of(response)
    assert 'name="stem"' not in client.get(f"/stellingen/{set_id}/").get_data(as_text=True)


def test_guessing_codes_is_throttled_like_round_codes(app, set_id, letters):
    app.config["ACCESS_FAILURES_PER_SESSION"] = 2
    client = app.test_client()
    for _ in range(4):
        assert enter(client, set_id, "K7PM").status_code == 400  # a typo is no guess
    enter(client, set_id, "ZZZZ-ZZZZ-ZZZZ")
    enter(client, set_id, "ZZZZ-ZZZZ-ZZZY")
    blocked = enter(client, set_id, codes_in(letters)[0])  # even a good code now waits
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "te veel verkeerde codes" in text_of(blocked)
    assert 'name="stem"' not in client.get(f"/stellingen/{set_id}/").get_data(as_text=True)


def test_the_qr_link_fills_in_the_code(app, set_id, letters):
    code = codes_in(letters)[0].replace("-", "")
    page = app.test_client().get(f"/stellingen/{set_id}/code?c={code}").get_data(as_text=True)
    assert f'value="{code}"' in page


def test_a_conversation_without_codes_needs_none(app, organiser, set_id):
    organiser.post_form(
        f"/beheer/stellingen/{set_id}/codes-verplicht", page=f"/beheer/stellingen/{set_id}"
    )
    client = app.test_client()
    assert client.get(f"/stellingen/{set_id}/code").status_code == 302
    vote_next(client, set_id)
    assert len(conv.votes(store_of(app), set_id)) == 1
