"""What every organiser page of participation rounds shares: the ``rounds_admin`` blueprint
and the small helpers its three view modules (views_admin, views_admin_data,
views_admin_meetings) use. The rounds default plugin imports all three before registering
``bp``, so each module adds its routes to it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, url_for
from flask_babel import gettext as _

from vliegwiel.rounds.model import RoundError, get_round
from vliegwiel.web.context import current_village

bp = Blueprint("rounds_admin", __name__, url_prefix="/beheer/rondes")

HOSTS = ("beheerder", "ambassadeur")  # may run meetings and polls


def round_or_404(round_id: str) -> dict[str, Any]:
    record = get_round(current_village().storage, round_id)
    if record is None:
        abort(404)
    return record


def int_field(text: str | None, field: str) -> int:
    try:
        return int((text or "0").strip() or "0")
    except ValueError:
        raise RoundError(_("%(field)s moet een geheel getal zijn.", field=field)) from None


def user_can(*roles: str) -> bool:
    return g.get("user") is not None and g.user.can(*roles)


def back(endpoint: str, round_id: str, message: str | None = None, **kw: Any):
    if message:
        flash(message, "info")
    return redirect(url_for(endpoint, round_id=round_id, **kw))
