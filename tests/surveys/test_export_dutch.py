"""Exports a Dutch spreadsheet opens as meant: csv-nl (';', BOM, decimal comma), XLSX with
labels and a codes sheet, local times with their offset, one charset in the header."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner
from openpyxl import load_workbook

from vliegwiel.cli.main import main
from vliegwiel.surveys.responses import save_response

SURVEY_PAGE = "/beheer/enquete/dorpsenquete"
ANSWERS = {
    "leeftijd": "65_79",
    "huishouden": {"value": "__other__", "other": "Met mijn zus, één kat"},
    "woonduur": 12.5,
    "prettig_wonen": 9,
    "woning_nodig": ["starters"],
    "voorzieningen_oordeel": {"bus": "weet_niet"},
}
# 30 November (winter time, +01:00) and 1 July (summer time, +02:00), stored in UTC.
WINTER, SUMMER = "2026-11-30T20:31:00+00:00", "2026-07-01T10:00:00+00:00"


def _answer(village) -> None:
    survey = village.surveys.get("dorpsenquete")
    save_response(village, survey, ANSWERS, submitted_at=WINTER)
    save_response(village, survey, {"leeftijd": "tot_25", "prettig_wonen": 5}, submitted_at=SUMMER)


def _cli(instance_dir, *args: str):
    result = CliRunner().invoke(main, [*args, "--instance", str(instance_dir)])
    assert result.exit_code == 0, result.output
    return result


def test_csv_nl_opens_in_a_dutch_excel(instance_dir, village, tmp_path) -> None:
    _answer(village)
    output = tmp_path / "antwoorden.csv"
    _cli(instance_dir, "export", "dorpsenquete", "--format", "csv-nl", "-o", str(output))

    data = output.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte order mark
    text = data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    winter, summer = rows
    assert winter["woonduur"] == "12,5"  # a number to a Dutch Excel, not text or a date
    assert winter["huishouden__other"] == "Met mijn zus, één kat"
    assert winter["leeftijd"] == "65_79"  # CSV keeps the codes; the codebook explains them
    assert winter["submitted_at"] == "2026-11-30T21:31:00+01:00"
    assert summer["submitted_at"] == "2026-07-01T12:00:00+02:00"
    # The codebook next to it speaks the same dialect.
    codebook = (tmp_path / "antwoorden-codebook.csv").read_bytes()
    assert codebook.startswith(b"\xef\xbb\xbf")
    codes = list(csv.DictReader(io.StringIO(codebook.decode("utf-8-sig")), delimiter=";"))
    assert {"column": "leeftijd", "code": "65_79"}.items() <= codes[
        [r["code"] for r in codes].index("65_79")
    ].items()


def test_plain_csv_stays_comma_separated_without_bom(instance_dir, village) -> None:
    _answer(village)
    text = _cli(instance_dir, "export", "dorpsenquete", "--format", "csv").output
    assert not text.startswith("\ufeff")
    winter = next(csv.DictReader(io.StringIO(text)))
    assert winter["woonduur"] == "12.5"
    assert winter["submitted_at"] == "2026-11-30T21:31:00+01:00"


def test_the_timezone_setting_moves_the_times(instance_dir, village) -> None:
    _answer(village)
    config = instance_dir / "vliegwiel.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'timezone = "Europe/Amsterdam"', 'timezone = "America/Curacao"'
        ),
        encoding="utf-8",
    )
    text = _cli(instance_dir, "export", "dorpsenquete").output
    assert next(csv.DictReader(io.StringIO(text)))["submitted_at"] == ("2026-11-30T16:31:00-04:00")
    config.write_text(
        config.read_text(encoding="utf-8").replace("America/Curacao", "Europe/Nergens"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["export", "dorpsenquete", "--instance", str(instance_dir)])
    assert result.exit_code == 1
    assert "[village] timezone" in result.output and "Europe/Nergens" in result.output


def test_xlsx_holds_labels_and_a_codes_sheet(instance_dir, village, tmp_path) -> None:
    _answer(village)
    output = tmp_path / "antwoorden.xlsx"
    _cli(instance_dir, "export", "dorpsenquete", "--format", "xlsx", "-o", str(output))

    workbook = load_workbook(output)
    assert workbook.sheetnames == ["antwoorden", "codes", "codeboek"]
    rows = list(workbook["antwoorden"].iter_rows(values_only=True))
    winter = dict(zip(rows[0], rows[1], strict=True))
    assert winter["leeftijd"] == "65 tot 80 jaar"
    assert winter["huishouden"] == "Anders, namelijk"
    assert winter["voorzieningen_oordeel__bus"] == "Weet ik niet"
    # Numbers stay numbers: a scale point, a ticked box, a number answer.
    assert (winter["prettig_wonen"], winter["woning_nodig__starters"]) == (9, 1)
    assert winter["woonduur"] == 12.5
    assert winter["submitted_at"] == "2026-11-30T21:31:00+01:00"
    codes = list(workbook["codes"].iter_rows(values_only=True))
    assert codes[0] == ("variable", "value", "label")
    assert ("leeftijd", "65_79", "65 tot 80 jaar") in codes
    assert ("huishouden", "__other__", "Anders, namelijk") in codes


def test_organiser_page_offers_both_csv_dialects(client, village) -> None:
    _answer(village)
    client.login("beheerder")
    page = client.get(SURVEY_PAGE).get_data(as_text=True)
    assert "export.csv-nl" in page and "CSV voor Nederlandse Excel" in page

    response = client.get(f"{SURVEY_PAGE}/export.csv-nl")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="dorpsenquete-nl.csv"' in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    header = response.data.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("response_id;submitted_at;channel;")

    plain = client.get(f"{SURVEY_PAGE}/export.csv")
    assert plain.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert plain.data.startswith(b"response_id,")
    codebook = client.get(f"{SURVEY_PAGE}/export.codebook-nl.csv")
    assert codebook.headers["Content-Type"].count("charset") == 1
    assert codebook.data.startswith(b"\xef\xbb\xbfcolumn;")
