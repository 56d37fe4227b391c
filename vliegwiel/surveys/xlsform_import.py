"""An XLSForm in (`vliegwiel survey import FORM.xlsx`): pyxform reads and checks the workbook,
this module maps its rows onto a vliegwiel survey definition.

Groups become pages (a nested group starts a page of its own, a table-list group of select_one
rows becomes a matrix question), notes at the start of a group its introduction, ``relevant``
becomes ``show_if`` (a group's ``relevant`` is added to every question in it), ``required``,
and ``constraint`` where it is a number range, a text length or a most-choices limit. Labels
come from the Dutch and English columns; without a Dutch column, from the form's default
language. Every row or column that does not map is an ImportProblem naming sheet and row; the
caller decides whether to write nothing (the default) or to leave those parts out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vliegwiel.surveys.schema import OTHER, Question
from vliegwiel.surveys.xlsform_export import OTHER_CHOICE
from vliegwiel.surveys.xlsform_expressions import (
    ExpressionError,
    constraint_to_settings,
    relevant_to_show_if,
)

#: Columns that hold text per language, as "column::Language (code)".
TEXT_COLUMNS = ("label", "hint", "vliegwiel_unit")
#: Columns read for every question, or that only say how a client lays it out.
HANDLED_COLUMNS = {
    "type", "name", "required", "relevant", "constraint", "appearance", "parameters",
    "constraint_message", "required_message",
}  # fmt: skip
#: XLSForm rows that are not questions someone answers: device data and calculations.
METADATA_TYPES = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
    "username", "email", "audit", "calculate", "hidden", "start-geopoint",
    "background-audio", "background-geopoint", "xml-external", "csv-external",
}  # fmt: skip
ALIASES = {
    "begin group": "begin_group", "end group": "end_group", "begin repeat": "begin_repeat",
    "end repeat": "end_repeat", "begin_loop": "begin_repeat", "end_loop": "end_repeat",
    "begin loop": "begin_repeat", "end loop": "end_repeat",
    "select one": "select_one", "select all that apply": "select_multiple",
    "select_all_that_apply": "select_multiple", "add note prompt": "note",
    "add text prompt": "text", "add integer prompt": "integer",
    "add decimal prompt": "decimal", "q note": "note", "int": "integer",
    "string": "text",
}  # fmt: skip
#: Real XLSForms are tens of kilobytes; a workbook this large is not a survey.
MAX_FORM_BYTES = 10 * 1024 * 1024
DUTCH_NAMES = ("nl", "dutch", "nederlands")
ENGLISH_NAMES = ("en", "english", "engels")


@dataclass(frozen=True)
class ImportProblem:
    file: str
    sheet: str
    row: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.sheet}:{self.row}: {self.message}"


class XLSFormImportError(Exception):
    """A workbook pyxform refuses or that holds no survey; ``problems`` says why."""

    def __init__(self, problems: list[ImportProblem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class ImportResult:
    survey: dict[str, Any]  # the definition, as it goes into the YAML file
    problems: list[ImportProblem]  # what was left out


def _language(column: str) -> str | None:
    """'nl', 'en' or another code for a column like 'label::Nederlands (nl)'; None for 'label'."""
    if "::" not in column:
        return None
    lang = column.split("::", 1)[1].strip()
    match = re.search(r"\(([A-Za-z-]+)\)\s*$", lang)
    code = (match.group(1) if match else lang).lower()
    if code in DUTCH_NAMES or lang.lower().startswith(DUTCH_NAMES[1:]):
        return "nl"
    if code in ENGLISH_NAMES or lang.lower().startswith(ENGLISH_NAMES[1:]):
        return "en"
    return code


def _identifier(name: str, taken: set[str], prefix: str = "v") -> str:
    """A vliegwiel id (lower case, letters, digits, _) for an XLSForm name; unique in taken."""
    base = re.sub(r"[^a-z0-9_]", "_", name.strip().lower()).strip("_") or prefix
    if not base[0].isalpha():
        base = f"{prefix}_{base}"
    base = base[:60]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _rename(condition: Any, ids: dict[str, str]) -> Any:
    if isinstance(condition, dict):
        return {k: (ids[v] if k == "question" else _rename(v, ids)) for k, v in condition.items()}
    if isinstance(condition, list):
        return [_rename(c, ids) for c in condition]
    return condition


def _questions_in(condition: Any) -> set[str]:
    if isinstance(condition, dict):
        found = {condition["question"]} if "question" in condition else set()
        for value in condition.values():
            found |= _questions_in(value)
        return found
    if isinstance(condition, list):
        return set().union(*(_questions_in(c) for c in condition)) if condition else set()
    return set()


@dataclass
class _Page:
    name: str
    row: int
    title: Any = None
    intro: list[Any] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Group:
    name: str
    row: int
    title: Any
    condition: Any  # parsed relevant, None when absent or not mapped


class _Reader:
    def __init__(self, file: str, data: Any, question_types: dict[str, Any] | None):
        self.file = file
        self.question_types = question_types
        self.rows: list[dict[str, str]] = list(data.survey or [])
        self.settings: dict[str, str] = dict((data.settings or [{}])[0] or {})
        self.problems: list[ImportProblem] = []
        #: The answers each mapped question can have (None: free answers), for conditions.
        self.answer_values: dict[str, list[str] | None] = {}
        self.choices: dict[str, list[tuple[int, dict[str, str]]]] = {}
        for index, row in enumerate(data.choices or []):
            if row.get("list_name") and row.get("name"):
                self.choices.setdefault(row["list_name"], []).append((index + 2, row))
        columns = {key for row in [*self.rows, *(data.choices or [])] for key in row}
        self.columns = self._pick_languages(columns)
        self.kinds: dict[str, str] = {}  # XLSForm name -> kind, for expressions
        self.ids: dict[str, str] = {}  # XLSForm name -> vliegwiel id
        self.taken_ids: set[str] = set()
        self.pages: list[_Page] = []
        self.page_ids: set[str] = set()

    def problem(self, sheet: str, row: int, message: str) -> None:
        self.problems.append(ImportProblem(self.file, sheet, row, message))

    # -- languages ---------------------------------------------------------------------------

    def _pick_languages(self, columns: set[str]) -> dict[str, tuple[str | None, str | None]]:
        """Per text column: the column to read as the main text and the English one (only
        when the main text is Dutch, since a translated text is {nl: ..., en: ...})."""
        default = self.settings.get("default_language", "")
        picked: dict[str, tuple[str | None, str | None]] = {}
        unused: set[str] = set()
        for base in TEXT_COLUMNS:
            mine = sorted(c for c in columns if c == base or c.startswith(f"{base}::"))
            by_lang = {_language(c): c for c in mine}
            main = by_lang.get("nl")
            english = by_lang.get("en") if main else None
            if main is None:
                main = f"{base}::{default}" if f"{base}::{default}" in mine else None
                main = main or by_lang.get(None) or (mine[0] if mine else None)
            picked[base] = (main, english)
            unused |= {c for c in mine if c not in (main, english)}
        for column in sorted(unused):
            self.problem(
                "survey",
                1,
                f"column '{column}': vliegwiel keeps Dutch and English texts; this language "
                "is left out",
            )
        return picked

    def text(self, row: dict[str, str], base: str = "label") -> Any:
        main, english = self.columns.get(base, (None, None))
        nl = (row.get(main) or "").strip() if main else ""
        en = (row.get(english) or "").strip() if english else ""
        if not nl:
            return None
        return {"nl": nl, "en": en} if en else nl

    # -- the survey sheet --------------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        stack: list[_Group] = []
        page: _Page | None = None
        skip_until: int | None = None  # index of the row closing a refused repeat
        index = 0
        while index < len(self.rows):
            row, excel_row = self.rows[index], index + 2
            index += 1
            if skip_until is not None:
                if index - 1 >= skip_until:
                    skip_until = None
                continue
            kind, argument, extra = self._type(row)
            if not kind:
                if any(v for k, v in row.items() if k != "type"):
                    self.problem("survey", excel_row, "row without a type")
                continue
            if kind == "begin_group" and "table-list" in (row.get("appearance") or ""):
                page = page or self._new_page(stack, excel_row)
                index = self._matrix(row, excel_row, index, stack, page)
                continue
            if kind == "begin_group":
                stack.append(
                    _Group(
                        row.get("name", ""),
                        excel_row,
                        self.text(row),
                        self._relevant(row, excel_row),
                    )
                )
                self._unused_columns(row, excel_row, ("label",))
                page = self._new_page(stack, excel_row)
                continue
            if kind == "end_group":
                if stack:
                    stack.pop()
                page = None  # what follows starts a new page
                continue
            if kind == "begin_repeat":
                skip_until = self._closing(index - 1, "begin_repeat", "end_repeat")
                self.problem(
                    "survey",
                    excel_row,
                    f"repeat '{row.get('name', '')}': vliegwiel asks each question once; "
                    "the repeat and the questions in it are left out",
                )
                continue
            if kind == "note":
                page = page or self._new_page(stack, excel_row)
                if (row.get("relevant") or "").strip():
                    self.problem(
                        "survey",
                        excel_row,
                        f"note '{row.get('name', '')}' has a relevant; vliegwiel shows page "
                        "introductions always, so the note is left out",
                    )
                elif page.questions:
                    self.problem(
                        "survey",
                        excel_row,
                        f"note '{row.get('name', '')}' between questions: vliegwiel shows text "
                        "only as the introduction at the start of a page",
                    )
                else:
                    # ODK shows a note's hint under its label: both belong to the text.
                    parts = [t for t in (self.text(row), self.text(row, "hint")) if t is not None]
                    if parts:
                        page.intro.append(_joined(parts))
                    self._unused_columns(row, excel_row)
                continue
            if kind in METADATA_TYPES:
                self.problem(
                    "survey",
                    excel_row,
                    f"'{kind}' row '{row.get('name', '')}': not a question a resident answers; "
                    "vliegwiel stores no device data or calculations",
                )
                continue
            question, consumed = self._question(kind, argument, extra, row, excel_row, index)
            if question is None:
                continue
            index += consumed
            page = page or self._new_page(stack, excel_row)
            conditions = [g.condition for g in stack if g.condition is not None]
            if question.get("show_if") is not None:
                conditions.append(question["show_if"])
            if conditions:
                question["show_if"] = conditions[0] if len(conditions) == 1 else {"all": conditions}
            page.questions.append(question)
        return self._survey()

    def _closing(self, start: int, begin: str, end: str) -> int:
        depth = 0
        for position in range(start, len(self.rows)):
            kind = self._type(self.rows[position])[0]
            depth += 1 if kind == begin else -1 if kind == end else 0
            if depth == 0:
                return position
        return len(self.rows)

    def _type(self, row: dict[str, str]) -> tuple[str, str, str]:
        raw = " ".join((row.get("type") or "").split())
        if not raw:
            return "", "", ""
        lowered = raw.lower()
        for alias, canonical in ALIASES.items():
            if lowered == alias or lowered.startswith(alias + " "):
                raw = canonical + raw[len(alias) :]
                break
        parts = raw.split(" ")
        return parts[0].lower(), parts[1] if len(parts) > 1 else "", " ".join(parts[2:])

    def _new_page(self, stack: list[_Group], row: int) -> _Page:
        group = stack[-1] if stack else None
        name = group.name if group else "pagina"
        title = group.title if group else None
        page = _Page(_identifier(name, self.page_ids, "pagina"), row, title)
        self.pages.append(page)
        return page

    def _relevant(self, row: dict[str, str], excel_row: int) -> Any:
        text = (row.get("relevant") or "").strip()
        if not text:
            return None
        try:
            return _rename(relevant_to_show_if(text, self.kinds), self.ids)
        except ExpressionError as error:
            self.problem("survey", excel_row, f"relevant '{text}': {error}")
            return None

    def _required(self, row: dict[str, str], excel_row: int) -> bool:
        value = (row.get("required") or "").strip().lower()
        if value in ("", "no", "false", "false()", "0"):
            return False
        if value in ("yes", "true", "true()", "1"):
            return True
        self.problem("survey", excel_row, f"required '{row.get('required')}': only yes or no maps")
        return False

    def _unused_columns(
        self, row: dict[str, str], excel_row: int, texts: tuple[str, ...] = ("label", "hint")
    ) -> None:
        """A problem for each filled column this row type does not use. Columns in a
        language vliegwiel leaves out were reported once for the whole sheet."""
        read = {c for base in texts for c in self.columns.get(base, ()) if c}
        chosen = {c for pair in self.columns.values() for c in pair if c}
        for column, value in row.items():
            base = column.split("::")[0]
            if column in read or not value or base in HANDLED_COLUMNS:
                continue
            if base in TEXT_COLUMNS and column not in chosen:
                continue
            self.problem("survey", excel_row, f"column '{column}' is not imported")

    def _options(self, list_name: str, excel_row: int) -> list[tuple[str, Any]] | None:
        rows = self.choices.get(list_name)
        if not rows:
            self.problem("survey", excel_row, f"choice list '{list_name}' is missing or empty")
            return None
        options = []
        for choice_row, choice in rows:
            value = choice["name"]
            label = self.text(choice) or value
            if len(value) > 64:
                self.problem("choices", choice_row, f"choice name '{value}' is over 64 characters")
                return None
            for column, cell in choice.items():
                if cell and column not in ("list_name", "name") and not column.startswith("label"):
                    self.problem("choices", choice_row, f"column '{column}' is not imported")
            options.append((value, label))
        return options

    def _question(
        self, kind: str, argument: str, extra: str, row: dict[str, str], excel_row: int, index: int
    ) -> tuple[dict[str, Any] | None, int]:
        """The question for one row and how many following rows it used; None when the row
        does not map (a problem says why)."""
        name = row.get("name", "")
        text = self.text(row)
        if text is None:
            self.problem("survey", excel_row, f"'{name}' has no label to ask")
            return None, 0
        question: dict[str, Any] = {"id": "", "type": "", "text": text}
        help_text = self.text(row, "hint")
        consumed = 0
        if kind in ("select_one", "select_multiple", "rank"):
            if extra and extra != "or_other":
                self.problem("survey", excel_row, f"'{kind} {argument} {extra}' does not map")
                return None, 0
            if (row.get("choice_filter") or "").strip():
                self.problem("survey", excel_row, "choice_filter: vliegwiel shows every option")
                return None, 0
            if "label" in (row.get("appearance") or "").lower().split():
                self.problem(
                    "survey",
                    excel_row,
                    f"'{name}' with appearance 'label' is the header of a grid, not a question",
                )
                return None, 0
            options = self._options(argument, excel_row)
            if options is None:
                return None, 0
            other = extra == "or_other"
            if kind != "rank" and not other and OTHER_CHOICE in {v for v, _l in options}:
                # The usual XLSForm "other": a choice 'other' and right after it a text row
                # shown when it is selected. That is vliegwiel's `other: true`.
                follow = self.rows[index] if index < len(self.rows) else {}
                wanted = f"selected(${{{name}}}, '{OTHER_CHOICE}')"
                relevant = " ".join((follow.get("relevant") or "").split())
                if self._type(follow)[0] == "text" and relevant.replace('"', "'") == wanted:
                    other, consumed = True, 1
                    options = [(v, label) for v, label in options if v != OTHER_CHOICE]
            values = [v for v, _l in options]
            appearance = (row.get("appearance") or "").lower()
            if kind == "select_one" and values == ["ja", "nee"] and not other:
                question["type"] = "yes_no"
            elif kind == "select_one" and "likert" in appearance and _scale(values):
                question["type"] = "scale"
                question["min"], question["max"] = int(values[0]), int(values[-1])
                labels = {int(v): lab for v, lab in options if lab != v}
                if labels:
                    question["labels"] = labels
            else:
                question["type"] = {
                    "select_one": "single_choice",
                    "select_multiple": "multiple_choice",
                    "rank": "ranking",
                }[kind]
                question["options"] = [
                    {"value": v, "label": label} if label != v else v for v, label in options
                ]
                if other:
                    question["other"] = True
            expression_kind = "multiple" if kind == "select_multiple" else "single"
            constraint_kind = "multiple" if kind == "select_multiple" else kind
        elif kind in ("integer", "decimal"):
            question["type"] = "number"
            if kind == "decimal":
                question["integer"] = False
            unit = self.text(row, "vliegwiel_unit")
            if unit is not None:
                question["unit"] = unit
            expression_kind = constraint_kind = kind
        elif kind == "text":
            long = "multiline" in (row.get("appearance") or "").lower()
            question["type"] = "long_text" if long else "short_text"
            expression_kind = constraint_kind = "text"
        elif kind == "range":
            scale = self._range(row, excel_row)
            if scale is None:
                return None, 0
            question.update(type="scale", **scale)
            expression_kind, constraint_kind = "integer", "range"
        else:
            self.problem(
                "survey",
                excel_row,
                f"'{name}': type '{kind}' has no vliegwiel question type",
            )
            return None, 0
        constraint = (row.get("constraint") or "").strip()
        if constraint:
            try:
                limits = constraint_to_settings(constraint, constraint_kind)
            except ExpressionError as error:
                self.problem("survey", excel_row, f"constraint '{constraint}': {error}")
                limits = {}
            if question["type"] == "short_text" and limits.get("max_length", 0) > 1000:
                question["type"] = "long_text"
            question.update(limits)
        if help_text is not None:
            question["help"] = help_text
        if self._required(row, excel_row):
            question["required"] = True
        show_if = self._relevant(row, excel_row)
        if show_if is not None:
            show_if = self._possible(show_if, row, excel_row)
        if show_if is not None:
            question["show_if"] = show_if
        texts = ("label", "hint", "vliegwiel_unit") if kind in ("integer", "decimal") else None
        self._unused_columns(row, excel_row, *([texts] if texts else []))
        question["id"] = _identifier(name, self.taken_ids)
        if not self._valid(question, excel_row):
            return None, 0
        self.ids[name] = question["id"]
        self.kinds[name] = expression_kind
        self.answer_values[question["id"]] = _answer_values(question)
        return question, consumed

    def _possible(self, show_if: Any, row: dict[str, str], excel_row: int) -> Any:
        """The condition, or None when it looks for a choice its question does not have.

        Such a ``relevant`` is never true in the form either (`vliegwiel check` refuses it);
        a choice 'other' that became vliegwiel's own "other" answer is renamed to match.
        """
        impossible: list[str] = []

        def visit(node: Any) -> Any:
            if isinstance(node, dict) and ("all" in node or "any" in node):
                key = "all" if "all" in node else "any"
                return {key: [visit(part) for part in node[key]]}
            if isinstance(node, dict) and "not" in node:
                return {"not": visit(node["not"])}
            if not isinstance(node, dict) or "question" not in node:
                return node
            values = self.answer_values.get(node["question"])
            node = dict(node)
            for operator in ("equals", "not_equals", "contains", "in"):
                if values is None or operator not in node:
                    continue
                wanted = node[operator] if operator == "in" else [node[operator]]
                fixed = []
                for value in wanted:
                    if str(value) == OTHER_CHOICE and OTHER in values:
                        value = OTHER
                    elif str(value) not in values:
                        impossible.append(f"'{value}' is not a choice of '{node['question']}'")
                    fixed.append(value)
                node[operator] = fixed if operator == "in" else fixed[0]
            return node

        result = visit(show_if)
        if impossible:
            text = " ".join((row.get("relevant") or "").split())
            self.problem(
                "survey",
                excel_row,
                f"relevant '{text}' can never be true ({'; '.join(impossible)}); "
                "the question is asked always",
            )
            return None
        return result

    def _valid(self, question: dict[str, Any], excel_row: int) -> bool:
        """Check one question as `vliegwiel check` will; a problem for the row if it fails."""
        if self.question_types is None:
            return True
        try:
            checked = Question.model_validate(question)
            qtype = self.question_types[checked.type]
            checked._settings = qtype.Settings.model_validate(checked.extra_keys())
            messages = qtype.check(checked)
        except ValidationError as error:
            messages = [
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}".lstrip(": ")
                for e in error.errors()
            ]
        for message in messages:
            self.problem("survey", excel_row, f"'{question['id']}': {message}")
        return not messages

    def _range(self, row: dict[str, str], excel_row: int) -> dict[str, int] | None:
        params = dict(
            part.split("=", 1) for part in (row.get("parameters") or "").split() if "=" in part
        )
        try:
            start = int(params.get("start", "1"))
            end = int(params.get("end", "10"))
            step = int(params.get("step", "1"))
        except ValueError:
            start, end, step = -1, -1, 0
        if step != 1 or start not in (0, 1) or not 2 <= end <= 10:
            self.problem(
                "survey",
                excel_row,
                f"range '{row.get('parameters', '')}': only whole steps from 0 or 1 up to "
                "2-10 map onto a scale",
            )
            return None
        return {"min": start, "max": end}

    def _matrix(
        self, row: dict[str, str], excel_row: int, index: int, stack: list[_Group], page: _Page
    ) -> int:
        """A table-list group of select_one rows on one list: a matrix question."""
        end = self._closing(index - 1, "begin_group", "end_group")
        children = [
            (position + 2, self.rows[position])
            for position in range(index, end)
            if self._type(self.rows[position])[0]
        ]
        kinds = [self._type(child) for _r, child in children]
        lists = {argument for kind, argument, _e in kinds}
        name = row.get("name", "")
        if not children or any(k != "select_one" for k, _a, _e in kinds) or len(lists) != 1:
            self.problem(
                "survey",
                excel_row,
                f"table-list group '{name}': only select_one rows on one choice list map "
                "(onto a matrix question); the group is left out",
            )
            return end + 1
        options = self._options(lists.pop(), excel_row)
        text = self.text(row)
        if options is None or text is None:
            if text is None:
                self.problem("survey", excel_row, f"table-list group '{name}' has no label")
            return end + 1
        statements, taken = [], set()
        for child_row, child in children:
            child_text = self.text(child)
            if child_text is None:
                self.problem("survey", child_row, f"'{child.get('name')}' has no label")
                return end + 1
            if (child.get("relevant") or "").strip():
                self.problem(
                    "survey",
                    child_row,
                    "relevant on one row of a matrix does not map; the row is asked always",
                )
            child_name = child.get("name", "")
            short = child_name[len(name) + 1 :] if child_name.startswith(f"{name}_") else child_name
            statements.append({"id": _identifier(short, taken, "s"), "text": child_text})
        question: dict[str, Any] = {"id": _identifier(name, self.taken_ids), "type": "matrix"}
        question["text"] = text
        help_text = self.text(row, "hint")
        if help_text is not None:
            question["help"] = help_text
        if all(self._required(child, r) for r, child in children):
            question["required"] = True
        question["statements"] = statements
        question["options"] = [
            {"value": v, "label": label} if label != v else v for v, label in options
        ]
        conditions = [g.condition for g in stack if g.condition is not None]
        own = self._relevant(row, excel_row)
        if own is not None:
            conditions.append(own)
        if conditions:
            question["show_if"] = conditions[0] if len(conditions) == 1 else {"all": conditions}
        if self._valid(question, excel_row):
            self.ids[name] = question["id"]
            page.questions.append(question)
        return end + 1

    # -- the result --------------------------------------------------------------------------

    def _survey(self) -> dict[str, Any]:
        intro = None
        pages = []
        for number, page in enumerate(self.pages):
            if page.questions:
                pages.append(page)
                continue
            if number == 0 and page.intro and not pages:
                intro = _joined(page.intro)  # a welcome before the first question
            elif page.intro or page.title:
                self.problem(
                    "survey",
                    page.row,
                    f"group '{page.name}' holds no questions of its own that map; its title "
                    "and notes are left out",
                )
        survey_id = self.settings.get("form_id") or Path(self.file).stem
        title: Any = self.settings.get("form_title") or Path(self.file).stem
        title_en = self.settings.get("vliegwiel_title_en")
        if title_en and self.columns["label"][1]:
            title = {"nl": title, "en": title_en}
        definition: dict[str, Any] = {
            "id": _survey_id(survey_id),
            "title": title,
        }
        if intro is not None:
            definition["intro"] = intro
        theme = (self.settings.get("vliegwiel_theme") or "").strip()
        if theme:
            definition["theme"] = theme
        if (self.settings.get("vliegwiel_anonymous") or "").lower() == "no":
            definition["anonymous"] = False
        access = (self.settings.get("vliegwiel_access") or "").strip()
        if access:
            definition["access"] = access
        breakdown = (self.settings.get("vliegwiel_breakdown") or "").strip()
        if breakdown:
            definition["breakdown"] = self.ids.get(breakdown, breakdown)
        definition["pages"] = [p for page in pages for p in self._split(page)]
        return definition

    def _split(self, page: _Page) -> list[dict[str, Any]]:
        """The page, split where a question depends on one on the same page: without
        JavaScript a condition can only use answers from earlier pages."""
        parts: list[dict[str, Any]] = []
        current: dict[str, Any] | None = None
        on_page: set[str] = set()
        for question in page.questions:
            refs = _questions_in(question.get("show_if"))
            if current is None or refs & on_page:
                page_id = page.name if current is None else _identifier(page.name, self.page_ids)
                current = {"id": page_id}
                if page.title is not None:
                    current["title"] = page.title
                if not parts and page.intro:
                    current["intro"] = _joined(page.intro)
                current["questions"] = []
                parts.append(current)
                on_page = set()
            current["questions"].append(question)
            on_page.add(question["id"])
        return parts


def _answer_values(question: dict[str, Any]) -> list[str] | None:
    if question["type"] == "yes_no":
        return ["ja", "nee"]
    if question["type"] == "scale":
        return [str(p) for p in range(question["min"], question["max"] + 1)]
    if "options" in question:
        values = [o if isinstance(o, str) else str(o["value"]) for o in question["options"]]
        return values + ([OTHER] if question.get("other") else [])
    return None


def _joined(texts: list[Any]) -> Any:
    if len(texts) == 1:
        return texts[0]
    if all(isinstance(t, str) for t in texts):
        return "\n\n".join(texts)
    nl = "\n\n".join(t["nl"] if isinstance(t, dict) else t for t in texts)
    en = "\n\n".join(t.get("en", t["nl"]) if isinstance(t, dict) else t for t in texts)
    return {"nl": nl, "en": en}


def _scale(values: list[str]) -> bool:
    if not all(re.fullmatch(r"\d+", v) for v in values):
        return False
    numbers = [int(v) for v in values]
    return (
        numbers[0] in (0, 1)
        and 2 <= numbers[-1] <= 10
        and numbers == list(range(numbers[0], numbers[-1] + 1))
    )


def _survey_id(text: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_-]", "_", text.strip().lower()).strip("_-")
    return (cleaned or "enquete")[:64]


def import_xlsform(path: Path, question_types: dict[str, Any] | None = None) -> ImportResult:
    """Read an XLSForm (.xlsx, .xls) through pyxform and map it onto a survey definition.

    Raises XLSFormImportError when pyxform refuses the workbook. Parts that do not map are
    returned as problems; the definition leaves them out. With ``question_types`` every
    question is also checked as `vliegwiel check` does, so a failing one is a problem too.
    """
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import get_xlsform
    from pyxform.xls2xform import convert

    file = path.name
    try:
        size = path.stat().st_size
    except OSError as error:
        raise XLSFormImportError([ImportProblem(file, "survey", 1, str(error))]) from None
    if size > MAX_FORM_BYTES:
        raise XLSFormImportError(
            [ImportProblem(file, "survey", 1, f"larger than {MAX_FORM_BYTES // 1024 // 1024} MB")]
        )
    try:
        # pyxform's own conversion is the check that this is a valid XLSForm at all.
        convert(str(path), warnings=[])
        data = get_xlsform(str(path))
    except PyXFormError as error:
        message = " ".join(str(error).split())
        match = re.search(r"\[row\s*:\s*(\d+)\]", message)
        sheet = "choices" if "choices" in message.lower()[:40] else "survey"
        raise XLSFormImportError(
            [ImportProblem(file, sheet, int(match.group(1)) if match else 1, message)]
        ) from None
    except (OSError, ValueError) as error:
        raise XLSFormImportError([ImportProblem(file, "survey", 1, str(error))]) from None
    reader = _Reader(file, data, question_types)
    survey = reader.read()
    if not survey["pages"]:
        reader.problem("survey", 1, "no question maps onto vliegwiel")
        raise XLSFormImportError(reader.problems)
    problems = sorted(reader.problems, key=lambda p: (p.sheet != "survey", p.sheet, p.row))
    return ImportResult(survey, problems)
