"""Throttles count the right thing (security review, finding 6): an IPv6 /64 as one address,
wrong passwords per account over all addresses, valid codes never blocked by other people's
wrong codes, and visitors behind a trusted reverse proxy by their own address."""

from __future__ import annotations

import re

import pytest
from access_helpers import add_survey, enter_code
from conftest import PASSWORDS, csrf_token

from vliegwiel.reach.codes import Household, address_key, create_codes


def _login(app, address: str, password: str = "verkeerd-wachtwoord", headers=None):
    client = app.test_client()
    environ = {"REMOTE_ADDR": address}
    page = client.get("/beheer/login", environ_base=environ)
    return client.post(
        "/beheer/login",
        data={
            "username": "beheerder",
            "password": password,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
        environ_base=environ,
        headers=headers or {},
    )


@pytest.mark.parametrize(
    ("remote", "key"),
    [
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("192.0.2.7", "192.0.2.7"),
        (None, "unknown"),
    ],
)
def test_address_keys(remote, key):
    assert address_key(remote) == key


def test_wrong_passwords_from_one_ipv6_64_count_together(app):
    for host in range(1, 6):  # five addresses, one /64: five wrong passwords
        assert _login(app, f"2001:db8:1:2::{host:x}").status_code == 400
    assert _login(app, "2001:db8:1:2::beef").status_code == 429
    assert _login(app, "2001:db8:1:3::1").status_code == 400  # the next /64 is someone else


def test_wrong_passwords_for_one_account_are_limited_over_all_addresses(app):
    for n in range(20):
        assert _login(app, f"198.51.100.{n + 1}").status_code == 400
    response = _login(app, "203.0.113.9")
    assert response.status_code == 429
    assert "Te vaak een verkeerd wachtwoord" in response.get_data(as_text=True)


@pytest.fixture
def code_app(instance_dir, make_app):
    add_survey(instance_dir, "buurt", access="code", anonymous=True)
    return make_app()


def test_a_valid_code_is_not_blocked_by_other_peoples_wrong_codes(code_app):
    village = code_app.extensions["vliegwiel"]
    households = [Household("Kerkstraat", "1", "1234 AB")]
    code = create_codes(village.storage, village.config.secret_key, "buurt", households)[0].code
    # Thirty wrong codes from the village hall's one address, each from another browser.
    for n in range(30):
        enter_code(code_app.test_client(), f"ZZZZ-ZZZZ-{n:04d}".replace("0", "Z"))
    assert enter_code(code_app.test_client(), "ZZZZ-ZZZZ-ZZZY").status_code == 429
    # A resident in the same hall with a real code gets in.
    resident = code_app.test_client()
    response = enter_code(resident, code)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/enquete/buurt")


def _config_with_proxies(instance_dir, hops: int) -> None:
    config = instance_dir / "vliegwiel.toml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"trusted_proxies = \d+", f"trusted_proxies = {hops}", text)
    config.write_text(text, encoding="utf-8")


def test_behind_a_trusted_proxy_each_visitor_counts_for_themselves(instance_dir, make_app):
    _config_with_proxies(instance_dir, 1)
    app = make_app()
    for _ in range(5):
        _login(app, "10.0.0.1", headers={"X-Forwarded-For": "192.0.2.1"})
    assert _login(app, "10.0.0.1", headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 429
    # Another resident behind the same proxy is not blocked.
    response = _login(
        app, "10.0.0.1", PASSWORDS["beheerder"], headers={"X-Forwarded-For": "192.0.2.2"}
    )
    assert response.status_code == 302


def test_without_trusted_proxies_forwarded_addresses_are_ignored(app):
    for n in range(5):
        _login(app, "10.0.0.1", headers={"X-Forwarded-For": f"192.0.2.{n}"})
    assert _login(app, "10.0.0.1", headers={"X-Forwarded-For": "192.0.2.99"}).status_code == 429
