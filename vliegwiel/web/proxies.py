"""``[server] trusted_proxies``: believe X-Forwarded-* only from the proxy in front of us.

Behind Caddy or nginx every request comes from the proxy's address, so the per-address
limits (submissions, logins, code attempts) would lump all residents together. The proxy
passes the resident's address in ``X-Forwarded-For``; anybody can send that header, so it is
used only when the request really comes from one of the listed proxy addresses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

__all__ = ["TrustedProxies", "parse_networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> list[Network]:
    """Addresses or networks (``127.0.0.1``, ``10.0.0.0/8``); ValueError names a bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network") from None
    return networks


class TrustedProxies:
    """WSGI middleware: ProxyFix (one proxy hop) for requests from a trusted address only."""

    def __init__(self, app: Callable[..., Any], trusted: list[Network]) -> None:
        self.app = app
        self.trusted = trusted
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1)

    def _is_trusted(self, address: str | None) -> bool:
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self._is_trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)
