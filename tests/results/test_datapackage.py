"""Share bundles as Frictionless Data Packages (v2): frictionless validates what vliegwiel
writes, hidden numbers are the labelled missing value "verborgen", and `vliegwiel compare`
reads old bundles (tests/data/bundles, written before Data Packages) beside new ones."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import frictionless
import pytest
from click.testing import CliRunner
from publishing import publish_survey
from results_data import fill_wijkpeiling, write_wijkpeiling

from vliegwiel.cli.demo import add_sample_responses
from vliegwiel.cli.main import main
from vliegwiel.results.share import BundleError, compare, read_bundle

OLD = Path(__file__).resolve().parents[1] / "data" / "bundles"


@pytest.fixture
def filled(instance_dir, make_app):
    write_wijkpeiling(instance_dir)
    app = make_app()
    village = app.extensions["vliegwiel"]
    fill_wijkpeiling(village)
    # Generated answers (the old dorpsenquete bundle in tests/data/bundles had its own).
    add_sample_responses(village, village.surveys.get("dorpsenquete"), 60)
    # A bundle is the one stored with the latest publication.
    publish_survey(app, "wijkpeiling")
    publish_survey(app, "dorpsenquete")
    return instance_dir


def share(instance_dir, survey_id, output) -> bytes:
    result = CliRunner().invoke(
        main, ["share", survey_id, "-o", str(output), "--instance", str(instance_dir)]
    )
    assert result.exit_code == 0, result.output
    return output.read_bytes()


def unpack(data: bytes, folder: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
    return folder / "datapackage.json"


def rows(data: bytes) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return list(csv.DictReader(io.StringIO(archive.read("results.csv").decode())))


@pytest.mark.parametrize("survey_id", ["wijkpeiling", "dorpsenquete"])
def test_frictionless_validates_the_bundle(filled, tmp_path, survey_id):
    data = share(filled, survey_id, tmp_path / "bundel.zip")
    descriptor = unpack(data, tmp_path / "uitgepakt")
    report = frictionless.validate(str(descriptor))
    assert report.valid, report.flatten(["type", "note"])

    package = json.loads(descriptor.read_text("utf-8"))
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["contributors"] == [{"title": "Testdorp", "roles": ["creator"]}]
    provenance = package["vliegwiel"]
    assert provenance["village"] == "Testdorp" and provenance["k"] == 5
    assert provenance["survey_id"] == survey_id and provenance["first_response"]
    assert [r["name"] for r in package["resources"]] == ["results", "survey", "summaries"]


def test_hidden_numbers_are_a_labelled_missing_value(filled, tmp_path):
    data = share(filled, "wijkpeiling", tmp_path / "bundel.zip")
    wijk = {r["option_value"]: r for r in rows(data) if r["question_id"] == "wijk"}
    # Oost has 3 (< k); Zuid is hidden too, or Oost = total - Noord - Zuid.
    assert {value: r["count"] for value, r in wijk.items()} == {
        "noord": "10",
        "zuid": "verborgen",
        "oost": "verborgen",
    }
    descriptor = unpack(data, tmp_path / "uitgepakt")
    schema = json.loads(descriptor.read_text("utf-8"))["resources"][0]["schema"]
    (label,) = [m["label"] for m in schema["missingValues"] if m["value"] == "verborgen"]
    assert "minder dan k antwoorden" in label
    # Any Frictionless reader turns it into a missing value, not a number.
    read = frictionless.Package(str(descriptor)).get_resource("results").read_rows()
    counts = {r["option_value"]: r["count"] for r in read if r["question_id"] == "wijk"}
    assert counts == {"noord": 10, "zuid": None, "oost": None}
    # The free-text question: how many answered, never what.
    (idee,) = [r for r in rows(data) if r["question_id"] == "idee"]
    assert idee["kind"] == "text" and idee["option_value"] == "" and idee["count"] == ""


def test_a_tampered_number_is_refused_by_frictionless_and_by_vliegwiel(filled, tmp_path):
    data = share(filled, "wijkpeiling", tmp_path / "bundel.zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["results.csv"] = members["results.csv"].replace(b",10,", b",tien,", 1)
    folder = tmp_path / "vervalst"
    folder.mkdir()
    for name, content in members.items():
        (folder / name).write_bytes(content)
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert not report.valid
    assert "type-error" in [e[0] for e in report.flatten(["type"])]
    with pytest.raises(BundleError, match="'tien' is not a whole number"):
        read_bundle(_zip(members))


@pytest.mark.parametrize("survey_id", ["wijkpeiling", "dorpsenquete"])
def test_compare_reads_an_old_bundle_beside_a_new_one(filled, tmp_path, survey_id):
    new = tmp_path / "nieuw.zip"
    share(filled, survey_id, new)
    old = OLD / f"{survey_id}-v1.zip"
    assert "manifest.json" in zipfile.ZipFile(old).namelist()  # really the old format

    old_bundle, new_bundle = read_bundle(old.read_bytes()), read_bundle(new.read_bytes())
    table = compare([old_bundle, new_bundle])
    assert table

    # Each column holds its own bundle's numbers, whichever format carried them: the same
    # as comparing that bundle with itself. (The answers behind the two bundles differ: the
    # old one was made by an earlier demo generator.)
    def column(bundle) -> dict[tuple[str, str], object]:
        return {
            (question["id"], row["label"]): row["values"][0]
            for question in compare([bundle, bundle])
            for row in question["rows"]
        }

    old_numbers, new_numbers = column(old_bundle), column(new_bundle)
    both = 0
    for question in table:
        for row in question["rows"]:
            old_value, new_value = row["values"]
            key = (question["id"], row["label"])
            if key in old_numbers:  # a row only one bundle has is compared with nothing
                assert old_value == old_numbers[key], key
            if key in new_numbers:
                assert new_value == new_numbers[key], key
            both += old_value is not None and new_value is not None
    if survey_id == "dorpsenquete":
        assert both  # some numbers are shown by both

    result = CliRunner().invoke(main, ["compare", str(old), str(new)])
    assert result.exit_code == 0, result.output
    if survey_id == "wijkpeiling":
        # 21 responses: the old bundle counted all 21, a publication counts 20 (steps of k).
        lines = [line.split() for line in result.output.splitlines()]
        assert ["Ja", "67%", "70%"] in lines and ["Zuid", "-", "-"] in lines


def test_a_new_bundle_reads_back_as_what_was_shared(filled, tmp_path):
    data = share(filled, "dorpsenquete", tmp_path / "bundel.zip")
    bundle = read_bundle(data)
    old = read_bundle((OLD / "dorpsenquete-v1.zip").read_bytes())
    assert bundle.survey == old.survey
    assert [q.id for q in bundle.results.questions] == [q.id for q in old.results.questions]
    matrix = next(q for q in bundle.results.questions if q.kind == "matrix")
    assert [p.id for p in matrix.parts] == ["winkel", "huisarts", "school", "dorpshuis", "bus"]
    # Both count the 60 respondents by channel (their generated answers differ).
    assert set(bundle.results.channels) == set(old.results.channels) == {"web", "paper"}
    assert sum(bundle.results.channels.values()) == sum(old.results.channels.values()) == 60


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def members(filled, tmp_path) -> dict[str, bytes]:
    data = share(filled, "wijkpeiling", tmp_path / "bundel.zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _descriptor(members, change) -> bytes:
    package = json.loads(members["datapackage.json"])
    change(package)
    return _zip({**members, "datapackage.json": json.dumps(package).encode()})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p["resources"][1].update(path="../../etc/passwd"), "other resources"),
        (lambda p: p["resources"].append({"name": "x", "path": "x.csv"}), "other resources"),
        (lambda p: p.update(secret="x"), "secret"),
        (lambda p: p["vliegwiel"].update(k=1), "vliegwiel.k"),
        (lambda p: p.update({"$schema": "https://example.org/x.json"}), r"\$schema"),
    ],
)
def test_the_strict_reader_refuses_a_descriptor_it_did_not_write(members, change, message):
    with pytest.raises(BundleError, match=message):
        read_bundle(_descriptor(members, change))


def test_the_strict_reader_refuses_odd_members_and_columns(members):
    with pytest.raises(BundleError, match="exactly"):
        read_bundle(_zip({**members, "extra.csv": b"a,b\n"}))
    text = members["results.csv"].decode()
    header, rest = text.split("\n", 1)
    with pytest.raises(BundleError, match="must have the columns"):
        read_bundle(_zip({**members, "results.csv": (header + ",answers\n" + rest).encode()}))
    with pytest.raises(BundleError, match="unknown kind"):
        read_bundle(_zip({**members, "results.csv": text.replace(",choice,", ",evil,").encode()}))
