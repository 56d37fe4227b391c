"""Real questionnaire shapes (issue 19): the keys that let a municipal questionnaire keep its
meaning, answered through the real forms and stored in real TinyDB files."""

from __future__ import annotations

import csv
import io
import textwrap
from pathlib import Path

from click.testing import CliRunner
from conftest import write_survey

from vliegwiel.cli.main import main
from vliegwiel.surveys.export import export_codebook, export_csv

# --- bug: `contains` ignored "Anders, namelijk" --------------------------------------------

VERVOER = """\
id: vervoer
title: Vervoer
pages:
  - id: hoe
    questions:
      - id: vervoer
        type: multiple_choice
        text: Hoe reist u naar uw werk?
        options: [bus, auto, fiets]
        other: true
  - id: bus
    questions:
      - id: bus_tevreden
        type: yes_no
        text: Bent u tevreden over de bus?
        show_if: {question: vervoer, contains: bus}
      - id: waarom_geen_bus
        type: short_text
        text: Waarom neemt u de bus niet?
        show_if: {not: {question: vervoer, contains: bus}}
"""


def _draft(village) -> dict:
    (only,) = village.storage.all("drafts")
    return only["answers"]


def test_contains_sees_a_ticked_option_when_anders_is_ticked_too(instance_dir, client, village):
    write_survey(instance_dir, VERVOER, "vervoer.yaml")
    response = client.post_form(
        "/enquete/vervoer/pagina/1",
        {"vervoer": ["bus", "__other__"], "vervoer__other": "trein"},
    )
    assert response.headers["Location"].endswith("/enquete/vervoer/pagina/2")
    assert _draft(village)["vervoer"] == {"values": ["bus", "__other__"], "other": "trein"}
    page = client.get("/enquete/vervoer/pagina/2").get_data(as_text=True)
    # The bus user gets the bus question, not the one for people who do not take the bus.
    assert "Bent u tevreden over de bus?" in page
    assert "Waarom neemt u de bus niet?" not in page


# --- bug: `vliegwiel check` accepted conditions that can never be true ---------------------

NEVER_TRUE = """\
id: nooit
title: Nooit waar
pages:
  - id: een
    questions:
      - id: contact
        type: single_choice
        text: Heeft u contact gehad met de gemeente?
        options:
          - {value: "1", label: ja}
          - {value: "2", label: nee}
      - id: buurt
        type: matrix
        text: In hoeverre bent u het eens met de volgende uitspraken?
        statements:
          - {id: thuis, text: Ik voel me thuis in deze buurt}
        options: [eens, oneens]
  - id: twee
    questions:
      - id: onderwerp
        type: short_text
        text: Waarover?
        show_if: {question: contact, equals: nee}
      - id: verhuizen
        type: yes_no
        text: Wilt u verhuizen?
        show_if: {question: buurt, equals: oneens}
      - id: thuis_waarom
        type: short_text
        text: Waarom voelt u zich niet thuis?
        show_if: {question: buurt, statement: thuis, equals: helemaal oneens}
      - id: goed
        type: short_text
        text: Wat is er goed?
        show_if: {question: buurt, statement: thuis, equals: eens}
"""


def test_check_refuses_conditions_that_can_never_be_true(tmp_path: Path):
    path = tmp_path / "nooit.yaml"
    path.write_text(NEVER_TRUE, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        f"{path}:23: question 'onderwerp': show_if: 'nee' is never an answer to 'contact', "
        "so this condition can never be true (its answers are: 1, 2)",
        f"{path}:27: question 'verhuizen': show_if: 'buurt' is a grid; name one of its "
        "statements with `statement:` (thuis)",
        f"{path}:31: question 'thuis_waarom': show_if: 'helemaal oneens' is never an answer "
        "to 'buurt', so this condition can never be true (its answers are: eens, oneens)",
    ]


def test_check_refuses_an_unknown_statement_and_a_statement_on_a_plain_question(tmp_path):
    text = NEVER_TRUE.replace("statement: thuis, equals: eens", "statement: weg, equals: eens")
    text = text.replace(
        "{question: contact, equals: nee}", "{question: contact, statement: x, equals: '1'}"
    )
    path = tmp_path / "nooit.yaml"
    path.write_text(text, encoding="utf-8")
    output = CliRunner().invoke(main, ["check", str(path)]).output
    assert f"{path}:23: question 'onderwerp': show_if: 'contact' is not a grid" in output
    assert f"{path}:35: question 'goed': show_if: 'buurt' has no statement 'weg' (thuis)" in output


# --- new keys, answered through the forms ------------------------------------------------

FORMAT = """\
id: vorm
title: "Leven in {dorp}, gemeente {gemeente}"
pages:
  - id: een
    title: Uw buurt
    questions:
      - id: cijfer
        type: scale
        text: Hoe prettig vindt u het om in {dorp} te wonen?
        min: 1
        max: 10
        labels: {1: zeer onprettig, 10: zeer prettig}
        opt_out:
          - {value: "11", label: weet niet / geen mening}
      - id: uitleg
        type: note
        text: De volgende vragen gaan over verenigingen in {gemeente}.
      - id: vereniging
        type: multiple_choice
        text: In welke verenigingen bent u actief?
        options:
          - sportvereniging
          - muziekvereniging
          - {other: true, label: "anders, namelijk"}
          - {value: geen, label: ik ben niet actief in een vereniging, exclusive: true}
      - id: hulp
        type: matrix
        text: Wie helpt u als dat nodig is?
        multiple: true
        statements:
          - {id: boodschappen, text: Boodschappen doen}
          - {id: vervoer, text: Vervoer}
        options:
          - {value: nee, label: nee, exclusive: true}
          - {value: familie, label: "ja, familie"}
          - {value: buren, label: "ja, buurtbewoners"}
  - id: twee
    questions:
      - id: vrijwilliger
        type: matrix
        text: Hoe vaak heeft u zich ingezet?
        statements:
          - {id: mantelzorg, text: Mantelzorg}
          - {id: vrijwilligerswerk, text: Vrijwilligerswerk}
        options: [vaak, af en toe, nooit]
      - id: reden
        type: short_text
        text: Waarom doet u geen vrijwilligerswerk?
        show_if:
          not: {question: vrijwilliger, statement: vrijwilligerswerk, in: [vaak, af en toe]}
      - id: doorgaan
        type: yes_no
        text: Wilt u nog meer vragen beantwoorden?
        end_if: {question: doorgaan, equals: nee}
      - id: na_einde
        type: short_text
        text: Wat wilt u nog kwijt?
  - id: drie
    questions:
      - {id: laatste, type: short_text, text: "Nog een opmerking?"}
"""


def _setup(instance_dir: Path) -> None:
    config = instance_dir / "vliegwiel.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("[village]\n", '[village]\nmunicipality = "Het Hogeland"\n', 1),
        encoding="utf-8",
    )
    write_survey(instance_dir, FORMAT, "vorm.yaml")


def test_new_keys_load_and_pass_check(tmp_path: Path):
    path = tmp_path / "vorm.yaml"
    path.write_text(FORMAT, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 pages, 8 questions" in result.output  # the note is not a question


def test_a_scale_opt_out_is_counted_and_kept_out_of_the_mean(make_app, instance_dir):
    _setup(instance_dir)
    app = make_app()
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get("vorm")
    scale = village.question_types["scale"]
    question = survey.question("cijfer")
    tally = scale.tally(question, [8, 6, "11", "11", None])
    assert tally.respondents == 4
    assert tally.counts()["11"] == 2 and tally.counts()["8"] == 1
    # Two residents who do not know are counted, but the mean is that of 8 and 6.
    assert tally.stats["mean"] == 7 and tally.stats["median"] == 7
    column = scale.export_columns(question)[0]
    assert ("11", "weet niet / geen mening") in column.codes and column.missing == ("11",)


def test_placeholders_note_and_opt_out_on_the_page(make_app, instance_dir):
    _setup(instance_dir)
    client = make_app().test_client()
    page = client.get("/enquete/vorm/pagina/1").get_data(as_text=True)
    assert "Leven in Testdorp, gemeente Het Hogeland" in page
    assert "Hoe prettig vindt u het om in Testdorp te wonen?" in page
    assert "De volgende vragen gaan over verenigingen in Het Hogeland." in page
    assert 'value="11"' in page and "weet niet / geen mening" in page
    # "anders, namelijk" sits where the questionnaire puts it: before "niet actief".
    assert page.index("anders, namelijk") < page.index("ik ben niet actief in een vereniging")


def test_exclusive_option_is_refused_in_combination_with_a_dutch_reason(make_app, instance_dir):
    _setup(instance_dir)
    from conftest import VillageClient

    app = make_app()
    app.test_client_class = VillageClient
    client = app.test_client()
    response = client.post_form(
        "/enquete/vorm/pagina/1", {"cijfer": "11", "vereniging": ["sportvereniging", "geen"]}
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "U kunt „ik ben niet actief in een vereniging” niet combineren" in body
    response = client.post_form(
        "/enquete/vorm/pagina/1",
        {
            "cijfer": "11",
            "vereniging": ["muziekvereniging", "__other__"],
            "vereniging__other": "toneel",
            "hulp__boodschappen": ["nee", "buren"],
        },
    )
    assert response.status_code == 400
    assert "U kunt „nee” niet combineren" in response.get_data(as_text=True)


def test_grid_with_several_ticks_routing_on_a_statement_and_end_if(make_app, instance_dir):
    _setup(instance_dir)
    from conftest import VillageClient

    app = make_app()
    app.test_client_class = VillageClient
    village = app.extensions["vliegwiel"]
    client = app.test_client()
    response = client.post_form(
        "/enquete/vorm/pagina/1",
        {
            "cijfer": "7",
            "vereniging": ["geen"],
            "hulp__boodschappen": ["familie", "buren"],
            "hulp__vervoer": ["nee"],
        },
    )
    assert response.status_code == 302
    assert _draft(village)["hulp"] == {"boodschappen": ["familie", "buren"], "vervoer": ["nee"]}
    page = client.get("/enquete/vorm/pagina/2").get_data(as_text=True)
    # Same-page conditions: without JavaScript the hint says when to answer.
    assert "Alleen invullen als u bij vraag 4, „Vrijwilligerswerk”, iets anders dan" in page
    assert "data-reveal=" in page and "reveal.js" in page
    # A volunteer answers "reden" anyway and says "nee" to going on: the server drops the
    # answer that does not apply and ends the survey: the review page comes next.
    response = client.post_form(
        "/enquete/vorm/pagina/2",
        {
            "vrijwilliger__mantelzorg": "nooit",
            "vrijwilliger__vrijwilligerswerk": "vaak",
            "reden": "geen tijd",
            "doorgaan": "nee",
            "na_einde": "iets",
        },
    )
    assert response.headers["Location"].endswith("/enquete/vorm/controle")
    answers = _draft(village)
    assert "reden" not in answers and "na_einde" not in answers and answers["doorgaan"] == "nee"
    review = client.get("/enquete/vorm/controle").get_data(as_text=True)
    assert "Nog een opmerking?" not in review and "De volgende vragen gaan over" not in review
    client.post_form("/enquete/vorm/controle", {})
    (record,) = village.storage.all("responses/vorm")
    assert record["answers"]["cijfer"] == 7 and "laatste" not in record["answers"]
    with app.app_context():
        rows = list(
            csv.DictReader(io.StringIO(export_csv(village, village.surveys.get("vorm"), [record])))
        )
        codebook = export_codebook(village, village.surveys.get("vorm"))
    (row,) = rows
    assert row["hulp__boodschappen__familie"] == "1" and row["hulp__vervoer__buren"] == "0"
    assert "uitleg" not in row  # a note has no column
    # The codebook gives the paper form's question numbers (the note has none).
    numbers = {r["column"]: r["number"] for r in csv.DictReader(io.StringIO(codebook))}
    assert numbers["cijfer"] == "1" and numbers["vereniging__geen"] == "2"
    assert numbers["vrijwilliger__mantelzorg"] == "4"


def test_answering_yes_goes_on_past_the_end_if(make_app, instance_dir):
    _setup(instance_dir)
    from conftest import VillageClient

    app = make_app()
    app.test_client_class = VillageClient
    client = app.test_client()
    client.post_form("/enquete/vorm/pagina/1", {"cijfer": "7"})
    response = client.post_form(
        "/enquete/vorm/pagina/2",
        {"vrijwilliger__vrijwilligerswerk": "nooit", "reden": "geen tijd", "doorgaan": "ja"},
    )
    assert response.headers["Location"].endswith("/enquete/vorm/pagina/3")
    answers = _draft(app.extensions["vliegwiel"])
    assert answers["reden"] == "geen tijd"


#: The version hashes of the bundled survey files before the format grew (main at ff5be78).
#: The eenzaamheid template has since gained an age question (a new version, on purpose): its
#: file as it was is kept in tests/data/survey_versions.
VERSIONS_BEFORE = {
    "surveys/dorpsenquete.yaml": "c345047b1224",
    "plugins/vliegwiel_energie/surveys/energie.yaml": "63122b45f136",
    "tests/data/survey_versions/eenzaamheid-before-age.yaml": "ffaacc510aa0",
    "plugins/vliegwiel_bereikbaarheid/surveys/bereikbaarheid.yaml": "89913096eca6",
}


def test_existing_survey_files_keep_their_version():
    # Every response stores the version of its definition; an upgrade that changed the hash of
    # an unchanged file would make every earlier response look like an older questionnaire.
    from vliegwiel.core.plugins import create_plugin_manager
    from vliegwiel.surveys.loader import collect_question_types, load_survey_file

    types = collect_question_types(create_plugin_manager(None))
    root = Path(__file__).parents[2]
    for name, version in VERSIONS_BEFORE.items():
        assert load_survey_file(root / name, types).version == version, name


def test_condition_messages_keep_their_line(tmp_path):
    text = textwrap.dedent("""\
        id: t
        title: T
        pages:
          - id: p
            questions:
              - {id: a, type: yes_no, text: Een}
              - id: b
                type: yes_no
                text: Twee
                end_if: {question: a, is: ja}
        """)
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    output = CliRunner().invoke(main, ["check", str(path)]).output
    assert output.startswith(f"{path}:10: ") and "end_if needs exactly one of" in output
