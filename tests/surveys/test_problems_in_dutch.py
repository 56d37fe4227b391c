"""Survey problems as an organiser reads them: in line order, in Dutch on a Dutch instance or
page (FILE:LINE kept), and a hint for the common YAML mistake of an unquoted 's."""

from __future__ import annotations

from click.testing import CliRunner
from test_editor import KORT, NEW, post_editor

from vliegwiel.cli.main import main

# An unknown question type (found late, by the question types), then a page id used twice
# further down (found first, by the structure check); and a field pydantic does not know.
BROKEN = (
    KORT.replace("type: single_choice", "type: keuzelijst")
    .replace("  - id: twee", "  - id: een")
    .replace("        type: long_text", "        type: long_text\n        kleur: rood")
)
APOSTROPHE = KORT.replace("{value: nee, label: Nee}", "{value: avond, label: 's Avonds}")


def _line(text: str, part: str, nth: int = 1) -> int:
    return [n for n, line in enumerate(text.splitlines(), 1) if part in line][nth - 1]


TYPE, PAGE, EXTRA = (
    _line(BROKEN, "keuzelijst"),
    _line(BROKEN, "- id: een", 2),
    _line(BROKEN, "kleur"),
)


def _check(path, *args: str):
    return CliRunner().invoke(main, ["check", str(path), *args])


def test_check_prints_problems_in_line_order_in_english_outside_an_instance(tmp_path) -> None:
    survey = tmp_path / "kort.yaml"
    survey.write_text(BROKEN, encoding="utf-8")
    result = _check(survey, "--instance", str(tmp_path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    # The page found first by the structure check comes after the type found later.
    assert [int(line.split(":")[1]) for line in lines] == [TYPE, PAGE, EXTRA]
    assert lines[0].startswith(f"{survey}:{TYPE}: question 'komt': unknown type 'keuzelijst'")
    assert lines[1] == f"{survey}:{PAGE}: page id 'een' is used twice"


def test_check_speaks_dutch_on_a_dutch_instance(instance_dir) -> None:
    survey = instance_dir / "surveys" / "kort.yaml"
    survey.write_text(BROKEN, encoding="utf-8")
    result = _check(survey, "--instance", str(instance_dir))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{survey}:{TYPE}: vraag 'komt': onbekend vraagtype 'keuzelijst'")
    assert lines[1:] == [
        f"{survey}:{PAGE}: pagina-id 'een' komt twee keer voor",
        f"{survey}:{EXTRA}: vraag 'helpen': 'kleur' is geen instelling van type 'long_text'",
    ]
    # The common pydantic messages: an unknown field, a missing one, a wrong type.
    survey.write_text(
        KORT.replace("title: Buurtfeest", "title: Buurtfeest\nkleur: rood")
        .replace("        text: Waarmee wilt u helpen?\n", "")
        .replace("    title: Het feest", "    title: [Het, feest]"),
        encoding="utf-8",
    )
    assert _check(survey, "--instance", str(instance_dir)).output.splitlines() == [
        f"{survey}:3: 'kleur' is geen bekend veld (een tikfout of een verkeerde inspringing?)",
        f"{survey}:6: pages.0.title: hier hoort een tekst, of een tekst per taal zoals "
        "{nl: ..., en: ...}",
        f"{survey}:17: 'pages.1.questions.0.text' ontbreekt; dit veld is verplicht",
    ]


def test_an_unquoted_apostrophe_s_gets_a_hint_at_its_own_line(tmp_path, instance_dir) -> None:
    survey = tmp_path / "avond.yaml"
    survey.write_text(APOSTROPHE, encoding="utf-8")
    line = next(n for n, text in enumerate(APOSTROPHE.splitlines(), 1) if "'s Avonds" in text)
    english = _check(survey, "--instance", str(tmp_path)).output
    assert english.strip() == (
        f"{survey}:{line}: not valid YAML: a text starts with 's (as in 's Avonds): put the "
        'whole text in double quotes, like "\'s Avonds"'
    )
    dutch = _check(survey, "--instance", str(instance_dir)).output
    assert dutch.strip() == (
        f"{survey}:{line}: een tekst begint met 's (zoals 's Avonds): zet de hele tekst tussen "
        'dubbele aanhalingstekens, zoals "\'s Avonds"'
    )
    # Quoted, the same text is fine.
    survey.write_text(APOSTROPHE.replace("'s Avonds", '"\'s Avonds"'), encoding="utf-8")
    assert _check(survey, "--instance", str(tmp_path)).exit_code == 0


def test_the_editor_shows_problems_in_the_interface_language(client) -> None:
    client.login("beheerder")
    dutch = post_editor(client, NEW, BROKEN, "check").get_data(as_text=True)
    message = (
        "vraag &#39;helpen&#39;: &#39;kleur&#39; is geen instelling van type &#39;long_text&#39;"
    )
    assert f"nieuw.yaml:{EXTRA}: {message}" in dutch
    assert f"Regel {EXTRA}: {message}" in dutch
    assert "is not a setting" not in dutch

    client.get("/?taal=en")
    english = post_editor(client, NEW, BROKEN, "check").get_data(as_text=True)
    assert (
        f"nieuw.yaml:{EXTRA}: question &#39;helpen&#39;: kleur: &#39;kleur&#39; is not a setting"
        in english
    )
