"""Behind a reverse proxy, the real server counts each visitor by their own address: with
``[server] trusted_proxies = 1`` the login throttle holds one address back and lets another
in, as docs/security.md promises. Through `vliegwiel serve` itself, because waitress (not
Flask's test client) is what could drop the X-Forwarded-For header on the way."""

from __future__ import annotations

import re

import pytest
import requests
from live_server import Server, make_instance, token_of

PASSWORD = "beheerder-wachtwoord"


def _login(server: Server, forwarded_for: str, password: str) -> int:
    http = requests.Session()
    headers = {"X-Forwarded-For": forwarded_for}
    page = http.get(f"{server.url}/beheer/login", headers=headers, timeout=30)
    form = {"csrf_token": token_of(page.text), "username": "beheerder", "password": password}
    answer = http.post(
        f"{server.url}/beheer/login",
        data=form,
        headers=headers,
        allow_redirects=False,
        timeout=30,
    )
    return answer.status_code


def _instance(tmp_path, proxies: int):
    path = make_instance(tmp_path, accounts={"beheerder": PASSWORD})
    config = path / "vliegwiel.toml"
    text = config.read_text(encoding="utf-8")
    text, replaced = re.subn(r"trusted_proxies = \d+", f"trusted_proxies = {proxies}", text)
    assert replaced == 1
    config.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("proxies", [1, 0])
def test_the_login_throttle_counts_the_forwarded_address_only_behind_a_trusted_proxy(
    tmp_path, proxies
):
    with Server(_instance(tmp_path, proxies), threads=4) as server:
        for _ in range(5):
            assert _login(server, "192.0.2.66", "verkeerd-wachtwoord") == 400
        assert _login(server, "192.0.2.66", PASSWORD) == 429
        other = _login(server, "198.51.100.7", PASSWORD)
    if proxies:
        assert other == 302  # another resident behind the same proxy gets in
    else:
        assert other == 429  # without a trusted proxy the header is anyone's to send
