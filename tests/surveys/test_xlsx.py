"""XLSX export: read back with openpyxl; formulas from residents stay inert text."""

from __future__ import annotations

import io

from click.testing import CliRunner
from openpyxl import load_workbook
from results_data import write_wijkpeiling

from vliegwiel.cli.main import main
from vliegwiel.surveys.responses import save_response


def test_xlsx_neutralises_formulas_and_has_a_codebook(instance_dir, make_app, tmp_path) -> None:
    write_wijkpeiling(instance_dir)
    village = make_app().extensions["vliegwiel"]
    survey = village.surveys.get("wijkpeiling")
    hostile = ['=HYPERLINK("http://evil.example","klik")', "+1+1", "-2+3", "@SUM(A1)", "a\x01b"]
    for text in hostile:
        save_response(village, survey, {"wijk": "noord", "idee": text})

    output = tmp_path / "antwoorden.xlsx"
    result = CliRunner().invoke(
        main,
        [
            "export",
            "wijkpeiling",
            "--format",
            "xlsx",
            "-o",
            str(output),
            "--instance",
            str(instance_dir),
        ],
    )
    assert result.exit_code == 0, result.output

    workbook = load_workbook(io.BytesIO(output.read_bytes()))
    assert workbook.sheetnames == ["antwoorden", "codes", "codeboek"]
    sheet = workbook["antwoorden"]
    header = [c.value for c in sheet[1]]
    column = header.index("idee")
    values = [row[column].value for row in sheet.iter_rows(min_row=2)]
    types = [row[column].data_type for row in sheet.iter_rows(min_row=2)]
    assert values == [
        '\'=HYPERLINK("http://evil.example","klik")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "ab",
    ]
    assert set(types) == {"s"}  # text, never a formula ("f")
    codebook = [[c.value for c in row] for row in workbook["codeboek"].iter_rows()]
    assert [row[:5] for row in codebook].count(
        ["wijk", "wijk", "In welke wijk woont u?", "oost", "Oostkant"]
    ) == 1
    # The last column is the question's number on the paper form and in data entry.
    assert codebook[0][5] == "number" and all(row[5] for row in codebook if row[1] == "wijk")


def test_xlsx_needs_an_output_file(instance_dir) -> None:
    result = CliRunner().invoke(
        main, ["export", "dorpsenquete", "--format", "xlsx", "--instance", str(instance_dir)]
    )
    assert result.exit_code == 1
    assert "--format xlsx heeft -o BESTAND.xlsx nodig" in result.output
