"""XLSForms in and out: real forms written by others (tests/data/README.md) come in through
`vliegwiel survey import`, every bundled survey goes out with `vliegwiel survey export` in a
form pyxform (and ODK Validate) accept, and comes back as the same survey."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from pyxform.xls2xform import convert

from vliegwiel.cli.main import main
from vliegwiel.core.plugins import create_plugin_manager
from vliegwiel.surveys.conditions import parse_condition
from vliegwiel.surveys.loader import collect_question_types, load_survey_file
from vliegwiel.surveys.xlsform_expressions import (
    ExpressionError,
    constraint_to_settings,
    relevant_to_show_if,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "xlsform"
MITWIRKEN = DATA / "mitwirken_umfrage.xlsx"
APPLICATION = DATA / "correlaid_project_application.xlsx"
BUNDLED = [
    ROOT / "surveys" / "dorpsenquete.yaml",
    ROOT / "plugins" / "vliegwiel_energie" / "surveys" / "energie.yaml",
    ROOT / "plugins" / "vliegwiel_eenzaamheid" / "surveys" / "eenzaamheid.yaml",
    ROOT / "plugins" / "vliegwiel_eenzaamheid" / "surveys" / "eenzaamheid_kort.yaml",
]


@pytest.fixture(scope="module")
def question_types():
    return collect_question_types(create_plugin_manager())


def run(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def shape(survey) -> dict:
    """What makes two surveys the same: every field, with each question's validated settings
    (so `min: 1` written out and left to its default are the same)."""
    data = survey.model_dump(mode="json", exclude={"pages"})
    data["pages"] = [
        {
            **page.model_dump(mode="json", exclude={"questions"}),
            "questions": [
                {
                    "id": q.id,
                    "type": q.type,
                    "text": q.text,
                    "help": q.help,
                    "required": q.required,
                    "show_if": q.show_if,
                    "settings": q.settings.model_dump(mode="json"),
                }
                for q in page.questions
            ],
        }
        for page in survey.pages
    ]
    return data


# --- out and back in --------------------------------------------------------------------------


@pytest.mark.parametrize("source", BUNDLED, ids=lambda p: p.stem)
def test_export_converts_with_pyxform_and_imports_as_the_same_survey(
    source, tmp_path, question_types
):
    form = tmp_path / "form.xlsx"
    result = run("survey", "export", source, "--format", "xlsform", "-o", form)
    assert result.exit_code == 0, result.output

    warnings: list[str] = []
    xform = convert(str(form), warnings=warnings).xform
    assert warnings == []
    assert "<h:title>" in xform

    back = tmp_path / "back.yaml"
    result = run("survey", "import", form, "-o", back)
    assert result.exit_code == 0, result.output
    assert run("check", back).exit_code == 0
    original = load_survey_file(source, question_types)
    assert shape(load_survey_file(back, question_types)) == shape(original)


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
def test_odk_validate_accepts_the_exported_village_survey(tmp_path, instance_dir):
    form = tmp_path / "dorpsenquete.xlsx"
    where = ("--instance", instance_dir)
    exported = run("survey", "export", "dorpsenquete", "--format", "xlsform", "-o", form, *where)
    assert exported.exit_code == 0
    warnings: list[str] = []
    convert(str(form), warnings=warnings, validate=True)  # raises on an ODK Validate error
    assert warnings == []


def test_export_writes_grids_scales_and_other_the_way_xlsform_does(tmp_path):
    form = tmp_path / "form.xlsx"
    assert run("survey", "export", BUNDLED[0], "--format", "xlsform", "-o", form).exit_code == 0
    rows = list(openpyxl.load_workbook(form)["survey"].iter_rows(values_only=True))
    header = rows[0]
    by_name = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    # A matrix is a table-list group of select_one rows on one list.
    assert by_name["voorzieningen_oordeel"]["type"] == "begin_group"
    assert by_name["voorzieningen_oordeel"]["appearance"] == "table-list"
    assert by_name["voorzieningen_oordeel_winkel"]["type"] == "select_one voorzieningen_oordeel"
    # A scale is a likert select_one; "other" is a choice plus a text shown when it is chosen.
    assert by_name["prettig_wonen"]["appearance"] == "likert"
    assert by_name["huishouden_other"]["relevant"] == "selected(${huishouden}, 'other')"
    assert by_name["woonduur"]["constraint"] == ". >= 0 and . <= 100"
    assert by_name["prettig_wonen"]["label::English (en)"].startswith("How pleasant")


def test_export_refuses_a_plugin_question_type_by_name(tmp_path):
    source = ROOT / "plugins" / "vliegwiel_bereikbaarheid" / "surveys" / "bereikbaarheid.yaml"
    form = tmp_path / "form.xlsx"
    result = run("survey", "export", source, "--format", "xlsform", "-o", form)
    assert result.exit_code == 1
    assert "question 'bestemmingen': type 'destination_grid' has no XLSForm form" in result.output
    assert not form.exists()


# --- real forms in ----------------------------------------------------------------------------


def test_a_real_civic_form_lists_what_does_not_map_and_writes_nothing(tmp_path):
    target = tmp_path / "mitwirken.yaml"
    result = run("survey", "import", MITWIRKEN, "-o", target)
    assert result.exit_code == 1
    assert not target.exists()
    assert result.stderr.splitlines()[:4] == [
        # The form asks for 'other' on a list without that choice: never true, in the form too.
        "mitwirken_umfrage.xlsx:survey:28: relevant 'selected(${teilhabe_gruppen}, 'other')' "
        "can never be true ('other' is not a choice of 'teilhabe_gruppen'); the question is "
        "asked always",
        "mitwirken_umfrage.xlsx:survey:54: constraint "
        "'regex(., '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$')': only a length like "
        "'string-length(.) <= 200' maps",
        "mitwirken_umfrage.xlsx:survey:57: note 'datenschutz_hinweis' between questions: "
        "vliegwiel shows text only as the introduction at the start of a page",
        "mitwirken_umfrage.xlsx:survey:59: group 'abschluss' holds no questions of its own "
        "that map; its title and notes are left out",
    ]
    assert "nothing written" in result.stderr


def test_a_real_civic_form_maps_relevant_other_and_groups(tmp_path, question_types):
    target = tmp_path / "mitwirken.yaml"
    result = run("survey", "import", MITWIRKEN, "-o", target, "--skip-unsupported")
    assert result.exit_code == 0, result.output
    assert "4 part(s) left out" in result.output
    assert run("check", target).exit_code == 0
    survey = load_survey_file(target, question_types)
    assert survey.id == "bedarfserhebung_mo_sachsen"
    assert survey.intro.startswith("**[Das Zusammenleben e.V.]")  # the welcome group
    q = {question.id: question for question in survey.questions()}
    assert len(q) == 31
    # "other" + a text row shown when it is selected: vliegwiel's own "other" answer.
    assert q["themenfelder"].settings.other is True
    assert "other" not in [o.value for o in q["themenfelder"].settings.options]
    assert "themenfelder_other" not in q
    assert q["zusammenarbeit_stadt"].required is True
    assert q["zusammenarbeit_verbesserung_text"].type == "long_text"  # appearance multiline
    assert q["zusammenarbeit_verbesserung_text"].show_if == {
        "question": "zusammenarbeit_stadt_einschaetzung",
        "in": ["schlecht", "eher_schlecht"],
    }
    assert q["gesetz_veraenderung_text"].show_if == {
        "all": [
            {"question": "wissen_gesetz", "equals": "ja"},
            {"question": "veraenderung_gesetz_art", "in": ["ja_haben", "ja_zusammenarbeit"]},
        ]
    }
    # The form's groups are pages, split where a question depends on one above it.
    pages = [p.id for p in survey.pages]
    assert pages[:3] == ["teil_allgemeine", "teil_zusammenarbeit", "teil_zusammenarbeit_2"]
    part_b = "Teil B – Zusammenarbeit mit Kommunen und Landkreisen"
    assert survey.pages[1].title == survey.pages[2].title == part_b
    assert [q.id for q in survey.pages[2].questions] == ["zusammenarbeit_stadt_einschaetzung"]


def test_a_bilingual_application_form_names_each_part_left_out(tmp_path, question_types):
    target = tmp_path / "application.yaml"
    result = run("survey", "import", APPLICATION, "-o", target, "--skip-unsupported")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    name = "correlaid_project_application.xlsx"
    for expected in (
        f"{name}:survey:1: column 'label::English (en)': vliegwiel keeps Dutch and English "
        "texts; this language is left out",
        f"{name}:survey:2: 'start' row 'start': not a question a resident answers; vliegwiel "
        "stores no device data or calculations",
        f"{name}:survey:12: 'calculate' row 'NO_TC_project-alpha': not a question a resident "
        "answers; vliegwiel stores no device data or calculations",
        f"{name}:survey:17: 'rating_technologies_tools_header' with appearance 'label' is the "
        "header of a grid, not a question",
        f"{name}:survey:65: 'consent_privacy_policy': options: List should have at least 2 "
        "items after validation, not 1",
    ):
        assert expected in lines
    assert run("check", target).exit_code == 0
    survey = load_survey_file(target, question_types)
    q = {question.id: question for question in survey.questions()}
    # XLSForm names with capitals and hyphens become vliegwiel ids; references follow.
    assert q["project_role_project_alpha"].show_if == {
        "question": "project_id",
        "contains": "project-alpha",
    }
    assert q["python"].show_if == {
        "question": "project_role_project_alpha",
        "contains": "role-data-analysis",
    }
    assert q["past_applications_details"].show_if == {
        "question": "past_applications",
        "equals": "not_successful",
    }
    assert q["motivation_skills"].type == "long_text" and q["motivation_skills"].required


def test_import_refuses_to_overwrite_and_a_file_that_is_no_workbook(tmp_path, instance_dir):
    where = ("--instance", instance_dir)
    existing = instance_dir / "surveys" / "dorpsenquete.yaml"
    before = existing.read_bytes()
    form = tmp_path / "dorp.xlsx"
    exported = run("survey", "export", "dorpsenquete", "--format", "xlsform", "-o", form, *where)
    assert exported.exit_code == 0
    result = run("survey", "import", form, *where)  # default target: surveys/<form_id>.yaml
    assert result.exit_code == 1 and "bestaat al; gebruik --force" in result.output
    assert existing.read_bytes() == before

    broken = tmp_path / "kapot.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    result = run("survey", "import", broken, *where)
    assert result.exit_code == 1
    assert "kapot.xlsx is geen XLSForm die vliegwiel kan lezen" in result.output
    assert sorted(p.name for p in (instance_dir / "surveys").iterdir()) == ["dorpsenquete.yaml"]


def test_a_label_that_looks_like_a_formula_stays_text(tmp_path, question_types):
    source = tmp_path / "formule.yaml"
    source.write_text(
        "id: formule\ntitle: Test\npages:\n  - id: p\n    questions:\n"
        "      - {id: q, type: short_text, text: '=HYPERLINK(\"http://x\")'}\n",
        encoding="utf-8",
    )
    form = tmp_path / "formule.xlsx"
    assert run("survey", "export", source, "--format", "xlsform", "-o", form).exit_code == 0
    sheet = openpyxl.load_workbook(form)["survey"]
    (row,) = [r for r in sheet.iter_rows() if r[1].value == "q"]
    assert row[2].data_type == "s" and row[2].value == '=HYPERLINK("http://x")'
    back = tmp_path / "back.yaml"
    assert run("survey", "import", form, "-o", back).exit_code == 0
    assert shape(load_survey_file(back, question_types)) == shape(
        load_survey_file(source, question_types)
    )


# --- expressions ------------------------------------------------------------------------------

KINDS = {"leeftijd": "integer", "vervoer": "multiple", "woont": "single", "naam": "text"}


@pytest.mark.parametrize(
    ("relevant", "show_if"),
    [
        ("${woont} = 'ja'", {"question": "woont", "equals": "ja"}),
        ("${woont} != 'ja'", {"question": "woont", "not_equals": "ja"}),
        ('selected(${vervoer}, "bus")', {"question": "vervoer", "contains": "bus"}),
        ("selected(${woont}, 'ja')", {"question": "woont", "equals": "ja"}),
        ("${leeftijd} >= 65", {"question": "leeftijd", "gte": 65}),
        ("65 <= ${leeftijd}", {"question": "leeftijd", "gte": 65}),
        ("${naam} != ''", {"question": "naam", "answered": True}),
        ("not(${woont} = 'ja')", {"not": {"question": "woont", "equals": "ja"}}),
        (
            "${woont} = 'ja' or ${woont} = 'soms'",
            {"question": "woont", "in": ["ja", "soms"]},
        ),
        (
            "(${woont} = 'ja' and ${leeftijd} <= 12) or selected(${vervoer}, 'fiets')",
            {
                "any": [
                    {
                        "all": [
                            {"question": "woont", "equals": "ja"},
                            {"question": "leeftijd", "lte": 12},
                        ]
                    },
                    {"question": "vervoer", "contains": "fiets"},
                ]
            },
        ),
    ],
)
def test_relevant_expressions_that_map(relevant, show_if):
    assert relevant_to_show_if(relevant, KINDS) == show_if


def test_a_strict_comparison_means_what_it_means_in_xlsform():
    # XLSForm: an empty answer makes `${leeftijd} > 65` false, as is 65 itself.
    condition = parse_condition(relevant_to_show_if("${leeftijd} > 65", KINDS))
    assert [condition.holds({"leeftijd": n}) for n in (64, 65, 66)] == [False, False, True]
    assert condition.holds({}) is False
    below = parse_condition(relevant_to_show_if("${leeftijd} < 18", KINDS))
    assert [below.holds({"leeftijd": n}) for n in (17, 18)] == [True, False]
    assert below.holds({}) is False


@pytest.mark.parametrize(
    ("relevant", "message"),
    [
        ("count-selected(${vervoer}) > 1", "the function count-selected() does not map"),
        ("${leeftijd} + 1 > 3", "cannot read '+ 1 > 3'"),
        ("${vervoer} = 'bus'", "use selected() instead"),
        ("${onbekend} = 'x'", "${onbekend} is not an earlier question"),
        ("${woont} = ${naam}", "does not compare a question with a value"),
        ("today() > '2020-01-01'", "the function today() does not map"),
        ("${leeftijd} > 'veel'", "needs a number"),
    ],
)
def test_relevant_expressions_that_are_refused(relevant, message):
    with pytest.raises(ExpressionError, match=re.escape(message)):
        relevant_to_show_if(relevant, KINDS)


@pytest.mark.parametrize(
    ("constraint", "kind", "settings"),
    [
        (". >= 0 and . <= 120", "integer", {"min": 0, "max": 120}),
        ("(. > 0) and (. < 100)", "integer", {"min": 1, "max": 99}),
        (". <= 2.5", "decimal", {"max": 2.5}),
        ("string-length(.) <= 50", "text", {"max_length": 50}),
        ("count-selected(.) <= 3", "multiple", {"max_choices": 3}),
    ],
)
def test_constraints_that_map(constraint, kind, settings):
    assert constraint_to_settings(constraint, kind) == settings


@pytest.mark.parametrize(
    ("constraint", "kind"),
    [
        (". > 0.5", "decimal"),
        ("regex(., '^[0-9]{4}$')", "text"),
        (". != 3", "integer"),
        (". >= ${other}", "integer"),
    ],
)
def test_constraints_that_are_refused(constraint, kind):
    with pytest.raises(ExpressionError):
        constraint_to_settings(constraint, kind)


def _workbook(path: Path, survey: list[list], choices: list[list], settings: list[list]) -> Path:
    book = openpyxl.Workbook()
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        sheet = book.active if title == "survey" else book.create_sheet(title)
        sheet.title = title
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_every_mapped_row_type_and_each_refusal_by_row(tmp_path, question_types):
    form = _workbook(
        tmp_path / "peiling.xlsx",
        [
            [
                "type",
                "name",
                "label::Dutch (nl)",
                "label::English (en)",
                "hint::Dutch (nl)",
                "relevant",
                "constraint",
                "appearance",
                "parameters",
                "default",
            ],
            ["begin group", "welkom", "Welkom", "Welcome"],
            ["note", "hallo", "Fijn dat u meedoet.", "Glad you join.", "Het duurt 5 minuten."],
            ["end group"],
            ["begin group", "over_u", "Over u", "About you", "Een hint op een groep"],
            ["integer", "Leeftijd", "Leeftijd?", "Age?", "", "", ". > 17 and . < 121"],
            ["decimal", "km", "Hoe ver?", "How far?", "", "", ". <= 2.5"],
            ["select_one vervoer or_other", "vervoer", "Hoe?", "How?"],
            ["range", "rapport", "Cijfer?", "Mark?", "", "", "", "", "start=1 end=10 step=1"],
            [
                "begin_group",
                "oordeel",
                "Wat vindt u van:",
                "What do you think of:",
                "",
                "${Leeftijd} >= 65",
                "",
                "table-list",
            ],
            ["select_one goed", "oordeel_bus", "De bus", "The bus"],
            ["select_one goed", "oordeel_winkel", "De winkel", "The shop"],
            ["end_group"],
            ["begin repeat", "kinderen", "Kinderen", "Children"],
            ["text", "naam_kind", "Naam?", "Name?"],
            ["end repeat"],
            ["note", "tussendoor", "Even pauze", "A break", "", "${km} > 1"],
            ["text", "toelichting", "Toelichting", "Explain", "", "${km} > 1", "", "", "", "niets"],
            ["date", "datum", "Datum?", "Date?"],
            ["end group"],
        ],  # fmt: skip
        [
            ["list_name", "name", "label::Dutch (nl)", "label::English (en)"],
            ["vervoer", "auto", "Auto", "Car"],
            ["vervoer", "fiets", "Fiets", "Bike"],
            ["goed", "goed", "Goed", "Good"],
            ["goed", "slecht", "Slecht", "Poor"],
        ],
        [["form_title", "form_id", "default_language"], ["Peiling", "peiling", "Dutch (nl)"]],
    )
    target = tmp_path / "peiling.yaml"
    result = run("survey", "import", form, "-o", target, "--skip-unsupported")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "peiling.xlsx:survey:5: column 'hint::Dutch (nl)' is not imported",
        "peiling.xlsx:survey:14: repeat 'kinderen': vliegwiel asks each question once; the "
        "repeat and the questions in it are left out",
        "peiling.xlsx:survey:17: note 'tussendoor' has a relevant; vliegwiel shows page "
        "introductions always, so the note is left out",
        "peiling.xlsx:survey:18: column 'default' is not imported",
        "peiling.xlsx:survey:19: 'datum': type 'date' has no vliegwiel question type",
    ]
    survey = load_survey_file(target, question_types)
    assert survey.intro == {
        "nl": "Fijn dat u meedoet.\n\nHet duurt 5 minuten.",
        "en": "Glad you join.\n\nHet duurt 5 minuten.",
    }
    q = {question.id: question for question in survey.questions()}
    assert q["leeftijd"].type == "number" and q["leeftijd"].settings.integer
    assert (q["leeftijd"].settings.min, q["leeftijd"].settings.max) == (18, 120)
    assert q["km"].settings.integer is False and q["km"].settings.max == 2.5
    assert q["vervoer"].settings.other is True
    assert q["vervoer"].text == {"nl": "Hoe?", "en": "How?"}
    assert (q["rapport"].type, q["rapport"].settings.max) == ("scale", 10)
    assert q["oordeel"].type == "matrix"
    assert [s.id for s in q["oordeel"].settings.statements] == ["bus", "winkel"]
    assert q["oordeel"].show_if == {"question": "leeftijd", "gte": 65}
    assert q["toelichting"].show_if == {
        "all": [{"question": "km", "answered": True}, {"not": {"question": "km", "lte": 1}}]
    }
    # "oordeel" depends on "leeftijd" above it: it and what follows go to a continuation
    # page with the same title ("toelichting" depends on "km", now an earlier page).
    assert [p.id for p in survey.pages] == ["over_u", "over_u_2"]
    assert [q.id for q in survey.pages[1].questions] == ["oordeel", "toelichting"]
    assert survey.pages[1].title == {"nl": "Over u", "en": "About you"}
