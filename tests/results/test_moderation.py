"""Moderation at the scale of a village survey: identical texts grouped with a count and one
decision for all, a status filter (te beoordelen by default), pages, bulk decisions behind
CSRF, redaction that publishes "[naam verwijderd]" and never the name, and only beheerders."""

from __future__ import annotations

import re

import pytest
from results_data import fill_wijkpeiling, write_wijkpeiling

from vliegwiel.results.moderation import PAGE_SIZE, REDACTION_MARK, group_texts
from vliegwiel.results.tallies import (
    APPROVED,
    compute_results,
    moderation_collection,
    text_items,
)
from vliegwiel.surveys.responses import save_response

PAGE = "/beheer/uitslag/wijkpeiling/teksten"
NAMED = "Mevrouw Jansen op nummer 4 heeft hulp nodig bij de speeltuin"


@pytest.fixture
def wijk_app(instance_dir, make_app):
    write_wijkpeiling(instance_dir)
    app = make_app()
    fill_wijkpeiling(app.extensions["vliegwiel"])
    return app


def _add_texts(app, *texts: str) -> None:
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get("wijkpeiling")
    for text in texts:
        save_response(village, survey, {"wijk": "noord", "mening": "ja", "idee": text})


def _groups(app):
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get("wijkpeiling")
    with app.test_request_context():
        return group_texts(
            text_items(village, survey, village.storage.all("responses/wijkpeiling"))
        )


def _group(app, text: str):
    (group,) = [g for g in _groups(app) if g.text == text]
    return group


def _listed(html: str) -> list[str]:
    """The texts the page lists, as the organiser reads them."""
    return [
        re.sub(r"<.*?>", "", t) for t in re.findall(r'<q class="moderation-text">(.*?)</q>', html)
    ]


def _published(app) -> list[str]:
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get("wijkpeiling")
    with app.test_request_context():
        results = compute_results(village, survey, with_texts=True)
    return next(q for q in results.questions if q.question.id == "idee").texts


@pytest.fixture
def admin(wijk_app):
    client = wijk_app.test_client()
    client.login("beheerder")
    return client


def test_identical_texts_form_one_row_with_a_count_and_one_decision_covers_them(wijk_app, admin):
    _add_texts(wijk_app, "Meer bankjes", "meer  Bankjes ", "MEER BANKJES")
    html = admin.get(PAGE).get_data(as_text=True)
    assert _listed(html).count("Meer bankjes") == 1
    assert "4 keer ingevuld" in html

    group = _group(wijk_app, "Meer bankjes")
    response = admin.post_form(PAGE, {"key": group.key, "status": APPROVED})
    assert response.status_code == 302
    assert [m.status for m in _group(wijk_app, "Meer bankjes").members] == [APPROVED] * 4
    # Each text is published (as it was written): four people asked for it.
    published = [" ".join(t.casefold().split()) for t in _published(wijk_app)]
    assert published.count("meer bankjes") == 4


def test_the_page_shows_unreviewed_texts_first_and_filters_by_status(wijk_app, admin):
    admin.post_form(PAGE, {"key": _group(wijk_app, "Een glijbaan").key, "status": "approved"})
    admin.post_form(PAGE, {"key": _group(wijk_app, "Meer bankjes").key, "status": "rejected"})

    unreviewed = _listed(admin.get(PAGE).get_data(as_text=True))
    assert "Een glijbaan" not in unreviewed and "Meer bankjes" not in unreviewed
    assert "Schaduw bij de zandbak" in unreviewed and len(unreviewed) == 3
    assert _listed(admin.get(PAGE + "?toon=goedgekeurd").get_data(as_text=True)) == ["Een glijbaan"]
    assert _listed(admin.get(PAGE + "?toon=afgewezen").get_data(as_text=True)) == ["Meer bankjes"]
    assert len(_listed(admin.get(PAGE + "?toon=alles").get_data(as_text=True))) == 5
    html = admin.get(PAGE).get_data(as_text=True)
    assert "Te beoordelen (3)" in html and "Goedgekeurd (1)" in html and "Afgewezen (1)" in html


def test_a_text_that_joins_an_approved_group_must_be_reviewed_again(wijk_app, admin):
    admin.post_form(PAGE, {"key": _group(wijk_app, "Een glijbaan").key, "status": "approved"})
    _add_texts(wijk_app, "Een glijbaan")
    assert "Een glijbaan" in _listed(admin.get(PAGE).get_data(as_text=True))
    assert _group(wijk_app, "Een glijbaan").status is None


def test_many_texts_come_in_pages(wijk_app, admin):
    _add_texts(wijk_app, *(f"Idee nummer {n}" for n in range(PAGE_SIZE + 10)))
    first = admin.get(PAGE).get_data(as_text=True)
    assert len(_listed(first)) == PAGE_SIZE
    assert "Pagina 1 van 2" in first
    second = admin.get(PAGE + "?pagina=2").get_data(as_text=True)
    assert len(_listed(second)) == 5 + PAGE_SIZE + 10 - PAGE_SIZE
    assert not set(_listed(first)) & set(_listed(second))
    # A page past the end shows the last one, a page that is no number the first.
    assert _listed(admin.get(PAGE + "?pagina=99").get_data(as_text=True)) == _listed(second)
    assert _listed(admin.get(PAGE + "?pagina=x").get_data(as_text=True)) == _listed(first)


def test_bulk_approval_decides_every_chosen_group_and_keeps_the_place(wijk_app, admin):
    _add_texts(wijk_app, "Meer bankjes")
    chosen = [_group(wijk_app, t).key for t in ("Meer bankjes", "Een glijbaan")]
    html = admin.get(PAGE + "?toon=nieuw").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = admin.post(
        PAGE + "?toon=nieuw",
        data={"action": "bulk", "group": chosen, "status": "approved", "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(PAGE + "?toon=nieuw")
    assert sorted(_published(wijk_app)) == ["Een glijbaan", "Meer bankjes", "Meer bankjes"]
    page = admin.get(PAGE + "?toon=nieuw").get_data(as_text=True)
    assert "3 teksten goedgekeurd." in page
    assert len(_listed(page)) == 3


def test_bulk_approval_needs_the_csrf_token(wijk_app, admin):
    key = _group(wijk_app, "Een glijbaan").key
    response = admin.post(PAGE, data={"action": "bulk", "group": [key], "status": "approved"})
    assert response.status_code == 400
    assert _group(wijk_app, "Een glijbaan").status is None


def test_bulk_approval_refuses_unknown_keys_and_asks_for_a_choice(wijk_app, admin):
    key = _group(wijk_app, "Een glijbaan").key
    bad = admin.post_form(
        PAGE, {"action": "bulk", "group": [key, "verzonnen-idee"], "status": "approved"}
    )
    assert bad.status_code == 400
    assert _group(wijk_app, "Een glijbaan").status is None
    none = admin.post_form(PAGE, {"action": "bulk", "status": "approved"}, follow_redirects=True)
    assert "Kies eerst een of meer teksten." in none.get_data(as_text=True)


@pytest.mark.parametrize("role", ["lezer", "ambassadeur"])
def test_only_beheerders_may_moderate(wijk_app, role):
    key = _group(wijk_app, "Een glijbaan").key
    client = wijk_app.test_client()
    client.login(role)
    assert client.get(PAGE).status_code == 403
    response = client.post_form(
        PAGE, {"action": "bulk", "group": [key], "status": "approved"}, page="/beheer/"
    )
    assert response.status_code == 403
    anonymous = wijk_app.test_client().post(PAGE, data={"key": key, "status": "approved"})
    assert anonymous.status_code in (302, 400)  # to the login page, or refused: no token
    assert _group(wijk_app, "Een glijbaan").status is None


def test_redaction_publishes_the_mark_and_never_the_name(wijk_app, admin):
    _add_texts(wijk_app, NAMED, NAMED)
    key = _group(wijk_app, NAMED).key
    response = admin.post_form(
        PAGE, {"key": key, "action": "redact", "part": "mevrouw jansen"}, follow_redirects=True
    )
    assert "Het deel is weggelaten; de tekst is goedgekeurd." in response.get_data(as_text=True)
    expected = f"{REDACTION_MARK} op nummer 4 heeft hulp nodig bij de speeltuin"
    assert _published(wijk_app).count(expected) == 2
    assert not any("Jansen" in t for t in _published(wijk_app))

    # A second part of the same text: the redactions add up.
    admin.post_form(PAGE, {"key": key, "action": "redact", "part": "op nummer 4"})
    assert f"{REDACTION_MARK} {REDACTION_MARK} heeft hulp nodig bij de speeltuin" in _published(
        wijk_app
    )

    # Only the redacted text is stored with the decision, not a copy of the original.
    village = wijk_app.extensions["vliegwiel"]
    records = village.storage.all(moderation_collection("wijkpeiling"))
    assert not any("Jansen" in str(r) for r in records)

    # The published page and a later identical text get the redaction too. (Publications
    # come in steps of k responses: two more make 25, so the redacted texts are in.)
    survey = village.surveys.get("wijkpeiling")
    for _ in range(2):
        save_response(village, survey, {"wijk": "zuid", "mening": "ja"})
    admin.post_form("/beheer/uitslag/wijkpeiling/publiceren", page="/beheer/uitslag/wijkpeiling")
    public = wijk_app.test_client().get("/uitslag/wijkpeiling").get_data(as_text=True)
    assert REDACTION_MARK in public and "Jansen" not in public
    _add_texts(wijk_app, NAMED)
    admin.post_form(PAGE, {"key": key, "status": "approved"})
    assert not any("Jansen" in t for t in _published(wijk_app))
    assert len(_published(wijk_app)) == 3


def test_a_part_not_in_the_text_is_refused_with_a_reason(wijk_app, admin):
    _add_texts(wijk_app, NAMED)
    key = _group(wijk_app, NAMED).key
    response = admin.post_form(
        PAGE, {"key": key, "action": "redact", "part": "meneer Pietersen"}, follow_redirects=True
    )
    assert "Dat deel staat niet in de tekst." in response.get_data(as_text=True)
    empty = admin.post_form(
        PAGE, {"key": key, "action": "redact", "part": "  "}, follow_redirects=True
    )
    assert "Typ of kopieer het deel van de tekst dat weg moet." in empty.get_data(as_text=True)
    assert _group(wijk_app, NAMED).status is None and NAMED not in _published(wijk_app)


def test_undoing_a_redaction_unpublishes_the_text_until_approved_again(wijk_app, admin):
    _add_texts(wijk_app, NAMED)
    key = _group(wijk_app, NAMED).key
    admin.post_form(PAGE, {"key": key, "action": "redact", "part": "Mevrouw Jansen"})
    admin.post_form(PAGE, {"key": key, "action": "restore"})
    group = _group(wijk_app, NAMED)
    assert group.status is None and group.redacted is None
    assert not any("nummer 4" in t for t in _published(wijk_app))
