"""First steps: a one-time password (from `init`, `user add` or `user passwd`) must be replaced
before any organiser page opens; every organiser changes their own password at
/beheer/wachtwoord (current password, the new one twice, the same length rule, throttled
like the login)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from vliegwiel.accounts.model import MIN_PASSWORD_LENGTH, add_user, authenticate
from vliegwiel.cli.main import main

PAGE = "/beheer/wachtwoord"
NEW = "een lang eigen wachtwoord"


def _log_in(client, username: str, password: str):
    return client.post_form("/beheer/login", {"username": username, "password": password})


def _change(client, current: str, new: str, repeat: str | None = None, **kw):
    return client.post_form(
        PAGE, {"current": current, "new": new, "repeat": new if repeat is None else repeat}, **kw
    )


@pytest.fixture
def newcomer(app, village):
    """A client logged in with the one-time password `user add` printed."""
    _user, password = add_user(village.storage, "nieuweling", "beheerder")
    client = app.test_client()
    assert _log_in(client, "nieuweling", password).status_code == 302
    return client, password


def test_a_one_time_password_leads_every_organiser_page_to_the_change_page(app, newcomer):
    client, password = newcomer
    for page in (
        "/beheer/",
        "/beheer/uitslag/dorpsenquete",
        "/beheer/rondes/",
        "/beheer/sjablonen",
    ):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.headers["Location"].startswith(PAGE), page
    html = client.get(PAGE).get_data(as_text=True)
    assert "U bent ingelogd met een eenmalig wachtwoord" in html
    # A resident page opens, but not as an organiser (no test answers with a one-time login).
    assert "Uitloggen" not in client.get("/").get_data(as_text=True)

    response = _change(client, password, NEW)
    assert response.status_code == 302 and response.headers["Location"] == "/beheer/"
    assert client.get("/beheer/").status_code == 200
    assert "eenmalig" not in client.get(PAGE).get_data(as_text=True)


def test_after_the_change_only_the_new_password_works(app, village, newcomer):
    client, password = newcomer
    _change(client, password, NEW)
    assert authenticate(village.storage, "nieuweling", password) is None
    user = authenticate(village.storage, "nieuweling", NEW)
    assert user is not None and not user.must_change_password


def test_the_change_ends_other_sessions_of_the_user_but_not_this_one(app, client):
    client.login("beheerder")
    other = app.test_client()
    other.login("beheerder")
    assert _change(client, "beheerder-wachtwoord", NEW).status_code == 302
    assert client.get("/beheer/").status_code == 200
    assert other.get("/beheer/").status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "repeat", "message"),
    [
        ("fout-wachtwoord", NEW, NEW, "Het huidige wachtwoord klopt niet."),
        ("beheerder-wachtwoord", "kort", "kort", f"minstens {MIN_PASSWORD_LENGTH} tekens"),
        ("beheerder-wachtwoord", NEW, NEW + "x", "De twee nieuwe wachtwoorden zijn niet gelijk."),
        (
            "beheerder-wachtwoord",
            "beheerder-wachtwoord",
            None,
            "Kies een ander wachtwoord dan het huidige.",
        ),
    ],
)
def test_a_refused_change_says_why_in_dutch(app, village, client, current, new, repeat, message):
    client.login("beheerder")
    response = _change(client, current, new, repeat)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert authenticate(village.storage, "beheerder", "beheerder-wachtwoord") is not None


def test_wrong_current_passwords_are_throttled_like_logins(make_app):
    app = make_app(LOGIN_FAILURES=3)
    client = app.test_client()
    client.login("beheerder")
    for _ in range(3):
        assert _change(client, "geraden-wachtwoord", NEW).status_code == 400
    response = _change(client, "beheerder-wachtwoord", NEW)
    assert response.status_code == 429
    assert "Wacht een kwartier" in response.get_data(as_text=True)


def test_the_change_needs_the_csrf_token_and_a_login(app, client):
    assert client.get(PAGE).headers["Location"].startswith("/beheer/login")
    client.login("beheerder")
    response = client.post(
        PAGE, data={"current": "beheerder-wachtwoord", "new": NEW, "repeat": NEW}
    )
    assert response.status_code == 400
    assert client.get("/beheer/").status_code == 200  # nothing changed, still logged in


def test_every_organiser_finds_the_page_in_the_menu(app, client):
    client.login("lezer")
    html = client.get("/beheer/").get_data(as_text=True)
    assert f'href="{PAGE}"' in html
    assert _change(client, "lezer-wachtwoord-123", NEW).status_code == 302


def test_an_admin_reset_is_a_one_time_password_unless_told_otherwise(app, instance_dir):
    runner = CliRunner()
    result = runner.invoke(main, ["user", "passwd", "lezer", "--instance", str(instance_dir)])
    assert result.exit_code == 0, result.output
    password = re.search(r"Nieuw wachtwoord voor lezer: (\S+)", result.output).group(1)
    assert "bij de volgende keer inloggen moet er een nieuw worden gekozen" in result.output
    client = app.test_client()
    _log_in(client, "lezer", password)
    assert client.get("/beheer/").headers["Location"].startswith(PAGE)

    result = runner.invoke(
        main,
        ["user", "passwd", "lezer", "--password", NEW, "--no-must-change"]
        + ["--instance", str(instance_dir)],
    )
    assert result.exit_code == 0, result.output
    client = app.test_client()
    _log_in(client, "lezer", NEW)
    assert client.get("/beheer/").status_code == 200


def test_the_password_printed_by_init_must_be_changed(tmp_path: Path):
    from vliegwiel.core.village import build_village

    result = CliRunner().invoke(main, ["init", str(tmp_path / "dorp"), "--no-examples"])
    assert result.exit_code == 0, result.output
    assert "bij de eerste keer inloggen kiest u een eigen wachtwoord" in result.output
    password = re.search(r"Eenmalig wachtwoord: (\S+)", result.output).group(1)
    user = authenticate(build_village(tmp_path / "dorp").storage, "beheerder", password)
    assert user is not None and user.must_change_password
