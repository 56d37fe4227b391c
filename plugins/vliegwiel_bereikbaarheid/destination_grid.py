"""The ``destination_grid`` question type: per destination, the usual travel mode and time.

YAML::

    - id: bestemmingen
      type: destination_grid
      text: Hoe komt u meestal bij deze plekken?
      destinations:
        - {id: supermarkt, label: Supermarkt}
        - {id: huisarts, label: Huisarts}
      modes: optional; defaults to lopen, fiets, auto, buurtbus, bus, meerijden, niet
      max_minutes: 240

Stored answer: ``{"supermarkt": {"mode": "fiets", "minutes": 10}, "huisarts": {"mode": "niet"}}``;
a destination left blank is absent. The mode ``niet`` ("kom ik niet") takes no travel time.
"""

from __future__ import annotations

import math
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, Field
from wtforms import Form, SelectChoice, SelectField, StringField

from vliegwiel.i18n import localise
from vliegwiel.question_types import (
    AnswerError,
    ExportColumn,
    QuestionType,
    Tally,
    TallyRow,
    number_stats,
)
from vliegwiel.survey_schema import Identifier, LocalText, Option, Question

NOT_MADE = "niet"


def _default_modes() -> list[Option]:
    return [
        Option(value="lopen", label={"nl": "Lopend", "en": "On foot"}),
        Option(value="fiets", label={"nl": "Fiets", "en": "Bicycle"}),
        Option(value="auto", label={"nl": "Auto (zelf rijden)", "en": "Car (driving)"}),
        Option(value="buurtbus", label={"nl": "Buurtbus", "en": "Community bus"}),
        Option(value="bus", label={"nl": "Bus", "en": "Bus"}),
        Option(value="meerijden", label={"nl": "Meerijden met iemand", "en": "Getting a lift"}),
        Option(value=NOT_MADE, label={"nl": "Kom ik niet", "en": "I don't get there"}),
    ]


class Destination(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Identifier
    label: LocalText


class DestinationGridSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    destinations: list[Destination] = Field(min_length=1, max_length=20)
    modes: list[Option] = Field(default_factory=_default_modes, min_length=2, max_length=20)
    max_minutes: int = Field(default=240, ge=1, le=1440)


def _mode_field(question: Question, destination: str) -> str:
    return f"{question.id}__{destination}__mode"


def _minutes_field(question: Question, destination: str) -> str:
    return f"{question.id}__{destination}__minutes"


class DestinationGrid(QuestionType):
    name = "destination_grid"
    Settings = DestinationGridSettings

    # --- definition -------------------------------------------------------------------------

    def check(self, question: Question) -> list[str]:
        s = question.settings
        problems = []
        ids = [d.id for d in s.destinations]
        problems += [f"destination id '{i}' is used twice" for i in sorted(_twice(ids))]
        values = [m.value for m in s.modes]
        problems += [f"mode value '{v}' is used twice" for v in sorted(_twice(values))]
        return problems

    # --- the form ---------------------------------------------------------------------------

    def fields(self, question: Question) -> dict[str, Any]:
        s = question.settings
        # SelectChoice, not tuples: tuple choices are deprecated since WTForms 3.3.
        choices = [SelectChoice("", _l("Kies..."))] + [
            SelectChoice(m.value, localise(m.label)) for m in s.modes
        ]
        fields: dict[str, Any] = {}
        for d in s.destinations:
            fields[_mode_field(question, d.id)] = SelectField(
                choices=choices, validate_choice=False
            )
            fields[_minutes_field(question, d.id)] = StringField()
        return fields

    def read(self, question: Question, form: Form) -> Any:
        answer: dict[str, dict[str, Any]] = {}
        for d in question.settings.destinations:
            mode = form[_mode_field(question, d.id)].data
            minutes = (form[_minutes_field(question, d.id)].data or "").strip()
            row: dict[str, Any] = {}
            if mode not in (None, "", "None"):
                row["mode"] = mode
            if minutes:
                row["minutes"] = minutes
            if row:
                answer[d.id] = row
        return self.validate(question, answer) if answer else None

    def validate(self, question: Question, answer: Any) -> Any:
        s = question.settings
        modes = {m.value for m in s.modes}
        labels = {d.id: localise(d.label) for d in s.destinations}
        if not isinstance(answer, dict) or not set(answer) <= set(labels):
            raise AnswerError(_("Vul de tabel per bestemming in."))
        clean: dict[str, dict[str, Any]] = {}
        for dest, row in answer.items():
            if not isinstance(row, dict) or row.get("mode") not in modes:
                raise AnswerError(_("Kies bij %(dest)s hoe u er komt.", dest=labels[dest]))
            cell: dict[str, Any] = {"mode": row["mode"]}
            if row.get("minutes") not in (None, ""):
                if row["mode"] == NOT_MADE:
                    raise AnswerError(
                        _(
                            "Bij %(dest)s kiest u 'Kom ik niet': laat de reistijd leeg.",
                            dest=labels[dest],
                        )
                    )
                cell["minutes"] = _minutes(row["minutes"], s.max_minutes, labels[dest])
            clean[dest] = cell
        if question.required and set(clean) != set(labels):
            raise AnswerError(_("Kies bij elke bestemming hoe u er komt."))
        return clean

    def form_data(self, question: Question, answer: Any) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for dest, row in (answer or {}).items():
            data[_mode_field(question, dest)] = row.get("mode", "")
            if "minutes" in row:
                data[_minutes_field(question, dest)] = str(row["minutes"])
        return data

    def render(self, question: Question, form: Form, **context: Any) -> Markup:
        """A table: one row per destination with a labelled select and a minutes box.

        Each control is labelled by its row header and column header (``aria-labelledby``),
        so a screen reader says "Huisarts, Hoe" and "Huisarts, Reistijd in minuten".
        """
        s = question.settings
        qid = escape(question.id)
        parts = [
            Markup('<fieldset class="question question-destination-grid" id="q-{}">').format(qid),
            Markup("<legend>{}</legend>").format(localise(question.text)),
        ]
        if question.help:
            parts.append(Markup('<p class="help">{}</p>').format(localise(question.help)))
        parts.append(
            Markup(
                '<table class="destination-grid"><thead><tr>'
                '<th scope="col" id="{q}__h-dest">{d}</th>'
                '<th scope="col" id="{q}__h-mode">{m}</th>'
                '<th scope="col" id="{q}__h-min">{t}</th></tr></thead><tbody>'
            ).format(q=qid, d=_("Bestemming"), m=_("Hoe"), t=_("Reistijd in minuten (enkele reis)"))
        )
        for d in s.destinations:
            row_id = f"{question.id}__r-{d.id}"
            mode = form[_mode_field(question, d.id)]
            minutes = form[_minutes_field(question, d.id)]
            parts.append(
                Markup('<tr><th scope="row" id="{}">{}</th><td>{}</td><td>{}</td></tr>').format(
                    row_id,
                    localise(d.label),
                    mode(**{"aria-labelledby": f"{row_id} {question.id}__h-mode"}),
                    minutes(
                        **{
                            "aria-labelledby": f"{row_id} {question.id}__h-min",
                            "inputmode": "numeric",
                            "size": "4",
                        }
                    ),
                )
            )
        parts.append(Markup("</tbody></table></fieldset>"))
        return Markup("").join(parts)

    # --- results ----------------------------------------------------------------------------

    def answer_text(self, question: Question, answer: Any) -> str:
        if not answer:
            return ""
        labels = {m.value: localise(m.label) for m in question.settings.modes}
        texts = []
        for d in question.settings.destinations:
            row = answer.get(d.id)
            if not row:
                continue
            text = f"{localise(d.label)}: {labels.get(row['mode'], row['mode'])}"
            if "minutes" in row:
                text += " " + _("(%(n)s min.)", n=row["minutes"])
            texts.append(text)
        return "; ".join(texts)

    def tally(self, question: Question, answers: list[Any]) -> Tally:
        s = question.settings
        rows_of = [a for a in answers if isinstance(a, dict)]
        parts = {}
        for d in s.destinations:
            cells = [a[d.id] for a in rows_of if isinstance(a.get(d.id), dict)]
            modes = [c.get("mode") for c in cells]
            minutes = [c["minutes"] for c in cells if isinstance(c.get("minutes"), int | float)]
            parts[d.id] = Tally(
                f"{question.id}__{d.id}",
                "choice",
                len(cells),
                rows=[TallyRow(m.value, m.label, modes.count(m.value)) for m in s.modes],
                stats=number_stats(minutes),
            )
        return Tally(question.id, "matrix", len(rows_of), parts=parts)

    def export_columns(self, question: Question) -> list[ExportColumn]:
        codes = tuple((m.value, localise(m.label, "nl")) for m in question.settings.modes)
        columns = []
        for d in question.settings.destinations:
            label = localise(d.label, "nl")
            columns.append(
                ExportColumn(_mode_field(question, d.id), f"{question.id}: {label}, hoe", codes)
            )
            columns.append(
                ExportColumn(_minutes_field(question, d.id), f"{question.id}: {label}, minuten")
            )
        return columns

    def export_cells(self, question: Question, answer: Any) -> list[Any]:
        cells: list[Any] = []
        for d in question.settings.destinations:
            row = (answer or {}).get(d.id) or {}
            cells += [row.get("mode", ""), row.get("minutes", "")]
        return cells


def _twice(values: list[str]) -> set[str]:
    seen: set[str] = set()
    return {v for v in values if v in seen or seen.add(v)}


def _minutes(raw: Any, maximum: int, destination: str) -> int:
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        raise AnswerError(
            _("Vul bij %(dest)s de reistijd in als heel getal minuten.", dest=destination)
        ) from None
    if not math.isfinite(value) or value != int(value) or not 0 <= value <= maximum:
        raise AnswerError(
            _(
                "Vul bij %(dest)s een reistijd in van 0 tot %(max)s minuten.",
                dest=destination,
                max=maximum,
            )
        )
    return int(value)
