"""Survey definitions: valid files load, broken ones say FILE:LINE: message with the right line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from vliegwiel.cli.main import main
from vliegwiel.core.plugins import create_plugin_manager
from vliegwiel.core.resources import bundled_surveys_dir
from vliegwiel.surveys.loader import (
    SurveyError,
    collect_question_types,
    load_survey_file,
    load_survey_text,
)

QUESTION_TYPES = collect_question_types(create_plugin_manager(None))

#: One question of every built-in type, each written the way a volunteer would.
ALL_TYPES = """\
id: alles
title: Alle soorten vragen
pages:
  - id: een
    title: {nl: "Eén", en: "One"}
    questions:
      - id: keuze
        type: single_choice
        text: Kies er een
        options: [Ja, Nee, Misschien]
        other: true
      - id: meer
        type: multiple_choice
        text: {nl: "Kies er meer", en: "Choose more"}
        max_choices: 2
        options:
          - {value: a, label: A}
          - {value: b, label: {nl: "B", en: "Bee"}}
          - {value: c, label: C}
      - id: schaal
        type: scale
        text: Hoe tevreden?
        min: 0
        max: 10
        labels: {0: niets, 10: heel erg}
      - id: getal
        type: number
        text: Hoeveel?
        min: 0
        max: 12.5
        integer: false
        unit: {nl: kilo, en: kilos}
      - id: kort
        type: short_text
        text: Naam van de straat
        max_length: 40
      - id: lang
        type: long_text
        text: Uw idee
      - id: janee
        type: yes_no
        text: Woont u hier?
        help: Vul ja of nee in.
      - id: tabel
        type: matrix
        text: Wat vindt u van
        statements:
          - {id: bus, text: De bus}
          - {id: winkel, text: {nl: De winkel, en: The shop}}
        options: [goed, slecht]
      - id: volgorde
        type: ranking
        text: Zet in volgorde
        options: [x, y, z]
"""


def load(text: str):
    return load_survey_text(textwrap.dedent(text), "s.yaml", QUESTION_TYPES)


def problems(text: str) -> list[str]:
    with pytest.raises(SurveyError) as caught:
        load(text)
    return [str(p) for p in caught.value.problems]


def test_every_builtin_type_loads_with_its_settings():
    survey = load(ALL_TYPES)
    types = {q.id: q.type for q in survey.questions()}
    assert set(types.values()) == {
        "single_choice",
        "multiple_choice",
        "scale",
        "number",
        "short_text",
        "long_text",
        "yes_no",
        "matrix",
        "ranking",
    }
    keuze = survey.question("keuze")
    # A plain-string option means value and label are the same text.
    assert [(o.value, o.label) for o in keuze.settings.options][0] == ("Ja", "Ja")
    assert keuze.settings.other is True
    assert survey.question("meer").settings.max_choices == 2
    assert survey.question("schaal").settings.labels == {0: "niets", 10: "heel erg"}
    assert survey.question("getal").settings.max == 12.5
    assert survey.question("getal").settings.integer is False
    assert survey.question("kort").settings.max_length == 40
    assert survey.question("lang").settings.max_length == 2000  # the default
    assert [s.id for s in survey.question("tabel").settings.statements] == ["bus", "winkel"]
    assert survey.anonymous is True and survey.access == "open"


def test_version_changes_when_the_definition_changes():
    first = load(ALL_TYPES).version
    assert first == load(ALL_TYPES).version
    assert len(first) == 12
    assert load(ALL_TYPES.replace("Hoeveel?", "Hoeveel kilo?")).version != first


def test_texts_as_plain_string_or_translated():
    survey = load(ALL_TYPES)
    assert survey.title == "Alle soorten vragen"
    assert survey.pages[0].title == {"nl": "Eén", "en": "One"}


def test_translated_text_without_dutch_is_refused_on_its_line():
    text = ALL_TYPES.replace('title: {nl: "Eén", en: "One"}', 'title: {en: "One"}')
    assert problems(text) == [
        "s.yaml:5: pages.0.title: a translated text needs at least a Dutch text under 'nl'"
    ]


def test_unknown_language_is_refused():
    text = ALL_TYPES.replace("text: Hoeveel?", 'text: {nl: "Hoeveel?", de: "Wieviel?"}')
    (line,) = problems(text)
    assert line.startswith("s.yaml:28: ") and "unknown language" in line and "'de'" in line


def test_unquoted_question_mark_inside_flow_mapping_is_a_yaml_error_on_its_line():
    text = ALL_TYPES.replace("text: Hoeveel?", "text: {nl: Hoeveel?, en: How many?}")
    assert problems(text) == ["s.yaml:28: not valid YAML: expected ',' or '}', but got '?'"]


def test_unknown_type_names_the_line_of_type():
    text = ALL_TYPES.replace("type: long_text", "type: lange_tekst")
    (line,) = problems(text)
    assert line.startswith("s.yaml:38: question 'lang': unknown type 'lange_tekst'")
    assert "long_text" in line  # the known types are listed as a hint


def test_unknown_setting_key_names_its_line():
    text = ALL_TYPES.replace("max_length: 40", "maxlength: 40")
    assert problems(text) == [
        "s.yaml:36: question 'kort': maxlength: 'maxlength' is not a setting of type 'short_text'"
    ]


def test_missing_options_is_refused():
    text = """\
    id: t
    title: T
    pages:
      - id: p
        questions:
          - id: q
            type: single_choice
            text: Kies
    """
    (line,) = problems(text)
    assert line.startswith("s.yaml:6: question 'q': options:")
    assert "required" in line.lower()


def test_duplicate_question_ids_point_at_the_second_one():
    text = """\
    id: t
    title: T
    pages:
      - id: p
        questions:
          - {id: q, type: yes_no, text: Een}
      - id: r
        questions:
          - {id: q, type: yes_no, text: Twee}
    """
    assert problems(text) == ["s.yaml:9: question id 'q' is used twice"]


def test_duplicate_yaml_key_is_refused():
    text = """\
    id: t
    title: T
    title: U
    pages: []
    """
    assert problems(text) == ["s.yaml:3: key 'title' appears twice"]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("later", "which is not an earlier question"),
        ("self", "which is not an earlier question"),
    ],
)
def test_show_if_may_only_use_earlier_questions(where, message):
    ref = {"later": "z", "self": "b"}[where]
    text = f"""\
    id: t
    title: T
    pages:
      - id: p
        questions:
          - {{id: a, type: yes_no, text: Een}}
          - id: b
            type: yes_no
            text: Twee
            show_if: {{question: {ref}, equals: ja}}
      - id: later
        questions:
          - {{id: z, type: yes_no, text: Drie}}
    """
    (line,) = problems(text)
    assert line.startswith(f"s.yaml:10: question 'b': show_if refers to '{ref}'")
    assert message in line


def test_show_if_on_an_earlier_page_loads_and_bad_operator_is_refused():
    text = """\
    id: t
    title: T
    pages:
      - id: p
        questions:
          - {id: a, type: yes_no, text: Een}
      - id: q
        questions:
          - id: b
            type: yes_no
            text: Twee
            show_if: {any: [{question: a, equals: ja}, {not: {question: a, answered: true}}]}
    """
    survey = load(text)
    assert survey.question("b").condition.questions() == {"a"}
    (line,) = problems(text.replace("equals: ja}, {not", "is: ja}, {not"))
    assert line.startswith("s.yaml:12: pages.1.questions.0.show_if: show_if needs exactly one of")


def test_bad_yaml_gives_the_line_of_the_mistake():
    text = """\
    id: t
    title: T
    pages:
      - id: p
        questions:
          - id: q
            text: "Onafgesloten
            type: yes_no
    """
    (line,) = problems(text)
    assert line.startswith("s.yaml:") and "not valid YAML" in line
    assert int(line.split(":")[1]) in (7, 8, 9)


def test_unquoted_colon_inside_flow_mapping_is_reported_as_yaml_error():
    # The most common volunteer mistake: a text with ": " inside {nl: ..., en: ...}.
    text = """\
    id: t
    title: T
    pages:
      - id: p
        questions:
          - id: q
            type: yes_no
            text: {nl: Let op: dit is lastig, en: Careful}
    """
    (line,) = problems(text)
    assert line.startswith("s.yaml:8: not valid YAML")


def test_aliases_are_refused():
    text = """\
    id: t
    title: &naam T
    intro: *naam
    pages: []
    """
    (line,) = problems(text)
    assert line == "s.yaml:3: not valid YAML: anchors and aliases (*name) are not allowed"


def test_very_deep_nesting_is_refused():
    text = "id: t\ntitle: T\nintro: " + "[" * 100_000 + "]" * 100_000 + "\n"
    (line,) = problems(text)
    assert line.startswith("s.yaml:") and "nested too deeply" in line


def test_a_2_mb_file_is_refused(tmp_path: Path):
    path = tmp_path / "groot.yaml"
    path.write_text(ALL_TYPES + "# " + "x" * (2 * 1024 * 1024) + "\n", encoding="utf-8")
    with pytest.raises(SurveyError) as caught:
        load_survey_file(path, QUESTION_TYPES)
    (problem,) = caught.value.problems
    assert problem.file == str(path) and problem.line == 1
    assert "larger than" in problem.message


def test_not_a_mapping_and_empty_file_are_refused():
    assert problems("- een\n- twee\n") == [
        "s.yaml:1: a survey file must be a mapping (id:, title:, ...)"
    ]
    assert problems("# alleen commentaar\n") == ["s.yaml:1: the file is empty"]


def test_bad_scale_bounds_and_labels():
    text = ALL_TYPES.replace("labels: {0: niets, 10: heel erg}", "labels: {0: niets, 11: te ver}")
    # Checks that span several settings point at the question itself.
    (line,) = problems(text)
    assert line == "s.yaml:20: question 'schaal': label for 11 is outside 0-10"
    (line,) = problems(ALL_TYPES.replace("max: 10", "max: 11"))
    assert line.startswith("s.yaml:24: question 'schaal': max:")


# --- vliegwiel check ----------------------------------------------------------------------------


def test_check_exits_0_on_the_example_survey():
    example = bundled_surveys_dir() / "dorpsenquete.yaml"
    result = CliRunner().invoke(main, ["check", str(example)])
    assert result.exit_code == 0, result.output
    assert "ok (dorpsenquete" in result.output


def test_check_exits_1_and_prints_every_problem(tmp_path: Path):
    good = tmp_path / "goed.yaml"
    good.write_text(ALL_TYPES, encoding="utf-8")
    bad = tmp_path / "fout.yaml"
    bad.write_text(
        ALL_TYPES.replace("type: long_text", "type: lange_tekst").replace(
            "max_length: 40", "maxlength: 40"
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["check", str(good), str(bad)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{bad}:36: question 'kort'")
    assert lines[1].startswith(f"{bad}:38: question 'lang': unknown type 'lange_tekst'")
    assert "Traceback" not in result.output
