"""The stellingen plugin as residents and organisers meet it: the real ``vliegwiel`` command,
the real app with real TinyDB files, votes one statement at a time, moderation, protection."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stellingen_villages import simulate  # noqa: E402
from vliegwiel_stellingen import conversations as conv  # noqa: E402
from vliegwiel_stellingen import results as res  # noqa: E402

from vliegwiel.cli.main import main  # noqa: E402
from vliegwiel.plugin_support import PluginStore, wait_for_background  # noqa: E402

STATEMENTS = [
    "Het dorpshuis moet ook op zondag open.",
    "Er moet een bankje bij de bushalte komen.",
    "De kermis mag langer duren.",
    "Auto's rijden te hard door de Dorpsstraat.",
    "Het dorp heeft een eigen zonnepark nodig.",
    "De bibliotheekbus moet blijven komen.",
    "Er zijn genoeg speelplekken voor kinderen.",
    "Nieuwe huizen alleen voor jongeren uit het dorp.",
    "Het plein moet autovrij worden.",
    "Er moet een AED bij de kerk hangen.",
    "De glasbak moet naar de rand van het dorp.",
    "De dorpskrant moet ook online verschijnen.",
]
VOTE_WORDS = {1: "eens", -1: "oneens", 0: "overslaan"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, instance: Path, *args: str):
    return runner.invoke(main, ["stellingen", *args, "--instance", str(instance)])


@pytest.fixture
def statements_file(tmp_path: Path) -> Path:
    path = tmp_path / "stellingen.txt"
    path.write_text("\n".join(STATEMENTS[:6]) + "\n\n" + "\n".join(STATEMENTS[6:]) + "\n")
    return path


@pytest.fixture
def conversation(runner, instance_dir, statements_file) -> str:
    result = run(
        runner, instance_dir, "new", "Ons dorp in 2030", "--statements", str(statements_file)
    )
    assert result.exit_code == 0, result.output
    return result.output.strip()


def write_votes(path: Path, votes) -> Path:
    lines = ["participant,statement,vote"]
    lines += [f"{v.participant},{v.statement},{VOTE_WORDS[v.value]}" for v in votes]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def store_of(app) -> PluginStore:
    return PluginStore(app.extensions["vliegwiel"].storage, "stellingen")


# --- commands -----------------------------------------------------------------------------------


def test_new_prints_the_id_and_stores_the_statements_numbered_from_one(
    runner, instance_dir, app, conversation
):
    assert conversation == "ons-dorp-in-2030"
    stored = conv.statements(store_of(app), conversation)
    assert [s["number"] for s in stored] == list(range(1, 13))
    assert [s["text"] for s in stored] == STATEMENTS  # the blank line is skipped
    again = run(
        runner,
        instance_dir,
        "new",
        "Ons dorp in 2030",
        "--statements",
        str(instance_dir / ".." / "stellingen.txt"),
    )
    assert again.output.strip() == "ons-dorp-in-2030-2"


def test_new_refuses_a_file_with_one_statement(runner, instance_dir, tmp_path):
    one = tmp_path / "een.txt"
    one.write_text("Alleen deze.\n")
    result = run(runner, instance_dir, "new", "Te weinig", "--statements", str(one))
    assert result.exit_code == 1
    assert "minstens twee stellingen" in result.output


def test_results_json_has_the_public_shape_and_finds_two_camps(
    runner, instance_dir, conversation, tmp_path
):
    votes = simulate([60, 60], seed=1)
    csv_file = write_votes(tmp_path / "papier.csv", votes)

    imported = run(runner, instance_dir, "votes", conversation, "--import", str(csv_file))
    assert imported.exit_code == 0, imported.output
    assert f"{len(votes)} votes of 120 participants" in imported.output

    result = run(runner, instance_dir, "results", conversation, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "participants",
        "statements",
        "consensus",
        "divisive",
        "groups",
        "groups_reason",
    }
    assert data["participants"] == 120
    assert [row["text"] for row in data["statements"]] == STATEMENTS
    assert all(set(row) == {"text", "agree", "disagree", "pass"} for row in data["statements"])
    first = data["statements"][0]
    assert first["agree"] + first["disagree"] + first["pass"] == 120
    assert len(data["groups"]) == 2
    assert all(set(g) == {"size", "distinctive"} and g["size"] >= 5 for g in data["groups"])
    assert "2 groepen" in data["groups_reason"]

    # Importing the same file again replaces those votes; nothing is counted twice.
    run(runner, instance_dir, "votes", conversation, "--import", str(csv_file))
    again = json.loads(run(runner, instance_dir, "results", conversation, "--json").stdout)
    assert again["participants"] == 120 and again["statements"] == data["statements"]


def test_results_are_computed_once_per_change_of_the_votes(
    runner, instance_dir, app, conversation, tmp_path
):
    write_votes(tmp_path / "a.csv", simulate([10, 10], seed=2))
    run(runner, instance_dir, "votes", conversation, "--import", str(tmp_path / "a.csv"))
    run(runner, instance_dir, "results", conversation, "--json")
    store = store_of(app)
    first = res.cached(store, conv.get(store, conversation))

    run(runner, instance_dir, "results", conversation, "--json")
    assert res.cached(store, conv.get(store, conversation))["computed_at"] == first["computed_at"]
    assert first["version"] == conv.get(store, conversation)["version"]

    write_votes(tmp_path / "b.csv", simulate([1], seed=3)[:5])  # a new participant "p0" ...
    run(runner, instance_dir, "votes", conversation, "--import", str(tmp_path / "b.csv"))
    run(runner, instance_dir, "results", conversation, "--json")
    assert res.cached(store, conv.get(store, conversation))["version"] == first["version"] + 1


def test_thirty_participants_get_the_reason_and_small_counts_are_hidden(
    runner, instance_dir, conversation, tmp_path
):
    votes = simulate([15, 15], seed=4)
    votes += [v for v in simulate([3], seed=5) if v.statement == 12 and v.participant != "p9"]
    # Three extra residents who only voted on statement 12, under labels of their own.
    extra = tmp_path / "extra.csv"
    write_votes(tmp_path / "dertig.csv", simulate([15, 15], seed=4))
    extra.write_text("participant,statement,vote\nx1,12,eens\nx2,12,eens\nx3,12,eens\n")
    run(runner, instance_dir, "votes", conversation, "--import", str(tmp_path / "dertig.csv"))
    run(runner, instance_dir, "votes", conversation, "--import", str(extra))

    data = json.loads(run(runner, instance_dir, "results", conversation, "--json").stdout)

    assert data["groups"] is None
    assert (
        "minstens 60 deelnemers" in data["groups_reason"]
        and "Nu zijn dat er 30" in data["groups_reason"]
    )
    assert data["participants"] == 33


def test_a_statement_few_people_voted_on_shows_no_counts(
    runner, instance_dir, conversation, tmp_path
):
    few = tmp_path / "weinig.csv"
    few.write_text("participant,statement,vote\na,1,eens\nb,1,eens\nc,1,oneens\n")
    run(runner, instance_dir, "votes", conversation, "--import", str(few))

    data = json.loads(run(runner, instance_dir, "results", conversation, "--json").stdout)

    assert data["participants"] is None  # three people: hidden
    assert data["statements"][0] == {
        "text": STATEMENTS[0],
        "agree": None,
        "disagree": None,
        "pass": None,
    }
    assert data["consensus"] == [] and data["divisive"] == []


def test_an_import_with_bad_lines_imports_nothing_and_names_every_line(
    runner, instance_dir, app, conversation, tmp_path
):
    bad = tmp_path / "fout.csv"
    bad.write_text(
        "participant;statement;vote\nP1;1;eens\nP1;13;eens\nP2;2;misschien\n;3;oneens\nP1;1;oneens\n"
    )
    result = run(runner, instance_dir, "votes", conversation, "--import", str(bad))

    assert result.exit_code == 1
    for expected in (
        "regel 3",
        "stelling '13' bestaat niet",
        "regel 4",
        "'misschien'",
        "regel 5",
        "regel 6",
        "dubbele stem",
    ):
        assert expected in result.output
    assert store_of(app).count(f"{conversation}/votes") == 0

    header = tmp_path / "kop.csv"
    header.write_text("wie,wat,stem\nP1,1,eens\n")
    assert (
        "participant, statement, vote"
        in run(runner, instance_dir, "votes", conversation, "--import", str(header)).output
    )


def test_an_unknown_conversation_is_named(runner, instance_dir, conversation):
    result = run(runner, instance_dir, "results", "bestaat-niet", "--json")
    assert result.exit_code == 1
    assert "unknown conversation 'bestaat-niet'" in result.output and conversation in result.output


def test_the_hook_adds_the_commands_to_the_vliegwiel_command():
    assert {"new", "votes", "results"} <= set(main.commands["stellingen"].commands)


# --- resident and organiser pages ---------------------------------------------------------------


def vote_form(client, set_id: str) -> tuple[str, int | None]:
    page = client.get(f"/stellingen/{set_id}/").get_data(as_text=True)
    marker = 'name="stelling" value="'
    if marker not in page:
        return page, None
    return page, int(page.split(marker)[1].split('"')[0])


def test_a_resident_votes_one_statement_at_a_time_and_once_per_statement(client, app, conversation):
    seen = []
    for _ in range(12):
        page, number = vote_form(client, conversation)
        assert f"Stelling {len(seen) + 1} van 12" in page
        seen.append(number)
        response = client.post_form(
            f"/stellingen/{conversation}/stem",
            {"stelling": number, "stem": "eens"},
            page=f"/stellingen/{conversation}/",
        )
        assert response.status_code == 302
    page, number = vote_form(client, conversation)
    assert number is None and "U heeft over alle stellingen gestemd" in page
    assert sorted(seen) == list(range(1, 13))

    # A second vote on a statement (a replayed form) does not count.
    client.post_form(
        f"/stellingen/{conversation}/stem",
        {"stelling": seen[0], "stem": "oneens"},
        page=f"/stellingen/{conversation}/voorstel",
    )
    votes = conv.votes(store_of(app), conversation)
    assert len(votes) == 12 and {v.value for v in votes} == {1}
    assert len({v.participant for v in votes}) == 1

    # Another browser is another participant.
    other = app.test_client()
    page, number = vote_form(other, conversation)
    assert "Stelling 1 van 12" in page


def test_a_forged_vote_is_refused(client, conversation):
    page = f"/stellingen/{conversation}/"
    assert (
        client.post_form(
            f"/stellingen/{conversation}/stem", {"stelling": 99, "stem": "eens"}, page=page
        ).status_code
        == 400
    )
    assert (
        client.post_form(
            f"/stellingen/{conversation}/stem", {"stelling": 1, "stem": "ja"}, page=page
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/stellingen/{conversation}/stem", data={"stelling": 1, "stem": "eens"}
        ).status_code
        == 400
    )
    assert client.get("/stellingen/../etc/").status_code == 404


def test_a_suggestion_appears_after_moderation_with_the_next_number(client, app, conversation):
    page = f"/stellingen/{conversation}/voorstel"
    too_long = client.post_form(page, {"stelling": "x" * 141})
    assert too_long.status_code == 400 and "hoogstens 140 tekens" in too_long.get_data(as_text=True)
    client.post_form(page, {"stelling": "Er moet een <b>jeu-de-boulesbaan</b> komen."})
    store = store_of(app)
    (waiting,) = conv.suggestions(store, conversation)
    assert len(conv.statements(store, conversation)) == 12  # not yet for residents

    organiser = app.test_client()
    assert organiser.get(f"/beheer/stellingen/{conversation}").status_code == 302  # login first
    organiser.login()
    admin_page = organiser.get(f"/beheer/stellingen/{conversation}").get_data(as_text=True)
    assert "&lt;b&gt;jeu-de-boulesbaan&lt;/b&gt;" in admin_page
    organiser.post_form(
        f"/beheer/stellingen/{conversation}/voorstel/{waiting['id']}",
        {"besluit": "goedkeuren"},
        page=f"/beheer/stellingen/{conversation}",
    )

    numbers = [s["number"] for s in conv.statements(store, conversation)]
    assert numbers == list(range(1, 14))
    assert conv.statements(store, conversation)[-1]["text"].startswith("Er moet een <b>")


def test_residents_read_the_cached_result_and_never_start_the_analysis(client, app, conversation):
    store = store_of(app)
    client.post_form(
        f"/stellingen/{conversation}/stem",
        {"stelling": 1, "stem": "eens"},
        page=f"/stellingen/{conversation}/",
    )
    page = client.get(f"/stellingen/{conversation}/uitslag").get_data(as_text=True)
    assert "Er is nog geen uitslag" in page
    assert res.cached(store, conv.get(store, conversation)) is None

    organiser = app.test_client()
    organiser.login()
    organiser.get(
        f"/beheer/stellingen/{conversation}"
    )  # the organiser's visit brings it up to date, on the background thread
    wait_for_background(app)
    page = client.get(f"/stellingen/{conversation}/uitslag").get_data(as_text=True)
    assert "Nog geen groepen" in page and "minder dan 5" in page
    assert res.is_current(store, conv.get(store, conversation), 5)


def test_a_closed_conversation_takes_no_votes(client, app, conversation):
    organiser = app.test_client()
    organiser.login()
    organiser.post_form(
        f"/beheer/stellingen/{conversation}/open", page=f"/beheer/stellingen/{conversation}"
    )
    page = client.get(f"/stellingen/{conversation}/").get_data(as_text=True)
    assert "deze stellingen zijn gesloten" in page and 'name="stem"' not in page
    client.post_form(
        f"/stellingen/{conversation}/stem",
        {"stelling": 1, "stem": "eens"},
        page=f"/stellingen/{conversation}/voorstel",
    )
    assert conv.votes(store_of(app), conversation) == []


def test_the_organiser_gets_the_results_as_a_pdf_report(client, app, conversation, tmp_path):
    from pdf_reading import pdf_text

    votes = simulate([40, 35], seed=6)
    triples = [(f"p-{v.participant}", v.statement, v.value) for v in votes]
    conv.record_votes(store_of(app), conversation, triples, channel="papier", replace=True)
    url = f"/beheer/stellingen/{conversation}/rapport.pdf"
    assert client.get(url).status_code == 302  # residents and strangers: to the login page

    client.login()
    # No analysis yet: the report is not made from nothing; the analysis starts meanwhile.
    first = client.get(url, follow_redirects=True)
    assert "wordt nog berekend" in first.get_data(as_text=True)
    wait_for_background(app)
    response = client.get(url)

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(pdf_text(response.data).split())
    assert "Ons dorp in 2030" in text and "Testdorp" in text
    assert "Deelnemers: 75" in text
    assert "Groepen met een eigen mening" in text and "2 groepen" in text
    assert "Auto's rijden te hard door de Dorpsstraat." in text


def test_votes_at_the_same_moment_are_all_kept(app, conversation):
    from concurrent.futures import ThreadPoolExecutor

    store = store_of(app)

    def resident(i: int) -> None:
        for number in range(1, 13):
            conv.record_votes(
                store, conversation, [(f"r{i}", number, 1)], channel="web", replace=False
            )
            # The same resident's replayed vote, racing the first: it must not count twice.
            conv.record_votes(
                store, conversation, [(f"r{i}", number, -1)], channel="web", replace=False
            )

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(resident, range(6)))

    votes = conv.votes(store, conversation)
    assert len(votes) == 6 * 12 and {v.value for v in votes} == {1}
    assert conv.get(store, conversation)["version"] == 6 * 12  # one change per vote kept
