"""The one way a resident enters an invitation code, for surveys and rounds alike: the form,
the throttles against guessing, checking the typed code, the friendly messages, and the
codes this browser has checked (their ids, never the codes themselves)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Response, abort, current_app, render_template, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from vliegwiel.reach.codes import (
    CodeProblem,
    address_key,
    app_throttle,
    normalise_code,
    verify_code,
)
from vliegwiel.web.context import current_village

#: Wrong (well-formed) codes allowed per IP address and per browser session in 15 minutes.
#: A village hall shares one IP address, hence the larger number there.
FAILURES_PER_IP = 30
FAILURES_PER_SESSION = 10


class RememberedCodes:
    """The ids of the codes this browser has checked, per survey or round, in the session.

    ``permanent``: kept when the browser closes (a round's code is the household's identity
    in that round; a survey's code is used up when the answers are saved).
    """

    def __init__(self, session_key: str, *, permanent: bool) -> None:
        self.session_key = session_key
        self.permanent = permanent

    def all(self) -> dict[str, str]:
        return dict(session.get(self.session_key, {}))

    def get(self, scope: str) -> str | None:
        return self.all().get(scope)

    def remember(self, scope: str, key: str) -> None:
        self._store({**self.all(), scope: key})

    def forget(self, scope: str) -> None:
        codes = self.all()
        codes.pop(scope, None)
        self._store(codes)

    def _store(self, codes: dict[str, str]) -> None:
        session[self.session_key] = codes
        if self.permanent and "user_id" not in session:
            # Never for a logged-in organiser: their session must end with the browser.
            session.permanent = True


#: survey id -> the keyed hash of the resident's checked code.
SURVEY_CODES = RememberedCodes("access_codes", permanent=False)
#: round id -> the keyed hash of the household's checked code.
ROUND_CODES = RememberedCodes("round_codes", permanent=True)


def problem_message(kind: str) -> str:
    """A friendly Dutch explanation of a CodeProblem kind."""
    return {
        "malformed": _(
            "Deze code klopt niet. Een code heeft 12 tekens, bijvoorbeeld K7PM-4XQD-93HT. "
            "Kijk nog eens goed in de brief."
        ),
        "unknown": _(
            "Deze code kennen we niet. Kijk of u alle tekens goed hebt overgenomen. "
            "Hoofdletters of kleine letters maakt niet uit."
        ),
        "used": _(
            "Deze code is al gebruikt. Met elke code kan één keer worden meegedaan, via "
            "internet of op papier. Hebt u nog niet meegedaan? Vraag dan hulp."
        ),
        "expired": _("Deze code is verlopen. Wilt u toch nog meedoen? Vraag dan hulp."),
    }.get(kind, _("Deze code kan niet worden gebruikt. Vraag hulp."))


class CodeForm(FlaskForm):
    code = StringField(lazy_gettext("Uw code"), validators=[Length(max=64)])


def code_form() -> CodeForm:
    """The code form, filled in from a letter's QR link (``?c=CODE``) on the first visit."""
    form = CodeForm()
    if request.method == "GET" and request.args.get("c"):
        form.code.data = request.args["c"][:64]
    return form


def submitted_code(form: CodeForm, scope: str) -> tuple[str | None, str | None, Response | None]:
    """Check a posted code form for ``scope`` (a survey or round id).

    Returns (the code's id, None, None) when it may be used, (None, message, None) when not,
    (None, None, the 429 page) when this browser or address guessed too often, and
    (None, None, None) for a GET.
    """
    if request.method != "POST":
        return None, None, None
    if not form.validate():
        abort(400)
    blocked = guessed_too_often()
    if blocked is not None:
        return None, None, blocked
    key, error = check_typed_code(scope, form.code.data)
    return key, error, None


def _throttle_keys() -> list[tuple[str, Any]]:
    if "throttle_id" not in session:
        session["throttle_id"] = secrets.token_hex(8)
    return [("ip", address_key(request.remote_addr)), ("session", session["throttle_id"])]


def _throttles():
    config = current_app.config
    return [
        app_throttle(current_app, "code-ip", config.get("ACCESS_FAILURES_PER_IP", FAILURES_PER_IP)),
        app_throttle(
            current_app,
            "code-session",
            config.get("ACCESS_FAILURES_PER_SESSION", FAILURES_PER_SESSION),
        ),
    ]


def guessed_too_often(*, address_too: bool = False) -> Response | None:
    """The 429 page when this browser guessed too many codes lately, else None.

    The address's own throttle (`address_too`) is only asked after a code turned out wrong:
    behind one address (a village hall, a care home, a phone network) other people's wrong
    codes must never stop a resident with a valid code.
    """
    throttles = list(zip(_throttles(), _throttle_keys(), strict=True))
    if not address_too:
        throttles = [(t, k) for t, k in throttles if k[0] == "session"]
    blocked = [t.retry_after(k) for t, k in throttles if t.blocked(k)]
    if not blocked:
        return None
    response = Response(
        render_template("access/too_many.html", minutes=max(blocked) // 60 + 1), status=429
    )
    response.headers["Retry-After"] = str(max(blocked))
    return response


def check_typed_code(scope: str, text: str | None) -> tuple[str | None, str | None]:
    """(the code's id, None) when the typed code may be used in ``scope``, else (None, message).

    Only a well-formed unknown code counts as a guess; a typo of a real one is not punished.
    Call ``guessed_too_often`` first.
    """
    try:
        if normalise_code(text) is None:
            raise CodeProblem("malformed")
        key = verify_code(current_village().storage, current_app.config["SECRET_KEY"], scope, text)
    except CodeProblem as problem:
        if problem.kind == "unknown":
            blocked = guessed_too_often(address_too=True)
            if blocked is not None:
                # Already blocked: nothing more to count (a flood would only add rows).
                abort(blocked)
            for throttle, throttle_key in zip(_throttles(), _throttle_keys(), strict=True):
                throttle.fail(throttle_key)
        return None, problem_message(problem.kind)
    return key, None
