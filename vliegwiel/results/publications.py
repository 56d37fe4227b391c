"""Publications: frozen, versioned snapshots of a survey's protected results.

Why: results recomputed on every request let anyone who saves a page before and after one
new response read that resident's answers by subtraction. So everything a village shows
outside the beheerders (public page, public PDF report, share bundles, the lezer's live
view) changes only in steps of at least ``k`` responses:

- Every such view covers the first ``j * k`` responses of a round, in the order they
  arrived (:func:`stepped`). Two views therefore differ by zero or by at least ``k``
  responses, whichever two a reader puts side by side: a publication and a lezer page,
  two publications, or a publication and a bundle.
- "Publish" computes the protected results once, on that step, and stores what it shows:
  the results as JSON (``vliegwiel.results.results_json``), the page body in every interface
  language, the PDF report and the share bundle. Public pages read only the stored copy,
  so they cost the same whatever the survey holds and never change until the next
  publication.
- A next publication of the same round is refused until it would hold at least ``k``
  more responses (:func:`responses_needed`); a paper form keyed in later waits for the
  next step like any other response.

Records live in the collection ``publications/<survey id>``, one per version ("1", "2",
...). Only beheerders see live, unstepped numbers: they can read every answer anyway.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from vliegwiel.results.results_json import results_json
from vliegwiel.results.suppression import stepped
from vliegwiel.results.tallies import SurveyResults, compute_results
from vliegwiel.surveys.responses import now
from vliegwiel.surveys.schema import Survey

log = logging.getLogger(__name__)


def collection(survey_id: str) -> str:
    return f"publications/{survey_id}"


INDEX = "publication_index"


@dataclass(frozen=True)
class Publication:
    """What is known of one publication without loading its stored pages and files.

    ``counted`` is the number of responses it covers (a multiple of k, never shown: the
    published respondents are in the stored results).
    """

    survey_id: str
    version: int
    #: The round's id (None: the survey had one round) and its label, for display.
    wave: str | None
    wave_label: str | None
    published_at: str
    counted: int
    respondents: int | None
    has_pdf: bool

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Publication:
        return cls(
            survey_id=record["survey_id"],
            version=record["version"],
            wave=record["wave"],
            wave_label=record.get("wave_label"),
            published_at=record["published_at"],
            counted=record["counted"],
            respondents=record["respondents"],
            has_pdf=record["has_pdf"],
        )

    def _stored(self, storage: Any) -> dict[str, Any]:
        record = storage.get(collection(self.survey_id), str(self.version))
        if record is None:
            raise LookupError(f"publication {self.version} of {self.survey_id} is missing")
        return record

    def results(self, storage: Any) -> dict[str, Any]:
        """The published results as JSON (``vliegwiel.results.results_json``)."""
        return self._stored(storage)["results"]

    def page_html(self, storage: Any, language: str) -> str:
        html = self._stored(storage)["html"]
        return html.get(language) or next(iter(html.values()))

    def pdf(self, storage: Any) -> bytes | None:
        stored = self._stored(storage).get("pdf")
        return base64.b64decode(stored) if stored else None

    def bundle(self, storage: Any) -> bytes:
        return base64.b64decode(self._stored(storage)["bundle"])


def publications_of(storage: Any, survey_id: str | None = None) -> list[Publication]:
    """Every publication (of one survey, or of all), oldest first."""
    records = storage.find(INDEX, survey_id=survey_id) if survey_id else storage.all(INDEX)
    found = (Publication.from_record(r) for r in records)
    return sorted(found, key=lambda p: (p.published_at, p.survey_id, p.version))


def latest(storage: Any, survey_id: str, wave: str | None | object = ...) -> Publication | None:
    """The newest publication of a survey (of round ``wave``, when given)."""
    found = [p for p in publications_of(storage, survey_id) if wave is ... or p.wave == wave]
    return found[-1] if found else None


def responses_needed(storage: Any, survey_id: str, wave: str | None, count: int, k: int) -> int:
    """How many more responses round ``wave`` needs before it can be published (0: it can).

    ``count`` is the round's number of responses now. A first publication can be made at
    any time (below k responses it shows that there are too few); a next one of the same
    round needs k more responses than the last one covered.
    """
    covered = None
    for publication in publications_of(storage, survey_id):
        if publication.wave == wave:
            covered = max(covered or 0, publication.counted)
    return 0 if covered is None else max(0, covered + k - count)


class TooSoon(Exception):
    """A publication refused because too few responses arrived since the last one."""

    def __init__(self, needed: int) -> None:
        super().__init__(f"{needed} more responses are needed before the next publication")
        self.needed = needed


def preview(village: Any, survey: Survey, wave: str | None = None) -> SurveyResults:
    """The results a publication made now would show (the stepped responses)."""
    from vliegwiel.results.waves import wave_responses

    label, responses = wave_responses(village, survey, wave)
    k = village.config.min_group_size
    return compute_results(village, survey, stepped(responses, k), with_texts=True, wave=label)


def publish(village: Any, survey: Survey, wave: str | None = None) -> Publication:
    """Compute, render and store a new publication; TooSoon when it would come too soon.

    Needs a Flask app context (templates, translations). Rendering the PDF takes a few
    seconds; it runs in WeasyPrint's child process with the report's time limit.
    """
    from vliegwiel.results.waves import wave_responses

    k = village.config.min_group_size
    storage = village.storage
    with storage.locked(collection(survey.id)):
        label, responses = wave_responses(village, survey, wave)
        needed = responses_needed(storage, survey.id, label, len(responses), k)
        if needed:
            raise TooSoon(needed)
        counted = stepped(responses, k)
        results = compute_results(village, survey, counted, with_texts=True, wave=label)
        published_at = now()
        html = {
            language: _page_body(village, survey, results, language)
            for language in current_app.config.get("LANGUAGES", ["nl", "en"])
        }
        existing = storage.all(collection(survey.id))
        version = max((r["version"] for r in existing), default=0) + 1
        pdf = _pdf(village, survey, results)
        meta = {
            "survey_id": survey.id,
            "version": version,
            "wave": label,
            "wave_label": results.wave_label,
            "published_at": published_at,
            "counted": len(counted),
            "respondents": results.respondents_shown,
            "has_pdf": pdf is not None,
        }
        stored = {
            "id": str(version),
            **meta,
            "results": results_json(results, published_at),
            "html": html,
            "pdf": pdf,
            "bundle": base64.b64encode(_bundle(village, survey, results)).decode("ascii"),
        }
        storage.insert(collection(survey.id), stored)
        # The small index entry goes last: a publication exists once it is indexed, so a
        # crash between the two writes leaves an unused record, never a broken page.
        with storage.locked(INDEX):
            storage.insert(INDEX, {"id": f"{survey.id}-{version}", **meta})
    return Publication.from_record(meta)


def _page_body(village: Any, survey: Survey, results: SurveyResults, language: str) -> str:
    from vliegwiel.results.report import methods_context, plugin_sections
    from vliegwiel.results.trends import compute_trends

    with force_locale(language):
        return render_template(
            "results/_published_body.html",
            survey=survey,
            results=results,
            sections=plugin_sections(village, survey, results),
            trends=compute_trends(village, survey, step=results.k),
            **methods_context(village, results),
        )


def _pdf(village: Any, survey: Survey, results: SurveyResults) -> str | None:
    from vliegwiel.core.pdf import PdfRenderError, render_pdf
    from vliegwiel.core.resources import static_dir
    from vliegwiel.results.report import report_html_of

    with force_locale("nl"):
        html = report_html_of(village, survey, results, step=results.k)
    try:
        pdf = render_pdf(html, static_dir=static_dir())
    except PdfRenderError as error:
        # The page and the bundle are published anyway; the PDF link is then left out.
        log.error("report of publication of %s failed: %s", survey.id, error)
        return None
    return base64.b64encode(pdf).decode("ascii")


def _bundle(village: Any, survey: Survey, results: SurveyResults) -> bytes:
    from vliegwiel.results.share import write_bundle

    return write_bundle(village, survey, results)


def shown_publications(village: Any) -> list[Publication]:
    """The latest publication of every survey whose results are on the public site,
    newest first (home page, feed). Reads only the small index."""
    from vliegwiel.results.tallies import is_published

    latest_of: dict[str, Publication] = {}
    for publication in publications_of(village.storage):
        latest_of[publication.survey_id] = publication
    shown = [
        p
        for p in latest_of.values()
        if village.surveys.get(p.survey_id) is not None
        and is_published(village.storage, p.survey_id)
    ]
    return sorted(shown, key=lambda p: p.published_at, reverse=True)


def shown_publication(village: Any, survey_id: str) -> Publication | None:
    """The publication of one survey the public may see, or None."""
    from vliegwiel.results.tallies import is_published

    if not is_published(village.storage, survey_id):
        return None
    return latest(village.storage, survey_id)
