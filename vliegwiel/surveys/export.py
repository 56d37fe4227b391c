"""Data out: CSV with a codebook, and JSON with the full records.

Two CSV dialects: ``csv`` (comma, no BOM, decimal point: for scripts and most programs) and
``csv-nl`` (what a Dutch Excel opens by double-click: ``;`` as separator because the comma is
the decimal sign there, a UTF-8 byte order mark so accents are not garbled, and decimal
commas so 41,2 is read as a number instead of text or a date). Times are the village's local
time with their offset ("2026-11-30T21:31:00+01:00"), never UTC.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

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


#: The CSV dialects of ``vliegwiel export --format`` and the organiser page: their separator.
CSV_SEPARATORS = {"csv": ",", "csv-nl": ";"}
#: The byte order mark that tells Excel the file is UTF-8.
BOM = "\ufeff"


def local_time(iso: str, timezone: str) -> str:
    """A stored UTC time as the village's local time with its offset (seconds precision)."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds")


def indicator_keys(responses: list[dict[str, Any]]) -> list[str]:
    return sorted({key for r in responses for key in r.get("indicators", {})})


def table_rows(
    village: Village,
    survey: Survey,
    responses: list[dict[str, Any]],
    *,
    labels: bool = False,
) -> list[list[Any]]:
    """Header plus one row per response; the shared shape of CSV and XLSX exports.

    ``labels``: text codes ("65_79", "__other__", "weet_niet") become what they mean
    ("65 tot 80 jaar", "Anders, namelijk"); numbers (scale points, 1/0 for a ticked box,
    ranks) stay numbers so a spreadsheet can still add them up.
    """
    indicators = indicator_keys(responses)
    header = list(META_COLUMNS)
    meanings: list[dict[str, str]] = [{} for _column in META_COLUMNS]
    for question in survey.questions():
        qtype = village.question_types[question.type]
        for column in qtype.export_columns(question):
            header.append(column.key)
            meanings.append(dict(column.codes))
    header += indicators
    rows = [header]
    timezone = village.config.timezone
    for r in responses:
        row: list[Any] = [
            r["id"],
            local_time(r["submitted_at"], timezone),
            r.get("channel", ""),
            r["survey_version"],
        ]
        for question in survey.questions():
            qtype = village.question_types[question.type]
            row += qtype.export_cells(question, r["answers"].get(question.id))
        row += [r.get("indicators", {}).get(key, "") for key in indicators]
        if labels:
            row = [
                meanings[i].get(cell, cell) if i < len(meanings) and isinstance(cell, str) else cell
                for i, cell in enumerate(row)
            ]
        rows.append([neutralise(cell) for cell in row])
    return rows


def code_rows(village: Village, survey: Survey) -> list[list[str]]:
    """The XLSX "codes" sheet: every code a column can hold and its label."""
    rows = [["variable", "value", "label"]]
    for question in survey.questions():
        qtype = village.question_types[question.type]
        for column in qtype.export_columns(question):
            rows += [[column.key, code, meaning] for code, meaning in column.codes]
    return [[neutralise(cell) for cell in row] for row in rows]


def _dutch_cell(value: Any) -> Any:
    # A Dutch Excel reads "41.2" as text (or a date); "41,2" is the number.
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return value


def _csv(rows: list[list[Any]], dialect: str = "csv") -> str:
    if dialect not in CSV_SEPARATORS:
        raise ValueError(f"unknown CSV dialect {dialect!r}")
    buffer = io.StringIO()
    if dialect == "csv-nl":
        buffer.write(BOM)
        rows = [[_dutch_cell(cell) for cell in row] for row in rows]
    csv.writer(buffer, delimiter=CSV_SEPARATORS[dialect], lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def export_csv(
    village: Village, survey: Survey, responses: list[dict[str, Any]], dialect: str = "csv"
) -> str:
    """One row per response; ``dialect`` "csv" or "csv-nl" (see the module docstring)."""
    return _csv(table_rows(village, survey, responses), dialect)


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


def export_codebook(village: Village, survey: Survey, dialect: str = "csv") -> str:
    return _csv(codebook_rows(village, survey), dialect)


def export_json(survey: Survey, responses: list[dict[str, Any]]) -> str:
    return json.dumps(
        {"survey": survey.id, "version": survey.version, "responses": responses},
        ensure_ascii=False,
        indent=2,
    )
