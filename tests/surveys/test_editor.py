"""The survey editor in the browser's organiser pages: check, preview, save, versions, refusals."""

from __future__ import annotations

import re
from html import unescape

import pytest
from conftest import csrf_token
from test_resident_flow import answer_example_survey

from vliegwiel.surveys.editing import VERSIONS, versions_of
from vliegwiel.surveys.status import CONCEPT, status_of

EXAMPLE = "dorpsenquete"
EDIT = f"/beheer/enquete/{EXAMPLE}/bewerken"
NEW = "/beheer/enquetes/nieuw"
KORT = """\
id: buurtfeest
title: Buurtfeest
pages:
  - id: een
    title: Het feest
    questions:
      - id: komt
        type: single_choice
        text: Komt u naar het buurtfeest?
        options:
          - {value: ja, label: Ja}
          - {value: nee, label: Nee}
  - id: twee
    title: Helpen
    questions:
      - id: helpen
        type: long_text
        text: Waarmee wilt u helpen?
"""


def post_editor(client, url: str, text: str, action: str):
    """Open the editor page, then post ``text`` with its CSRF token and file fingerprint."""
    html = client.get(url).get_data(as_text=True)
    base = re.search(r'name="base"[^>]*value="([^"]*)"', html)
    data = {
        "csrf_token": csrf_token(html),
        "text": text,
        "action": action,
        "base": base.group(1) if base else "",
    }
    return client.post(url, data=data)


@pytest.fixture
def organiser(client):
    client.login("beheerder")
    return client


def test_a_new_survey_is_checked_previewed_and_saved_as_a_concept(organiser, village):
    page = organiser.get(NEW).get_data(as_text=True)
    assert "id: nieuwe-enquete" in page  # the starter text passes the check
    checked = post_editor(organiser, NEW, KORT, "check")
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert "Geen problemen gevonden" in html and "2 pagina's" in unescape(html)
    # The preview shows every page with its questions, as residents see them.
    assert "Stap 1 van 2" in html and "Stap 2 van 2" in html
    assert "Komt u naar het buurtfeest?" in html and "Waarmee wilt u helpen?" in html
    assert not (village.instance_dir / "surveys" / "buurtfeest.yaml").exists()

    saved = post_editor(organiser, NEW, KORT, "save")
    assert saved.status_code == 302 and saved.location.endswith("/beheer/enquete/buurtfeest")
    assert (village.instance_dir / "surveys" / "buurtfeest.yaml").read_text() == KORT
    assert status_of(village.storage, "buurtfeest") == CONCEPT
    assert organiser.application.test_client().get("/enquete/buurtfeest").status_code == 404
    (version,) = versions_of(village, "buurtfeest")
    assert version["text"] == KORT and version["saved_by"] == "beheerder"


def test_problems_are_shown_next_to_their_line_and_nothing_is_written(organiser, village):
    broken = KORT.replace("type: single_choice", "type: keuzelijst").replace(
        "  - id: twee", "  - id: een"
    )
    response = post_editor(organiser, NEW, broken, "save")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "niet opgeslagen" in html
    # The same FILE:LINE lines as `vliegwiel check`, in line order, each linked to its line...
    problems = re.findall(r'<a href="#regel-(\d+)"><code>nieuw.yaml:(\d+): ', html)
    assert problems and all(a == b for a, b in problems)
    assert [int(b) for _, b in problems] == sorted(int(b) for _, b in problems)
    assert "keuzelijst" in html
    # ...and the message stands right under that line of the text.
    line = next(int(n) for n, text in enumerate(broken.splitlines(), 1) if "keuzelijst" in text)
    listing = html[html.index(f'id="regel-{line}"') :]
    listing = listing[: listing.index("</li>")]
    assert "type: keuzelijst" in listing and f"Regel {line}:" in listing
    assert not (village.instance_dir / "surveys" / "buurtfeest.yaml").exists()
    assert village.storage.all(VERSIONS) == []


def test_saving_an_existing_survey_keeps_every_version(organiser, village):
    path = village.instance_dir / "surveys" / f"{EXAMPLE}.yaml"
    original = path.read_text(encoding="utf-8")
    changed = original.replace("  nl: Dorpsenquête\n", "  nl: Dorpsenquête 2027\n", 1)
    assert changed != original
    response = post_editor(organiser, EDIT, changed, "save")
    assert response.status_code == 302
    assert "Opgeslagen als versie 2" in organiser.get(EDIT).get_data(as_text=True)
    assert path.read_text(encoding="utf-8") == changed
    assert village.surveys.get(EXAMPLE).title["nl"] == "Dorpsenquête 2027"
    again = changed.replace("Dorpsenquête 2027", "Dorpsenquête 2028", 1)
    post_editor(organiser, EDIT, again, "save")
    texts = [v["text"] for v in versions_of(village, EXAMPLE)]
    assert texts == [again, changed, original]
    # An earlier version can be put back in the editor (and saved again from there).
    html = organiser.get(f"{EDIT}?versie=1").get_data(as_text=True)
    assert "Dorpsenquête 2027" not in html and "In de editor zetten" in html


def test_a_change_that_breaks_stored_answers_is_refused_with_the_reason(organiser, village, client):
    resident = client.application.test_client()
    answer_example_survey(resident)
    assert resident.post_form(f"/enquete/{EXAMPLE}/controle", {}).status_code == 302
    path = village.instance_dir / "surveys" / f"{EXAMPLE}.yaml"
    original = path.read_text(encoding="utf-8")
    stored = village.storage.all(f"responses/{EXAMPLE}")[0]["answers"]
    assert stored["leeftijd"] == "45_64"

    without_option = re.sub(r"\n\s*- \{?value: \"?45_64\"?[^\n]*", "", original, count=1)
    assert without_option != original
    response = post_editor(organiser, EDIT, without_option, "save")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Niet opgeslagen" in html
    assert "Een bewaard antwoord op vraag 'leeftijd' past niet meer" in unescape(html)
    assert path.read_text(encoding="utf-8") == original

    renamed = original.replace("id: dorpsenquete", "id: dorpsenquete-nieuw", 1)
    refused = post_editor(organiser, EDIT, renamed, "save").get_data(as_text=True)
    assert "De id kan niet veranderen" in refused
    assert path.read_text(encoding="utf-8") == original
    # A harmless change (a clearer question text) is saved.
    clearer = original.replace("Hoeveel jaar woont u al", "Hoe lang woont u al", 1)
    assert clearer != original
    assert post_editor(organiser, EDIT, clearer, "save").status_code == 302


def test_a_file_changed_on_disk_meanwhile_is_not_overwritten(organiser, village):
    path = village.instance_dir / "surveys" / f"{EXAMPLE}.yaml"
    original = path.read_text(encoding="utf-8")
    html = organiser.get(EDIT).get_data(as_text=True)
    token = csrf_token(html)
    base = re.search(r'name="base"[^>]*value="([0-9a-f]+)"', html).group(1)
    on_disk = original.replace("  nl: Dorpsenquête\n", "  nl: Met de hand gewijzigd\n", 1)
    path.write_text(on_disk, encoding="utf-8")
    mine = original.replace("  nl: Dorpsenquête\n", "  nl: In de browser gewijzigd\n", 1)
    response = organiser.post(
        EDIT, data={"csrf_token": token, "text": mine, "action": "save", "base": base}
    )
    assert response.status_code == 409
    assert "intussen door iemand anders gewijzigd" in response.get_data(as_text=True)
    assert path.read_text(encoding="utf-8") == on_disk


def test_only_a_beheerder_edits(client, village):
    client.login("lezer")
    assert client.get(EDIT).status_code == 403
    assert client.get(NEW).status_code == 403
    anonymous = client.application.test_client()
    assert anonymous.get(EDIT).status_code == 302  # to the login page


def test_a_new_survey_cannot_take_an_existing_id(organiser, village):
    taken = KORT.replace("id: buurtfeest", f"id: {EXAMPLE}", 1)
    response = post_editor(organiser, NEW, taken, "save")
    assert response.status_code == 409
    assert "Er is al een enquête met id" in response.get_data(as_text=True)
