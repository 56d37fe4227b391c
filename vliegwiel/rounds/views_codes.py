"""Invitation codes in participation rounds: one household, one say.

For a round with ``settings["requires_codes"]`` a resident enters the code from the letter on
``/ronde/<id>/code`` (the same checks, messages and throttle as a survey's code page). The
session then remembers the code's id for that round, and the participant resolver here
(``household_of``, added to ``Village.participant_resolvers`` by rounds.plugin at start-up)
answers with a key derived from it.
The code is never used up: it is the household's identity within the round, so a household
supports several ideas, casts one ballot and pledges, from any device; the rounds' own checks
(one support per idea, one ballot per participant) do the counting.

Reading a round's pages needs no code; an action (a POST) without one is sent to the code page.
Organisers make the codes and letters on ``/beheer/rondes/<id>/codes`` or with
``vliegwiel codes ROUND_ID``.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from vliegwiel.accounts.views import require_role
from vliegwiel.reach.code_entry import ROUND_CODES, code_form, problem_message, submitted_code
from vliegwiel.reach.codes import IssuedCode, code_state, household_key
from vliegwiel.reach.letters import round_letters_pdf
from vliegwiel.reach.views import letters_page
from vliegwiel.rounds.model import DRAFT, get_round, status_of
from vliegwiel.rounds.views_public import clock
from vliegwiel.web.context import current_village

bp = Blueprint("round_codes", __name__)

#: Where the code page may send a resident back to: a page of the same round, nothing else.
_LOCAL_PAGE = re.compile(r"^/ronde/[a-z0-9_-]+(?:/[a-z0-9_-]+)*$")
#: Action URLs that accept only POST; after the code page the resident returns to their page.
_ACTION_SUFFIXES = ("/steun", "/reactie")


def _code_key(round_record: dict[str, Any]) -> str | None:
    """The remembered code's id while it is still valid; a stale one is forgotten with a word."""
    round_id = round_record["id"]
    key = ROUND_CODES.get(round_id)
    if key is None:
        return None
    problem = code_state(current_village().storage, round_id, key)
    if problem is None:
        return key
    ROUND_CODES.forget(round_id)
    flash(problem_message(problem), "error")
    return None


def household_of(round_record: dict[str, Any]) -> str | None:
    """Participant resolver: the household behind the session's code, for code rounds only.

    Without a code, reading pages goes on (None: the page shows "not supported yet"), and an
    action is sent to the code page before anything is stored.
    """
    if not round_record["settings"].get("requires_codes"):
        return None
    key = _code_key(round_record)
    if key is not None:
        village = current_village()
        return household_key(village.config.secret_key, round_record["id"], key)
    if request.method != "POST":
        return None
    flash(_("Vul eerst de code uit uw brief in. Daarna kunt u meedoen."), "info")
    back = request.path
    for suffix in _ACTION_SUFFIXES:
        back = back.removesuffix(suffix)
    abort(redirect(url_for("round_codes.enter_code", round_id=round_record["id"], terug=back)))


@bp.app_template_global()
def round_code_known(round_record: dict[str, Any]) -> bool:
    """Whether this browser holds a checked code for the round (for the pages' wording)."""
    return ROUND_CODES.get(round_record["id"]) is not None


# --- residents: entering the code ---------------------------------------------------------------


def _code_round(round_id: str) -> dict[str, Any]:
    record = get_round(current_village().storage, round_id)
    if record is None or status_of(record, clock()) == DRAFT:
        abort(404)
    return record


def _back_to(round_id: str, wanted: str | None) -> str:
    # Only a page of this round: the parameter comes from a URL anyone can craft.
    if wanted and _LOCAL_PAGE.fullmatch(wanted) and wanted.startswith(f"/ronde/{round_id}"):
        return wanted
    return url_for("rounds.round_page", round_id=round_id)


@bp.route("/ronde/<round_id>/code", methods=["GET", "POST"])
def enter_code(round_id: str):
    record = _code_round(round_id)
    if not record["settings"].get("requires_codes"):
        return redirect(url_for("rounds.round_page", round_id=round_id))
    back = request.args.get("terug")
    form = code_form()
    key, error, blocked = submitted_code(form, round_id)
    if blocked is not None:
        return blocked
    if key:
        ROUND_CODES.remember(round_id, key)
        flash(_("Uw code klopt. U doet mee namens uw huishouden."), "info")
        return redirect(_back_to(round_id, back))
    action = url_for(".enter_code", round_id=round_id, terug=back) if back else None
    return render_template(
        "rounds/code.html",
        round=record,
        form=form,
        error=error,
        action=action or url_for(".enter_code", round_id=round_id),
        known=ROUND_CODES.get(round_id) is not None,
    ), (400 if error else 200)


# --- organisers: codes and letters --------------------------------------------------------------


@bp.route("/beheer/rondes/<round_id>/codes", methods=["GET", "POST"])
@require_role("beheerder")
def codes(round_id: str):
    village = current_village()
    record = get_round(village.storage, round_id)
    if record is None:
        abort(404)

    def render(issued: list[IssuedCode], contact: str | None, reminders: bool) -> bytes:
        # A round's code stays valid for the whole round: no reminder letters (not offered).
        return round_letters_pdf(
            record,
            issued,
            village_name=village.config.name,
            base_url=village.config.base_url,
            contact=contact,
            place=village.config.place,
        )

    return letters_page(
        round_id,
        render,
        template="beheer/rounds/codes.html",
        filename=f"ronde-{round_id}",
        round=record,
        codes_used_up=False,
    )
