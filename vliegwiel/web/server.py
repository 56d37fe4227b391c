"""How `vliegwiel serve` runs waitress: limits that fit a village server.

Waitress reads every request completely on its main thread before a worker thread sees it,
so slow clients never hold a worker; what they hold is a connection. The defaults (100
connections, 120 s of silence allowed, a 1 GB body spooled to a temporary file) let 200 slow
clients lock everyone out and one client fill the disk. See docs/security.md.
"""

from __future__ import annotations

import resource
from typing import Any

from vliegwiel.web.app import MAX_CONTENT_LENGTH

#: Open connections at once. Each slow client holds one; a village has far fewer real
#: visitors at a time, so this leaves room for hundreds of slow ones and everyone else.
CONNECTION_LIMIT = 1000
#: Seconds a connection may stay silent before it is closed (was 120).
CHANNEL_TIMEOUT = 15
#: How often (seconds) silent connections are looked for.
CLEANUP_INTERVAL = 5
#: The request line and headers together; a browser sends a few KB.
MAX_HEADER_BYTES = 32 * 1024


def server_limits(threads: int) -> dict[str, Any]:
    """The waitress settings `vliegwiel serve` uses."""
    return {
        "threads": threads,
        "connection_limit": CONNECTION_LIMIT,
        "channel_timeout": CHANNEL_TIMEOUT,
        "cleanup_interval": CLEANUP_INTERVAL,
        # The app refuses bigger bodies anyway (413); waitress now does so before it writes
        # anything to disk.
        "max_request_body_size": MAX_CONTENT_LENGTH,
        "max_request_header_size": MAX_HEADER_BYTES,
        "ident": "vliegwiel",
        # waitress deletes X-Forwarded-* before the app sees them unless it is told which
        # proxy to trust itself; the app already decides that with [server] trusted_proxies
        # (Werkzeug's ProxyFix, and with the default 0 it ignores these headers), so waitress
        # passes them on. Otherwise a village behind Caddy counts every resident as Caddy.
        "clear_untrusted_proxy_headers": False,
    }


def raise_file_limit(wanted: int = CONNECTION_LIMIT + 100) -> None:
    """Each connection is a file descriptor: lift the soft limit (often 1024) when allowed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
