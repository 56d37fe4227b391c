"""Organiser pages to create and change a survey in the browser (/beheer/enquete/<id>/bewerken).

A plain textarea with the YAML, the same FILE:LINE problems as ``vliegwiel check`` shown next
to their line, a preview of every page, and the list of saved versions. No JavaScript: every
check is a round trip, so the page works as well on the village laptop as on a phone.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from vliegwiel.accounts.views import require_role
from vliegwiel.surveys.editing import (
    STARTER,
    Checked,
    EditRefused,
    check_text,
    save_survey,
    text_hash,
    versions_of,
)
from vliegwiel.surveys.forms import build_form
from vliegwiel.surveys.loader import MAX_FILE_BYTES, SurveyError
from vliegwiel.surveys.responses import responses_collection
from vliegwiel.surveys.status import local, status_of
from vliegwiel.web.context import current_village, survey_or_404
from vliegwiel.web.i18n import current_language

bp = Blueprint("survey_editor", __name__, url_prefix="/beheer")


class EditorForm(FlaskForm):
    text = TextAreaField(
        lazy_gettext("De enquête in YAML"), validators=[Length(max=MAX_FILE_BYTES)]
    )
    #: The fingerprint of the file as it was opened: saving over someone else's change is refused.
    base = HiddenField()


def _preview_forms(checked: Checked) -> list:
    """One form per page of a valid survey, to render its questions as residents see them."""
    if checked.survey is None:
        return []
    village = current_village()
    return [build_form(village.question_types, page.questions) for page in checked.survey.pages]


def _page(
    *,
    survey_id: str | None,
    title: str,
    form: EditorForm,
    checked: Checked,
    refused: list[str] | None = None,
    status: int = 200,
):
    village = current_village()
    file_name = village.surveys.path(survey_id).name if survey_id else None
    return render_template(
        "beheer/editor.html",
        survey_id=survey_id,
        title=title,
        form=form,
        file_name=file_name,
        checked=checked,
        problem_lines=checked.problems_by_line(current_language()),
        lines=(form.text.data or "").splitlines(),
        refused=refused or [],
        preview_forms=_preview_forms(checked),
        qtypes=village.question_types,
        versions=[
            {**v, "saved_local": f"{local(datetime.fromisoformat(v['saved_at'])):%d-%m-%Y %H:%M}"}
            for v in (versions_of(village, survey_id) if survey_id else [])
        ],
        answered=village.storage.count(responses_collection(survey_id)) if survey_id else 0,
        status=status_of(village.storage, survey_id) if survey_id else None,
    ), status


def _handle(survey_id: str | None, title: str):
    """Check or save the posted text; the same for a new and an existing survey."""
    village = current_village()
    form = EditorForm()
    if not form.validate():
        if form.csrf_token.errors:
            abort(400)
        flash(_("De tekst is te lang voor een enquête."), "error")
        return redirect(request.path)
    text = (form.text.data or "").replace("\r\n", "\n")
    form.text.data = text
    file_name = village.surveys.path(survey_id).name if survey_id else "nieuw.yaml"
    checked = check_text(village, text, file_name)
    if request.form.get("action") != "save":
        return _page(survey_id=survey_id, title=title, form=form, checked=checked)
    try:
        saved = save_survey(
            village, text, survey_id=survey_id, base=form.base.data or None, user=g.user.username
        )
    except SurveyError:
        return _page(survey_id=survey_id, title=title, form=form, checked=checked, status=400)
    except EditRefused as refusal:
        return _page(
            survey_id=survey_id,
            title=title,
            form=form,
            checked=checked,
            refused=refusal.reasons,
            status=409,
        )
    if survey_id is None:
        flash(
            _(
                "De enquête is aangemaakt als concept. Bewoners zien hem pas als u hem opent; "
                "zet hem eerst in test om hem zelf in te vullen."
            ),
            "info",
        )
        return redirect(url_for("organiser.survey_results", survey_id=saved.id))
    number = versions_of(village, saved.id)[0]["number"]
    flash(_("Opgeslagen als versie %(n)s.", n=number), "info")
    return redirect(url_for(".edit", survey_id=saved.id))


@bp.route("/enquete/<survey_id>/bewerken", methods=["GET", "POST"])
@require_role("beheerder")
def edit(survey_id: str):
    survey = survey_or_404(survey_id)
    village = current_village()
    title = _("Enquête bewerken")
    if request.method == "POST":
        return _handle(survey.id, title)
    path = village.surveys.path(survey.id)
    on_disk = path.read_text(encoding="utf-8")
    text = on_disk
    wanted = request.args.get("versie", type=int)
    if wanted is not None:
        version = next((v for v in versions_of(village, survey.id) if v["number"] == wanted), None)
        if version is None:
            abort(404)
        text = version["text"]
    form = EditorForm(text=text, base=text_hash(on_disk))
    return _page(
        survey_id=survey.id, title=title, form=form, checked=check_text(village, text, path.name)
    )


@bp.route("/enquetes/nieuw", methods=["GET", "POST"])
@require_role("beheerder")
def new():
    title = _("Nieuwe enquête")
    if request.method == "POST":
        return _handle(None, title)
    form = EditorForm(text=STARTER)
    return _page(
        survey_id=None,
        title=title,
        form=form,
        checked=check_text(current_village(), STARTER, "nieuw.yaml"),
    )
