"""Honest numbers on the real pages, report and JSON: margins of error, who answered compared
with who lives there, and optional weighting (issue 16)."""

from __future__ import annotations

import html
import io
import json
import re

import pytest
from click.testing import CliRunner
from conftest import csrf_token
from pdf_reading import pdf_text
from publishing import publish_survey
from results_data import fill_wijkpeiling, write_wijkpeiling
from statsmodels.stats.proportion import proportion_confint

from vliegwiel.cli.main import main
from vliegwiel.surveys.responses import save_response


def _configure(instance_dir, **settings: str) -> None:
    path = instance_dir / "vliegwiel.toml"
    text = path.read_text(encoding="utf-8")
    for old, new in settings.items():
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def wijk_app(instance_dir, make_app):
    write_wijkpeiling(instance_dir)
    _configure(instance_dir, **{"# households = 350": "households = 84"})
    app = make_app()
    fill_wijkpeiling(app.extensions["vliegwiel"])  # 21 responses: Noord 10, Zuid 8, Oost 3
    return app


def _text(response_or_html) -> str:
    """What a reader sees: tags dropped, entities resolved, white space collapsed."""
    raw = response_or_html
    if not isinstance(raw, str):
        raw = raw.get_data(as_text=True)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw)))


def _expected(count: int, n: int, households: int) -> str:
    """The margin as the page writes it, from statsmodels (effective n for the correction)."""
    n_eff = n * (households - 1) / (households - n)
    low, high = proportion_confint(count * n_eff / n, n_eff, method="wilson")
    return f"tussen {round(100 * low)}% en {round(100 * high)}%"


def test_organiser_page_shows_margins_only_for_published_counts(wijk_app):
    client = wijk_app.test_client()
    client.login("beheerder")
    raw = client.get("/beheer/uitslag/wijkpeiling").get_data(as_text=True)
    page = _text(raw)
    # Noord: 10 of 21 answers from 84 households: 32%-68% (statsmodels, corrected)
    assert _expected(10, 21, 84) in page
    # mening: ja 14 of 21
    assert _expected(14, 21, 84) in page
    assert "Foutmarge" in page and "Wat betekent de foutmarge?" in page
    # Zuid and Oost are hidden (Oost 3 < k, Zuid to protect it): no margin for them, so the
    # margin cannot be turned back into their counts
    wijk = _text(raw[raw.index('id="vraag-wijk"') : raw.index('id="vraag-mening"')])
    assert wijk.count("tussen ") == 1
    assert re.search(r"Zuid verborgen – –", wijk) and re.search(r"Oostkant verborgen – –", wijk)


def test_the_explanation_page_is_public_and_plain(wijk_app):
    page = wijk_app.test_client().get("/uitleg/foutmarge")
    assert page.status_code == 200
    text = _text(page)
    assert "tussen 31% en 45%" in text and "95% zekerheid" in text
    assert "afspiegeling" in text


def test_json_of_a_publication_holds_intervals(wijk_app, instance_dir):
    publish_survey(wijk_app, "wijkpeiling")
    result = CliRunner().invoke(
        main, ["results", "wijkpeiling", "--published", "--json", "--instance", str(instance_dir)]
    )
    data = json.loads(result.output)
    assert data["households"] == 84
    wijk = next(q for q in data["questions"] if q["id"] == "wijk")
    noord, zuid, oost = wijk["answers"]
    # the publication counts in steps of k: 20 responses, Noord 10
    n_eff = 20 * 83 / 64
    low, high = proportion_confint(10 * n_eff / 20, n_eff, method="wilson")
    assert noord["interval"] == [round(100 * low, 1), round(100 * high, 1)]
    assert zuid["interval"] is None and oost["interval"] is None
    # and the public page (the stored publication) shows them
    public = _text(wijk_app.test_client().get("/uitslag/wijkpeiling"))
    assert f"tussen {round(100 * low)}% en {round(100 * high)}%" in public


def test_report_has_margins_and_the_methods_note(wijk_app):
    client = wijk_app.test_client()
    client.login("beheerder")
    pdf = client.get("/beheer/uitslag/wijkpeiling/rapport.pdf")
    assert pdf.status_code == 200
    text = re.sub(r"\s+", " ", pdf_text(pdf.data))
    assert _expected(10, 21, 84) in text
    assert "Zie de werkwijze achterin" in text
    assert "met 95% zekerheid binnen die grenzen" in text
    assert "bij toeval gekozen" in text and "zelf of ze meedoen" in text
    assert "84 huishoudens" in text
    assert "niet gewogen" in text


def _save_population(client, figures: dict[str, str]):
    return client.post_form("/beheer/uitslag/wijkpeiling/bevolking", {"action": "save", **figures})


def test_population_entered_shows_who_answered_and_flags_a_group(wijk_app):
    client = wijk_app.test_client()
    client.login("beheerder")
    saved = _save_population(
        client, {"m-wijk-noord": "40", "m-wijk-zuid": "30", "m-wijk-oost": "30"}
    )
    assert saved.status_code == 302
    page = _text(client.get("/beheer/uitslag/wijkpeiling"))
    assert "Wie antwoordde, vergeleken met wie er woont" in page
    table = page[page.index("Wie antwoordde") : page.index("Gemarkeerd als te weinig")]
    # Noord: 10 of 21 answers (48%) from 40% of the village: enough. Zuid and Oost hidden.
    assert re.search(r"Noord 10 48% 40% ", table)
    assert re.search(r"Oostkant verborgen – 30%", table) and "te weinig)" not in table
    # the form keeps the figures
    form = client.get("/beheer/uitslag/wijkpeiling/bevolking").get_data(as_text=True)
    assert 'value="40"' in form


def test_under_represented_group_is_flagged(instance_dir, make_app):
    write_wijkpeiling(instance_dir)
    app = make_app()
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get("wijkpeiling")
    for wijk, n in (("noord", 20), ("zuid", 5), ("oost", 5)):
        for _ in range(n):
            save_response(village, survey, {"wijk": wijk, "mening": "ja"})
    client = app.test_client()
    client.login("beheerder")
    _save_population(client, {"m-wijk-noord": "100", "m-wijk-zuid": "150", "m-wijk-oost": "50"})
    page = _text(client.get("/beheer/uitslag/wijkpeiling"))
    # Zuid: 5 of 30 answers (17%) but half the village: under-represented (ratio .33 < 1/1.5)
    assert re.search(r"Zuid \(te weinig\) 5 17% 50%", page)
    assert re.search(r"Oostkant 5 17% 17%", page)


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ({"m-wijk-noord": "40", "m-wijk-zuid": "", "m-wijk-oost": "30"}, "heel getal"),
        ({"m-wijk-noord": "veel", "m-wijk-zuid": "3", "m-wijk-oost": "30"}, "heel getal"),
        ({"m-wijk-noord": "-4", "m-wijk-zuid": "3", "m-wijk-oost": "30"}, "heel getal"),
        ({"m-wijk-noord": "0", "m-wijk-zuid": "0", "m-wijk-oost": "0"}, "alle getallen 0"),
    ],
)
def test_bad_population_figures_are_refused_and_nothing_is_saved(wijk_app, figures, message):
    client = wijk_app.test_client()
    client.login("beheerder")
    response = _save_population(client, figures)
    assert response.status_code == 400
    assert message in _text(response)
    assert wijk_app.extensions["vliegwiel"].storage.all("population") == []


def test_only_a_beheerder_enters_population_figures(wijk_app):
    anonymous = wijk_app.test_client().get("/beheer/uitslag/wijkpeiling/bevolking")
    assert anonymous.status_code in (302, 401, 403)
    lezer = wijk_app.test_client()
    lezer.login("lezer")
    assert lezer.get("/beheer/uitslag/wijkpeiling/bevolking").status_code == 403
    # no CSRF token: refused
    beheerder = wijk_app.test_client()
    beheerder.login("beheerder")
    posted = beheerder.post(
        "/beheer/uitslag/wijkpeiling/bevolking",
        data={"action": "save", "m-wijk-noord": "1", "m-wijk-zuid": "1", "m-wijk-oost": "1"},
    )
    assert posted.status_code == 400
    assert wijk_app.extensions["vliegwiel"].storage.all("population") == []


def test_a_cbs_file_is_shown_to_copy_from(wijk_app):
    client = wijk_app.test_client()
    client.login("beheerder")
    csv = b"WijkenEnBuurten;AantalInwoners_5;k_65JaarOfOuder_12\nNoord;410;95\nZuid;300;80\n"
    page = client.get("/beheer/uitslag/wijkpeiling/bevolking").get_data(as_text=True)
    shown = client.post(
        "/beheer/uitslag/wijkpeiling/bevolking",
        data={
            "action": "csv",
            "csrf_token": csrf_token(page),
            "cbs": (io.BytesIO(csv), "kerncijfers.csv"),
        },
        content_type="multipart/form-data",
    )
    text = _text(shown)
    assert shown.status_code == 200
    assert re.search(r"Noord 410 – – – – – – 95", text)
    bad = client.post(
        "/beheer/uitslag/wijkpeiling/bevolking",
        data={
            "action": "csv",
            "csrf_token": csrf_token(page),
            "cbs": (io.BytesIO(b"<html>"), "x.csv"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "geen CSV met CBS Kerncijfers" in _text(bad)


def test_population_command_imports_a_cbs_csv(wijk_app, instance_dir, tmp_path):
    csv = tmp_path / "kerncijfers.csv"
    csv.write_text(
        "WijkenEnBuurten;AantalInwoners_5;k_65JaarOfOuder_12\n"
        "Noord;410;95\nZuid;300;80\nOostkant;90;30\n",
        encoding="utf-8",
    )
    base = ["population", "wijkpeiling", "wijk", str(csv), "--instance", str(instance_dir)]
    listed = CliRunner().invoke(main, base)
    assert listed.exit_code == 0 and "Rows: Noord, Zuid, Oostkant" in listed.output
    done = CliRunner().invoke(
        main, [*base, "--map", "noord=Noord", "--map", "zuid=Zuid", "--map", "oost=Oostkant"]
    )
    assert done.exit_code == 0, done.output
    record = wijk_app.extensions["vliegwiel"].storage.get("population", "wijkpeiling")
    assert record["margins"] == {"wijk": {"noord": 410, "zuid": 300, "oost": 90}}
    wrong = CliRunner().invoke(main, [*base, "--map", "noord=Westkant"])
    assert wrong.exit_code != 0 and "neither a CBS group" in wrong.output


def _weighting_app(instance_dir, make_app, method: str):
    write_wijkpeiling(instance_dir)
    _configure(instance_dir, **{'weighting = "off"': f'weighting = "{method}"'})
    app = make_app()
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get("wijkpeiling")
    # Noord 15 (10 ja, 5 nee), Zuid 5 (all ja): every cell 0 or at least k
    for wijk, mening, n in (("noord", "ja", 10), ("noord", "nee", 5), ("zuid", "ja", 5)):
        for _ in range(n):
            save_response(village, survey, {"wijk": wijk, "mening": mening})
    return app


def test_weighting_when_switched_on(instance_dir, make_app):
    app = _weighting_app(instance_dir, make_app, "poststratify")
    client = app.test_client()
    client.login("beheerder")
    # without population figures nothing is weighted, and the note says why
    assert "geen bevolkingscijfers ingevoerd" in _text(client.get("/beheer/uitslag/wijkpeiling"))
    _save_population(client, {"m-wijk-noord": "100", "m-wijk-zuid": "100", "m-wijk-oost": "0"})
    page = _text(client.get("/beheer/uitslag/wijkpeiling"))
    # Hand-worked: weights Noord .5/.75 = .667, Zuid .5/.25 = 2; weighted ja
    # (.667·10 + 2·5)/20 = 83%, unweighted 75%. Design effect 20·(15·.444 + 5·4)/20² = 1.33,
    # so the 20 answers count as 15.
    assert "Gewogen" in page
    mening = page[page.index("Moet de speeltuin blijven?") :]
    assert re.search(r"Ja 15 75% tussen \d+% en \d+% 83%", mening)
    assert "tellen de 20 antwoorden als 15 (designeffect 1,33)" in page
    data = json.loads(
        CliRunner()
        .invoke(main, ["results", "wijkpeiling", "--json", "--instance", str(instance_dir)])
        .output
    )
    assert data["weighting"]["applied"] and data["weighting"]["design_effect"] == 1.33
    ja = next(q for q in data["questions"] if q["id"] == "mening")["answers"][0]
    assert ja["weighted"]["percent"] == 83.3
    # the report says plainly that figures are weighted, and shows them
    pdf = client.get("/beheer/uitslag/wijkpeiling/rapport.pdf")
    report = re.sub(r"\s+", " ", pdf_text(pdf.data))
    assert "Naast de gewone percentages staan gewogen percentages" in report
    assert "Gewogen" in report and "83%" in report
    # the weighted margin uses 15 effective answers: wider than the unweighted one's 20
    w_low, w_high = ja["weighted"]["interval"]
    low, high = ja["interval"]
    assert w_high - w_low > high - low


def test_weighting_refused_when_a_group_is_below_k(instance_dir, make_app):
    write_wijkpeiling(instance_dir)
    _configure(instance_dir, **{'weighting = "off"': 'weighting = "rake"'})
    app = make_app()
    fill_wijkpeiling(app.extensions["vliegwiel"])  # Oost has 3 respondents, k = 5
    client = app.test_client()
    client.login("beheerder")
    _save_population(client, {"m-wijk-noord": "40", "m-wijk-zuid": "30", "m-wijk-oost": "30"})
    page = _text(client.get("/beheer/uitslag/wijkpeiling"))
    assert "Er is niet gewogen: een groep heeft minder dan 5 antwoorden" in page
    assert "Gewogen" not in page.replace("gewogen", "")
