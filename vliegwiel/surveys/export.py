"""Data out: CSV with a codebook, and JSON with the full records."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from vliegwiel.core.village import Village
from vliegwiel.surveys.schema import Survey
from vliegwiel.web.i18n import localise

META_COLUMNS = ("response_id", "submitted_at", "channel", "survey_version")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Stop spreadsheet programs from running a cell as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def indicator_keys(responses: list[dict[str, Any]]) -> list[str]:
    return sorted({key for r in responses for key in r.get("indicators", {})})


def table_rows(
    village: Village, survey: Survey, responses: list[dict[str, Any]]
) -> list[list[Any]]:
    """Header plus one row per response; the shared shape of CSV and XLSX exports."""
    indicators = indicator_keys(responses)
    header = list(META_COLUMNS)
    for question in survey.questions():
        qtype = village.question_types[question.type]
        header += [column.key for column in qtype.export_columns(question)]
    header += indicators
    rows = [header]
    for r in responses:
        row: list[Any] = [r["id"], r["submitted_at"], r.get("channel", ""), r["survey_version"]]
        for question in survey.questions():
            qtype = village.question_types[question.type]
            row += qtype.export_cells(question, r["answers"].get(question.id))
        row += [r.get("indicators", {}).get(key, "") for key in indicators]
        rows.append([neutralise(cell) for cell in row])
    return rows


def _csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def export_csv(village: Village, survey: Survey, responses: list[dict[str, Any]]) -> str:
    return _csv(table_rows(village, survey, responses))


def codebook_rows(village: Village, survey: Survey) -> list[list[str]]:
    """One row per column and code: what a column holds and what each code means."""
    # "number" is the question's number on the paper form and in data entry.
    rows = [["column", "question", "text", "code", "meaning", "number"]]
    rows += [[c, "", c.replace("_", " "), "", "", ""] for c in META_COLUMNS]
    for question in survey.questions():
        qtype = village.question_types[question.type]
        text = localise(question.text, "nl")
        number = str(survey.number(question.id) or "")
        for column in qtype.export_columns(question):
            if not column.codes:
                rows.append([column.key, question.id, column.header or text, "", "", number])
            for code, meaning in column.codes:
                rows.append([column.key, question.id, text, code, meaning, number])
    return [[neutralise(cell) for cell in row] for row in rows]


def export_codebook(village: Village, survey: Survey) -> str:
    return _csv(codebook_rows(village, survey))


def export_json(survey: Survey, responses: list[dict[str, Any]]) -> str:
    return json.dumps(
        {"survey": survey.id, "version": survey.version, "responses": responses},
        ensure_ascii=False,
        indent=2,
    )
