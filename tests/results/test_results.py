"""Results pages: charts, small-group protection (with the complementary case),
moderation of free texts, publishing, and who may download individual answers."""

from __future__ import annotations

import re

import pytest
from results_data import HOSTILE, UNAPPROVED, fill_wijkpeiling, write_wijkpeiling

from vliegwiel.results.tallies import APPROVED, compute_results, set_text_status, text_items
from vliegwiel.surveys.responses import responses_collection


@pytest.fixture
def wijk_app(instance_dir, make_app):
    write_wijkpeiling(instance_dir)
    app = make_app()
    village = app.extensions["vliegwiel"]
    fill_wijkpeiling(village)
    return app


def _row(html: str, label: str) -> list[str]:
    """The cells of the first table row whose header is ``label``."""
    match = re.search(rf"<th scope=\"row\">{label}</th>(.*?)</tr>", html, re.S)
    assert match, f"no row {label}"
    return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]


def _section(html: str, question_id: str) -> str:
    start = html.index(f'id="vraag-{question_id}"')
    end = html.find('<section class="result"', start)
    return html[start : end if end > 0 else len(html)]


def test_small_group_and_its_complement_are_hidden_on_the_page(wijk_app) -> None:
    client = wijk_app.test_client()
    client.login("beheerder")
    html = client.get("/beheer/uitslag/wijkpeiling").get_data(as_text=True)

    wijk = _section(html, "wijk")
    assert _row(wijk, "Noord")[0] == "10"
    # Oostkant (3) is too small; Zuid (8) would give it away: total 21 - 10 - 8 = 3.
    assert _row(wijk, "Oostkant")[0] == "verborgen"
    assert _row(wijk, "Zuid")[0] == "verborgen"


def test_breakdown_hides_the_complementary_cell_and_merges_hidden_groups(wijk_app) -> None:
    client = wijk_app.test_client()
    client.login("beheerder")
    html = client.get("/beheer/uitslag/wijkpeiling").get_data(as_text=True)
    mening = _section(html, "mening")
    breakdown = mening[mening.index("Uitgesplitst naar") :]

    # Noord: ja 7, nee 3, total 10. The 3 is hidden, so the 7 must be too.
    assert _row(breakdown, "Noord") == ["·", "·", "10"]
    # Zuid and Oostkant, whose sizes the wijk question hides, form one merged row.
    assert "Oostkant" not in breakdown and "Zuid" not in breakdown
    assert _row(breakdown, "Overige groepen \\(samengevoegd\\)")[-1] == "11"
    # The overall counts shown above the breakdown are the ones protected with it.
    assert _row(mening, "Ja")[:2] == ["14", "67%"]


def test_overall_counts_are_the_same_with_another_breakdown_chosen(wijk_app) -> None:
    village = wijk_app.extensions["vliegwiel"]
    survey = village.surveys.get("wijkpeiling")
    with wijk_app.test_request_context():
        plain = compute_results(village, survey)
        chosen = compute_results(village, survey, breakdown="mening")
    assert [q.counts for q in plain.questions] == [q.counts for q in chosen.questions]


def test_page_has_inline_svg_charts_without_scripts_or_urls(wijk_app) -> None:
    client = wijk_app.test_client()
    client.login("beheerder")
    html = client.get("/beheer/uitslag/wijkpeiling").get_data(as_text=True)
    chart = _section(html, "mening")
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in chart and 'role="img"' in chart
    assert "Ja: 66,7%" in chart  # the chart's description lists the percentage
    assert "<script" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    )


def _approve_hostile(app) -> None:
    client = app.test_client()
    client.login("beheerder")
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get("wijkpeiling")
    with app.test_request_context():
        items = text_items(village, survey, village.storage.all("responses/wijkpeiling"))
    (hostile,) = [i for i in items if i.text == HOSTILE]
    response = client.post_form(
        "/beheer/uitslag/wijkpeiling/teksten",
        {"key": hostile.key, "status": APPROVED},
    )
    assert response.status_code == 302


def test_only_approved_texts_are_published_and_they_are_escaped(wijk_app) -> None:
    _approve_hostile(wijk_app)
    admin = wijk_app.test_client()
    admin.login("beheerder")
    assert wijk_app.test_client().get("/uitslag/wijkpeiling").status_code == 404
    admin.post_form("/beheer/uitslag/wijkpeiling/publiceren", page="/beheer/uitslag/wijkpeiling")

    html = wijk_app.test_client().get("/uitslag/wijkpeiling").get_data(as_text=True)

    texts = re.search(r'<ul class="texts">(.*?)</ul>', html, re.S).group(1)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{7*7}} &lt;img" in texts
    assert "<script" not in html and "<img" not in html
    assert "Meer bankjes" not in texts  # approved texts only, and none was but the hostile one
    assert UNAPPROVED not in html
    assert _row(_section(html, "wijk"), "Zuid")[0] == "verborgen"


def test_moderation_page_is_for_beheerders_only(wijk_app) -> None:
    client = wijk_app.test_client()
    client.login("lezer")
    assert client.get("/beheer/uitslag/wijkpeiling/teksten").status_code == 403
    admin = wijk_app.test_client()
    admin.login("beheerder")
    page = admin.get("/beheer/uitslag/wijkpeiling/teksten").get_data(as_text=True)
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert UNAPPROVED in page


def test_moderation_refuses_an_unknown_key(wijk_app) -> None:
    client = wijk_app.test_client()
    client.login("beheerder")
    response = client.post_form(
        "/beheer/uitslag/wijkpeiling/teksten", {"key": "verzonnen-idee", "status": APPROVED}
    )
    assert response.status_code == 400


def test_individual_exports_are_for_beheerders_only(wijk_app) -> None:
    for role in ("lezer", "ambassadeur"):
        client = wijk_app.test_client()
        client.login(role)
        assert client.get("/beheer/uitslag/wijkpeiling/antwoorden.xlsx").status_code == 403
        assert client.get("/beheer/uitslag/wijkpeiling/bundel.zip").status_code == 403
    admin = wijk_app.test_client()
    admin.login("beheerder")
    response = admin.get("/beheer/uitslag/wijkpeiling/antwoorden.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_texts_of_a_small_question_stay_hidden_even_when_approved(instance_dir, make_app) -> None:
    write_wijkpeiling(instance_dir)
    app = make_app()
    village = app.extensions["vliegwiel"]
    from vliegwiel.surveys.responses import save_response

    survey = village.surveys.get("wijkpeiling")
    saved = save_response(village, survey, {"wijk": "noord", "idee": "Een bankje"})
    set_text_status(village.storage, survey.id, f"{saved['id']}-idee", APPROVED)
    with app.test_request_context():
        results = compute_results(village, survey, with_texts=True)
    idee = next(q for q in results.questions if q.question.id == "idee")
    assert idee.hidden and idee.texts == []


def test_an_answer_that_is_no_option_any_more_is_left_open_in_every_breakdown(wijk_app) -> None:
    # A stored answer whose option was removed from the survey file later (or came in
    # through an import) once made the joint protection count one cell twice: a 500.
    village = wijk_app.extensions["vliegwiel"]
    collection = responses_collection("wijkpeiling")
    for record in village.storage.all(collection)[:3]:
        village.storage.update(
            collection, record["id"], {"answers": {**record["answers"], "wijk": "west"}}
        )
    client = wijk_app.test_client()
    client.login("beheerder")
    for view in ("", "?uitsplitsing=wijk", "?uitsplitsing=mening"):
        response = client.get(f"/beheer/uitslag/wijkpeiling{view}")
        assert response.status_code == 200, view
        assert "west" not in response.get_data(as_text=True).lower()
