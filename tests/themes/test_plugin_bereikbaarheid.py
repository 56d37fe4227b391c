"""The bereikbaarheid plugin: risk of transport poverty and the destination_grid type."""

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from flask_babel import Babel
from werkzeug.datastructures import MultiDict
from wtforms import Form

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))

import vliegwiel_bereikbaarheid as plugin  # noqa: E402
from vliegwiel_bereikbaarheid import indicators as ind  # noqa: E402

from vliegwiel.core.plugins import create_plugin_manager  # noqa: E402
from vliegwiel.surveys.loader import (  # noqa: E402
    SurveyError,
    collect_question_types,  # noqa: E402
    load_survey_file,
    load_survey_text,
)
from vliegwiel.surveys.question_types import AnswerError  # noqa: E402


@pytest.fixture(scope="module")
def types():
    return collect_question_types(create_plugin_manager(allow=[], extra=[plugin]))


@pytest.fixture(scope="module")
def survey(types):
    (path,) = plugin.vliegwiel_survey_templates()
    return load_survey_file(path, types)


@pytest.fixture()
def app():
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_LOCALE"] = "nl"  # as vliegwiel.web.i18n sets it
    Babel(app)
    with app.test_request_context():
        yield app


def grid(survey):
    return survey.question("bestemmingen")


def test_template_loads_and_registers_the_grid_type(types, survey):
    assert types["destination_grid"].name == "destination_grid"
    ids = [d.id for d in grid(survey).settings.destinations]
    assert ids == ["supermarkt", "huisarts", "school", "werk"]
    assert [m.value for m in grid(survey).settings.modes][-1] == "niet"


def test_loader_reports_bad_grid_settings(types):
    text = """
id: t
title: T
pages:
  - id: p
    questions:
      - id: g
        type: destination_grid
        text: Hoe?
        destinations: [{id: a, label: A}, {id: a, label: B}]
        colour: red
"""
    with pytest.raises(SurveyError) as error:
        load_survey_text(text, "t.yaml", types)
    assert "colour" in str(error.value)


# --- indicators ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ({"mode": "fiets", "minutes": 15}, 0),
        ({"mode": "fiets", "minutes": 16}, 1),
        ({"mode": "bus", "minutes": 30}, 1),
        ({"mode": "bus", "minutes": 31}, 2),
        ({"mode": "niet"}, 2),
        ({"mode": "auto"}, None),
        (None, None),
    ],
)
def test_destination_score_boundaries(cell, expected):
    assert ind.score_destination(cell) == expected


@pytest.mark.parametrize(
    ("mean", "band"),
    [
        (0.0, "zeer_laag"),
        (0.49, "zeer_laag"),
        (0.5, "laag"),
        (0.99, "laag"),
        (1.0, "hoog"),
        (1.49, "hoog"),
        (1.5, "zeer_hoog"),
        (2.0, "zeer_hoog"),
    ],
)
def test_band_boundaries_follow_cbs_pbl(mean, band):
    assert ind.band(mean) == band


def test_household_risk_hand_computed():
    answers = {
        "auto": "nee",
        "rijbewijs": "ja",  # vehicle 1
        "afstand_bushalte": "1_3km",  # 2
        "bestemmingen": {
            "supermarkt": {"mode": "fiets", "minutes": 20},  # 1
            "huisarts": {"mode": "niet"},  # 2
        },
        "ritten_niet_gemaakt": "soms",  # 1
    }
    r = ind.risk(answers)
    assert r.scores == {"voertuig": 1, "bushalte": 2, "supermarkt": 1, "huisarts": 2, "ritten": 1}
    assert (r.mean, r.band) == (1.4, "hoog")


def test_too_few_answers_leave_the_household_unscored():
    r = ind.risk({"auto": "ja", "rijbewijs": "ja", "ritten_niet_gemaakt": "nooit"})
    assert r.mean is None and r.band is None


def test_indicators_hook(survey):
    got = plugin.vliegwiel_response_indicators(
        survey=survey,
        answers={
            "auto": "ja",
            "rijbewijs": "ja",
            "afstand_bushalte": "tot_500m",
            "ritten_niet_gemaakt": "nooit",
        },
    )
    assert got["bereikbaarheid.risico_score"] == 0.0
    assert got["bereikbaarheid.risico"] == "zeer_laag"
    assert (
        plugin.vliegwiel_response_indicators(survey=SimpleNamespace(theme="x"), answers={}) is None
    )


# --- destination_grid -----------------------------------------------------------------------


def _form(qtype, question, data):
    form_class = type("F", (Form,), qtype.fields(question))
    return form_class(MultiDict(data))


def test_grid_reads_a_submitted_form(app, types, survey):
    qtype, question = types["destination_grid"], grid(survey)
    form = _form(
        qtype,
        question,
        {
            "bestemmingen__supermarkt__mode": "fiets",
            "bestemmingen__supermarkt__minutes": "12",
            "bestemmingen__huisarts__mode": "niet",
        },
    )
    answer = qtype.read(question, form)
    assert answer == {"supermarkt": {"mode": "fiets", "minutes": 12}, "huisarts": {"mode": "niet"}}
    again = _form(qtype, question, qtype.form_data(question, answer))
    assert qtype.read(question, again) == answer


@pytest.mark.parametrize(
    "answer",
    [
        {"supermarkt": {"minutes": 10}},  # no mode
        {"supermarkt": {"mode": "paard"}},  # unknown mode
        {"supermarkt": {"mode": "fiets", "minutes": "tien"}},
        {"supermarkt": {"mode": "fiets", "minutes": 241}},
        {"supermarkt": {"mode": "niet", "minutes": 5}},
        {"bakker": {"mode": "fiets"}},
    ],
)
def test_grid_rejects_bad_answers(app, types, survey, answer):
    with pytest.raises(AnswerError):
        types["destination_grid"].validate(grid(survey), answer)


def test_grid_renders_accessible_table_without_javascript(app, types, survey):
    qtype, question = types["destination_grid"], grid(survey)
    html = str(qtype.render(question, _form(qtype, question, {})))
    assert "<script" not in html
    assert "<legend>Hoe komt u meestal" in html
    assert 'aria-labelledby="bestemmingen__r-huisarts bestemmingen__h-mode"' in html
    assert '<th scope="row" id="bestemmingen__r-huisarts">Huisarts</th>' in html
    assert html.count("<select") == 4


def test_grid_tally_and_export(app, types, survey):
    qtype, question = types["destination_grid"], grid(survey)
    answers = [
        {"supermarkt": {"mode": "fiets", "minutes": 10}},
        {"supermarkt": {"mode": "fiets", "minutes": 20}, "werk": {"mode": "auto", "minutes": 30}},
    ]
    tally = qtype.tally(question, answers)
    assert tally.respondents == 2
    assert tally.parts["supermarkt"].counts()["fiets"] == 2
    assert tally.parts["supermarkt"].stats["mean"] == 15
    assert tally.parts["huisarts"].respondents == 0
    headers = [c.key for c in qtype.export_columns(question)]
    assert headers[:2] == ["bestemmingen__supermarkt__mode", "bestemmingen__supermarkt__minutes"]
    assert qtype.export_cells(question, answers[1])[:2] == ["fiets", 20]
    assert qtype.export_cells(question, answers[1])[6:] == ["auto", 30]


# --- summary --------------------------------------------------------------------------------


def _household(car, stop, trips, volunteer="nee"):
    return {
        "answers": {
            "auto": car,
            "rijbewijs": car,
            "afstand_bushalte": stop,
            "ritten_niet_gemaakt": trips,
            "vrijwilliger_rijden": volunteer,
        }
    }


def test_summary_hides_small_groups(survey):
    # 7 with very low risk (0,0,0), 2 with very high risk (2,2,2): 2 < k is hidden, and
    # so must a second band be.
    responses = [_household("ja", "tot_500m", "nooit", "ja")] * 7
    responses += [_household("nee", "verder", "vaak")] * 2
    summary = plugin.vliegwiel_survey_summary(survey=survey, responses=responses, k=5)
    values = {f.label: f.value for f in summary.findings}
    assert values["zeer hoog risico"] is None
    assert values["zeer laag risico"] is None  # complementary: 9 - 7 would give it away
    assert values["Wil vrijwillig rijden"] is None  # 7 "ja" and 2 "nee": 9 - 7 gives the 2
    responses += [_household("nee", "verder", "vaak")] * 3
    summary = plugin.vliegwiel_survey_summary(survey=survey, responses=responses, k=5)
    values = {f.label: f.value for f in summary.findings}
    assert values["zeer hoog risico"] == "42%"  # 5 of 12
    assert values["Wil vrijwillig rijden"] == "7"
    assert values["Blijft soms of vaak thuis door gebrek aan vervoer"] == "42%"


@pytest.mark.parametrize(
    ("language", "mean", "band"),
    [
        ("nl", "0,83", "gemiddelde score 0,5 tot 1,0"),
        ("en", "0.83", "gemiddelde score 0.5 tot 1.0"),
    ],
)
def test_summary_numbers_follow_the_page_language(survey, language, mean, band):
    # 7 at score 0 and 5 at score 2: a mean of 10/12. An English page writes 0.83, a Dutch
    # one 0,83 (it used to be 0,83 on both, and the bands 0.5 on both).
    page = Flask(__name__)
    page.config["BABEL_DEFAULT_LOCALE"] = language
    Babel(page)
    responses = [_household("ja", "tot_500m", "nooit", "ja")] * 7
    responses += [_household("nee", "verder", "vaak")] * 5
    with page.test_request_context():
        summary = plugin.vliegwiel_survey_summary(survey=survey, responses=responses, k=5)
    values = {f.label: f.value for f in summary.findings}
    notes = {f.label: f.note for f in summary.findings}
    assert values["Gemiddelde risicoscore"] == mean
    assert notes["laag risico"] == band
