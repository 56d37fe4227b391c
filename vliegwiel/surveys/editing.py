"""Creating and changing a survey in the browser, with the YAML file on disk as the only source.

Saving checks the text exactly as ``vliegwiel check`` does, refuses a change that would make
stored answers unreadable (a question with answers removed or given another type, an answer
that no longer fits), refuses to overwrite a file that changed on disk since it was opened,
writes the file atomically and keeps every saved text in the ``survey_files`` collection:
``{"id", "survey_id", "number", "file", "text", "saved_at", "saved_by"}`` (number 1, 2, ...
per survey; when a file is first saved in the browser, its text from before is kept too).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from vliegwiel.core.errors import VliegwielError
from vliegwiel.core.storage import write_file
from vliegwiel.core.village import Village
from vliegwiel.surveys.loader import MAX_FILE_BYTES, Problem, SurveyError, load_survey_text
from vliegwiel.surveys.question_types import AnswerError
from vliegwiel.surveys.responses import now, responses_of
from vliegwiel.surveys.schema import Survey

VERSIONS = "survey_files"

#: What "Nieuwe enquête" starts from: the smallest survey that passes the check.
STARTER = """\
id: nieuwe-enquete
title: Nieuwe enquête
intro: Waar gaat deze enquête over? Eén of twee zinnen.
pages:
  - id: eerste
    title: Eerste vragen
    questions:
      - id: mening
        type: single_choice
        text: Hoe prettig vindt u het wonen in het dorp?
        required: true
        options:
          - {value: prettig, label: Prettig}
          - {value: neutraal, label: Neutraal}
          - {value: niet_prettig, label: Niet prettig}
"""


class EditRefused(VliegwielError):
    """A save that is not allowed; ``reasons`` are Dutch sentences for the organiser."""

    code = "survey_edit"

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass
class Checked:
    """The outcome of checking a text: the survey when it is valid, else every problem."""

    survey: Survey | None
    problems: list[Problem] = field(default_factory=list)

    def problems_by_line(self, language: str = "en") -> dict[int, list[str]]:
        """The problems' messages in ``language``, by line number."""
        lines: dict[int, list[str]] = {}
        for problem in self.problems:
            lines.setdefault(problem.line, []).append(problem.localised(language))
        return lines


def check_text(village: Village, text: str, file: str) -> Checked:
    """Check a survey text as ``vliegwiel check`` checks a file, problems in line order."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        return Checked(None, [Problem(file, 1, f"larger than {MAX_FILE_BYTES // 1024} KB")])
    try:
        return Checked(load_survey_text(text, file, village.question_types))
    except SurveyError as error:
        return Checked(None, sorted(error.problems, key=lambda p: p.line))


def text_hash(text: str) -> str:
    """A fingerprint of a file's text: the editor sends it back to detect a change on disk."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def breaking_changes(village: Village, old: Survey, new: Survey) -> list[str]:
    """Why ``new`` would make answers stored for ``old`` unreadable; empty when it would not.

    Each distinct stored answer is checked against the new question by its type's own
    ``validate``, so a removed option, a narrower scale or a shorter text limit all count.
    """
    answered: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for response in responses_of(village, old.id):
        for question_id, value in response.get("answers", {}).items():
            key = json.dumps(value, sort_keys=True, ensure_ascii=False)
            answered.setdefault(question_id, {})[key] = value
            counts[question_id] = counts.get(question_id, 0) + 1
    reasons = []
    for question_id, values in answered.items():
        before, after = old.question(question_id), new.question(question_id)
        if after is None:
            reasons.append(
                _(
                    "Vraag '%(id)s' is verwijderd, maar %(n)s bewaarde antwoorden gaan erover.",
                    id=question_id,
                    n=counts[question_id],
                )
            )
            continue
        if before is not None and before.type != after.type:
            reasons.append(
                _(
                    "Vraag '%(id)s' krijgt een ander soort (%(old)s wordt %(new)s), maar er "
                    "zijn al %(n)s antwoorden op.",
                    id=question_id,
                    old=before.type,
                    new=after.type,
                    n=counts[question_id],
                )
            )
            continue
        qtype = village.question_types.get(after.type)
        for shown, value in values.items():
            try:
                qtype.validate(after, value)
            except AnswerError as error:
                reasons.append(
                    _(
                        "Een bewaard antwoord op vraag '%(id)s' past niet meer: %(value)s "
                        "(%(error)s)",
                        id=question_id,
                        value=shown,
                        error=str(error),
                    )
                )
                break
    return reasons


def versions_of(village: Village, survey_id: str) -> list[dict[str, Any]]:
    """Every saved text of a survey, newest first."""
    found = village.storage.find(VERSIONS, survey_id=survey_id)
    return sorted(found, key=lambda v: v["number"], reverse=True)


def _keep(village: Village, survey_id: str, path: Path, text: str, user: str | None) -> None:
    # Called under the collection's lock, so numbers are unique and in order.
    number = len(village.storage.find(VERSIONS, survey_id=survey_id)) + 1
    village.storage.insert(
        VERSIONS,
        {
            "survey_id": survey_id,
            "number": number,
            "file": path.name,
            "text": text,
            "saved_at": now(),
            "saved_by": user,
        },
    )


def save_survey(
    village: Village,
    text: str,
    *,
    survey_id: str | None,
    base: str | None,
    user: str | None,
) -> Survey:
    """Write ``text`` as survey ``survey_id`` (None: a new survey); returns the saved survey.

    Raises SurveyError (the text does not pass the check) or EditRefused (it passes, but
    saving it would break something; the reasons say what).
    """
    surveys_dir = village.instance_dir / "surveys"
    if survey_id is None:
        checked = check_text(village, text, "nieuw.yaml")
    else:
        current = village.surveys.path(survey_id)
        if current is None:
            raise EditRefused([_("Deze enquête bestaat niet (meer).")])
        checked = check_text(village, text, current.name)
    if checked.survey is None:
        raise SurveyError(checked.problems)
    new = checked.survey
    with village.storage.locked(VERSIONS):
        if survey_id is None:
            path = surveys_dir / f"{new.id}.yaml"
            if village.surveys.get(new.id) is not None or path.exists():
                raise EditRefused(
                    [_("Er is al een enquête met id '%(id)s'. Kies een andere id.", id=new.id)]
                )
        else:
            path = village.surveys.path(survey_id)
            old = village.surveys.get(survey_id)
            if path is None or old is None:
                raise EditRefused([_("Deze enquête bestaat niet (meer).")])
            on_disk = path.read_text(encoding="utf-8")
            if base is not None and text_hash(on_disk) != base:
                raise EditRefused(
                    [
                        _(
                            "Het bestand %(file)s is intussen door iemand anders gewijzigd. "
                            "Open de enquête opnieuw; uw tekst staat hieronder nog.",
                            file=path.name,
                        )
                    ]
                )
            if new.id != survey_id:
                raise EditRefused(
                    [
                        _(
                            "De id kan niet veranderen ('%(old)s' wordt '%(new)s'): antwoorden, "
                            "codes en links horen bij de id. Maak een nieuwe enquête.",
                            old=survey_id,
                            new=new.id,
                        )
                    ]
                )
            reasons = breaking_changes(village, old, new)
            if reasons:
                raise EditRefused(reasons)
            if not versions_of(village, survey_id):
                # The text as it was before the first save in the browser is a version too.
                _keep(village, survey_id, path, on_disk, None)
        write_file(path, text.encode("utf-8"))
        _keep(village, new.id, path, text, user)
    return new
