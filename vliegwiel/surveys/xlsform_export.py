"""A survey as an XLSForm (`vliegwiel survey export SURVEY --format xlsform`), written with
openpyxl so KoboToolbox, ODK and pyxform read it and `vliegwiel survey import` reads it back
into the same survey.

Pages are field-list groups, a page introduction is a note at the start of its group and the
survey introduction a group of its own holding one note. Texts go in ``label::Nederlands (nl)``
and, where translated, ``label::English (en)``. What XLSForm has no column for (the survey's
English title, theme, access, breakdown; a number's unit) travels in ``vliegwiel_*`` columns,
which pyxform passes over. Question types from theme plugins have no XLSForm form: exporting a
survey with one raises XLSFormExportError.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from vliegwiel.surveys.schema import Question, Survey
from vliegwiel.surveys.xlsform_expressions import show_if_to_relevant

NL, EN = "Nederlands (nl)", "English (en)"
YES_NO_LIST = "ja_nee"
OTHER_CHOICE = "other"
SURVEY_INTRO_GROUP = "survey_intro"
DEFAULT_MAX_LENGTH = {"short_text": 200, "long_text": 2000}
EXPORTABLE = (
    "single_choice", "multiple_choice", "yes_no", "scale", "number", "short_text",
    "long_text", "matrix", "ranking",
)  # fmt: skip


class XLSFormExportError(ValueError):
    """A survey XLSForm cannot hold; the message names each question."""


def _split(text: Any) -> tuple[str, str]:
    if text is None:
        return "", ""
    if isinstance(text, dict):
        return text.get("nl", ""), text.get("en", "")
    return str(text), ""


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


class _Sheets:
    def __init__(self, english: bool):
        self.english = english
        self.survey: list[dict[str, str]] = []
        self.choices: list[dict[str, str]] = []
        self.lists: set[str] = set()

    def text(self, row: dict[str, str], column: str, text: Any) -> None:
        nl, en = _split(text)
        if nl:
            row[f"{column}::{NL}"] = nl
        if en and self.english:
            row[f"{column}::{EN}"] = en

    def add(self, kind: str, name: str = "", label: Any = None, **cells: str) -> dict[str, str]:
        row = {"type": kind, "name": name}
        self.text(row, "label", label)
        row.update({k: v for k, v in cells.items() if v})
        self.survey.append(row)
        return row

    def choice_list(self, name: str, options: list[tuple[str, Any]]) -> str:
        if name not in self.lists:
            self.lists.add(name)
            for value, label in options:
                row = {"list_name": name, "name": value}
                self.text(row, "label", label)
                self.choices.append(row)
        return name


def _has_english(survey: Survey) -> bool:
    def english(text: Any) -> bool:
        return isinstance(text, dict) and bool(text.get("en"))

    texts: list[Any] = [survey.title, survey.intro]
    for page in survey.pages:
        texts += [page.title, page.intro]
        for q in page.questions:
            texts += [q.text, q.help]
            settings = q.settings
            texts += [o.label for o in getattr(settings, "options", [])]
            texts += [s.text for s in getattr(settings, "statements", [])]
            texts += list(getattr(settings, "labels", {}).values())
            texts.append(getattr(settings, "unit", None))
    return any(english(t) for t in texts)


def _question(sheets: _Sheets, q: Question, taken: set[str]) -> None:
    s = q.settings
    cells = {
        "required": "yes" if q.required else "",
        "relevant": show_if_to_relevant(q.show_if) if q.show_if is not None else "",
    }

    def add(kind: str, **extra: str) -> dict[str, str]:
        row = sheets.add(kind, q.id, q.text, **cells, **extra)
        sheets.text(row, "hint", q.help)
        return row

    if q.type in ("single_choice", "multiple_choice"):
        # "Anders, namelijk" (an `other: true` option, wherever it is placed) becomes the
        # usual XLSForm choice 'other' with a text row after the question.
        options = [(o.value, o.label) for o in s.options if not o.other]
        if s.other:
            if OTHER_CHOICE in {v for v, _label in options} or f"{q.id}_other" in taken:
                raise XLSFormExportError(
                    f"question '{q.id}': the 'other' answer needs the choice name "
                    f"'{OTHER_CHOICE}' and the question name '{q.id}_other', which are taken"
                )
            options.append((OTHER_CHOICE, {"nl": "Anders", "en": "Other"}))
        kind = "select_one" if q.type == "single_choice" else "select_multiple"
        constraint = ""
        if q.type == "multiple_choice" and s.max_choices:
            constraint = f"count-selected(.) <= {s.max_choices}"
        add(f"{kind} {sheets.choice_list(q.id, options)}", constraint=constraint)
        if s.other:
            sheets.add(
                "text",
                f"{q.id}_other",
                {"nl": "Anders, namelijk:", "en": "Other, namely:"},
                relevant=f"selected(${{{q.id}}}, '{OTHER_CHOICE}')",
            )
    elif q.type == "yes_no":
        yes_no = [("ja", {"nl": "Ja", "en": "Yes"}), ("nee", {"nl": "Nee", "en": "No"})]
        add(f"select_one {sheets.choice_list(YES_NO_LIST, yes_no)}")
    elif q.type == "scale":
        points = [(str(n), s.labels.get(n, str(n))) for n in range(s.min, s.max + 1)]
        add(f"select_one {sheets.choice_list(q.id, points)}", appearance="likert")
    elif q.type == "number":
        bounds = []
        if s.min is not None:
            bounds.append(f". >= {_number(s.min)}")
        if s.max is not None:
            bounds.append(f". <= {_number(s.max)}")
        row = add("integer" if s.integer else "decimal", constraint=" and ".join(bounds))
        sheets.text(row, "vliegwiel_unit", s.unit)
    elif q.type in ("short_text", "long_text"):
        constraint = ""
        if s.max_length != DEFAULT_MAX_LENGTH[q.type]:
            constraint = f"string-length(.) <= {s.max_length}"
        appearance = "multiline" if q.type == "long_text" else ""
        add("text", constraint=constraint, appearance=appearance)
    elif q.type == "ranking":
        add(f"rank {sheets.choice_list(q.id, [(o.value, o.label) for o in s.options])}")
    elif q.type == "matrix":
        # XLSForm's grid: a table-list group of select_one rows sharing one list.
        group = sheets.add("begin_group", q.id, q.text, appearance="table-list", **cells)
        sheets.text(group, "hint", q.help)
        options = sheets.choice_list(q.id, [(o.value, o.label) for o in s.options])
        for statement in s.statements:
            sheets.add(
                f"select_one {options}",
                f"{q.id}_{statement.id}",
                statement.text,
                required="yes" if q.required else "",
            )
        sheets.add("end_group")


def export_xlsform(survey: Survey) -> bytes:
    """The survey as .xlsx bytes; raises XLSFormExportError for question types XLSForm lacks."""
    unsupported = [
        f"question '{q.id}': type '{q.type}' has no XLSForm form"
        for q in survey.questions()
        if q.type not in EXPORTABLE
    ]
    if unsupported:
        raise XLSFormExportError("\n".join(unsupported))
    sheets = _Sheets(_has_english(survey))
    taken = {q.id for q in survey.questions()}
    if survey.intro is not None:
        sheets.add("begin_group", SURVEY_INTRO_GROUP)
        sheets.add("note", f"{SURVEY_INTRO_GROUP}_note", survey.intro)
        sheets.add("end_group")
    for page in survey.pages:
        sheets.add("begin_group", page.id, page.title, appearance="field-list")
        if page.intro is not None:
            sheets.add("note", f"{page.id}_intro", page.intro)
        for question in page.questions:
            _question(sheets, question, taken)
        sheets.add("end_group")

    title_nl, title_en = _split(survey.title)
    settings = {
        "form_title": title_nl,
        "form_id": survey.id,
        "version": survey.version,
        "default_language": NL,
        "style": "pages",
        "vliegwiel_title_en": title_en,
        "vliegwiel_theme": survey.theme or "",
        "vliegwiel_anonymous": "yes" if survey.anonymous else "no",
        "vliegwiel_access": survey.access,
        "vliegwiel_breakdown": survey.breakdown or "",
    }
    languages = [NL, EN] if sheets.english else [NL]
    survey_columns = ["type", "name"]
    for column in ("label", "hint"):
        survey_columns += [f"{column}::{lang}" for lang in languages]
    survey_columns += ["required", "relevant", "constraint", "appearance"]
    survey_columns += [f"vliegwiel_unit::{lang}" for lang in languages]
    choice_columns = ["list_name", "name", *(f"label::{lang}" for lang in languages)]

    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    _write(sheet, survey_columns, sheets.survey)
    _write(book.create_sheet("choices"), choice_columns, sheets.choices)
    _write(book.create_sheet("settings"), list(settings), [settings])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write(sheet, columns: list[str], rows: list[dict[str, str]]) -> None:
    sheet.append(columns)
    for row in rows:
        # A cell starting with "=" would be a formula in a spreadsheet: store it as text.
        sheet.append([row.get(c, "") or None for c in columns])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                cell.data_type = "s"
