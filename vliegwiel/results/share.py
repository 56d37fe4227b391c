"""Share bundles: one village's protected results, to put beside other villages' (kernen).

Bundles are written as Frictionless Data Packages (vliegwiel.results.datapackage). Bundles
written before that (format "vliegwiel-bundle" version 1) are still read: a zip with exactly
three JSON members:

- ``manifest.json``: format, village, households, survey id and title, round, dates, k;
- ``survey.json``: the survey definition;
- ``results.json``: per question the *published* numbers (the same protected counts a
  results page shows), plugin summaries and channels.

It never holds a response, a response id, a free text or an "Anders, namelijk" text.
Bundles come from other villages, so reading one is strict: size limits before and while
unpacking, exactly the expected members, and a schema for every JSON member.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from flask_babel import gettext as _
from pydantic import ValidationError

from vliegwiel import __version__
from vliegwiel.core.village import Village
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
from vliegwiel.results.tallies import QuestionResult, SurveyResults
from vliegwiel.surveys.responses import now
from vliegwiel.surveys.schema import Survey
from vliegwiel.web.i18n import localise

FORMAT = "vliegwiel-bundle"
FORMAT_VERSION = 1
MEMBERS = ("manifest.json", "survey.json", "results.json")
#: A bundle is a few kilobytes; these limits leave a wide margin and stop zip bombs.
MAX_BUNDLE_BYTES = 2 * 1024 * 1024
MAX_MEMBER_BYTES = 2 * 1024 * 1024
MAX_RATIO = 200

# --- writing --------------------------------------------------------------------------------


def bundle_data(village: Village, survey: Survey, results: SurveyResults) -> Bundle:
    """The bundle of ``results`` as a validated model (the page beside others uses it too)."""
    manifest = Manifest(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        village=village.config.name,
        households=village.config.households,
        survey_id=survey.id,
        survey_title=localise(survey.title, "nl"),
        wave=results.wave_label,
        first_response=results.first_response,
        last_response=results.last_response,
        respondents=results.respondents_shown,
        k=results.k,
        created_at=now(),
        vliegwiel_version=__version__,
    )
    shared = ResultsShare(
        questions=[_question(r) for r in results.questions],
        summaries=[SummaryShare(**s.as_dict()) for s in results.summaries],
        channels=dict(results.channels.cells),
        sections=plugin_share_sections(village, survey, results),
    )
    return Bundle(manifest=manifest, survey=survey.definition(), results=shared)


def plugin_share_sections(
    village: Village, survey: Survey, results: SurveyResults
) -> list[SectionShare]:
    """Every plugin's own part of the bundle (hook ``vliegwiel_share_sections``). A section
    that does not fit the format is left out and shown to organisers like a failing hook."""
    sections = []
    for plugin, found in village.call_hook(
        "vliegwiel_share_sections", survey=survey, results=results
    ):
        for section in found or []:
            try:
                sections.append(
                    SectionShare(plugin=section.plugin, title=section.title, data=section.data)
                )
            except (AttributeError, ValidationError) as error:
                village.problems.record(plugin, "vliegwiel_share_sections", error)
    return sections


def _question(result: QuestionResult, part: tuple[str, str] | None = None) -> QuestionShare:
    """The published numbers of one question (``part``: a matrix statement's id and text)."""
    respondents = result.tally.respondents if not result.hidden else None
    if result.counts is not None and result.tally.kind != "ranking":
        respondents = result.counts.total
    options = [
        OptionResult(value=key, label=localise(label, "nl"), count=count)
        for key, label, count, _pct in result.rows()
    ]
    stats = result.stats or {}
    return QuestionShare(
        id=part[0] if part else result.question.id,
        text=part[1] if part else localise(result.question.text, "nl"),
        kind=result.tally.kind,
        hidden=result.hidden,
        respondents=respondents,
        options=[] if result.hidden else options,
        mean=None if result.hidden else stats.get("mean"),
        median=None if result.hidden else stats.get("median"),
        parts=[
            _question(sub, (key, _statement_text(result, key))) for key, sub in result.parts.items()
        ],
    )


def _statement_text(result: QuestionResult, key: str) -> str:
    for statement in getattr(result.question.settings, "statements", None) or []:
        if statement.id == key:
            return localise(statement.text, "nl")
    return key


def write_bundle(village: Village, survey: Survey, results: SurveyResults) -> bytes:
    """The zip bytes of a bundle: a Frictionless Data Package."""
    from vliegwiel.results.datapackage import write_datapackage

    return write_datapackage(bundle_data(village, survey, results))


# --- reading --------------------------------------------------------------------------------


def read_bundle(data: bytes) -> Bundle:
    """Unpack and validate a bundle from another village, a Data Package or an older
    bundle; BundleError says what is wrong."""
    from vliegwiel.results.datapackage import MEMBERS as PACKAGE_MEMBERS
    from vliegwiel.results.datapackage import read_datapackage

    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError(f"bundle is larger than {MAX_BUNDLE_BYTES // 1024} KB")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise BundleError(f"not a zip file: {error}") from None
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if sorted(names) not in (sorted(MEMBERS), sorted(PACKAGE_MEMBERS)):
            raise BundleError(
                f"a bundle holds exactly {', '.join(PACKAGE_MEMBERS)} (or, written before "
                f"Data Packages, {', '.join(MEMBERS)}); found {names}"
            )
        raw = {info.filename: _read_member(archive, info) for info in infos}
    for name, content in raw.items():
        if name.endswith(".json") and _nesting(content) > MAX_NESTING:
            raise BundleError(f"{name} is nested more than {MAX_NESTING} levels deep")
    try:
        if "datapackage.json" in raw:
            return read_datapackage(raw)
        parsed = {name: json.loads(raw[name].decode("utf-8")) for name in MEMBERS}
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleError(f"a member is not UTF-8 JSON: {error}") from None
    except (RecursionError, ValueError) as error:  # a number of 5,000 digits, say
        if isinstance(error, BundleError):
            raise
        raise BundleError(f"a member cannot be read: {type(error).__name__}") from None
    try:
        bundle = Bundle(
            manifest=parsed["manifest.json"],
            survey=parsed["survey.json"],
            results=parsed["results.json"],
        )
        Survey.model_validate(bundle.survey)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BundleError(f"bundle does not match the format at {where}: {first['msg']}") from None
    return bundle


#: A real survey.json nests about ten levels; deeper is an attack on the parser and
#: everything after it (Python's recursion limit is about a thousand).
MAX_NESTING = 40


def _nesting(data: bytes) -> int:
    """How deep brackets nest in JSON text, strings skipped, without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    return deepest
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.flag_bits & 0x1:
        raise BundleError(f"{info.filename} is encrypted")
    if info.file_size > MAX_MEMBER_BYTES:
        raise BundleError(f"{info.filename} unpacks to more than {MAX_MEMBER_BYTES} bytes")
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        raise BundleError(f"{info.filename} is compressed suspiciously well (zip bomb?)")
    # The sizes in the header can lie: never read more than the limit, whatever they say.
    with archive.open(info) as member:
        content = member.read(MAX_MEMBER_BYTES + 1)
    if len(content) > MAX_MEMBER_BYTES:
        raise BundleError(f"{info.filename} unpacks to more than {MAX_MEMBER_BYTES} bytes")
    return content


# --- comparing ------------------------------------------------------------------------------


#: The kinds of question ``compare`` puts side by side: a percentage per answer, or a mean.
COMPARED_KINDS = ("choice", "number")


def compare(bundles: list[Bundle]) -> list[dict[str, Any]]:
    """Side-by-side rows per question the first bundle has: for each, per bundle, the
    percentage per answer (choice questions) or the mean (numbers); None when hidden or
    not asked there. Questions match by id and kind, answers by value."""
    if not bundles:
        return []
    indexes = [{q.id: q for q in b.results.questions} for b in bundles]
    table = []
    for question in bundles[0].results.questions:
        if question.kind not in COMPARED_KINDS:
            continue
        matches = [
            index.get(question.id) if _same_kind(index.get(question.id), question) else None
            for index in indexes
        ]
        rows = []
        if question.kind == "choice":
            for option in question.options:
                rows.append(
                    {"label": option.label, "values": [_pct(m, option.value) for m in matches]}
                )
        else:
            means = [None if m is None or m.hidden else m.mean for m in matches]
            rows.append({"label": _("Gemiddelde"), "values": means})
        table.append(
            {"id": question.id, "text": question.text, "kind": question.kind, "rows": rows}
        )
    return table


def not_compared(bundles: list[Bundle]) -> list[str]:
    """The texts of the first bundle's questions that ``compare`` leaves out (grids,
    rankings, free text: no one figure per answer to put side by side), so a page can say so."""
    if not bundles:
        return []
    return [q.text for q in bundles[0].results.questions if q.kind not in COMPARED_KINDS]


def _same_kind(found: QuestionShare | None, question: QuestionShare) -> bool:
    return found is not None and found.kind == question.kind


def _pct(question: QuestionShare | None, value: str) -> float | None:
    if question is None or question.hidden or not question.respondents:
        return None
    option = next((o for o in question.options if o.value == value), None)
    if option is None or option.count is None:
        return None
    return round(100.0 * option.count / question.respondents, 1)
