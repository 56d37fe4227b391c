"""The ``vliegwiel`` command: init, surveys, export, demo, instance selection and --help."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from vliegwiel.accounts.model import authenticate
from vliegwiel.cli.main import main
from vliegwiel.core.village import build_village
from vliegwiel.rounds.ideas import all_ideas, support_counts
from vliegwiel.rounds.model import list_rounds, status_of
from vliegwiel.surveys.responses import save_response


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def add_responses(instance: Path, count: int) -> None:
    village = build_village(instance)
    survey = village.surveys.get("dorpsenquete")
    for i in range(count):
        save_response(village, survey, {"leeftijd": "45_64", "prettig_wonen": 1 + i % 10})


def test_init_creates_an_instance_and_prints_a_one_time_password(runner, tmp_path):
    target = tmp_path / "achterveld"
    result = runner.invoke(main, ["init", str(target), "--name", "Achterveld"])
    assert result.exit_code == 0, result.output
    for name in ("vliegwiel.toml", "data", "surveys/dorpsenquete.yaml", "plugins"):
        assert (target / name).exists(), name
    config = (target / "vliegwiel.toml").read_text(encoding="utf-8")
    assert 'name = "Achterveld"' in config
    assert target.joinpath("vliegwiel.toml").stat().st_mode & 0o077 == 0  # holds the secret
    password = re.search(r"Eenmalig wachtwoord: (\S+)", result.output).group(1)
    village = build_village(target)
    assert authenticate(village.storage, "beheerder", password) is not None
    assert village.config.min_group_size == 5
    # The organiser reads the summary in the new instance's language: Dutch.
    assert f"Instantie van Achterveld gemaakt in {target}" in result.output
    assert f"Starten met: vliegwiel serve --instance {target}" in result.output
    assert "vliegwiel survey open ENQUETE" in result.output
    assert "password" not in result.output.lower() and "Created" not in result.output


def test_init_refuses_an_existing_instance(runner, tmp_path):
    target = tmp_path / "dorp"
    assert runner.invoke(main, ["init", str(target)]).exit_code == 0
    before = (target / "vliegwiel.toml").read_bytes()
    result = runner.invoke(main, ["init", str(target)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {target} is already a vliegwiel instance (vliegwiel.toml exists)"
    ]
    assert (target / "vliegwiel.toml").read_bytes() == before


def test_surveys_json_lists_id_title_and_responses(runner, instance_dir):
    add_responses(instance_dir, 3)
    result = runner.invoke(main, ["surveys", "--json", "--instance", str(instance_dir)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    (row,) = [r for r in rows if r["id"] == "dorpsenquete"]
    assert row["title"] == "Dorpsenquête" and row["responses"] == 3


def test_instance_from_the_environment(runner, instance_dir, tmp_path, monkeypatch):
    add_responses(instance_dir, 2)
    monkeypatch.chdir(tmp_path)  # not an instance: the variable must be what finds it
    result = runner.invoke(main, ["surveys"], env={"VLIEGWIEL_INSTANCE": str(instance_dir)})
    assert result.exit_code == 0, result.output
    assert re.search(r"dorpsenquete\s+2 antwoorden", result.stdout)
    # --instance wins over the variable.
    result = runner.invoke(
        main,
        ["surveys", "--instance", str(tmp_path / "nergens")],
        env={"VLIEGWIEL_INSTANCE": str(instance_dir)},
    )
    assert result.exit_code == 1
    assert "nergens/vliegwiel.toml not found" in result.output


def test_export_writes_csv_and_codebook(runner, instance_dir, tmp_path):
    add_responses(instance_dir, 4)
    out = tmp_path / "uit" / "antwoorden.csv"
    out.parent.mkdir()
    result = runner.invoke(
        main, ["export", "dorpsenquete", "-o", str(out), "--instance", str(instance_dir)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 4
    assert [r["prettig_wonen"] for r in rows] == ["1", "2", "3", "4"]
    codebook = out.with_name("antwoorden-codebook.csv")
    columns = {r["column"] for r in csv.DictReader(io.StringIO(codebook.read_text("utf-8")))}
    assert columns == set(rows[0])
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "antwoorden-codebook.csv",
        "antwoorden.csv",
    ]


def test_export_json_to_standard_output(runner, instance_dir):
    add_responses(instance_dir, 2)
    result = runner.invoke(
        main, ["export", "dorpsenquete", "--format", "json", "--instance", str(instance_dir)]
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    village = build_village(instance_dir)
    assert data["responses"] == village.storage.all("responses/dorpsenquete")


def test_unknown_survey_is_one_clear_line(runner, instance_dir):
    result = runner.invoke(main, ["export", "nope", "--instance", str(instance_dir)])
    assert result.exit_code == 1
    assert result.output.strip() == "Fout: onbekende enquête 'nope' (bekend: dorpsenquete)"


def test_cli_errors_follow_the_instance_language(runner, instance_dir, tmp_path):
    # Dutch for a Dutch village (above); English when the instance's first language is English.
    config = instance_dir / "vliegwiel.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'languages = ["nl", "en"]', 'languages = ["en", "nl"]'
        ),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["export", "nope", "--instance", str(instance_dir)])
    assert result.output.strip() == "Error: unknown survey 'nope' (known: dorpsenquete)"
    result = runner.invoke(
        main, ["export", "dorpsenquete", "--format", "sav", "--instance", str(instance_dir)]
    )
    assert result.output.strip() == "Error: --format sav needs -o FILE.sav"
    addresses = tmp_path / "adressen.csv"
    addresses.write_text("Kerkstraat,,1234 AB\n", encoding="utf-8")
    result = runner.invoke(
        main,
        [
            "codes",
            "dorpsenquete",
            "--addresses",
            str(addresses),
            "-o",
            str(tmp_path / "brieven.pdf"),
            "--instance",
            str(instance_dir),
        ],
    )
    assert f"{addresses}:1: the house number is missing" in result.output
    assert "1 bad row(s) in" in result.output and "no codes were made" in result.output


#: Commands an organiser runs in an instance, each with a mistake, and what they print:
#: (arguments, Dutch instance, English-first instance). Errors and result lines alike.
MESSAGES_IN_THE_INSTANCE_LANGUAGE = [
    (
        ["round", "export", "nope"],
        "Fout: onbekende ronde 'nope' (bekend: -)",
        "Error: unknown round 'nope' (known: -)",
    ),
    (
        ["survey", "add", "nope"],
        "Fout: onbekend sjabloon 'nope' (beschikbaar: ",
        "Error: unknown template 'nope' (available: ",
    ),
    (
        ["survey", "open", "dorpsenquete", "--at", "morgen"],
        "'morgen' is geen datum; schrijf JJJJ-MM-DD",
        "'morgen' is not a date; use YYYY-MM-DD",
    ),
    (
        ["survey", "close", "dorpsenquete", "--at", "2020-01-01"],
        "Fout: het sluitmoment moet na het openingsmoment en na nu komen",
        "Error: the closing moment must come after the opening moment and after now",
    ),
    (
        ["share", "dorpsenquete", "-o", "{tmp}/bundel.zip"],
        "Fout: dorpsenquete heeft nog geen publicatie; maak eerst de uitslag openbaar",
        "Error: dorpsenquete has no publication yet; publish the results first",
    ),
    (
        ["restore", "{tmp}/backup.zip"],
        "Fout: ",
        "Error: ",
    ),
    (
        ["restore", "{tmp}/backup.zip"],
        "bevat al gegevens; terugzetten vervangt ze allemaal",
        "already holds data; restoring replaces all of it",
    ),
    (
        ["export", "dorpsenquete", "--format", "csv", "-o", "{tmp}/uit.csv"],
        "0 antwoorden geschreven naar ",
        "Wrote 0 responses to ",
    ),
    (
        ["user", "remove", "niemand-bekend"],
        "Fout: geen gebruiker 'niemand-bekend'",
        "Error: no user 'niemand-bekend'",
    ),
    (
        ["backup", "-o", "{tmp}/kopie.zip"],
        "Back-up geschreven: ",
        "Backup written: ",
    ),
    (
        ["codes", "dorpsenquete", "-o", "{tmp}/brieven.pdf"],
        # a usage error: click's usage block (like --help) stays English, the reason follows
        "geef --count N of --addresses BESTAND.csv (één van beide)",
        "give either --count N or --addresses FILE.csv",
    ),
]


@pytest.mark.parametrize("first_language", ["nl", "en"])
def test_organiser_messages_follow_the_instance_language(
    runner, instance_dir, tmp_path, first_language
):
    if first_language == "en":
        config = instance_dir / "vliegwiel.toml"
        text = config.read_text(encoding="utf-8")
        assert 'languages = ["nl", "en"]' in text
        config.write_text(
            text.replace('languages = ["nl", "en"]', 'languages = ["en", "nl"]'), encoding="utf-8"
        )
    add_responses(instance_dir, 0)
    backup = runner.invoke(main, ["backup", "-o", str(tmp_path / "backup.zip"), "--instance",
                                  str(instance_dir)])  # fmt: skip
    assert backup.exit_code == 0, backup.output
    for args, dutch, english in MESSAGES_IN_THE_INSTANCE_LANGUAGE:
        args = [a.replace("{tmp}", str(tmp_path)) for a in args]
        result = runner.invoke(main, [*args, "--instance", str(instance_dir)])
        expected = dutch if first_language == "nl" else english
        assert expected in result.output, (args, result.output)
        unexpected = english if first_language == "nl" else dutch
        assert unexpected not in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_the_survey_list_names_a_broken_file_in_dutch(runner, instance_dir):
    broken = instance_dir / "surveys" / "kapot.yaml"
    broken.write_text("id: kapot\ntitle: Kapot\npages: []\nonbekend: 1\n", encoding="utf-8")
    result = runner.invoke(main, ["surveys", "--instance", str(instance_dir)])
    assert result.exit_code == 0, result.output
    assert re.search(r"dorpsenquete\s+0 antwoorden", result.stdout)
    assert f"NIET BESCHIKBAAR {broken}:" in result.stderr
    assert "UNAVAILABLE" not in result.output and "Extra inputs" not in result.output


def test_commands_outside_an_instance_speak_english(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no vliegwiel.toml here: no instance, no language
    broken = tmp_path / "kapot.xlsx"
    broken.write_bytes(b"PK\x03\x04 geen werkboek")
    result = runner.invoke(main, ["survey", "import", str(broken), "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: kapot.xlsx is not an XLSForm vliegwiel can read"
    )


def test_corrupt_database_file_is_one_line_naming_the_file(runner, instance_dir):
    add_responses(instance_dir, 1)
    (bucket,) = (instance_dir / "data" / "responses" / "dorpsenquete").glob("*.json")
    bucket.write_bytes(b"\x00\x00 niet meer te lezen")
    for args in (["export", "dorpsenquete"], ["surveys", "--json"]):
        result = runner.invoke(main, [*args, "--instance", str(instance_dir)])
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Fout: ") and str(bucket) in lines[0]
        assert "Traceback" not in result.output
    assert bucket.read_bytes() == b"\x00\x00 niet meer te lezen"


def test_missing_meta_file_is_one_line_and_not_recreated(runner, instance_dir):
    add_responses(instance_dir, 1)
    meta = instance_dir / "data" / "meta.json"
    meta.unlink()
    result = runner.invoke(main, ["surveys", "--instance", str(instance_dir)])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert str(meta) in result.output
    assert not meta.exists()


def test_demo_without_serving_creates_responses(runner, tmp_path):
    target = tmp_path / "demo"
    result = runner.invoke(main, ["demo", "--no-serve", "--responses", "20", "--dir", str(target)])
    assert result.exit_code == 0, result.output
    village = build_village(target)
    assert village.storage.count("responses/dorpsenquete") == 20
    channels = {r["channel"] for r in village.storage.all("responses/dorpsenquete")}
    assert channels <= {"web", "paper"}
    assert authenticate(village.storage, "demo", "demo-wachtwoord") is not None
    # The demo village also has a participation round, its ideas supported, now voting.
    (round_record,) = list_rounds(village.storage)
    assert status_of(round_record, datetime.now(UTC)) == "open"
    assert len(all_ideas(village.storage, round_record["id"])) == 5
    assert sum(support_counts(village.storage, round_record["id"]).values()) > 20
    # The theme plugins' templates are in the demo too, each with its responses.
    assert village.storage.count("responses/energie") == 20


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


@pytest.mark.parametrize("path", [(), *_commands(main)], ids=lambda p: " ".join(p) or "main")
def test_help_of_every_command(runner, path):
    result = runner.invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")
