"""Organiser pages of exchange meetings and quick polls of a round (/beheer/rondes/...):
plan a meeting, see sign-ups, record outcomes linked to ideas, show a poll on the screen with
a QR code to the answer page, and type in a hand count. Routes are added to the rounds_admin
blueprint; hosts are beheerders and ambassadeurs.
"""

from __future__ import annotations

from datetime import datetime

import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from vliegwiel.accounts.model import ROLES
from vliegwiel.accounts.views import require_role
from vliegwiel.reach.letters import base_url_problem
from vliegwiel.rounds.admin_base import HOSTS, back, bp, int_field, round_or_404, user_can
from vliegwiel.rounds.ideas import all_ideas, is_active
from vliegwiel.rounds.meetings import (
    create_meeting,
    create_poll,
    get_meeting,
    get_poll,
    meetings_of,
    parse_start,
    poll_results,
    polls_of,
    record_hand_count,
    record_outcomes,
    set_poll_open,
    signups_of,
)
from vliegwiel.rounds.model import RoundError
from vliegwiel.web.context import current_village


@bp.route("/<round_id>/bijeenkomsten", methods=["GET", "POST"])
@require_role(*ROLES)
def meetings(round_id: str):
    record = round_or_404(round_id)
    storage = current_village().storage
    error = None
    if request.method == "POST":
        if not user_can(*HOSTS):
            abort(403)
        try:
            meeting = create_meeting(
                storage,
                round_id,
                title=request.form.get("title", ""),
                starts_at=parse_start(request.form.get("starts_at", "")),
                place=request.form.get("place", ""),
                agenda=request.form.get("agenda", ""),
                idea_ids=request.form.getlist("idea"),
            )
        except RoundError as err:
            error = str(err)
        else:
            flash(_("De bijeenkomst is gepland."), "info")
            return redirect(url_for(".meeting", round_id=round_id, meeting_id=meeting["id"]))
    return render_template(
        "beheer/rounds/meetings.html",
        round=record,
        meetings=meetings_of(storage, round_id),
        ideas=[i for i in all_ideas(storage, round_id) if is_active(i)],
        error=error,
        values=request.form,
        form=FlaskForm(),
    ), (400 if error else 200)


@bp.route("/<round_id>/bijeenkomst/<meeting_id>", methods=["GET", "POST"])
@require_role(*ROLES)
def meeting(round_id: str, meeting_id: str):
    record = round_or_404(round_id)
    storage = current_village().storage
    found = get_meeting(storage, round_id, meeting_id)
    if found is None:
        abort(404)
    error = None
    if request.method == "POST":
        if not user_can(*HOSTS):
            abort(403)
        try:
            if request.form.get("action") == "poll":
                poll = create_poll(
                    storage,
                    round_id,
                    meeting_id,
                    request.form.get("question", ""),
                    request.form.get("options", "").splitlines(),
                )
                return redirect(url_for(".poll_screen", round_id=round_id, poll_id=poll["id"]))
            record_outcomes(
                storage,
                round_id,
                meeting_id,
                request.form.get("outcomes", ""),
                request.form.getlist("idea"),
            )
        except RoundError as err:
            error = str(err)
        else:
            return back(
                ".meeting", round_id, _("De uitkomsten zijn opgeslagen."), meeting_id=meeting_id
            )
    return render_template(
        "beheer/rounds/meeting.html",
        round=record,
        meeting=found,
        starts_at=datetime.fromisoformat(found["starts_at"]),
        signups=signups_of(storage, round_id, meeting_id),
        polls=polls_of(storage, round_id, meeting_id),
        ideas=[i for i in all_ideas(storage, round_id) if is_active(i)],
        error=error,
        form=FlaskForm(),
    ), (400 if error else 200)


@bp.route("/<round_id>/peiling/<poll_id>", methods=["GET", "POST"])
@require_role(*HOSTS)
def poll_screen(round_id: str, poll_id: str):
    """The question on the screen, a QR code to the answer page, and the hand count."""
    record = round_or_404(round_id)
    storage = current_village().storage
    poll = get_poll(storage, round_id, poll_id)
    if poll is None:
        abort(404)
    error = None
    if request.method == "POST":
        try:
            action = request.form.get("action")
            if action in ("close", "open"):
                set_poll_open(storage, round_id, poll_id, action == "open")
            else:
                counts = {
                    option: int_field(request.form.get(f"handen-{n}"), option)
                    for n, option in enumerate(poll["options"])
                }
                record_hand_count(storage, round_id, poll_id, counts)
        except RoundError as err:
            error = str(err)
        else:
            return back(".poll_screen", round_id, _("Opgeslagen."), poll_id=poll_id)
    answer_url, local = _poll_address(round_id, poll_id)
    return render_template(
        "beheer/rounds/poll.html",
        round=record,
        poll=poll,
        results=poll_results(storage, round_id, poll),
        answer_url=answer_url,
        local_address=local,
        qr=segno.make(answer_url, error="m").svg_data_uri(scale=6),
        error=error,
        form=FlaskForm(),
    ), (400 if error else 200)


def _poll_address(round_id: str, poll_id: str) -> tuple[str, bool]:
    """The address the poll's QR code opens, and whether only this computer reaches it.

    ``[server] base_url`` when it is set to a reachable address (the one on the letters),
    else the address this page was opened on; a laptop opened at 127.0.0.1 would show
    residents a QR code their phones cannot open, so the page then says so.
    """
    village = current_village()
    path = url_for("rounds.poll", round_id=round_id, poll_id=poll_id)
    if base_url_problem(village.config.base_url) is None:
        # url_for's path already holds the script root (a province's /<village>/ prefix).
        root = request.script_root
        return village.config.base_url.rstrip("/") + path[len(root) :], False
    external = url_for("rounds.poll", round_id=round_id, poll_id=poll_id, _external=True)
    return external, base_url_problem(external) == "local"
