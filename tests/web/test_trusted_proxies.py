"""``[server] trusted_proxies``: behind a reverse proxy each resident's own address counts for
the per-address submission limit, and a forged X-Forwarded-For from anyone else is ignored.

The real app (instance folder, survey, submission limit of 1 per hour per address).
"""

from __future__ import annotations

import pytest
from conftest import VillageClient, csrf_token
from live_server import make_instance

from vliegwiel.core.config import ConfigError, load_config
from vliegwiel.web.app import create_app


def _app(tmp_path, proxies: str):
    instance = make_instance(tmp_path, per_hour=1)
    config = instance / "vliegwiel.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('# trusted_proxies = ["127.0.0.1"]', f"trusted_proxies = {proxies}")
    config.write_text(text, encoding="utf-8")
    app = create_app(instance, {"TESTING": True})
    app.test_client_class = VillageClient
    return app


def _submit(app, peer: str, forwarded: str) -> int:
    """One resident's whole flow through the proxy; the status of the final POST."""
    client = app.test_client()
    base = {"REMOTE_ADDR": peer}
    # A browser sends the Referer that Flask-WTF checks on HTTPS (as the proxy says it is).
    headers = {
        "X-Forwarded-For": forwarded,
        "X-Forwarded-Proto": "https",
        "Referer": "https://localhost/enquete/snel/pagina/1",
    }
    page = client.get("/enquete/snel/pagina/1", environ_base=base, headers=headers)
    token = csrf_token(page.get_data(as_text=True))
    client.post(
        "/enquete/snel/pagina/1",
        data={"csrf_token": token, "marker": forwarded},
        environ_base=base,
        headers=headers,
    )
    done = client.post(
        "/enquete/snel/controle", data={"csrf_token": token}, environ_base=base, headers=headers
    )
    return done.status_code


def test_residents_behind_the_trusted_proxy_count_one_by_one(tmp_path):
    app = _app(tmp_path, '["127.0.0.1", "10.0.0.0/8"]')
    assert _submit(app, "127.0.0.1", "203.0.113.1") == 302
    assert _submit(app, "10.1.2.3", "203.0.113.2") == 302  # another resident, another proxy
    assert _submit(app, "127.0.0.1", "203.0.113.1") == 429  # the first one again


def test_forwarded_headers_from_anyone_else_are_ignored(tmp_path):
    app = _app(tmp_path, '["127.0.0.1"]')
    assert _submit(app, "198.51.100.7", "203.0.113.1") == 302
    # The same client forging another address is still the same client.
    assert _submit(app, "198.51.100.7", "203.0.113.99") == 429


def test_a_bad_proxy_address_is_a_clear_config_error(tmp_path):
    instance = make_instance(tmp_path, per_hour=1)
    config = instance / "vliegwiel.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace('# trusted_proxies = ["127.0.0.1"]', 'trusted_proxies = ["caddy"]')
    )
    with pytest.raises(ConfigError, match=r"\[server\] trusted_proxies .* \(got 'caddy'\)"):
        load_config(instance)
