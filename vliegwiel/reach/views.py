"""Reaching every household: the resident's code page and the organiser pages for codes,
letters, paper forms and the ambassadors' data entry.

Guards (added by reach.plugin at start-up): a survey with ``access: code`` sends a
resident without a valid code in the session to ``/code/<survey>``, and saving a response
uses up that code (see ``vliegwiel.reach.codes.using_code``). In linked mode the code also
names the draft (``linked_draft``), so it can be continued on another device.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

from vliegwiel.accounts.views import require_role
from vliegwiel.core.pdf import PdfRenderError
from vliegwiel.core.village import Village
from vliegwiel.reach.code_entry import (
    SURVEY_CODES,
    code_form,
    problem_message,
    submitted_code,
)
from vliegwiel.reach.codes import (
    MAX_CODES,
    AddressError,
    CodeProblem,
    Household,
    IssuedCode,
    app_throttle,
    code_state,
    draft_key,
    new_codes,
    normalise_code,
    parse_addresses,
    store_codes,
    street_counts,
    using_code,
    verify_code,
)
from vliegwiel.reach.letters import (
    LetterTooLongError,
    base_url_problem,
    letters_pdf,
    without_codes,
)
from vliegwiel.reach.paper import paper_pdf
from vliegwiel.surveys.forms import build_form, read_answers
from vliegwiel.surveys.responses import IncompleteResponse, prune, responses_of, save_response
from vliegwiel.surveys.schema import Survey
from vliegwiel.surveys.status import is_open
from vliegwiel.web.context import current_village, survey_or_404

log = logging.getLogger(__name__)

#: Wrong or used codes one organiser account may type in data entry per 15 minutes.
ENTRY_CODE_FAILURES = 30

bp = Blueprint("access", __name__)


# --- guards ---------------------------------------------------------------------------------


def require_code(survey: Survey):
    """Answer guard: a code survey needs a checked, still usable code in the session."""
    if survey.access != "code":
        return None
    key = SURVEY_CODES.get(survey.id)
    problem = code_state(current_village().storage, survey.id, key) if key else "missing"
    if problem is None:
        return None
    if key:
        SURVEY_CODES.forget(survey.id)
        flash(problem_message(problem), "error")
    return redirect(url_for("access.enter_code", survey_id=survey.id))


@contextmanager
def use_session_code(survey: Survey, extra: dict):
    """Submission guard: use up the session's code around saving the web response."""
    if survey.access != "code":
        yield
        return
    key = SURVEY_CODES.get(survey.id)
    if not key:
        raise CodeProblem("unknown")
    storage = current_village().storage
    with using_code(
        storage, survey.id, key, anonymous=survey.anonymous, channel="web", extra=extra
    ):
        yield
    SURVEY_CODES.forget(survey.id)


def linked_draft(survey: Survey) -> str | None:
    """Draft key: in linked mode the session's (still usable) code owns the draft.

    So entering the same code on another device continues the same answers. Anonymous code
    surveys return None: their drafts stay per browser and nothing ties them to a code.
    """
    if survey.access != "code" or survey.anonymous:
        return None
    key = SURVEY_CODES.get(survey.id)
    if not key or code_state(current_village().storage, survey.id, key) is not None:
        return None
    return draft_key(current_app.config["SECRET_KEY"], survey.id, key)


@bp.app_errorhandler(CodeProblem)
def code_problem(error: CodeProblem):
    # Reached when a code was used elsewhere (paper) between the review page and saving.
    return render_template("access/problem.html", message=problem_message(error.kind)), 409


# --- residents: entering a code -------------------------------------------------------------


def _code_survey(survey_id: str) -> Survey:
    village = current_village()
    survey = village.surveys.get(survey_id)
    if survey is None or not is_open(village.storage, survey.id):
        abort(404)
    return survey


@bp.route("/code/<survey_id>", methods=["GET", "POST"])
def enter_code(survey_id: str):
    survey = _code_survey(survey_id)
    if survey.access != "code":
        return redirect(url_for("resident.intro", survey_id=survey.id))
    form = code_form()
    key, error, blocked = submitted_code(form, survey.id)
    if blocked is not None:
        return blocked
    if key:
        SURVEY_CODES.remember(survey.id, key)
        return redirect(url_for("resident.intro", survey_id=survey.id))
    return render_template("access/code.html", survey=survey, form=form, error=error), (
        400 if error else 200
    )


# --- organisers: codes and letters ----------------------------------------------------------


class LettersForm(FlaskForm):
    count = IntegerField(
        lazy_gettext("Aantal brieven zonder adres"),
        validators=[Optional(), NumberRange(min=1, max=MAX_CODES)],
    )
    addresses = FileField(lazy_gettext("Of: adressenlijst (CSV: straat, huisnummer, postcode)"))
    contact = StringField(
        lazy_gettext("Waar kan men een papieren formulier vragen? (optioneel)"),
        validators=[Optional(), Length(max=200)],
    )
    expires_on = DateField(
        lazy_gettext("Codes geldig tot en met (optioneel)"), validators=[Optional()]
    )
    reminders = BooleanField(
        lazy_gettext("Ook een herinneringsbrief per huishouden, met dezelfde code")
    )


def base_url_message(village: Village, scope: str) -> str | None:
    """Why letters cannot be made with this village's base_url, in Dutch; None when fine."""
    problem = base_url_problem(
        village.config.base_url, allow_local=village.config.allow_local_base_url
    )
    if problem is None:
        return None
    if problem == "local":
        reason = _(
            "Het adres voor bewoners (base_url) is nu %(url)s: dat werkt alleen op deze computer.",
            url=village.config.base_url,
        )
    elif problem == "invalid":
        reason = _(
            "Het adres voor bewoners (base_url) %(url)s is geen internetadres.",
            url=village.config.base_url,
        )
    else:
        reason = _("Het adres voor bewoners (base_url) is nog niet ingesteld.")
    return " ".join(
        (
            reason,
            _(
                "Zet base_url onder [server] in vliegwiel.toml op het adres dat bewoners "
                "gebruiken (bijvoorbeeld https://enquete.uwdorp.nl) en start vliegwiel opnieuw, "
                "of maak de brieven met: vliegwiel codes %(scope)s --base-url ADRES.",
                scope=scope,
            ),
        )
    )


def _pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def letters_page(
    scope: str,
    render_letters: Callable[[list[IssuedCode], str | None, bool], bytes],
    *,
    template: str,
    filename: str,
    with_codes: bool = True,
    **context: Any,
):
    """The codes-and-letters page of one scope (a survey or a round): per-street counts and,
    on a valid POST, the letters PDF. ``render_letters(issued, contact, reminders)`` makes
    the PDF; it runs before any code is stored, so a failed render leaves no code behind.
    ``with_codes`` False (an ``access: open`` survey): letters without a code, none stored.
    A base_url residents cannot reach refuses every letter, with how to set it."""
    village = current_village()
    form = LettersForm()
    problems: list[tuple[int, str]] = []
    address_problem = base_url_message(village, scope)
    error = None
    if address_problem:
        pass  # the page explains how to set the address; a POST makes nothing
    elif form.validate_on_submit():
        upload = form.addresses.data
        households: list[Household] = []
        if upload and upload.filename:
            try:
                households = parse_addresses(upload.read())
            except AddressError as bad:
                problems = bad.problems
        elif form.count.data:
            households = [Household()] * form.count.data
        else:
            error = _("Vul een aantal in of kies een adressenlijst.")
        if households and not problems:
            issued = new_codes(households) if with_codes else without_codes(households)
            try:
                pdf = render_letters(issued, form.contact.data or None, form.reminders.data)
            except LetterTooLongError:
                error = _(
                    "De tekst van de brief past niet op één A4. Maak de inleiding van de "
                    "enquête korter. Er zijn geen codes aangemaakt."
                )
            except PdfRenderError as failure:
                log.error("letters for %s: %s", scope, failure)
                error = _("De brieven konden niet worden gemaakt. Er zijn geen codes aangemaakt.")
            else:
                if with_codes:
                    store_codes(
                        village.storage,
                        village.config.secret_key,
                        scope,
                        issued,
                        expires_on=form.expires_on.data,
                    )
                return _pdf_response(pdf, f"brieven-{filename}-{date.today().isoformat()}.pdf")
    elif request.method == "POST":
        error = _("Controleer het formulier.")
    counts = street_counts(village.storage, scope)
    refused = address_problem and request.method == "POST"
    status = 400 if (problems or error or refused) else 200
    return render_template(
        template,
        form=form,
        counts=counts,
        total=sum(c.total for c in counts),
        used=sum(c.used for c in counts),
        problems=problems,
        error=error,
        address_problem=address_problem,
        with_codes=with_codes,
        letter_place=village.config.place or village.config.name,
        **context,
    ), status


@bp.route("/beheer/enquete/<survey_id>/codes", methods=["GET", "POST"])
@require_role("beheerder")
def codes(survey_id: str):
    village = current_village()
    survey = survey_or_404(survey_id)

    def render(issued: list[IssuedCode], contact: str | None, reminders: bool) -> bytes:
        return letters_pdf(
            survey,
            issued,
            village_name=village.config.name,
            base_url=village.config.base_url,
            contact=contact,
            place=village.config.place,
            reminders=reminders,
        )

    return letters_page(
        survey.id,
        render,
        template="beheer/access/codes.html",
        filename=survey.id,
        with_codes=survey.access == "code",
        survey=survey,
        offer_reminders=True,
    )


@bp.get("/beheer/enquete/<survey_id>/papier.pdf")
@require_role("beheerder", "ambassadeur")
def paper_form(survey_id: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    try:
        pdf = paper_pdf(village, survey, village_name=village.config.name)
    except PdfRenderError as failure:
        log.error("paper form for %s: %s", survey.id, failure)
        abort(503)
    return _pdf_response(pdf, f"formulier-{survey.id}.pdf")


# --- ambassadors: keying in paper forms -----------------------------------------------------


def _identical_paper_response(village: Village, survey: Survey, answers: dict) -> bool:
    return any(
        r.get("channel") == "paper" and r.get("answers") == answers
        for r in responses_of(village, survey.id)
    )


@bp.route("/beheer/enquete/<survey_id>/invoer", methods=["GET", "POST"])
@require_role("beheerder", "ambassadeur")
def data_entry(survey_id: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    questions = list(survey.questions())
    qtypes = village.question_types
    errors: dict[str, str] = {}
    code_error = None
    duplicate = False
    form = build_form(qtypes, questions)
    if request.method == "POST":
        form = build_form(qtypes, questions, formdata=request.form)
        if not form.validate():
            abort(400)
        code_text = request.form.get("household_code", "")[:64]
        answers, errors = read_answers(qtypes, questions, form)
        answers = prune(survey, answers)
        key = None
        if code_text.strip() or survey.access == "code":
            # Checking codes tells whether a household has answered: limited per account.
            entry_throttle = app_throttle(
                current_app,
                "entry-code",
                current_app.config.get("ENTRY_CODE_FAILURES", ENTRY_CODE_FAILURES),
            )
            if entry_throttle.blocked(g.user.id):
                abort(429)
            try:
                if normalise_code(code_text) is None:
                    raise CodeProblem("malformed")
                key = verify_code(village.storage, village.config.secret_key, survey.id, code_text)
            except CodeProblem as problem:
                if problem.kind != "malformed":
                    entry_throttle.fail(g.user.id)
                code_error = _entry_code_message(problem.kind)
        # Only a beheerder, who may read every response anyway, is asked about a possible
        # double; for an ambassadeur the answer would tell whether such a response exists, so
        # it is saved and flagged for the beheerder without a word.
        confirmed = request.form.get("toch_opslaan") == "ja" or not g.user.can("beheerder")
        if not errors and not code_error:
            duplicate = _identical_paper_response(village, survey, answers)
        if not errors and not code_error and (not duplicate or confirmed):
            extra: dict[str, Any] = {"possible_duplicate": True} if duplicate else {}
            guard = (
                using_code(
                    village.storage,
                    survey.id,
                    key,
                    anonymous=survey.anonymous,
                    channel="paper",
                    extra=extra,
                )
                if key
                else nullcontext()
            )
            try:
                with guard:
                    save_response(village, survey, answers, channel="paper", extra=extra)
            except IncompleteResponse as incomplete:
                errors = incomplete.errors
            except CodeProblem as problem:
                code_error = _entry_code_message(problem.kind)
            else:
                flash(
                    _("Het formulier is opgeslagen. U kunt het volgende formulier invoeren."),
                    "info",
                )
                return redirect(url_for(".data_entry", survey_id=survey.id))
    paper_count = sum(1 for r in responses_of(village, survey.id) if r.get("channel") == "paper")
    duplicate = duplicate and g.user.can("beheerder")
    failed = bool(errors or code_error or duplicate)
    return render_template(
        "beheer/access/entry.html",
        survey=survey,
        form=form,
        qtypes=qtypes,
        errors=errors,
        code_error=code_error,
        code_value=request.form.get("household_code", "") if failed else "",
        duplicate=duplicate,
        paper_count=paper_count,
        user=g.user,
    ), (400 if (errors or code_error) else (409 if duplicate else 200))


def _entry_code_message(kind: str) -> str:
    if kind == "used":
        return _(
            "Deze code is al gebruikt: via internet of met een eerder ingevoerd formulier. "
            "Mogelijk is dit formulier dubbel. Leg het apart en overleg met de beheerder."
        )
    if kind == "malformed":
        return _("Vul de code van het formulier in: 12 tekens, bijvoorbeeld K7PM-4XQD-93HT.")
    return problem_message(kind)
