"""Organiser login and the role checks every organiser page uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

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
from wtforms.validators import DataRequired, Length

from vliegwiel.accounts.model import authenticate, get_user
from vliegwiel.reach.codes import app_throttle
from vliegwiel.web.context import current_village

bp = Blueprint("auth", __name__, url_prefix="/beheer")


class LoginForm(FlaskForm):
    username = StringField(
        lazy_gettext("Gebruikersnaam"), validators=[DataRequired(), Length(max=64)]
    )
    password = PasswordField(
        lazy_gettext("Wachtwoord"), validators=[DataRequired(), Length(max=200)]
    )


@bp.before_app_request
def load_user() -> None:
    user_id = session.get("user_id")
    g.user = get_user(current_village().storage, user_id) if user_id else None


def require_role(*roles: str) -> Callable:
    """Only logged-in organisers with one of ``roles`` get in; others go to the login page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if g.get("user") is None:
                return redirect(url_for("auth.login", next=request.path))
            if not g.user.can(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect would let a phishing link borrow our login page.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("organiser.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        village = current_village()
        # Per IP address and username: a guesser is slowed down, a colleague is not locked out.
        throttle = app_throttle(current_app, "login", current_app.config.get("LOGIN_FAILURES", 5))
        attempt = (request.remote_addr, form.username.data.strip().lower())
        if throttle.blocked(attempt):
            flash(
                _("Te vaak een verkeerd wachtwoord. Wacht een kwartier en probeer het opnieuw."),
                "error",
            )
            return render_template("beheer/login.html", form=form), 429
        user = authenticate(village.storage, form.username.data, form.password.data)
        if user is not None:
            throttle.reset(attempt)
            session.clear()
            session["user_id"] = user.id
            session.permanent = False
            return redirect(_safe_next(request.args.get("next")))
        throttle.fail(attempt)
        flash(_("Gebruikersnaam of wachtwoord klopt niet."), "error")
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("beheer/login.html", form=form), status


@bp.post("/logout")
def logout():
    form = FlaskForm()
    if not form.validate():
        abort(400)
    session.clear()
    flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("auth.login"))
