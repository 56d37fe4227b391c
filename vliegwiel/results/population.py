"""Who lives in the village: population figures per answer of a survey's background questions.

An organiser enters, per background question (age group, sex, part of the village; any
single-choice question), how many residents each answer stands for, or imports them from a
CSV of CBS "Kerncijfers wijken en buurten". Stored per survey in the ``population``
collection as ``{"id": survey_id, "margins": {question_id: {option_value: residents}}}``.
These margins feed the response comparison (vliegwiel.results.representation) and the
optional weighting (vliegwiel.results.weighting).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from vliegwiel.core.errors import VliegwielError
from vliegwiel.core.storage import Storage
from vliegwiel.surveys.responses import now
from vliegwiel.surveys.schema import Question, Survey

COLLECTION = "population"
#: A village's CSV is a few kilobytes; anything far larger is not one.
MAX_CSV_BYTES = 2_000_000
#: No village part or age group holds more residents than this (a typo guard).
MAX_RESIDENTS = 10_000_000

Margins = dict[str, dict[str, int]]

#: CBS Kerncijfers columns (StatLine's "Aantal inwoners" headers and the open-data names such
#: as ``k_65JaarOfOuder_12``, normalised: lower case, letters and digits only, no numeric
#: suffix) and the group names an organiser maps answers to.
CBS_COLUMNS = {
    "aantalinwoners": "inwoners",
    "mannen": "mannen",
    "vrouwen": "vrouwen",
    "0tot15jaar": "0-15",
    "k0tot15jaar": "0-15",
    "15tot25jaar": "15-25",
    "k15tot25jaar": "15-25",
    "25tot45jaar": "25-45",
    "k25tot45jaar": "25-45",
    "45tot65jaar": "45-65",
    "k45tot65jaar": "45-65",
    "65jaarofouder": "65+",
    "k65jaarofouder": "65+",
}
_NAME_COLUMNS = {"wijkenenbuurten", "regioaanduiding", "regios", "naam", "wijkenbuurt"}


class PopulationError(VliegwielError):
    """Population figures that cannot be used; the message says which and why."""

    code = "population"


@dataclass(frozen=True)
class CbsRegion:
    """One row of a CBS Kerncijfers CSV: a municipality, district (wijk) or neighbourhood."""

    name: str
    figures: dict[str, int]


def population_questions(survey: Survey) -> list[Question]:
    """The questions population figures can be entered for: every single-choice question."""
    return [q for q in survey.questions() if q.type in ("single_choice", "yes_no")]


def load_margins(storage: Storage, survey_id: str) -> Margins:
    record = storage.get(COLLECTION, survey_id)
    return {q: dict(groups) for q, groups in (record or {}).get("margins", {}).items()}


def save_margins(storage: Storage, survey: Survey, margins: Margins) -> None:
    """Check and store ``margins`` (replacing the survey's earlier ones)."""
    check_margins(survey, margins)
    with storage.locked(COLLECTION):
        record = {"margins": margins, "changed_at": now()}
        if storage.get(COLLECTION, survey.id) is None:
            storage.insert(COLLECTION, {"id": survey.id, **record})
        else:
            storage.update(COLLECTION, survey.id, record)


def check_margins(survey: Survey, margins: Margins) -> None:
    """Every margin names a single-choice question and gives every one of its answers a
    whole number of residents; at least one answer has residents."""
    questions = {q.id: q for q in population_questions(survey)}
    for question_id, groups in margins.items():
        question = questions.get(question_id)
        if question is None:
            raise PopulationError(f"'{question_id}' is not a single-choice question of the survey")
        values = option_values(question)
        missing = [v for v in values if v not in groups]
        extra = [g for g in groups if g not in values]
        if missing or extra:
            raise PopulationError(
                f"{question_id}: give a number for every answer ({', '.join(values)})"
            )
        for value, residents in groups.items():
            if not isinstance(residents, int) or isinstance(residents, bool):
                raise PopulationError(f"{question_id}.{value}: not a whole number")
            if not 0 <= residents <= MAX_RESIDENTS:
                raise PopulationError(f"{question_id}.{value}: {residents} is out of range")
        if sum(groups.values()) == 0:
            raise PopulationError(f"{question_id}: every number is 0")


def option_values(question: Question) -> list[str]:
    return [option.value for option in question.settings.options]


def read_cbs_csv(data: bytes) -> list[CbsRegion]:
    """The regions of a CBS Kerncijfers wijken en buurten CSV (``;`` or ``,`` separated)."""
    if len(data) > MAX_CSV_BYTES:
        raise PopulationError("the file is too large for a CBS table of one village")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        raise PopulationError("this is not a CSV file") from None
    rows = list(csv.reader(io.StringIO(text), dialect))
    if len(rows) < 2:
        raise PopulationError("the CSV has no rows below its header")
    header = [_normalise(cell) for cell in rows[0]]
    columns = {i: CBS_COLUMNS[h] for i, h in enumerate(header) if h in CBS_COLUMNS}
    if not columns:
        raise PopulationError(
            "no CBS Kerncijfers columns found (such as 'Aantal inwoners' or '65 jaar of ouder')"
        )
    name_column = next((i for i, h in enumerate(header) if h in _NAME_COLUMNS), 0)
    regions = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        figures = {}
        for i, group in columns.items():
            cell = row[i].strip().replace(".", "").replace(" ", "") if i < len(row) else ""
            if cell in ("", "."):
                continue  # CBS leaves a cell empty (or ".") when it keeps a figure secret
            if not cell.isdigit() or int(cell) > MAX_RESIDENTS:
                raise PopulationError(f"line {line}: '{row[i]}' is not a number of residents")
            figures[group] = int(cell)
        name = row[name_column].strip() if name_column < len(row) else f"regel {line}"
        regions.append(CbsRegion(name or f"regel {line}", figures))
    return regions


def margin_from_cbs(
    question: Question, regions: list[CbsRegion], mapping: dict[str, str]
) -> dict[str, int]:
    """Residents per answer of ``question`` from CBS ``regions``.

    ``mapping`` maps each answer value to CBS groups joined by ``+``: a column group
    ("65+", "mannen", "0-15") summed over all regions, or a region's name (its
    inhabitants: "Noord"); ``"45-65+65+"`` adds two groups.
    """
    by_name = {r.name.casefold(): r for r in regions}
    groups = sorted({g for r in regions for g in r.figures})
    result = {}
    for value in option_values(question):
        if value not in mapping:
            raise PopulationError(f"no CBS group given for the answer '{value}'")
        total = 0
        for part in _split_groups(mapping[value], groups):
            if part in groups:
                total += sum(r.figures.get(part, 0) for r in regions)
            elif part.casefold() in by_name:
                total += by_name[part.casefold()].figures.get("inwoners", 0)
            else:
                raise PopulationError(
                    f"'{part}' is neither a CBS group ({', '.join(groups)}) nor a region"
                )
        result[value] = total
    unknown = [v for v in mapping if v not in result]
    if unknown:
        raise PopulationError(f"'{unknown[0]}' is not an answer of {question.id}")
    return result


def _split_groups(spec: str, groups: list[str]) -> list[str]:
    """Split "45-65+65+" into ["45-65", "65+"]: "65+" is a group name, not a separator."""
    parts: list[str] = []
    rest = spec.strip()
    while rest:
        for group in sorted(groups, key=len, reverse=True):
            if rest.startswith(group) and (len(rest) == len(group) or rest[len(group)] == "+"):
                parts.append(group)
                rest = rest[len(group) + 1 :]
                break
        else:
            head, _, rest = rest.partition("+")
            parts.append(head.strip())
    return [p for p in parts if p]


def _normalise(header: str) -> str:
    header = re.sub(r"_\d+$", "", header.strip())
    header = header.split("/")[-1]  # StatLine "Bevolking/Leeftijdsgroepen/65 jaar of ouder"
    header = re.sub(r"\(.*?\)", "", header)
    return re.sub(r"[^a-z0-9]", "", header.lower())
