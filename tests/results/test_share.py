"""Share bundles: protected numbers only, strict reading, side-by-side comparison."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from click.testing import CliRunner
from publishing import publish_survey
from results_data import HOSTILE, UNAPPROVED, fill_wijkpeiling, write_wijkpeiling

from vliegwiel.cli.main import main
from vliegwiel.results.share import MAX_MEMBER_BYTES, BundleError, read_bundle


@pytest.fixture
def filled(instance_dir, make_app):
    write_wijkpeiling(instance_dir)
    app = make_app()
    saved = fill_wijkpeiling(app.extensions["vliegwiel"])
    publish_survey(app, "wijkpeiling")
    return instance_dir, saved


def _share(instance_dir, output) -> None:
    result = CliRunner().invoke(
        main, ["share", "wijkpeiling", "-o", str(output), "--instance", str(instance_dir)]
    )
    assert result.exit_code == 0, result.output


def test_bundle_holds_no_response_level_data(filled, tmp_path) -> None:
    instance_dir, responses = filled
    output = tmp_path / "bundel.zip"
    _share(instance_dir, output)

    with zipfile.ZipFile(output) as archive:
        assert sorted(archive.namelist()) == [
            "datapackage.json",
            "results.csv",
            "summaries.json",
            "survey.json",
        ]
        members = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    everything = "\n".join(members.values())
    provenance = json.loads(members["datapackage.json"])["vliegwiel"]
    for response in responses:
        assert response["id"] not in everything
        assert response["submitted_at"] not in everything or response["submitted_at"] in (
            provenance["first_response"],
            provenance["last_response"],
        )
    for text in (HOSTILE, UNAPPROVED, "Meer bankjes", "Een glijbaan"):
        assert text not in everything


def test_bundle_numbers_are_the_protected_ones(filled, tmp_path) -> None:
    instance_dir, _responses = filled
    output = tmp_path / "bundel.zip"
    _share(instance_dir, output)
    bundle = read_bundle(output.read_bytes())

    wijk = next(q for q in bundle.results.questions if q.id == "wijk")
    counts = {o.value: o.count for o in wijk.options}
    assert counts == {"noord": 10, "zuid": None, "oost": None}  # 8 hidden: complementary
    # 21 responses: a publication counts in steps of k, the 21st waits for the next one.
    assert bundle.manifest.village == "Testdorp" and bundle.manifest.respondents == 20
    idee = next(q for q in bundle.results.questions if q.id == "idee")
    assert idee.kind == "text" and idee.options == []


def test_compare_prints_villages_side_by_side(filled, tmp_path) -> None:
    instance_dir, _responses = filled
    output = tmp_path / "bundel.zip"
    _share(instance_dir, output)
    result = CliRunner().invoke(main, ["compare", str(output), str(output)])
    assert result.exit_code == 0, result.output
    assert "Moet de speeltuin blijven?" in result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert ["Ja", "70%", "70%"] in lines  # 14 of the 20 published responses
    assert ["Zuid", "-", "-"] in lines


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def good_members(filled, tmp_path) -> dict[str, bytes]:
    output = tmp_path / "bundel.zip"
    _share(filled[0], output)
    with zipfile.ZipFile(output) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_strict_reading_refuses_extra_members(good_members) -> None:
    with pytest.raises(BundleError, match="exactly"):
        read_bundle(_zip({**good_members, "../../evil.sh": b"rm -rf /"}))


def test_strict_reading_refuses_a_zip_bomb(good_members) -> None:
    bomb = {**good_members, "results.csv": b" " * (MAX_MEMBER_BYTES + 10)}
    with pytest.raises(BundleError, match="zip bomb|more than"):
        read_bundle(_zip(bomb))


def test_strict_reading_refuses_unknown_fields(good_members) -> None:
    extras = json.loads(good_members["summaries.json"])
    extras["responses"] = [{"id": "abc", "answers": {}}]
    with pytest.raises(BundleError, match="responses"):
        read_bundle(_zip({**good_members, "summaries.json": json.dumps(extras).encode()}))


def test_strict_reading_refuses_garbage() -> None:
    with pytest.raises(BundleError, match="not a zip"):
        read_bundle(b"not a zip at all")


def test_compare_page_shows_uploaded_bundle_and_refuses_a_bad_one(
    filled, make_app, tmp_path
) -> None:
    instance_dir, _responses = filled
    output = tmp_path / "bundel.zip"
    _share(instance_dir, output)
    client = make_app().test_client()
    client.login("lezer")
    url = "/beheer/uitslag/wijkpeiling/vergelijken"
    good = client.post_form(
        url,
        {"bundles": [(io.BytesIO(output.read_bytes()), "ander.zip")]},
        content_type="multipart/form-data",
    )
    assert good.status_code == 200
    html = good.get_data(as_text=True)
    table = html[html.index(">Moet de speeltuin blijven?</h2>") :]
    table = table[: table.index("</table>")]
    assert table.count(">Testdorp</th>") == 2  # this village beside the uploaded bundle
    assert table.count(">70%</td>") == 2
    # The page says what each column is: this village now, the bundle as published.
    assert "Testdorp: uw dorp, de antwoorden tot nu (20 respondenten)" in html
    assert "Testdorp: de gepubliceerde uitslag van " in html
    assert "per 5 tegelijk bijgewerkt" in html  # a lezer sees stepped figures

    bad = client.post_form(
        url,
        {"bundles": [(io.BytesIO(b"PK\x03\x04kapot"), "kapot.zip")]},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    assert "kapot.zip is geen geldige bundel" in bad.get_data(as_text=True)


# --- hostile bundles (security review, finding 9) ----------------------------------------------


def test_a_deeply_nested_bundle_is_refused_everywhere(good_members, filled, make_app, tmp_path):
    deep = b"[" * 50_000 + b"]" * 50_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in {**good_members, "survey.json": deep}.items():
            archive.writestr(name, data)  # stored, so it is no zip bomb: only deep
    bomb = buffer.getvalue()
    with pytest.raises(BundleError, match="nested more than"):
        read_bundle(bomb)
    path = tmp_path / "diep.zip"
    path.write_bytes(bomb)
    result = CliRunner().invoke(main, ["compare", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "nested more than" in result.output
    client = make_app().test_client()
    client.login("lezer")
    response = client.post_form(
        "/beheer/uitslag/wijkpeiling/vergelijken",
        {"bundles": [(io.BytesIO(bomb), "diep.zip")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "diep.zip is geen geldige bundel" in response.get_data(as_text=True)


def test_compare_never_writes_terminal_escapes(good_members, tmp_path):
    import csv

    descriptor = json.loads(good_members["datapackage.json"])
    descriptor["vliegwiel"]["village"] = "Dorp\x1b]0;overgenomen\x07\x1b[2J"
    rows = list(csv.reader(io.StringIO(good_members["results.csv"].decode())))
    for row in rows[1:]:
        row[1] = "Vraag\x1b[31m rood\x9b"  # question_text
        if row[6]:
            row[6] = "Ja\x1b[5m"  # option_label
    table = io.StringIO()
    csv.writer(table, lineterminator="\n").writerows(rows)
    hostile = _zip(
        {
            **good_members,
            "datapackage.json": json.dumps(descriptor).encode(),
            "results.csv": table.getvalue().encode(),
        }
    )
    path = tmp_path / "vies.zip"
    path.write_bytes(hostile)
    result = CliRunner().invoke(main, ["compare", str(path)])
    assert result.exit_code == 0, result.output
    assert not any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) < 0xA0 for c in result.output)
    assert "Dorp?]0;overgenomen??[2J" in result.output
    assert "Vraag?[31m rood?" in result.output and "Ja?[5m" in result.output
