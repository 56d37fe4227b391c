"""Several server processes on one port: ``vliegwiel serve --processes N`` (Linux and macOS).

One Python process runs one request's Python code at a time, whatever its threads; a server
with a PostgreSQL village spends most of a resident's request there, so on a machine with
more than one core a second process serves more residents (docs/performance.md). This module
is the small supervisor that gives that without a tool of its own:

- the parent binds the listening sockets (``bind_sockets``: a port in use is found before
  anything starts), then forks the processes one after the other; each builds its own app
  (its own database pool, caches and threads: nothing made before the fork is shared) and
  serves on the inherited sockets, where the kernel hands each new connection to one of
  them;
- the first process prints what the server serves; if a process fails before it serves,
  everything stops with that process's exit code (a configuration error is one message);
- a process that ends later (a crash, the out-of-memory killer, a stray signal) is started
  again, and tried again while it fails to start (the database refuses connections for a
  moment) while the others go on serving; more than ``RESTARTS_PER_MINUTE`` ends and failed
  starts within a minute stop the server with a line that says so;
- SIGTERM or SIGINT (Ctrl+C) to the parent stops every process; each lets its requests in
  progress finish (waitress's shutdown) and exits. On Linux a parent killed outright (SIGKILL)
  takes its processes with it (``PR_SET_PDEATHSIG``).

What processes must share lives in the village's store, not in memory: the submission limit
and the throttles (``RecordStore.window_counts``) are in the database on PostgreSQL; caches
key on the store's versions, which every process sees. A TinyDB village is served by one
process (the CLI refuses more).
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable

__all__ = ["RESTARTS_PER_MINUTE", "bind_sockets", "run_processes"]

log = logging.getLogger(__name__)

#: A process that dies more often than this in a minute stops the server (it would only
#: keep dying: a broken database password, a full disk).
RESTARTS_PER_MINUTE = 5
#: Seconds between two tries to start a process again that failed before it served.
RESTART_PAUSE_SECONDS = 1.0
#: Seconds a stopping process gets to finish its requests before it is killed.
STOP_GRACE_SECONDS = 10.0
#: Pending connections the kernel keeps per socket while every process is busy.
BACKLOG = 1024


def bind_sockets(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for host:port, one per address the name has, as waitress binds them
    itself (so ``--host localhost`` listens on 127.0.0.1 and ::1 alike). OSError or
    ValueError when that cannot be done."""
    from waitress.adjustments import Adjustments

    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, address in Adjustments(host=host, port=port).listen:
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(BACKLOG)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


class _Stop(Exception):
    """The parent was told to stop (SIGTERM, SIGINT)."""


def _stop_signal(signum: int, frame: object) -> None:
    raise _Stop


def _die_with_parent(parent: int) -> None:
    """On Linux, have the kernel send SIGTERM when the parent dies, even by SIGKILL: no
    process keeps serving on the port with nobody to stop or restart it."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(0)


def _child(
    serve: Callable[[int, Callable[[], None]], None], index: int, ready_fd: int, parent: int
) -> None:
    """Run in a forked process: serve until told to stop; never returns."""
    code = 0
    try:
        _die_with_parent(parent)

        # A stop arrives as SystemExit in the main thread, which waitress's loop takes as
        # its signal to finish the requests in progress and close. Only the first: a second
        # SIGTERM (systemd signals the whole group, then the parent passes it on) must not
        # cut that short. Ctrl+C reaches every process of the terminal; the parent passes
        # it on as SIGTERM, so the processes ignore it themselves.
        def stop(signum: int, frame: object) -> None:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            sys.exit(0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)

        def ready() -> None:
            os.write(ready_fd, b"1")
            os.close(ready_fd)

        serve(index, ready)
    except KeyboardInterrupt:
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _exit_code(status: int) -> int:
    return os.waitstatus_to_exitcode(status)


class _Supervisor:
    def __init__(
        self,
        serve: Callable[[int, Callable[[], None]], None],
        say: Callable[[str], None],
        describe_exit: Callable[[int, int, int], str],
        gave_up: str,
    ) -> None:
        self.gave_up = gave_up
        self.serve = serve
        self.say = say
        self.describe_exit = describe_exit
        self.children: dict[int, int] = {}  # pid -> index
        self.deaths: list[float] = []

    def start(self, index: int) -> int | None:
        """Fork process ``index`` and wait until it serves; its exit code if it never did."""
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        # Stop signals wait until the fork is done: raised inside a fork hook (logging's,
        # filelock's) the parent's _Stop would be swallowed and the stop lost; the new
        # process unblocks them once its own handlers are in place.
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        pid = -1
        try:
            pid = os.fork()
            if pid == 0:  # the new process
                os.close(read_fd)
                _child(self.serve, index, write_fd, parent)
        finally:
            if pid != 0:
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        os.close(write_fd)
        self.children[pid] = index
        try:
            while True:
                try:
                    readable, _, _ = select.select([read_fd], [], [], None)
                except InterruptedError:  # pragma: no cover - PEP 475 retries
                    continue
                if readable:
                    break
            started = os.read(read_fd, 1) == b"1"
        finally:
            os.close(read_fd)
        if started:
            return None
        # The pipe closed without a word: the process ended before it served.
        _, status = os.waitpid(pid, 0)
        del self.children[pid]
        return _exit_code(status) or 1

    def watch(self) -> int:
        """Restart processes that end (only the parent stops them); return the server's exit
        code once processes keep dying."""
        while True:
            pid, status = os.wait()
            index = self.children.pop(pid, None)
            if index is None:
                continue
            self.say(self.describe_exit(index, pid, _exit_code(status)))
            while True:
                now = time.monotonic()
                self.deaths = [t for t in self.deaths if now - t < 60] + [now]
                if len(self.deaths) > RESTARTS_PER_MINUTE:
                    self.say(self.gave_up)
                    return 1
                if self.start(index) is None:
                    break
                # It failed before it served (the database refuses connections for now):
                # the other processes go on serving; try again in a moment.
                time.sleep(RESTART_PAUSE_SECONDS)

    def stop_all(self) -> None:
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while self.children and time.monotonic() < deadline:
            for pid in list(self.children):
                with contextlib.suppress(ChildProcessError):
                    done, _ = os.waitpid(pid, os.WNOHANG)
                    if not done:
                        continue
                self.children.pop(pid, None)
            time.sleep(0.05)
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            self.children.pop(pid, None)


def run_processes(
    serve: Callable[[int, Callable[[], None]], None],
    count: int,
    *,
    say: Callable[[str], None],
    describe_exit: Callable[[int, int, int], str],
    gave_up: str,
    started: Callable[[list[int]], None] | None = None,
) -> int:
    """Run ``serve(index, ready)`` in ``count`` forked processes; return an exit code.

    ``serve`` builds the app, calls ``ready()`` once it can take requests and serves until
    stopped (process 0 also says what it serves). ``say`` prints a line for the host;
    ``describe_exit(index, pid, code)`` words a process that died; ``gave_up`` is said when
    processes keep dying; ``started(pids)`` is called once every process serves.
    """
    if not hasattr(os, "fork"):
        raise OSError("several server processes need fork(): Linux or macOS")
    supervisor = _Supervisor(serve, say, describe_exit, gave_up)
    previous = {
        signum: signal.signal(signum, _stop_signal) for signum in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        for index in range(count):
            failed = supervisor.start(index)
            if failed is not None:
                return failed
        if started is not None:
            started(sorted(supervisor.children))
        return supervisor.watch()
    except _Stop:
        return 0
    finally:
        # No more stop signals while stopping: a second Ctrl+C must not cut the clean-up short.
        for signum in previous:
            signal.signal(signum, signal.SIG_IGN)
        supervisor.stop_all()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
