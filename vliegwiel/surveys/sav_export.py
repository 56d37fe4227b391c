"""SPSS export (``vliegwiel export SURVEY --format sav``): the format municipal researchers use.

One row per response, one variable per export column, with a variable label (the question
and statement text), value labels (the answer texts) and the opt-out answers ("weet niet /
geen mening") declared as user-missing values, so SPSS keeps them out of means as the
Burgerpeiling's own data format does.

Coded answers become numbers: a numeric code keeps its number ("11" stays 11, as in the
Burgerpeiling data format); other codes ("ja", "__other__") are numbered after the highest
numeric code, in the order of the questionnaire. The codebook says the same.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vliegwiel.surveys.export import META_COLUMNS, indicator_keys
from vliegwiel.surveys.question_types import ExportColumn
from vliegwiel.surveys.schema import Survey
from vliegwiel.web.i18n import localise

#: SPSS allows at most three discrete missing values per variable.
MAX_MISSING = 3
_NAME_BAD = re.compile(r"[^A-Za-z0-9_]")


def numeric_codes(codes: tuple[tuple[str, str], ...]) -> dict[str, int]:
    """Each code's number in the .sav file (see the module docstring)."""
    numbers: dict[str, int] = {}
    for code, _meaning in codes:
        if re.fullmatch(r"-?\d{1,9}", code):
            numbers[code] = int(code)
    next_number = max(numbers.values(), default=0) + 1
    for code, _meaning in codes:
        if code not in numbers:
            numbers[code] = next_number
            next_number += 1
    return numbers


def variable_name(key: str, taken: set[str]) -> str:
    """An SPSS variable name: letters, digits and _, starting with a letter, at most 64."""
    name = _NAME_BAD.sub("_", key)
    if not name or not name[0].isalpha():
        name = f"v_{name}"
    name = name[:64]
    base, n = name, 2
    while name.lower() in taken:
        suffix = f"_{n}"
        name, n = base[: 64 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _question_columns(village: Any, survey: Survey) -> Iterator[tuple]:
    for question in survey.questions():
        qtype = village.question_types[question.type]
        for index, column in enumerate(qtype.export_columns(question)):
            yield question, qtype, index, column


def _label(survey: Survey, question: Any, column: ExportColumn) -> str:
    number = survey.number(question.id)
    text = localise(question.text, "nl")
    header = column.header if column.header != column.key else ""
    # The header names the statement or option ("wl02: Ik voel me thuis"); keep its detail.
    detail = header.split(": ", 1)[1] if ": " in header else ""
    label = f"[{number}] {text}" + (f" | {detail}" if detail else "")
    return label[:255]


def export_sav(village: Any, survey: Survey, responses: list[dict[str, Any]]) -> bytes:
    """The .sav file as bytes."""
    import pandas as pd
    import pyreadstat

    taken: set[str] = set()
    data: dict[str, list[Any]] = {}
    labels: dict[str, str] = {}
    value_labels: dict[str, dict[int, str]] = {}
    missing: dict[str, list[int]] = {}
    measure: dict[str, str] = {}

    for key in META_COLUMNS:
        name = variable_name(key, taken)
        labels[name] = key.replace("_", " ")
        data[name] = [str(r.get(key if key != "response_id" else "id", "")) for r in responses]

    for question, qtype, index, column in _question_columns(village, survey):
        name = variable_name(column.key, taken)
        labels[name] = _label(survey, question, column)
        cells = [
            qtype.export_cells(question, r["answers"].get(question.id))[index] for r in responses
        ]
        if column.codes:
            numbers = numeric_codes(column.codes)
            value_labels[name] = {numbers[c]: m[:120] for c, m in column.codes}
            missing[name] = [numbers[c] for c in column.missing if c in numbers][:MAX_MISSING]
            data[name] = [_coded(cell, numbers) for cell in cells]
            measure[name] = "ordinal" if qtype.name == "scale" else "nominal"
        elif all(_is_number(c) for c in cells):
            data[name] = [None if c in ("", None) else float(c) for c in cells]
            measure[name] = "scale"
        else:
            data[name] = ["" if c is None else str(c) for c in cells]
            measure[name] = "nominal"

    for key in indicator_keys(responses):
        name = variable_name(key, taken)
        labels[name] = key
        values = [r.get("indicators", {}).get(key) for r in responses]
        if all(_is_number(v) for v in values):
            data[name] = [None if v in ("", None) else float(v) for v in values]
        else:
            data[name] = ["" if v is None else str(v) for v in values]

    frame = pd.DataFrame(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.sav"
        pyreadstat.write_sav(
            frame,
            str(path),
            file_label=localise(survey.title, "nl")[:64],
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_ranges={k: v for k, v in missing.items() if v},
            variable_measure=measure,
        )
        return path.read_bytes()


def _coded(cell: Any, numbers: dict[str, int]) -> float | None:
    if cell in ("", None):
        return None
    return float(numbers.get(str(cell), _fallback(cell)))


def _fallback(cell: Any) -> float:
    # A stored value no longer among the codes (an older definition): keep it if numeric.
    try:
        return float(cell)
    except (TypeError, ValueError):
        return float("nan")


def _is_number(value: Any) -> bool:
    if value in ("", None):
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return True
