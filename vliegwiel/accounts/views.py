"""Organiser login and the role checks every organiser page uses."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from vliegwiel.accounts.model import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    authenticate,
    change_own_password,
    end_sessions,
    get_user,
)
from vliegwiel.reach.codes import address_key, app_throttle
from vliegwiel.web.context import current_village

bp = Blueprint("auth", __name__, url_prefix="/beheer")

#: Wrong passwords for one account, from all addresses together, in 15 minutes.
LOGIN_FAILURES_PER_ACCOUNT = 20


class LoginForm(FlaskForm):
    username = StringField(
        lazy_gettext("Gebruikersnaam"), validators=[DataRequired(), Length(max=64)]
    )
    password = PasswordField(
        lazy_gettext("Wachtwoord"), validators=[DataRequired(), Length(max=200)]
    )


class PasswordForm(FlaskForm):
    current = PasswordField(
        lazy_gettext("Huidig wachtwoord"), validators=[DataRequired(), Length(max=200)]
    )
    new = PasswordField(
        lazy_gettext("Nieuw wachtwoord"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=lazy_gettext(
                    "Kies een wachtwoord van minstens %(n)s tekens.", n=MIN_PASSWORD_LENGTH
                ),
            ),
        ],
    )
    repeat = PasswordField(
        lazy_gettext("Nieuw wachtwoord nog een keer"),
        validators=[
            DataRequired(),
            EqualTo("new", message=lazy_gettext("De twee nieuwe wachtwoorden zijn niet gelijk.")),
        ],
    )


#: Pages a user with a one-time password may still open: the change itself, logging out.
_WHILE_CHANGING = ("auth.password", "auth.logout", "auth.login", "static")

#: Session keys of a logged-in organiser (a resident's browser id lives beside them).
_ORGANISER_KEYS = ("user_id", "session_version", "seen")
#: How often the last-seen time is rewritten: not every request needs a new cookie.
_SEEN_STEP = 60


@bp.before_app_request
def load_user() -> Any:
    """The organiser of this session, if the session is still valid: made for the user's
    current session version (logout and a new password end older ones) and used within the
    idle time ([server] session_idle_hours)."""
    g.user = None
    user_id = session.get("user_id")
    if not user_id:
        return
    user = get_user(current_village().storage, user_id)
    now = int(time.time())
    idle = current_village().config.session_idle_hours * 3600
    seen = session.get("seen")
    if (
        user is None
        or session.get("session_version") != user.session_version
        or not isinstance(seen, int)
        or now - seen > idle
    ):
        for key in _ORGANISER_KEYS:
            session.pop(key, None)
        return
    if now - seen >= _SEEN_STEP:
        session["seen"] = now
    if user.must_change_password and request.endpoint not in _WHILE_CHANGING:
        # A one-time password opens nothing until it is replaced: organiser pages lead to
        # the change page, resident pages see no organiser (no test answers, for instance).
        if request.path.startswith("/beheer"):
            return redirect(url_for("auth.password", next=_this_page()))
        return None
    g.user = user
    return None


def require_role(*roles: str) -> Callable:
    """Only logged-in organisers with one of ``roles`` get in; others go to the login page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if g.get("user") is None:
                return redirect(url_for("auth.login", next=_this_page()))
            if not g.user.can(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _this_page() -> str:
    """Where to come back to after logging in: this page, query included, as a path inside
    the village (``_safe_next`` puts the village's own prefix in front again)."""
    return request.full_path.removesuffix("?")


def _safe_next(target: str | None) -> str:
    """A path on this site to go to after login, else the dashboard.

    ``target`` is a path inside the village (``_this_page``); the address returned carries
    the village's prefix when a province serves it under ``/<folder>/``.

    Only local paths: an open redirect would let a phishing link borrow our login page. The
    check is made on what a browser would make of the address (the WHATWG URL rules): tabs
    and newlines anywhere are dropped, spaces and control characters at the ends trimmed and
    a backslash read as a slash, so ``/\t/evil.example`` is ``//evil.example``, another site.
    """
    fallback = url_for("organiser.dashboard")
    if not target:
        return fallback
    seen = target.replace("\t", "").replace("\n", "").replace("\r", "")
    seen = seen.strip("".join(map(chr, range(0x21)))).replace("\\", "/")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in seen):
        return fallback  # nothing a header may carry
    parts = urlsplit(seen)
    if parts.scheme or parts.netloc or not seen.startswith("/") or seen.startswith("//"):
        return fallback
    return request.script_root + seen


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        village = current_village()
        # Per address (an IPv6 /64 counts as one) and username: a guesser is slowed down, a
        # colleague is not locked out. Per username over all addresses as well: a guesser
        # with many addresses gets few tries at one account.
        throttle = app_throttle(current_app, "login", current_app.config.get("LOGIN_FAILURES", 5))
        per_account = app_throttle(
            current_app,
            "login-account",
            current_app.config.get("LOGIN_FAILURES_PER_ACCOUNT", LOGIN_FAILURES_PER_ACCOUNT),
        )
        username = form.username.data.strip().lower()
        attempt = (address_key(request.remote_addr), username)
        if throttle.blocked(attempt) or per_account.blocked(username):
            flash(
                _("Te vaak een verkeerd wachtwoord. Wacht een kwartier en probeer het opnieuw."),
                "error",
            )
            return render_template("beheer/login.html", form=form), 429
        user = authenticate(village.storage, form.username.data, form.password.data)
        if user is not None:
            throttle.reset(attempt)
            per_account.reset(username)
            session.clear()
            session["user_id"] = user.id
            session["session_version"] = user.session_version
            session["seen"] = int(time.time())
            session.permanent = False  # gone when the browser closes
            return redirect(_safe_next(request.args.get("next")))
        throttle.fail(attempt)
        per_account.fail(username)
        flash(_("Gebruikersnaam of wachtwoord klopt niet."), "error")
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("beheer/login.html", form=form), status


@bp.route("/wachtwoord", methods=["GET", "POST"])
def password():
    """Every organiser changes their own password here; one with a one-time password is
    sent here first. Wrong current passwords count against the same throttles as logins."""
    if g.get("user") is None:
        return redirect(url_for("auth.login", next=_this_page()))
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        throttle = app_throttle(current_app, "login", current_app.config.get("LOGIN_FAILURES", 5))
        per_account = app_throttle(
            current_app,
            "login-account",
            current_app.config.get("LOGIN_FAILURES_PER_ACCOUNT", LOGIN_FAILURES_PER_ACCOUNT),
        )
        attempt = (address_key(request.remote_addr), g.user.username)
        if throttle.blocked(attempt) or per_account.blocked(g.user.username):
            flash(
                _("Te vaak een verkeerd wachtwoord. Wacht een kwartier en probeer het opnieuw."),
                "error",
            )
            return render_template(
                "beheer/password.html",
                form=form,
                forced=g.user.must_change_password,
                min_length=MIN_PASSWORD_LENGTH,
            ), 429
        try:
            user = change_own_password(
                current_village().storage, g.user.id, form.current.data, form.new.data
            )
        except AccountError as error:
            reason = error.context.get("reason")
            if reason == "wrong":
                throttle.fail(attempt)
                per_account.fail(g.user.username)
                form.current.errors = [_("Het huidige wachtwoord klopt niet.")]
            elif reason == "same":
                form.new.errors = [_("Kies een ander wachtwoord dan het huidige.")]
            else:
                form.new.errors = [
                    _("Kies een wachtwoord van minstens %(n)s tekens.", n=MIN_PASSWORD_LENGTH)
                ]
            status = 400
        else:
            throttle.reset(attempt)
            # Other sessions (other browsers, copies of the cookie) end; this one goes on.
            session["session_version"] = user.session_version
            flash(_("Uw wachtwoord is gewijzigd."), "info")
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template(
        "beheer/password.html",
        form=form,
        forced=g.user.must_change_password,
        min_length=MIN_PASSWORD_LENGTH,
    ), status


@bp.post("/logout")
def logout():
    form = FlaskForm()
    if not form.validate():
        abort(400)
    if g.get("user") is not None:
        end_sessions(current_village().storage, g.user.id)  # copies of the cookie too
    session.clear()
    flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("auth.login"))
