"""Stellingen as part of the whole village: the organiser menu, the analysis on the background
thread (never in a request), a chapter in a linked survey's PDF report and a section in its
share bundle, with the real app, real TinyDB files and real PDFs read back."""

from __future__ import annotations

import io
import json
import sys
import threading
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stellingen_villages import simulate  # noqa: E402
from vliegwiel_stellingen import conversations as conv  # noqa: E402
from vliegwiel_stellingen import results as res  # noqa: E402

from vliegwiel.plugin_support import PluginStore, wait_for_background  # noqa: E402

STATEMENTS = [f"Stelling {n} over het dorpsplein." for n in range(1, 13)]
SURVEY = "dorpsenquete"


def store_of(app) -> PluginStore:
    return PluginStore(app.extensions["vliegwiel"].storage, "stellingen")


@pytest.fixture
def conversation(app) -> str:
    return conv.create(store_of(app), "Het dorpsplein", STATEMENTS)


def add_votes(app, set_id: str, camps: list[int], seed: int, prefix: str) -> None:
    triples = [
        (f"{prefix}-{v.participant}", v.statement, v.value) for v in simulate(camps, seed=seed)
    ]
    conv.record_votes(store_of(app), set_id, triples, channel="papier", replace=True)


def analysed(app, organiser, set_id: str) -> str:
    """The organiser page once the analysis it asked for has run."""
    organiser.get(f"/beheer/stellingen/{set_id}")
    wait_for_background(app)
    return organiser.get(f"/beheer/stellingen/{set_id}").get_data(as_text=True)


def test_the_organiser_menu_links_to_the_stellingen(organiser):
    menu = organiser.get("/beheer/").get_data(as_text=True).split('class="organiser-nav"')[1]
    assert '<a href="/beheer/stellingen/">Stellingen</a>' in menu.split("</nav>")[0]


def test_the_analysis_runs_on_the_background_thread_and_the_page_shows_the_last_one(
    app, organiser, conversation, monkeypatch
):
    add_votes(app, conversation, [30, 30], seed=3, prefix="a")
    first = analysed(app, organiser, conversation)
    assert "Deelnemers: 60" in first and "wordt bijgewerkt" not in first
    assert "Berekend op" in first

    add_votes(app, conversation, [10, 10], seed=4, prefix="b")  # 20 more people vote
    release, started_on = threading.Event(), []
    real_analyse = res.analyse

    def slow_analyse(*args, **kwargs):
        started_on.append(threading.current_thread().name)
        release.wait(timeout=30)  # an analysis in the request would hold the page this long
        return real_analyse(*args, **kwargs)

    monkeypatch.setattr(res, "analyse", slow_analyse)
    try:
        page = organiser.get(f"/beheer/stellingen/{conversation}").get_data(as_text=True)
        # The request came back before the analysis finished: the last result, with a word.
        assert not release.is_set()
        assert "wordt bijgewerkt" in page and "Deelnemers: 60" in page
        # A flood of page views makes one analysis, not one each.
        for _ in range(5):
            organiser.get(f"/beheer/stellingen/{conversation}")
        resident = app.test_client().get(f"/stellingen/{conversation}/uitslag")
        assert "Deelnemers: 60" in resident.get_data(as_text=True)
    finally:
        release.set()
    wait_for_background(app)

    assert started_on == ["vliegwiel-background"]
    page = organiser.get(f"/beheer/stellingen/{conversation}").get_data(as_text=True)
    assert "Deelnemers: 80" in page and "wordt bijgewerkt" not in page
    resident = app.test_client().get(f"/stellingen/{conversation}/uitslag")
    assert "Deelnemers: 80" in resident.get_data(as_text=True)


def link_to_survey(organiser, set_id: str, survey_id: str):
    return organiser.post_form(
        f"/beheer/stellingen/{set_id}/enquete",
        {"enquete": survey_id},
        page=f"/beheer/stellingen/{set_id}",
    )


def test_an_unknown_survey_cannot_be_linked(app, organiser, conversation):
    assert link_to_survey(organiser, conversation, "bestaat-niet").status_code == 400
    assert conv.get(store_of(app), conversation).get("survey") is None
    resident = app.test_client()
    refused = resident.post(f"/beheer/stellingen/{conversation}/enquete", data={"enquete": SURVEY})
    assert refused.status_code in (302, 400, 403)  # never a beheerder: never linked
    assert conv.get(store_of(app), conversation).get("survey") is None


def test_the_survey_report_has_a_stellingen_chapter(app, organiser, conversation):
    from pdf_reading import pdf_text

    add_votes(app, conversation, [40, 35], seed=6, prefix="p")
    analysed(app, organiser, conversation)
    before = " ".join(pdf_text(organiser.get(f"/beheer/uitslag/{SURVEY}/rapport.pdf").data).split())
    assert "Het dorpsplein" not in before  # not linked yet: not in this survey's report

    assert link_to_survey(organiser, conversation, SURVEY).status_code == 302
    response = organiser.get(f"/beheer/uitslag/{SURVEY}/rapport.pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(pdf_text(response.data).split())
    assert "Stellingen: Het dorpsplein" in text
    assert "Waar het dorp het over eens is" in text and "Deelnemers: 75" in text
    assert "De stemmen vormen 2 groepen" in text
    assert "Stelling 1 over het dorpsplein." in text


def test_the_share_bundle_holds_the_stellingen_with_hidden_numbers_null(
    app, organiser, conversation
):
    from publishing import publish_survey

    from vliegwiel.results.publications import latest
    from vliegwiel.results.share import read_bundle

    # Eight people: the counts of most statements are under k = 5 and must stay hidden.
    triples = [(f"q{p}", n, 1 if (p + n) % 3 else -1) for p in range(8) for n in range(1, 13)]
    conv.record_votes(store_of(app), conversation, triples, channel="papier", replace=True)
    page = analysed(app, organiser, conversation)
    link_to_survey(organiser, conversation, SURVEY)
    publish_survey(app, SURVEY)
    village = app.extensions["vliegwiel"]
    data = latest(village.storage, SURVEY).bundle(village.storage)

    (section,) = read_bundle(data).results.sections
    shown = section.data
    assert section.plugin == "stellingen" and shown["title"] == "Het dorpsplein"
    assert shown["participants"] == 8 and len(shown["statements"]) == 12
    assert shown["groups"] is None and shown["groups_reason"].startswith("Nog geen groepen")
    counts = [row[key] for row in shown["statements"] for key in ("agree", "disagree", "pass")]
    assert None in counts  # the hidden numbers
    assert all(c is None or c == 0 or c >= 5 for c in counts)
    raw = zipfile.ZipFile(io.BytesIO(data)).read("summaries.json").decode()
    assert json.loads(raw)["sections"][0]["data"]["statements"][0].keys() == {
        "text", "agree", "disagree", "pass",
    }  # fmt: skip
    assert "null" in raw and '"q1"' not in raw  # no member list, no participant keys
    # The same numbers as the page residents read.
    first = shown["statements"][0]
    assert f"{first['agree'] if first['agree'] is not None else '–'}</td>" in page

    # A later analysis does not change what was published: the bundle is a snapshot.
    conv.record_votes(
        store_of(app), conversation, [("q99", 1, 1), ("q98", 1, 1)], channel="web", replace=False
    )
    analysed(app, organiser, conversation)
    again = latest(village.storage, SURVEY).bundle(village.storage)
    assert read_bundle(again).results.sections[0].data["participants"] == 8
