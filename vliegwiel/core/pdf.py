"""Render HTML to PDF with WeasyPrint, safely.

Every render runs in a throwaway child process so that a slow or hostile document can be
stopped: the parent waits at most ``timeout`` seconds, then kills the child. Children come
from a "forkserver" (a clean single-threaded process started once), never from a fork of the
thread-heavy web server, and the forkserver has WeasyPrint imported already, so a render
does not pay the one second WeasyPrint takes to import.

What a document may load is decided by a deny-by-default URL fetcher: ``data:`` URLs, and
regular files inside ``static_dir`` addressed as ``vliegwiel-static:/css/print.css`` or by
a relative URL (``css/print.css``, ``/css/print.css``), which is resolved against
``vliegwiel-static:/``. Everything else (``file:``, ``http(s):``, ``..`` or symlink escapes)
is refused: WeasyPrint leaves the resource out and the parent logs the refused URL.
"""

from __future__ import annotations

import logging
import mimetypes
import multiprocessing
import threading
import time
import urllib.parse
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from vliegwiel.core.errors import VliegwielError

__all__ = ["STATIC_SCHEME", "PdfRenderError", "RefusedURLError", "render_pdf", "resolve_url"]

STATIC_SCHEME = "vliegwiel-static"
STATIC_BASE_URL = f"{STATIC_SCHEME}:/"

logger = logging.getLogger(__name__)

_context_lock = threading.Lock()
_context: Any = None


class PdfRenderError(VliegwielError):
    """The PDF could not be made (time limit, WeasyPrint error, child died).

    The message is English, for logs; the web layer shows residents its own Dutch text.
    """

    code = "pdf_render"


class RefusedURLError(VliegwielError, ValueError):
    """A document asked for a resource the URL policy does not allow.

    A ValueError on purpose: WeasyPrint turns ordinary exceptions from a fetcher into a
    logged, skipped resource; only its ``FatalURLFetchingError`` (a BaseException) would
    stop the render, and we never raise that.
    """

    code = "pdf_refused_url"


def render_pdf(
    html: str,
    *,
    static_dir: Path | None = None,
    timeout: float = 60.0,
    progress: Callable[[str], None] | None = None,
) -> bytes:
    """Render ``html`` to PDF bytes in a child process, within ``timeout`` seconds.

    ``static_dir`` is the only folder the document may read files from. ``progress``, if
    given, is called in this process with WeasyPrint's step messages ("Step 5 - Creating
    layout", ...). Raises ``PdfRenderError`` on a time-out (the child is killed first), on
    any error inside WeasyPrint, or when the child dies.
    """
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    ctx = _get_context()
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_child_main,
        args=(
            sender,
            html,
            str(static_dir) if static_dir is not None else None,
            progress is not None,
        ),
        name="vliegwiel-pdf",
        daemon=True,
    )
    try:
        child.start()
    except BaseException:
        receiver.close()
        raise
    finally:
        # Only the child may hold the sending end, so that its death reads as EOF here.
        sender.close()
    try:
        return _wait_for_result(receiver, child, time.monotonic() + timeout, timeout, progress)
    finally:
        # Also reached on KeyboardInterrupt/SystemExit, which propagate unchanged.
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
        child.close()


def resolve_url(url: str, static_dir: Path | None) -> Path | None:
    """Apply the URL policy: the file ``url`` may load, None for a ``data:`` URL.

    Raises ``RefusedURLError`` for anything else.
    """
    parsed = urllib.parse.urlsplit(url)
    scheme = parsed.scheme.lower()
    if scheme == "data":
        return None
    if scheme != STATIC_SCHEME:
        raise RefusedURLError(f"refused URL scheme: {url}")
    if static_dir is None:
        raise RefusedURLError(f"no static folder for: {url}")
    if parsed.netloc:
        raise RefusedURLError(f"refused URL with a host: {url}")
    relative = urllib.parse.unquote(parsed.path).lstrip("/")
    if not relative or "\0" in relative:
        raise RefusedURLError(f"refused empty or malformed path: {url}")
    root = static_dir.resolve()
    # resolve() follows symlinks and folds "..", so a link or a climb that leaves the
    # static folder lands outside ``root`` and is caught here.
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise RefusedURLError(f"refused path outside the static folder or missing: {url}")
    return target


def _get_context() -> Any:
    """The shared forkserver context, with WeasyPrint preloaded in the server."""
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["weasyprint", __name__])
            _context = ctx
        return _context


def _wait_for_result(
    receiver: Connection,
    child: Any,
    deadline: float,
    timeout: float,
    progress: Callable[[str], None] | None,
) -> bytes:
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not receiver.poll(remaining):
            raise PdfRenderError(f"PDF rendering exceeded the time limit of {timeout:g} s")
        try:
            kind, *payload = receiver.recv()
        except EOFError:
            child.join(1)
            raise PdfRenderError(
                f"PDF rendering process died (exit code {child.exitcode})"
            ) from None
        if kind == "progress":
            if progress is not None:
                progress(payload[0])
        elif kind == "refused":
            logger.warning("PDF rendering refused to load %s", payload[0])
        elif kind == "ok":
            return payload[0]
        else:
            raise PdfRenderError(f"PDF rendering failed: {payload[0]}")


def _child_main(
    sender: Connection, html: str, static_dir: str | None, report_progress: bool
) -> None:
    """Entry point of the render child: send ("ok", pdf) or ("error", text), never raise."""
    try:
        if report_progress:
            _forward_progress(sender)
        pdf = _render_here(html, Path(static_dir) if static_dir else None, sender)
        sender.send(("ok", pdf))
    except BaseException as exc:  # noqa: B036 - the child must report, not crash
        # Only the type and message travel: no traceback with document content.
        sender.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()


def _render_here(html: str, static_dir: Path | None, sender: Connection) -> bytes:
    import weasyprint
    from weasyprint.urls import URLFetcher

    # urljoin only resolves relative references for schemes it knows; this process is
    # thrown away after the render, so registering ours here changes nothing elsewhere.
    for registry in (urllib.parse.uses_relative, urllib.parse.uses_netloc):
        if STATIC_SCHEME not in registry:
            registry.append(STATIC_SCHEME)

    class GuardedFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            try:
                path = resolve_url(url, static_dir)
            except RefusedURLError:
                sender.send(("refused", _shorten(url)))
                raise
            if path is None:
                return super().fetch(url, headers)
            mime, _ = mimetypes.guess_type(path.name)
            return weasyprint.urls.URLFetcherResponse(
                url, path.read_bytes(), {"Content-Type": mime or "application/octet-stream"}
            )

    fetcher = GuardedFetcher(
        allowed_protocols=("data",), fail_on_errors=False, allow_redirects=False
    )
    document = weasyprint.HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher)
    return document.write_pdf()


def _forward_progress(sender: Connection) -> None:
    class PipeHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            sender.send(("progress", record.getMessage()))

    progress_logger = logging.getLogger("weasyprint.progress")
    progress_logger.setLevel(logging.INFO)
    progress_logger.addHandler(PipeHandler())


def _shorten(url: str) -> str:
    # data: URLs can be megabytes; a log line needs only the start.
    return url if len(url) <= 120 else url[:117] + "..."
