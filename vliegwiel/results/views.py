"""Results pages: the organiser's full results, publishing, text moderation, the PDF report,
XLSX and share-bundle downloads, comparison with other villages, and the public page.

Every number on these pages comes from ``compute_results`` (small-group protection
applied); free texts appear only after a beheerder approved them, and the public page only
for surveys a beheerder chose to publish.
"""

from __future__ import annotations

import logging
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
from flask_babel import lazy_gettext, ngettext
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import MultipleFileField, StringField
from wtforms.validators import DataRequired, Length

from vliegwiel.accounts.model import ROLES
from vliegwiel.accounts.views import require_role
from vliegwiel.core.pdf import PdfRenderError
from vliegwiel.results import moderation, publications, share
from vliegwiel.results.across import published_bundles
from vliegwiel.results.breakdowns import candidates
from vliegwiel.results.report import methods_context, plugin_sections, render_report
from vliegwiel.results.results_cache import cached_results, cached_trends
from vliegwiel.results.results_json import differences, results_json
from vliegwiel.results.suppression import stepped
from vliegwiel.results.tallies import (
    APPROVED,
    REJECTED,
    compute_results,
    is_published,
    set_published,
    text_items,
)
from vliegwiel.results.trends import compute_trends
from vliegwiel.results.waves import MAX_LABEL, start_wave, wave_responses, waves_of
from vliegwiel.surveys import xlsx_export
from vliegwiel.web.context import current_village, survey_or_404
from vliegwiel.web.i18n import current_language

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


def viewer_responses(village, survey, wave: str | None) -> tuple[str | None, list[dict]]:
    """The round's responses this user may see counted: all of them for a beheerder (who
    can read every answer anyway), else only the first multiple of k
    (``suppression.stepped``), so no view changes by fewer than k responses."""
    label, responses = wave_responses(village, survey, wave)
    if g.user.can("beheerder"):
        return label, responses
    return label, stepped(responses, village.config.min_group_size)


def viewer_step(village) -> int | None:
    return None if g.user.can("beheerder") else village.config.min_group_size


# --- organiser ------------------------------------------------------------------------------


@bp.get("/beheer/uitslag/<survey_id>")
@require_role(*ROLES)
def organiser_results(survey_id: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    allowed = {q.id: q for q in candidates(survey)}
    chosen = request.args.get("uitsplitsing")
    chosen = chosen if chosen in allowed else None
    # Counted once per version of the data (results_cache): viewing again costs no count.
    results = cached_results(
        village,
        survey,
        wave=request.args.get("ronde"),
        step=viewer_step(village),
        breakdown=chosen,
        with_texts=True,
    )
    return render_template(
        "results/organiser.html",
        survey=survey,
        results=results,
        chosen=chosen,
        choices=list(allowed.values()),
        waves=waves_of(village.storage, survey.id),
        trends=cached_trends(village, survey, step=viewer_step(village)),
        sections=plugin_sections(village, survey, results),
        published=is_published(village.storage, survey.id),
        publication=publications.latest(village.storage, survey.id),
        stepped=viewer_step(village) is not None,
        **methods_context(village, results),
        wave_form=WaveForm(),
        form=FlaskForm(),
    )


@bp.get("/beheer/uitslag/<survey_id>/publiceren")
@require_role("beheerder")
def publish_preview(survey_id: str):
    """What a publication made now would show, and how it differs from the last one."""
    village = current_village()
    survey = survey_or_404(survey_id)
    wave, responses = wave_responses(village, survey, request.args.get("ronde"))
    k = village.config.min_group_size
    needed = publications.responses_needed(village.storage, survey.id, wave, len(responses), k)
    results = publications.preview(village, survey, wave)
    last = publications.latest(village.storage, survey.id)
    return render_template(
        "results/publish.html",
        survey=survey,
        results=results,
        needed=needed,
        waiting=len(responses) - len(stepped(responses, k)),
        previous=last,
        changes=differences(last.results(village.storage) if last else None, results_json(results)),
        published=is_published(village.storage, survey.id),
        sections=plugin_sections(village, survey, results),
        trends=compute_trends(village, survey, step=k),
        **methods_context(village, results),
        form=FlaskForm(),
    )


@bp.post("/beheer/uitslag/<survey_id>/publiceren")
@require_role("beheerder")
def publish(survey_id: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    if not FlaskForm().validate():
        abort(400)
    try:
        publication = publications.publish(village, survey, request.args.get("ronde"))
    except publications.TooSoon as refused:
        flash(
            ngettext(
                "Nog niet publiceren: er is nog %(num)s nieuw antwoord nodig.",
                "Nog niet publiceren: er zijn nog %(num)s nieuwe antwoorden nodig.",
                refused.needed,
            ),
            "error",
        )
        return redirect(url_for(".publish_preview", survey_id=survey.id))
    set_published(village.storage, survey.id, True)
    flash(_("Publicatie %(n)s staat nu op de openbare website.", n=publication.version), "info")
    return redirect(url_for(".organiser_results", survey_id=survey.id))


@bp.post("/beheer/uitslag/<survey_id>/zichtbaar")
@require_role("beheerder")
def toggle_visible(survey_id: str):
    """Take the published results off the public site, or put the last publication back."""
    survey = survey_or_404(survey_id)
    if not FlaskForm().validate():
        abort(400)
    storage = current_village().storage
    if publications.latest(storage, survey.id) is None:
        abort(409)
    now_published = not is_published(storage, survey.id)
    set_published(storage, survey.id, now_published)
    flash(
        _("De laatste publicatie staat weer op de openbare website.")
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


#: The status filter in the address (Dutch, as the organiser sees it) and back.
_SHOW = {
    "nieuw": moderation.UNREVIEWED,
    "goedgekeurd": APPROVED,
    "afgewezen": REJECTED,
    "alles": moderation.ALL,
}
_SHOW_NAME = {status: name for name, status in _SHOW.items()}


def _moderation_place() -> dict[str, str]:
    """The filter, page and round of the moderation page, to come back to after a POST."""
    place = {k: request.args[k] for k in ("ronde", "toon", "pagina") if request.args.get(k)}
    return place


def _moderation_post(survey_id: str, groups: list[moderation.TextGroup]):
    """One decision about the texts a form names: a bulk approval or rejection (checkboxes
    named ``group``), one group's decision (``key``), a redaction or undoing one."""
    village = current_village()
    action = request.form.get("action", "decide")
    known = moderation.by_any_key(groups)
    keys = request.form.getlist("group") if action == "bulk" else [request.form.get("key", "")]
    if not keys or any(k not in known for k in keys) or len(keys) > len(groups):
        if action == "bulk" and not keys:
            flash(_("Kies eerst een of meer teksten."), "error")
            return None
        abort(400)
    chosen = list({known[k].key: known[k] for k in keys}.values())
    status = request.form.get("status")
    if action in ("bulk", "decide"):
        if status not in (APPROVED, REJECTED):
            abort(400)
        covered = moderation.decide(village.storage, survey_id, chosen, status)
        message = (
            ngettext("%(num)s tekst goedgekeurd.", "%(num)s teksten goedgekeurd.", covered)
            if status == APPROVED
            else ngettext("%(num)s tekst afgewezen.", "%(num)s teksten afgewezen.", covered)
        )
        flash(message, "info")
    elif action == "redact":
        (group,) = chosen
        try:
            text = moderation.redact(group.published, request.form.get("part", ""))
        except moderation.ModerationError as error:
            flash(_REDACT_ERRORS[error.context["reason"]](), "error")
            return group
        moderation.decide(village.storage, survey_id, chosen, APPROVED, redacted=text)
        flash(_("Het deel is weggelaten; de tekst is goedgekeurd."), "info")
    elif action == "restore":
        moderation.decide(village.storage, survey_id, chosen, None, redacted=None)
        flash(
            _("De tekst staat weer zoals hij is ingevuld en moet opnieuw beoordeeld worden."),
            "info",
        )
    else:
        abort(400)
    return chosen[0] if action != "bulk" else None


_REDACT_ERRORS = {
    "empty": lambda: _("Typ of kopieer het deel van de tekst dat weg moet."),
    "long": lambda: _(
        "Het weg te laten deel is te lang (hoogstens %(n)s tekens).", n=moderation.MAX_PART
    ),
    "absent": lambda: _("Dat deel staat niet in de tekst. Kopieer het precies zoals het er staat."),
}


@bp.route("/beheer/uitslag/<survey_id>/teksten", methods=["GET", "POST"], endpoint="moderation")
@require_role("beheerder")
def moderation_page(survey_id: str):
    """Free texts are individual answers: only beheerders read and approve them."""
    village = current_village()
    survey = survey_or_404(survey_id)
    form = FlaskForm()
    wave, responses = wave_responses(village, survey, request.args.get("ronde"))
    groups = moderation.group_texts(text_items(village, survey, responses))
    if request.method == "POST":
        if not form.validate():
            abort(400)
        focus = _moderation_post(survey.id, groups)
        target = url_for(".moderation", survey_id=survey.id, **_moderation_place())
        return redirect(target + (f"#tekst-{focus.key}" if focus is not None else ""))
    show = _SHOW.get(request.args.get("toon", ""), moderation.UNREVIEWED)
    try:
        number = int(request.args.get("pagina", "1"))
    except ValueError:
        number = 1
    shown = [g for g in groups if moderation.matches(g, show)]
    page = moderation.page_of(shown, number)
    return render_template(
        "results/moderation.html",
        survey=survey,
        page=page,
        wave=wave,
        form=form,
        show=_SHOW_NAME[show],
        filters=_SHOW,
        counts=moderation.counts(groups),
        total=sum(g.count for g in groups),
        select_all=request.args.get("kies") == "alles",
        place=_moderation_place(),
    )


@bp.get("/beheer/uitslag/<survey_id>/rapport.pdf")
@require_role(*ROLES)
def report_pdf(survey_id: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    wave, responses = viewer_responses(village, survey, request.args.get("ronde"))
    try:
        pdf = render_report(
            village, survey, wave=wave, responses=responses, step=viewer_step(village)
        )
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
    """The bundle of the latest publication: a bundle leaves the village, so it holds
    exactly what the village published and nothing newer."""
    village = current_village()
    survey = survey_or_404(survey_id)
    if "ronde" in request.args:
        publication = publications.latest(village.storage, survey.id, request.args["ronde"])
    else:
        publication = publications.latest(village.storage, survey.id)
    if publication is None:
        flash(_("Maak de uitslag eerst openbaar; een bundel bevat de laatste publicatie."), "error")
        return redirect(url_for(".organiser_results", survey_id=survey.id))
    return Response(
        publication.bundle(village.storage),
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
    wave, responses = viewer_responses(village, survey, None)
    own = share.bundle_data(village, survey, compute_results(village, survey, responses, wave=wave))
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
        left_out=share.not_compared(bundles),
        errors=errors,
        form=form,
        on_province=province is not None,
        with_server=with_server,
        stepped=viewer_step(village) is not None,
    ), status


# --- public ---------------------------------------------------------------------------------


@bp.get("/uitleg/foutmarge")
def margin_explained():
    """What "tussen 31% en 45%" means, in one short page (linked from every results table)."""
    level = round(current_village().config.confidence * 100)
    return render_template("results/margin.html", level=level)


def _public_publication(survey_id: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    publication = publications.latest(village.storage, survey.id)
    if publication is None or not is_published(village.storage, survey.id):
        abort(404)
    return village, survey, publication


@bp.get("/uitslag/<survey_id>")
def public_results(survey_id: str):
    """The latest publication as it was stored: no counting in an anonymous request."""
    village, survey, publication = _public_publication(survey_id)
    return render_template(
        "results/public.html",
        survey=survey,
        publication=publication,
        body=Markup(publication.page_html(village.storage, current_language())),
    )


@bp.get("/uitslag/<survey_id>/rapport.pdf")
def public_report(survey_id: str):
    village, survey, publication = _public_publication(survey_id)
    pdf = publication.pdf(village.storage)
    if pdf is None:
        abort(404)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'inline; filename="{survey.id}-uitslag-{publication.version}.pdf"'
            )
        },
    )


#: Entries in the feed; a village publishes a few times a year.
FEED_ENTRIES = 50


@bp.get("/uitslagen.atom")
def feed():
    """Every publication on the public site, newest first, for the village website.
    Reads only the small publication index."""
    village = current_village()
    shown = {p.survey_id for p in publications.shown_publications(village)}
    entries = [
        (village.surveys.get(p.survey_id), p)
        for p in reversed(publications.publications_of(village.storage))
        if p.survey_id in shown
    ][:FEED_ENTRIES]
    updated = entries[0][1].published_at if entries else "1970-01-01T00:00:00+00:00"
    base = village.config.base_url.rstrip("/")

    def address(endpoint: str, **values: Any) -> str:
        # The village's own address ([server] base_url) when set: the ids of a feed must not
        # change with the Host header a request happens to send.
        if not base:
            return url_for(endpoint, _external=True, **values)
        return base + url_for(endpoint, **values).removeprefix(request.script_root)

    xml = render_template("results/feed.xml", entries=entries, updated=updated, address=address)
    return Response(xml, mimetype="application/atom+xml")
