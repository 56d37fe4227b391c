"""Publications: frozen snapshots, counted in steps of k, refused when too soon.

The attack these tests stop: save a results page, wait for one new response, save it
again and subtract. Every view outside the beheerders' must stay the same until at least
k responses more are counted.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from conftest import TEST_BASE_URL
from pdf_reading import pdf_text
from publishing import publish_survey
from results_data import fill_wijkpeiling, write_wijkpeiling

from vliegwiel.cli.main import main
from vliegwiel.surveys.responses import save_response

PUBLIC = "/uitslag/wijkpeiling"
ORGANISER = "/beheer/uitslag/wijkpeiling"


@pytest.fixture
def wijk_app(instance_dir, make_app):
    write_wijkpeiling(instance_dir)
    app = make_app()
    fill_wijkpeiling(app.extensions["vliegwiel"])  # 21 responses, k = 5
    return app


def _respond(app, n: int, wijk: str = "oost", mening: str = "ja") -> None:
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get("wijkpeiling")
    for _ in range(n):
        save_response(village, survey, {"wijk": wijk, "mening": mening})


def _beheerder(app):
    client = app.test_client()
    client.login("beheerder")
    return client


def _results_part(html: str) -> str:
    """The part of a page with numbers (after the heading; no CSRF tokens or flashes);
    chart element ids are random per drawing."""
    part = html[html.index("<h1>") : html.index("</main>")]
    part = re.sub(r'name="csrf_token"[^>]*>', "", part)
    return re.sub(r"chart-[0-9a-f-]{36}", "chart", part)


def test_public_page_exists_only_after_publishing(wijk_app) -> None:
    assert wijk_app.test_client().get(PUBLIC).status_code == 404
    assert wijk_app.test_client().get(PUBLIC + "/rapport.pdf").status_code == 404
    publish_survey(wijk_app, "wijkpeiling")
    page = wijk_app.test_client().get(PUBLIC).get_data(as_text=True)
    # 21 responses: the publication counts the first 20 (a step of k); the 21st waits.
    assert "20 inwoners vulden de enquête in." in page
    assert "publicatie 1" in page


def test_public_page_report_and_bundle_do_not_change_until_the_next_publication(
    wijk_app, tmp_path, instance_dir
) -> None:
    publish_survey(wijk_app, "wijkpeiling")
    anonymous = wijk_app.test_client()
    admin = _beheerder(wijk_app)
    page = anonymous.get(PUBLIC).get_data(as_text=True)
    pdf = anonymous.get(PUBLIC + "/rapport.pdf").data
    bundle = admin.get(ORGANISER + "/bundel.zip").data
    assert "Oostkant" in pdf_text(pdf)

    # One resident of Oost answers; then four more: still fewer than k since the last.
    _respond(wijk_app, 1)
    assert anonymous.get(PUBLIC).get_data(as_text=True) == page
    assert anonymous.get(PUBLIC + "/rapport.pdf").data == pdf
    assert admin.get(ORGANISER + "/bundel.zip").data == bundle
    _respond(wijk_app, 4)
    assert anonymous.get(PUBLIC).get_data(as_text=True) == page
    assert anonymous.get(PUBLIC + "/rapport.pdf").data == pdf
    assert admin.get(ORGANISER + "/bundel.zip").data == bundle
    output = tmp_path / "b.zip"
    result = CliRunner().invoke(
        main, ["share", "wijkpeiling", "-o", str(output), "--instance", str(instance_dir)]
    )
    assert result.exit_code == 0, result.output
    assert output.read_bytes() == bundle

    # 26 responses now: a second publication covers 25 and the page changes.
    publish_survey(wijk_app, "wijkpeiling")
    second = anonymous.get(PUBLIC).get_data(as_text=True)
    assert "25 inwoners vulden de enquête in." in second and "publicatie 2" in second
    assert admin.get(ORGANISER + "/bundel.zip").data != bundle


def test_a_second_publication_is_refused_with_fewer_than_k_new_responses(wijk_app) -> None:
    village = wijk_app.extensions["vliegwiel"]
    publish_survey(wijk_app, "wijkpeiling")
    admin = _beheerder(wijk_app)
    _respond(wijk_app, 3)  # 24 responses; the publication covers 20

    preview = admin.get(ORGANISER + "/publiceren").get_data(as_text=True)
    assert "er is nog 1 nieuw antwoord nodig" in preview
    assert "Deze uitslag openbaar maken" not in preview  # no button

    refused = admin.post_form(ORGANISER + "/publiceren", page=ORGANISER)
    assert refused.status_code == 302
    assert refused.headers["Location"].endswith("/publiceren")
    flashed = admin.get(refused.headers["Location"]).get_data(as_text=True)
    assert flashed.count("er is nog 1 nieuw antwoord nodig") == 2  # flash and notice
    assert len(village.storage.all("publication_index")) == 1

    _respond(wijk_app, 1)
    preview = admin.get(ORGANISER + "/publiceren").get_data(as_text=True)
    assert "Deze uitslag openbaar maken" in preview
    publish_survey(wijk_app, "wijkpeiling")
    assert len(village.storage.all("publication_index")) == 2


def test_preview_shows_the_difference_with_the_last_publication(wijk_app) -> None:
    publish_survey(wijk_app, "wijkpeiling")
    _respond(wijk_app, 4, wijk="noord", mening="nee")  # 25 responses: 5 more than published
    preview = _beheerder(wijk_app).get(ORGANISER + "/publiceren").get_data(as_text=True)
    changes = preview[preview.index('id="verschillen"') : preview.index('id="voorbeeld"')]
    # Nee was 6 of 20 (30%); becomes 11 of 25 (44%): the 21st response counts now too.
    cells = r"\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>"
    row = re.search(r"<td>Moet de speeltuin blijven\?</td><td>Nee</td>" + cells, changes)
    assert row and row.groups() == ("30%", "44%")


def test_lezer_pages_change_only_in_steps_of_k(wijk_app) -> None:
    lezer = wijk_app.test_client()
    lezer.login("lezer")
    pages = ["/beheer/uitslag/wijkpeiling", "/beheer/enquete/wijkpeiling"]
    before = [_results_part(lezer.get(url).get_data(as_text=True)) for url in pages]
    report = pdf_text(lezer.get(ORGANISER + "/rapport.pdf").data)
    for _ in range(3):  # 22, 23, 24 responses: the lezer still sees the first 20
        _respond(wijk_app, 1)
        assert [_results_part(lezer.get(url).get_data(as_text=True)) for url in pages] == before
    assert _strip_date(pdf_text(lezer.get(ORGANISER + "/rapport.pdf").data)) == _strip_date(report)
    _respond(wijk_app, 1)  # 25: a full step more
    assert _results_part(lezer.get(pages[0]).get_data(as_text=True)) != before[0]
    # The beheerder, who can read every answer anyway, sees all 25 at once.
    admin_page = _beheerder(wijk_app).get(ORGANISER).get_data(as_text=True)
    assert "25 antwoorden" in admin_page


def _strip_date(text: str) -> str:
    return re.sub(r"Rapport gemaakt op\n.*\n", "", text)


def test_withdrawn_results_leave_the_site_and_come_back_unchanged(wijk_app) -> None:
    publish_survey(wijk_app, "wijkpeiling")
    page = wijk_app.test_client().get(PUBLIC).get_data(as_text=True)
    admin = _beheerder(wijk_app)
    assert admin.post_form(ORGANISER + "/zichtbaar", page=ORGANISER).status_code == 302
    assert wijk_app.test_client().get(PUBLIC).status_code == 404
    _respond(wijk_app, 2)
    assert admin.post_form(ORGANISER + "/zichtbaar", page=ORGANISER).status_code == 302
    assert wijk_app.test_client().get(PUBLIC).get_data(as_text=True) == page


def test_share_without_a_publication_says_to_publish_first(wijk_app, instance_dir, tmp_path):
    result = CliRunner().invoke(
        main,
        ["share", "wijkpeiling", "-o", str(tmp_path / "b.zip"), "--instance", str(instance_dir)],
    )
    assert result.exit_code != 0
    assert "heeft nog geen publicatie; maak eerst de uitslag openbaar" in result.output
    assert not (tmp_path / "b.zip").exists()


# --- results back to residents --------------------------------------------------------------


def test_home_thanks_and_closed_survey_pages_link_to_the_results(wijk_app) -> None:
    resident = wijk_app.test_client()
    home = resident.get("/").get_data(as_text=True)
    assert "Er zijn nog geen uitslagen gepubliceerd." in home
    assert PUBLIC not in home
    thanks = resident.get("/enquete/wijkpeiling/bedankt").get_data(as_text=True)
    assert PUBLIC not in thanks and 'href="/#uitslagen"' in thanks

    publish_survey(wijk_app, "wijkpeiling")
    home = resident.get("/").get_data(as_text=True)
    uitslagen = home[home.index('id="uitslagen"') : home.index('id="kop-rondes"')]
    assert f'href="{PUBLIC}">Uitslag: Wijkpeiling</a>' in uitslagen
    assert "20 inwoners deden mee" in uitslagen
    thanks = resident.get("/enquete/wijkpeiling/bedankt").get_data(as_text=True)
    assert f'<a href="{PUBLIC}">Bekijk de uitslag tot nu toe</a>' in thanks

    # The organiser closes the survey; its old link now leads to the results.
    admin = _beheerder(wijk_app)
    admin.post_form(
        "/beheer/enquete/wijkpeiling/status",
        {"status": "closed"},
        page="/beheer/enquete/wijkpeiling",
    )
    closed = resident.get("/enquete/wijkpeiling")
    assert closed.status_code == 200
    body = closed.get_data(as_text=True)
    assert f'Deze enquête is gesloten; <a href="{PUBLIC}">bekijk de uitslag</a>' in body
    assert resident.get("/enquete/wijkpeiling/pagina/1").status_code == 404
    # Withdrawn results are not linked from anywhere.
    admin.post_form(ORGANISER + "/zichtbaar", page=ORGANISER)
    assert PUBLIC not in resident.get("/enquete/wijkpeiling").get_data(as_text=True)
    assert PUBLIC not in resident.get("/").get_data(as_text=True)
    assert resident.get("/enquete/bestaat-niet").status_code == 404


def test_atom_feed_lists_every_publication(wijk_app) -> None:
    import xml.etree.ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    empty = wijk_app.test_client().get("/uitslagen.atom")
    assert empty.mimetype == "application/atom+xml"
    assert ET.fromstring(empty.data).findall(f"{atom}entry") == []

    publish_survey(wijk_app, "wijkpeiling")
    _respond(wijk_app, 5)
    publish_survey(wijk_app, "wijkpeiling")
    feed = ET.fromstring(wijk_app.test_client().get("/uitslagen.atom").data)
    entries = feed.findall(f"{atom}entry")
    assert [e.find(f"{atom}title").text for e in entries] == [
        "Uitslag: Wijkpeiling (publicatie 2)",
        "Uitslag: Wijkpeiling",
    ]
    # The village's own address ([server] base_url), not the Host header of the request.
    assert entries[0].find(f"{atom}link").get("href") == TEST_BASE_URL + PUBLIC
    assert entries[0].find(f"{atom}summary").text == "25 inwoners deden mee."
    ids = [e.find(f"{atom}id").text for e in entries]
    assert len(set(ids)) == 2
