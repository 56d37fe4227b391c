"""Organiser sessions end: on logout, a new password or a removed account (every copy of
the cookie), after the idle time, and they never become permanent (security review,
finding 4)."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner
from round_helpers import Clock, make_round, submit_idea

from vliegwiel.cli.main import main

COOKIE = "vliegwiel"


def _copy(client, app):
    """Another browser holding a copy of this client's session cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def _logged_in(client) -> bool:
    return client.get("/beheer/").status_code == 200


@pytest.fixture
def organiser(app):
    client = app.test_client()
    client.login("beheerder")
    return client


def test_logout_ends_every_copy_of_the_session(app, organiser):
    copy = _copy(organiser, app)
    assert _logged_in(copy)
    response = organiser.post_form("/beheer/logout", {}, page="/beheer/")
    assert response.status_code == 302
    assert not _logged_in(copy)
    assert copy.get("/beheer/").headers["Location"].startswith("/beheer/login")


def test_a_new_password_ends_every_session(app, organiser, instance_dir):
    copy = _copy(organiser, app)
    result = CliRunner().invoke(
        main, ["user", "passwd", "beheerder", "--instance", str(instance_dir)]
    )
    assert result.exit_code == 0, result.output
    assert not _logged_in(copy) and not _logged_in(organiser)


def test_a_removed_account_is_logged_out(app, instance_dir):
    client = app.test_client()
    client.login("lezer")
    result = CliRunner().invoke(main, ["user", "remove", "lezer", "--instance", str(instance_dir)])
    assert result.exit_code == 0, result.output
    assert client.get("/beheer/").status_code == 302


def test_an_idle_session_ends(app, organiser):
    assert _logged_in(organiser)
    with organiser.session_transaction() as session:
        session["seen"] = int(time.time()) - 8 * 3600 - 5  # the default: 8 hours
    assert not _logged_in(organiser)
    # Logging in again works, and other organisers were never affected.
    organiser.login("beheerder")
    assert _logged_in(organiser)


def test_an_active_session_stays(app, organiser):
    with organiser.session_transaction() as session:
        session["seen"] = int(time.time()) - 7 * 3600
    assert _logged_in(organiser)
    with organiser.session_transaction() as session:
        assert session["seen"] > int(time.time()) - 10  # using it counts as activity


def test_a_public_page_never_makes_an_organiser_session_permanent(app, village, organiser):
    clock = Clock()
    app.config["VLIEGWIEL_NOW"] = clock
    round_id = make_round(organiser, village)
    clock.set("2026-03-09T10:00")
    idea = submit_idea(app.test_client(), round_id, "Speeltuin")
    response = organiser.get(f"/ronde/{round_id}/idee/{idea}")
    assert response.status_code == 200
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies, "the browser id is set"
    assert all("Expires=" not in c for c in cookies), cookies
    # A resident's browser id is still kept when the browser closes.
    resident = app.test_client()
    cookies = resident.get(f"/ronde/{round_id}/idee/{idea}").headers.getlist("Set-Cookie")
    assert any("Expires=" in c for c in cookies)
