"""XLSX export (openpyxl): the answers with labels, the codes and the codebook in one workbook.

The answers sheet holds what each code means ("65 tot 80 jaar", not "65_79"); the "codes"
sheet (variable, value, label) maps them back to the codes of the CSV export. Times are the
village's local time with their offset, as in the CSV export.

The rows come from ``export.table_rows``, ``code_rows`` and ``codebook_rows``, already neutralised
against formula injection. Every cell is then written as a typed value: text stays text, so
openpyxl never turns a string into a formula. Individual answers: for beheerders only.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from vliegwiel.core.village import Village
from vliegwiel.surveys.export import code_rows, codebook_rows, neutralise, table_rows
from vliegwiel.surveys.schema import Survey

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_xlsx(village: Village, survey: Survey, responses: list[dict[str, Any]]) -> bytes:
    """Sheets "antwoorden" (one row per response, labels), "codes" and "codeboek"."""
    workbook = Workbook(write_only=True)
    for title, rows in (
        ("antwoorden", table_rows(village, survey, responses, labels=True)),
        ("codes", code_rows(village, survey)),
        ("codeboek", codebook_rows(village, survey)),
    ):
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    # Control characters are not allowed in XML; a resident's text may hold them.
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    # Neutralise again after stripping: "\x00=1+1" would otherwise become a formula.
    return neutralise(text)
