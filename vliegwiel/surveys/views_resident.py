"""Resident pages: the list of surveys and answering one, page by page, without JavaScript."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from vliegwiel.results.publications import shown_publication, shown_publications
from vliegwiel.rounds.outcomes import open_votes, round_results
from vliegwiel.rounds.views_public import clock as rounds_clock
from vliegwiel.surveys.forms import build_form, read_answers
from vliegwiel.surveys.ordering import in_order
from vliegwiel.surveys.responses import (
    DRAFT_LIFETIME,
    DRAFTS,
    RESUME_AT_REVIEW,
    IncompleteResponse,
    load_draft,
    missing_required,
    page_questions,
    prune,
    save_draft,
    save_response,
    visible_pages,
    visible_questions,
)
from vliegwiel.surveys.reveal import page_reveals
from vliegwiel.surveys.schema import Survey
from vliegwiel.surveys.status import (
    CLOSED,
    OPEN,
    TEST,
    is_open,
    lifecycle_of,
    recent_lifecycle,
    status_of,
)
from vliegwiel.web.context import current_village

bp = Blueprint("resident", __name__)


def open_survey(survey_id: str, *, storing: bool = False) -> Survey:
    """The survey, if this visitor may answer it now; sets ``g.testing`` for a test run.

    Residents see open surveys only. A logged-in team member may also answer a survey in
    test, through these same pages; a concept or closed survey does not exist for anyone.
    ``storing``: the request stores the answers, so the state is read as stored now; a page
    view may use the state read a moment ago (see status.recent_lifecycle).
    """
    village = current_village()
    survey = village.surveys.get(survey_id)
    if survey is None:
        abort(404)
    read = lifecycle_of if storing else recent_lifecycle
    status = read(village.storage, survey.id).status()
    g.testing = status == TEST and g.get("user") is not None
    if status != OPEN and not g.testing:
        abort(404)
    return survey


def testing() -> bool:
    return bool(g.get("testing"))


#: The one long-lived cookie: which draft (by its random id) this browser has for each survey.
#: It outlives a browser restart, as the intro page promises; the session cookie does not.
#: Its name is the session cookie's plus ``_drafts`` (this name for one village); see
#: ``_draft_cookie``.
DRAFT_COOKIE = "vliegwiel_drafts"
#: A browser keeps at most this many drafts (one per survey); the oldest entries drop off.
MAX_DRAFTS_PER_BROWSER = 20


def _draft_cookie() -> tuple[str, str]:
    """The draft cookie's name and path: beside the session cookie, so that the villages of
    one province server (each its own session cookie name and path) keep their own drafts
    instead of overwriting each other's cookie."""
    name = current_app.config["SESSION_COOKIE_NAME"]
    return f"{name}_drafts", current_app.session_interface.get_cookie_path(current_app)


def _serializer() -> URLSafeSerializer:
    # Signed so that a tampered cookie is ignored rather than trusted; the ids in it are
    # unguessable anyway.
    return URLSafeSerializer(current_app.secret_key, salt="vliegwiel-drafts")


def _draft_ids() -> dict[str, str]:
    if "draft_ids" in g:
        return dict(g.draft_ids)
    if "draft_ids_read" not in g:
        # Read and checked once per request: a resident's request asks up to three times.
        g.draft_ids_read = _read_draft_ids()
    return dict(g.draft_ids_read)


def _read_draft_ids() -> dict[str, str]:
    ids: dict[str, str] = {}
    raw = request.cookies.get(_draft_cookie()[0])
    if raw:
        try:
            loaded = _serializer().loads(raw)
        except BadSignature:
            loaded = {}
        if isinstance(loaded, dict):
            ids = {str(k): str(v) for k, v in loaded.items() if isinstance(v, str)}
    # Drafts started before the cookie existed lived in the session: carry them over.
    for survey_id, draft_id in dict(session.get("drafts", {})).items():
        ids.setdefault(survey_id, draft_id)
    return ids


def _store_draft_ids(ids: dict[str, str]) -> None:
    """Remember ``ids`` for this browser for DRAFT_LIFETIME, from this response on."""
    ids = dict(list(ids.items())[-MAX_DRAFTS_PER_BROWSER:])
    first = "draft_ids" not in g
    g.draft_ids = ids
    session.pop("drafts", None)
    if not first:
        return

    @after_this_request
    def set_cookie(response):
        kept = g.draft_ids
        name, path = _draft_cookie()
        if kept:
            response.set_cookie(
                name,
                _serializer().dumps(kept),
                max_age=int(DRAFT_LIFETIME.total_seconds()),
                path=path,
                httponly=True,
                samesite="Lax",
                secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            )
        else:
            response.delete_cookie(name, path=path, httponly=True, samesite="Lax")
        return response


def shared_draft_id(survey: Survey) -> str | None:
    """The id of a draft this respondent shares across devices (linked mode: the code's),
    from the village's ``draft_keys``; None for a per-browser draft."""
    if testing():
        return None  # the team tests without a code; test drafts stay in the browser
    for resolve in current_village().draft_keys:
        key = resolve(survey)
        if key:
            return key
    return None


def current_draft(survey: Survey) -> dict[str, Any] | None:
    storage = current_village().storage
    shared = shared_draft_id(survey)
    if shared:
        draft = load_draft(storage, survey, shared)
        if draft is not None:
            return draft
    # A draft kept in this browser: every draft of an anonymous survey, and one a resident
    # began before drafts belonged to codes (keep_draft moves that one under the code).
    return load_draft(storage, survey, _draft_ids().get(survey.id), test=testing())


def keep_draft(survey: Survey, draft: dict | None, answers: dict, resume: int) -> None:
    """Save the draft: under the code's draft id in linked mode, else under a random id
    remembered in this browser's draft cookie (30 days)."""
    storage = current_village().storage
    shared = shared_draft_id(survey)
    if shared:
        save_draft(storage, survey, draft, answers, resume, draft_id=shared)
        ids = _draft_ids()
        old = ids.pop(survey.id, None)
        if old is not None:
            # The code holds the draft now; the browser's copy would only go stale.
            _store_draft_ids(ids)
            if old != shared:
                storage.delete(DRAFTS, old)
        return
    draft = save_draft(storage, survey, draft, answers, resume, test=testing())
    ids = _draft_ids()
    ids.pop(survey.id, None)
    ids[survey.id] = draft["id"]  # last: the most recently used survives the size limit
    # Rewritten on every save, so the 30 days count from the last answer, like the draft's.
    _store_draft_ids(ids)


def forget_draft(survey: Survey, draft: dict | None = None) -> None:
    """Drop the browser's draft and ``draft`` (the one just submitted, perhaps the code's)."""
    storage = current_village().storage
    ids = _draft_ids()
    draft_id = ids.pop(survey.id, None)
    _store_draft_ids(ids)
    for doomed in {draft_id, draft["id"] if draft else None} - {None}:
        storage.delete(DRAFTS, doomed)


def _before_answering(survey: Survey):
    """A hook for access control (codes): a response to redirect to, or None to go on."""
    if testing():
        # The team tests the questions; no code is asked and none is used up.
        return None
    for check in current_village().answer_guards:
        response = check(survey)
        if response is not None:
            return response
    return None


@bp.get("/")
def home():
    village = current_village()
    ordered = in_order(village.storage, village.surveys.all())
    surveys = [s for s in ordered if is_open(village.storage, s.id)]
    return render_template(
        "resident/home.html",
        surveys=surveys,
        results=[(village.surveys.get(p.survey_id), p) for p in shown_publications(village)],
        round_results=round_results(village.storage, rounds_clock()),
        open_votes=open_votes(village.storage, rounds_clock()),
    )


@bp.get("/enquete/<survey_id>")
def intro(survey_id: str):
    village = current_village()
    known = village.surveys.get(survey_id)
    if known is not None and status_of(village.storage, known.id) == CLOSED:
        # A link to a closed survey still leads somewhere: to its results, when published.
        # (A concept or a survey in test does not exist for residents: open_survey's 404.)
        return render_template(
            "resident/closed.html",
            survey=known,
            publication=shown_publication(village, known.id),
        )
    survey = open_survey(survey_id)
    draft = current_draft(survey)
    answers = draft["answers"] if draft else {}
    resume_url = None
    if draft and answers:
        resume = draft.get("resume", 1)
        resume_url = (
            url_for(".review", survey_id=survey.id)
            if resume == RESUME_AT_REVIEW
            else url_for(".page", survey_id=survey.id, number=resume)
        )
    return render_template(
        "resident/intro.html",
        survey=survey,
        resume_url=resume_url,
        pages=len(visible_pages(survey, answers)),
    )


@bp.route("/enquete/<survey_id>/pagina/<int:number>", methods=["GET", "POST"])
def page(survey_id: str, number: int):
    survey = open_survey(survey_id)
    guard = _before_answering(survey)
    if guard is not None:
        return guard
    village = current_village()
    draft = current_draft(survey)
    answers = dict(draft["answers"]) if draft else {}
    pages = visible_pages(survey, answers)
    if not 1 <= number <= len(survey.pages) or number - 1 not in pages:
        # A page that does not exist or is hidden by earlier answers: go to the first one.
        if number == 1 or not pages:
            abort(404)
        return redirect(url_for(".page", survey_id=survey.id, number=pages[0] + 1))
    index = number - 1
    questions = page_questions(survey.pages[index], answers)
    status = 200
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = build_form(village.question_types, questions, formdata=request.form, read_only=True)
        if not form.validate():
            abort(400)  # CSRF is handled by its own error page; anything else is tampering
        page_answers, errors = read_answers(village.question_types, questions, form)
        going_back = request.form.get("action") == "back"
        for question in questions:
            answers.pop(question.id, None)
        answers.update(page_answers)
        answers = prune(survey, answers)
        # A question that does not apply after all (its same-page condition is false) has
        # nothing to complain about: its answer is dropped, not checked.
        errors = {
            k: v for k, v in errors.items() if (q := survey.question(k)) and q.visible(answers)
        }
        applicable = [q for q in questions if q.visible(answers)]
        if going_back:
            earlier = [p for p in visible_pages(survey, answers) if p < index]
            keep_draft(survey, draft, answers, earlier[-1] + 1 if earlier else 1)
            if earlier:
                return redirect(url_for(".page", survey_id=survey.id, number=earlier[-1] + 1))
            return redirect(url_for(".intro", survey_id=survey.id))
        errors.update(
            {k: v for k, v in missing_required(applicable, answers).items() if k not in errors}
        )
        later = [p for p in visible_pages(survey, answers) if p > index]
        if errors:
            resume = number
        else:
            resume = later[0] + 1 if later else RESUME_AT_REVIEW
        keep_draft(survey, draft, answers, resume)
        if not errors:
            if later:
                return redirect(url_for(".page", survey_id=survey.id, number=later[0] + 1))
            return redirect(url_for(".review", survey_id=survey.id))
        status = 400
    if errors:
        form = build_form(village.question_types, questions, formdata=request.form)
    else:
        form = build_form(village.question_types, questions, answers=answers)
    pages = visible_pages(survey, answers)
    return render_template(
        "resident/page.html",
        survey=survey,
        page=survey.pages[index],
        number=number,
        step=pages.index(index) + 1 if index in pages else 1,
        steps=len(pages),
        questions=questions,
        reveals=page_reveals(village, survey, survey.pages[index], answers),
        form=form,
        errors=errors,
        qtypes=village.question_types,
    ), status


@bp.route("/enquete/<survey_id>/controle", methods=["GET", "POST"])
def review(survey_id: str):
    survey = open_survey(survey_id, storing=request.method == "POST")
    guard = _before_answering(survey)
    if guard is not None:
        return guard
    village = current_village()
    draft = current_draft(survey)
    if draft is None:
        return redirect(url_for(".intro", survey_id=survey.id))
    answers = prune(survey, draft["answers"])
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = build_form(village.question_types, [], formdata=request.form, read_only=True)
        if not form.validate():
            abort(400)
        try:
            with ExitStack() as guards:
                extra: dict[str, Any] = {}
                if not testing():
                    for guard in village.submission_guards:
                        guards.enter_context(guard(survey, extra))
                save_response(village, survey, answers, channel="web", extra=extra, test=testing())
        except IncompleteResponse as error:
            errors = error.errors
        else:
            forget_draft(survey, draft)
            if testing():
                return redirect(url_for(".thanks", survey_id=survey.id, test=1))
            return redirect(url_for(".thanks", survey_id=survey.id))
    form = build_form(village.question_types, [], answers={})
    rows = []
    pages = visible_pages(survey, answers)
    for index in pages:
        for question in visible_questions(survey.pages[index], answers):
            if question.is_note:
                continue
            qtype = village.question_types[question.type]
            rows.append(
                {
                    "page": index + 1,
                    "question": question,
                    "answer": qtype.answer_text(question, answers.get(question.id)),
                    "error": errors.get(question.id),
                }
            )
    return render_template(
        "resident/review.html", survey=survey, rows=rows, form=form, errors=errors
    ), (400 if errors else 200)


@bp.get("/enquete/<survey_id>/bedankt")
def thanks(survey_id: str):
    village = current_village()
    survey = village.surveys.get(survey_id)
    if survey is None:
        abort(404)
    test = request.args.get("test") == "1" and g.get("user") is not None
    return render_template(
        "resident/thanks.html",
        survey=survey,
        test_answer=test,
        publication=shown_publication(village, survey.id),
    )


@bp.get("/privacy")
def privacy():
    return render_template("resident/privacy.html", title=_("Privacy"))
