"""Share bundles as Frictionless Data Packages (v2), so open-data portals and any Frictionless
tool read them, while `vliegwiel compare` reads them as it reads the older bundles.

A bundle is a zip with exactly four members:

- ``datapackage.json``: the descriptor: name, title, licence, the village as contributor,
  provenance under ``vliegwiel`` (village, households, survey, round, dates, k) and the
  three resources below, the results with their Table Schema;
- ``results.csv``: the published numbers in long format, one row per answer option (or one
  row per question without options), matrix statements as parts. A number hidden by
  small-group protection is the labelled missing value ``verborgen``; an empty cell means
  "does not apply";
- ``survey.json``: the survey definition;
- ``summaries.json``: plugin summaries, the channels (web, paper) the answers came in by and
  ``sections``: plugins' own published results (``vliegwiel_share_sections``), each
  ``{"plugin", "title", "data"}`` with a hidden count as ``null``.

It never holds a response, a response id or a free text. Reading is strict: exactly these
members, the descriptor exactly as vliegwiel writes it apart from the provenance values, the
CSV's header exactly, every cell of the right type.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vliegwiel.results.bundle_model import (
    Bundle,
    BundleError,
    Manifest,
    OptionResult,
    QuestionShare,
    ResultsShare,
    SectionShare,
    SummaryShare,
)

FORMAT = "vliegwiel-datapackage"
FORMAT_VERSION = 1
MEMBERS = ("datapackage.json", "results.csv", "survey.json", "summaries.json")
HIDDEN = "verborgen"
MAX_ROWS = 20_000
PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
COLUMNS = (
    "question_id", "question_text", "kind", "part_id", "part_text", "option_value",
    "option_label", "hidden", "respondents", "count", "mean", "median",
)  # fmt: skip
KINDS = ("choice", "number", "matrix", "ranking", "text")


def _table_schema() -> dict[str, Any]:
    def field(name: str, kind: str, description: str, **constraints: Any) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": name, "type": kind, "description": description}
        if constraints:
            spec["constraints"] = constraints
        return spec

    return {
        "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
        "fields": [
            field("question_id", "string", "Id of the question in survey.json.", required=True),
            field("question_text", "string", "The question as asked (Dutch)."),
            field("kind", "string", "How the answers are counted.", enum=list(KINDS)),
            field("part_id", "string", "Statement id within a matrix question."),
            field("part_text", "string", "Statement text within a matrix question."),
            field("option_value", "string", "Answer value; empty on a row for the question."),
            field("option_label", "string", "Answer as shown (Dutch)."),
            field("hidden", "boolean", "The whole question is hidden (fewer than k answers)."),
            field("respondents", "integer", "People who answered.", minimum=0),
            field("count", "integer", "People who gave this answer.", minimum=0),
            field("mean", "number", "Mean of the answers (numbers, scales)."),
            field("median", "number", "Median of the answers (numbers, scales)."),
        ],
        "missingValues": [
            {"value": "", "label": "niet van toepassing"},
            {
                "value": HIDDEN,
                "label": "verborgen: minder dan k antwoorden (bescherming van kleine groepen)",
            },
        ],
    }


def _resources() -> list[dict[str, Any]]:
    return [
        {
            "name": "results",
            "type": "table",
            "path": "results.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": "Gepubliceerde uitkomsten per vraag en antwoord",
            "schema": _table_schema(),
        },
        {
            "name": "survey",
            "path": "survey.json",
            "format": "json",
            "mediatype": "application/json",
            "title": "De vragenlijst (vliegwiel-enquêtedefinitie)",
        },
        {
            "name": "summaries",
            "path": "summaries.json",
            "format": "json",
            "mediatype": "application/json",
            "title": "Samenvattingen van plugins en kanalen (web, papier)",
        },
    ]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "dorp"


# --- writing --------------------------------------------------------------------------------


def _cell(value: Any, hidden: bool) -> str:
    if value is None:
        return HIDDEN if hidden else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 6))
    return str(value)


def _rows(question: QuestionShare, parent: QuestionShare | None = None) -> list[list[str]]:
    top = parent or question
    base = [
        top.id,
        top.text,
        question.kind,
        question.id if parent else "",
        question.text if parent else "",
    ]
    # A question's own numbers are hidden when it is; an option's count when it is None.
    common = ["true" if question.hidden else "false", _cell(question.respondents, question.hidden)]
    rows = []
    for option in question.options:
        rows.append([*base, option.value, option.label, *common, _cell(option.count, True), "", ""])
    if not question.options or question.mean is not None or question.median is not None:
        stats_hidden = question.hidden and question.kind == "number"
        rows.append(
            [
                *base,
                "",
                "",
                *common,
                "",
                _cell(question.mean, stats_hidden),
                _cell(question.median, stats_hidden),
            ]  # fmt: skip
        )
    for part in question.parts:
        rows.extend(_rows(part, question))
    return rows


def descriptor(bundle: Bundle) -> dict[str, Any]:
    m = bundle.manifest
    name = "-".join(
        p for p in ("vliegwiel", _slug(m.village), m.survey_id, _slug(m.wave or "")) if p
    )
    where = f" ({m.wave})" if m.wave else ""
    return {
        "$schema": PROFILE,
        "name": name.rstrip("-")[:100],
        "title": f"{m.survey_title}{where} – {m.village}",
        "description": (
            f"Gepubliceerde uitkomsten van de enquête '{m.survey_title}' in {m.village}, "
            f"gemaakt met vliegwiel. Aantallen onder k = {m.k} zijn 'verborgen' "
            "(bescherming van kleine groepen); er staan geen antwoorden van personen in."
        ),
        "created": m.created_at,
        "keywords": ["vliegwiel", "enquête", "kleine kernen", m.survey_id],
        "licenses": [LICENSE],
        "contributors": [{"title": m.village, "roles": ["creator"]}],
        "sources": [{"title": f"vliegwiel {m.vliegwiel_version}"}],
        "vliegwiel": {
            **m.model_dump(mode="json", exclude={"format", "format_version"}),
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
        },
        "resources": _resources(),
    }


def write_datapackage(bundle: Bundle) -> bytes:
    """The zip bytes of the bundle as a Data Package."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for question in bundle.results.questions:
        writer.writerows(_rows(question))
    members = {
        "datapackage.json": json.dumps(descriptor(bundle), ensure_ascii=False, indent=2),
        "results.csv": out.getvalue(),
        "survey.json": json.dumps(bundle.survey, ensure_ascii=False, indent=2, sort_keys=True),
        "summaries.json": json.dumps(
            {
                "summaries": [s.model_dump(mode="json") for s in bundle.results.summaries],
                "channels": bundle.results.channels,
                "sections": [s.model_dump(mode="json") for s in bundle.results.sections],
            },
            ensure_ascii=False,
            indent=2,
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in MEMBERS:
            archive.writestr(name, members[name])
    return buffer.getvalue()


# --- reading --------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


Text = Annotated[str, Field(max_length=2000)]


class _Provenance(_Strict):
    format: Literal["vliegwiel-datapackage"]
    format_version: Literal[1]
    village: Text
    households: Annotated[int, Field(ge=0)] | None
    survey_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    survey_title: Text
    wave: Text | None
    first_response: Annotated[str, Field(max_length=40)] | None
    last_response: Annotated[str, Field(max_length=40)] | None
    respondents: Annotated[int, Field(ge=0)] | None
    k: Annotated[int, Field(ge=2, le=1000)]
    created_at: Annotated[str, Field(max_length=40)]
    vliegwiel_version: Annotated[str, Field(max_length=40)]


class _Descriptor(_Strict):
    schema_: Literal["https://datapackage.org/profiles/2.0/datapackage.json"] = Field(
        alias="$schema"
    )
    name: Annotated[str, Field(pattern=r"^[a-z0-9._-]{1,100}$")]
    title: Text
    description: Annotated[str, Field(max_length=4000)]
    created: Annotated[str, Field(max_length=40)]
    keywords: Annotated[list[Text], Field(max_length=10)]
    licenses: list[dict[str, str]]
    contributors: Annotated[list[dict[str, Any]], Field(max_length=5)]
    sources: Annotated[list[dict[str, str]], Field(max_length=5)]
    vliegwiel: _Provenance
    resources: list[dict[str, Any]]


class _Summaries(_Strict):
    summaries: Annotated[list[SummaryShare], Field(max_length=50)]
    channels: dict[Annotated[str, Field(max_length=20)], Annotated[int, Field(ge=0)] | None]
    sections: Annotated[list[SectionShare], Field(max_length=50)] = []


def _integer(text: str, where: str) -> int | None:
    if text in ("", HIDDEN):
        return None
    if not re.fullmatch(r"\d{1,9}", text):
        raise BundleError(f"results.csv {where}: '{text[:20]}' is not a whole number")
    return int(text)


def _number(text: str, where: str) -> float | None:
    if text in ("", HIDDEN):
        return None
    if not re.fullmatch(r"-?\d{1,12}(\.\d{1,12})?(e-?\d{1,3})?", text):
        raise BundleError(f"results.csv {where}: '{text[:20]}' is not a number")
    return float(text)


def _questions(text: str) -> list[QuestionShare]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != list(COLUMNS):
        raise BundleError(f"results.csv must have the columns {', '.join(COLUMNS)}")
    groups: dict[tuple[str, str], list[list[str]]] = {}
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS:
            raise BundleError(f"results.csv has more than {MAX_ROWS} rows")
        if len(row) != len(COLUMNS):
            raise BundleError(f"results.csv line {number}: {len(row)} cells, not {len(COLUMNS)}")
        if row[2] not in KINDS or row[7] not in ("true", "false"):
            raise BundleError(f"results.csv line {number}: unknown kind or hidden value")
        key = (row[0], row[3])
        if row[3] and (row[0], "") not in groups:
            raise BundleError(f"results.csv line {number}: a part before its question")
        groups.setdefault(key, []).append([*row, str(number)])
    shares: dict[str, QuestionShare] = {}
    try:
        for (question_id, part_id), rows in groups.items():
            first = rows[0]
            where = f"line {first[-1]}"
            options = [
                OptionResult(value=r[5], label=r[6], count=_integer(r[9], f"line {r[-1]}"))
                for r in rows
                if r[5]
            ]
            stats = next((r for r in rows if not r[5]), None)
            share = QuestionShare(
                id=part_id or question_id,
                text=first[4] if part_id else first[1],
                kind=first[2],
                hidden=first[7] == "true",
                respondents=_integer(first[8], where),
                options=options,
                mean=_number(stats[10], where) if stats else None,
                median=_number(stats[11], where) if stats else None,
            )
            if part_id:
                shares[question_id].parts.append(share)
            else:
                shares[question_id] = share
    except ValidationError as error:
        first_error = error.errors()[0]
        raise BundleError(f"results.csv does not match the format: {first_error['msg']}") from None
    return list(shares.values())


def read_datapackage(raw: dict[str, bytes]) -> Bundle:
    """The Bundle in the members of a Data Package bundle; BundleError says what is wrong."""
    try:
        texts = {name: raw[name].decode("utf-8") for name in MEMBERS}
        descriptor_data = json.loads(texts["datapackage.json"])
        survey = json.loads(texts["survey.json"])
        extras = json.loads(texts["summaries.json"])
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleError(f"a member is not UTF-8 JSON: {error}") from None
    try:
        described = _Descriptor.model_validate(descriptor_data)
        summaries = _Summaries.model_validate(extras)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BundleError(f"bundle does not match the format at {where}: {first['msg']}") from None
    if described.resources != _resources() or described.licenses != [LICENSE]:
        raise BundleError("datapackage.json describes other resources than a vliegwiel bundle")
    provenance = described.vliegwiel.model_dump(exclude={"format", "format_version"})
    try:
        return Bundle(
            manifest=Manifest(format="vliegwiel-bundle", format_version=1, **provenance),
            survey=survey,
            results=ResultsShare(
                questions=_questions(texts["results.csv"]),
                summaries=summaries.summaries,
                channels=summaries.channels,
                sections=summaries.sections,
            ),
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise BundleError(f"bundle does not match the format: {first['msg']}") from None
