"""Organiser pages that move a round's data in and out (/beheer/rondes/...): CSV, JSON and
.pb exports, the round design for another village and its import, and importing ballots.
Routes are added to the rounds_admin blueprint; all of them are for beheerders only.
"""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from vliegwiel.accounts.views import require_role
from vliegwiel.rounds.admin_base import back, bp, round_or_404
from vliegwiel.rounds.ballots import export_pb, import_pb
from vliegwiel.rounds.io import export_csv, export_design, export_json, import_design
from vliegwiel.rounds.model import RoundError
from vliegwiel.rounds.views_public import clock
from vliegwiel.web.context import current_village


def _download(body: str, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/<round_id>/export.<fmt>")
@require_role("beheerder")
def export(round_id: str, fmt: str):
    record = round_or_404(round_id)
    storage = current_village().storage
    if fmt == "csv":
        return _download(export_csv(storage, record), "text/csv", f"ronde-{round_id}.csv")
    if fmt == "json":
        return _download(export_json(storage, record), "application/json", f"ronde-{round_id}.json")
    if fmt == "pb":
        name = current_village().config.name
        return _download(export_pb(storage, record, name), "text/plain", f"ronde-{round_id}.pb")
    abort(404)


@bp.get("/<round_id>/ontwerp.json")
@require_role("beheerder")
def design(round_id: str):
    record = round_or_404(round_id)
    return _download(
        export_design(current_village(), record), "application/json", f"ontwerp-{round_id}.json"
    )


def _upload_text() -> str:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise RoundError(_("Kies een bestand."))
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RoundError(_("Het bestand is geen tekst (UTF-8).")) from None


@bp.post("/ontwerp-import")
@require_role("beheerder")
def design_import():
    try:
        start = request.form.get("start", "").strip()
        first_day = date.fromisoformat(start) if start else clock().date()
        record, notes = import_design(
            current_village(), _upload_text(), start=first_day, now=clock()
        )
    except ValueError as err:  # RoundError is a ValueError; so is a bad date
        flash(str(err) if isinstance(err, RoundError) else _("Geen geldige datum."), "error")
        return redirect(url_for(".index"))
    for note in notes:
        flash(note, "info")
    return back(
        ".settings",
        record["id"],
        _("Het ontwerp is ingelezen als concept. Pas de datums en instellingen aan."),
    )


@bp.post("/<round_id>/stembiljetten")
@require_role("beheerder")
def ballots_import(round_id: str):
    record = round_or_404(round_id)
    try:
        added = import_pb(current_village().storage, record, _upload_text(), now=clock())
    except RoundError as err:
        flash(str(err), "error")
        return redirect(url_for(".overview", round_id=round_id))
    return back(".overview", round_id, _("%(n)s stembiljetten ingelezen.", n=added))
