"""Results pages: the organiser's full results, publishing, text moderation, the PDF report,
XLSX and share-bundle downloads, comparison with other villages, and the public page.

Every number on these pages comes from ``compute_results`` (small-group protection
applied); free texts appear only after a beheerder approved them, and the public page only
for surveys a beheerder chose to publish.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, StringField
from wtforms.validators import DataRequired, Length

from vliegwiel.accounts.model import ROLES
from vliegwiel.accounts.views import require_role
from vliegwiel.core.pdf import PdfRenderError
from vliegwiel.results import share
from vliegwiel.results.across import published_bundles
from vliegwiel.results.breakdowns import candidates
from vliegwiel.results.report import methods_context, plugin_sections, render_report
from vliegwiel.results.tallies import (
    APPROVED,
    REJECTED,
    compute_results,
    is_published,
    set_published,
    set_text_status,
    text_items,
)
from vliegwiel.results.trends import compute_trends
from vliegwiel.results.waves import MAX_LABEL, start_wave, wave_responses, waves_of
from vliegwiel.surveys import xlsx_export
from vliegwiel.web.context import current_village, survey_or_404

log = logging.getLogger(__name__)

bp = Blueprint("results", __name__)

#: Bundles to compare at once; the app's request size limit bounds them too.
MAX_COMPARE = 8


class WaveForm(FlaskForm):
    label = StringField(
        lazy_gettext("Naam van de nieuwe ronde (bijvoorbeeld het jaar)"),
        validators=[DataRequired(), Length(max=MAX_LABEL)],
    )


class CompareForm(FlaskForm):
    bundles = MultipleFileField(lazy_gettext("Bundels van andere kernen (.zip)"))


# --- organiser ------------------------------------------------------------------------------


@bp.get("/beheer/uitslag/<survey_id>")
@require_role(*ROLES)
def organiser_results(survey_id: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    allowed = {q.id: q for q in candidates(survey)}
    chosen = request.args.get("uitsplitsing")
    chosen = chosen if chosen in allowed else None
    results = compute_results(
        village, survey, breakdown=chosen, wave=request.args.get("ronde"), with_texts=True
    )
    return render_template(
        "results/organiser.html",
        survey=survey,
        results=results,
        chosen=chosen,
        choices=list(allowed.values()),
        waves=waves_of(village.storage, survey.id),
        trends=compute_trends(village, survey),
        sections=plugin_sections(village, survey, results),
        published=is_published(village.storage, survey.id),
        **methods_context(village, results),
        wave_form=WaveForm(),
        form=FlaskForm(),
    )


@bp.post("/beheer/uitslag/<survey_id>/publiceren")
@require_role("beheerder")
def publish(survey_id: str):
    survey = survey_or_404(survey_id)
    if not FlaskForm().validate():
        abort(400)
    storage = current_village().storage
    now_published = not is_published(storage, survey.id)
    set_published(storage, survey.id, now_published)
    flash(
        _("De uitslag staat nu op de openbare website.")
        if now_published
        else _("De uitslag is van de openbare website gehaald."),
        "info",
    )
    return redirect(url_for(".organiser_results", survey_id=survey.id))


@bp.post("/beheer/uitslag/<survey_id>/ronde")
@require_role("beheerder")
def new_wave(survey_id: str):
    survey = survey_or_404(survey_id)
    form = WaveForm()
    if form.validate():
        try:
            wave = start_wave(current_village().storage, survey.id, form.label.data)
        except ValueError:
            flash(_("Er is al een ronde met die naam."), "error")
        else:
            flash(_("Ronde %(label)s is begonnen.", label=wave.label), "info")
    else:
        flash(_("Geef de nieuwe ronde een naam van hoogstens %(n)s tekens.", n=MAX_LABEL), "error")
    return redirect(url_for(".organiser_results", survey_id=survey.id))


@bp.route("/beheer/uitslag/<survey_id>/teksten", methods=["GET", "POST"])
@require_role("beheerder")
def moderation(survey_id: str):
    """Free texts are individual answers: only beheerders read and approve them."""
    village = current_village()
    survey = survey_or_404(survey_id)
    form = FlaskForm()
    if request.method == "POST":
        key, status = request.form.get("key", ""), request.form.get("status")
        _wave, responses = wave_responses(village, survey, request.args.get("ronde"))
        known = {item.key for item in text_items(village, survey, responses)}
        if not form.validate() or key not in known or status not in (APPROVED, REJECTED):
            abort(400)
        set_text_status(village.storage, survey.id, key, status)
        return redirect(url_for(".moderation", survey_id=survey.id) + f"#tekst-{key}")
    wave, responses = wave_responses(village, survey, request.args.get("ronde"))
    items = text_items(village, survey, responses)
    return render_template(
        "results/moderation.html", survey=survey, items=items, wave=wave, form=form
    )


@bp.get("/beheer/uitslag/<survey_id>/rapport.pdf")
@require_role(*ROLES)
def report_pdf(survey_id: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    try:
        pdf = render_report(village, survey, wave=request.args.get("ronde"))
    except PdfRenderError as error:
        log.error("report of %s failed: %s", survey.id, error)
        return render_template("results/report_failed.html", survey=survey), 503
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{survey.id}-rapport.pdf"'},
    )


@bp.get("/beheer/uitslag/<survey_id>/antwoorden.xlsx")
@require_role("beheerder")
def export_xlsx(survey_id: str):
    """Individual answers: for beheerders only, like the CSV and JSON exports."""
    village = current_village()
    survey = survey_or_404(survey_id)
    _wave, responses = wave_responses(village, survey, request.args.get("ronde"))
    return Response(
        xlsx_export.export_xlsx(village, survey, responses),
        mimetype=xlsx_export.XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{survey.id}.xlsx"'},
    )


@bp.get("/beheer/uitslag/<survey_id>/bundel.zip")
@require_role("beheerder")
def bundle(survey_id: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    results = compute_results(village, survey, wave=request.args.get("ronde"))
    return Response(
        share.write_bundle(village, survey, results),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{survey.id}-bundel.zip"'},
    )


@bp.route("/beheer/uitslag/<survey_id>/vergelijken", methods=["GET", "POST"])
@require_role(*ROLES)
def compare(survey_id: str):
    """This village beside uploaded bundles; uploads are read, shown and forgotten."""
    village = current_village()
    survey = survey_or_404(survey_id)
    form = CompareForm()
    own = share.bundle_data(village, survey, compute_results(village, survey))
    bundles, errors, status = [own], [], 200
    province = current_app.extensions.get("vliegwiel.province")
    with_server = province is not None and request.args.get("kernen") == "server"
    if with_server:
        # Other villages on this server: only what they published (see results/across.py).
        bundles += published_bundles(province.villages(), survey.id, exclude=village)
    if request.method == "POST":
        if not form.validate():
            abort(400)
        files = [f for f in request.files.getlist(form.bundles.name) if f.filename]
        if len(files) > MAX_COMPARE:
            errors.append(_("Kies hoogstens %(n)s bundels tegelijk.", n=MAX_COMPARE))
            files = []
        for upload in files:
            try:
                bundles.append(share.read_bundle(upload.read()))
            except share.BundleError as error:
                log.info("refused bundle %r: %s", upload.filename, error)
                errors.append(
                    _("%(name)s is geen geldige bundel van vliegwiel.", name=upload.filename)
                )
        status = 400 if errors else 200
    return render_template(
        "results/compare.html",
        survey=survey,
        bundles=bundles,
        rows=share.compare(bundles),
        errors=errors,
        form=form,
        on_province=province is not None,
        with_server=with_server,
    ), status


# --- public ---------------------------------------------------------------------------------


@bp.get("/uitslag/<survey_id>")
def public_results(survey_id: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    if not is_published(village.storage, survey.id):
        abort(404)
    results = compute_results(village, survey, with_texts=True)
    return render_template(
        "results/public.html",
        survey=survey,
        results=results,
        sections=plugin_sections(village, survey, results),
        trends=compute_trends(village, survey),
        **methods_context(village, results),
    )
