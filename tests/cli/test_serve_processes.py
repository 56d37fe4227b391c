"""`vliegwiel serve --processes N`: several server processes on one port, for villages on
PostgreSQL. The real command, its real processes (from /proc) and the real database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from live_server import (
    COLLECTION,
    Resident,
    Server,
    acknowledged,
    free_port,
    instance_storage,
    make_instance,
    vliegwiel_command,
)

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="--processes needs fork()")


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return sorted(int(p) for p in text.split())


def wait_for(condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def serve_two(instance: Path, port: int) -> subprocess.CompletedProcess:
    """`serve --processes 2` that is expected to stop at once: its exit and output."""
    return subprocess.run(
        [*vliegwiel_command(), "serve", "--instance", str(instance), "--port", str(port)]
        + ["--processes", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def two_processes(instance: Path) -> Server:
    """`serve --processes 2` started, once both processes serve."""
    server = Server(instance, threads=2, processes=2).start()
    wait_for(lambda: "serverprocessen" in server.log.read_text())
    return server


def port_free(port: int) -> bool:
    try:
        with socket.create_server(("127.0.0.1", port)):
            return True
    except OSError:
        return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too (its parent has not reaped it yet).
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:  # reaped meanwhile
        return False


def test_two_processes_serve_residents_survive_a_crash_and_stop_together(tmp_path, postgres_url):
    instance = make_instance(tmp_path, database_url=postgres_url)
    server = Server(instance, threads=2, processes=2).start()
    try:
        parent = server.process.pid
        output = wait_for(lambda: "serverprocessen" in (text := server.log.read_text()) and text)
        first = children(parent)
        assert f"Proefdorp: http://127.0.0.1:{server.port}/  (beheer: /beheer)" in output
        assert f"2 serverprocessen op één poort (pid {first[0]}, {first[1]})." in output

        # Residents, each on a connection of their own, answer through either process.
        for n in range(6):
            assert acknowledged(Resident(server.url).answer(f"bewoner-{n}"))

        # A process that dies (the out-of-memory killer) is replaced; the port keeps serving.
        os.kill(first[0], signal.SIGKILL)
        replaced = wait_for(lambda: (now := children(parent)) != first and len(now) == 2 and now)
        assert first[1] in replaced and first[0] not in replaced
        assert "Serverproces 1 (pid" in server.log.read_text()
        assert "gestopt door signaal 9" in server.log.read_text()
        for n in range(4):
            assert acknowledged(Resident(server.url).answer(f"na-de-crash-{n}"))
        assert instance_storage(instance).count(COLLECTION) == 10
        # The village's name is said once, not again by the replacement.
        assert server.log.read_text().count("Proefdorp: http://") == 1

        # SIGTERM (systemd's stop) ends every process and the parent says it went well.
        server.process.terminate()
        assert server.process.wait(20) == 0
        for pid in replaced:
            wait_for(lambda pid=pid: not alive(pid), timeout=10)
    finally:
        server.stop()


def test_the_submission_limit_holds_over_every_process(tmp_path, postgres_url):
    instance = make_instance(tmp_path, database_url=postgres_url, per_hour=3)
    with Server(instance, threads=2, processes=2) as server:
        # Eight residents on one address, each on a new connection: whichever process takes
        # them, three answers are stored, as with one process.
        results = [Resident(server.url).answer(f"r{n}") for n in range(8)]
    assert sum(acknowledged(r) for r in results) == 3
    assert sum(r.status_code == 429 for r in results) == 5
    assert instance_storage(instance).count(COLLECTION) == 3


def test_a_tinydb_village_is_refused_in_dutch_and_the_port_is_let_go(tmp_path):
    instance = make_instance(tmp_path)
    port = free_port()
    done = serve_two(instance, port)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "Fout: --processes 2 kan alleen als elk dorp zijn gegevens in PostgreSQL bewaart; "
        "Proefdorp gebruikt een map (TinyDB), die door één serverproces beschreven wordt. "
        "Start met --processes 1, of zet de gegevens over met 'vliegwiel storage copy --to URL'."
    )
    assert "Traceback" not in done.stdout + done.stderr
    with socket.create_server(("127.0.0.1", port)):
        pass  # nothing still listens there


def test_a_port_in_use_is_one_line_before_any_process_starts(tmp_path, postgres_url):
    instance = make_instance(tmp_path, database_url=postgres_url)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = serve_two(instance, port)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Fout: poort {port} is al in gebruik (draait vliegwiel daar al?); kies een andere "
        "met --port"
    )


def test_processes_do_not_outlive_a_killed_parent(tmp_path, postgres_url):
    instance = make_instance(tmp_path, database_url=postgres_url)
    server = two_processes(instance)
    try:
        served_by = children(server.process.pid)
        assert len(served_by) == 2
        server.kill()  # SIGKILL: the parent cannot stop anything itself
        for pid in served_by:
            wait_for(lambda pid=pid: not alive(pid), timeout=15)
        wait_for(lambda: port_free(server.port), timeout=15)  # free for the next start
    finally:
        server.stop()


def test_a_process_stopped_by_anyone_but_the_parent_is_started_again(tmp_path, postgres_url):
    instance = make_instance(tmp_path, database_url=postgres_url)
    server = two_processes(instance)
    try:
        parent = server.process.pid
        first = children(parent)
        os.kill(first[1], signal.SIGTERM)  # a clean exit (code 0), not from the parent
        wait_for(lambda: len(now := children(parent)) == 2 and now != first)
        assert acknowledged(Resident(server.url).answer("na-sigterm"))
    finally:
        server.stop()


def test_processes_that_keep_dying_stop_the_server_with_a_line_that_says_so(tmp_path, postgres_url):
    instance = make_instance(tmp_path, database_url=postgres_url)
    server = two_processes(instance)
    try:
        parent = server.process.pid
        for _ in range(6):
            victim = wait_for(lambda: len(now := children(parent)) == 2 and now)[0]
            os.kill(victim, signal.SIGKILL)
            wait_for(lambda victim=victim: victim not in children(parent) or True)
            if server.process.poll() is not None:
                break
            wait_for(lambda victim=victim: victim not in children(parent))
        assert server.process.wait(30) == 1
        assert "Serverprocessen stopten te vaak (meer dan 5 keer in een minuut)" in (
            server.log.read_text()
        )
    finally:
        server.stop()


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_to_every_process_lets_a_request_in_progress_finish(tmp_path, postgres_url, how):
    """systemd (KillMode=control-group) and Ctrl+C signal every process, and the parent
    passes the stop on too: a resident's answer being stored at that moment is still stored."""
    import threading

    import psycopg

    instance = make_instance(tmp_path, database_url=postgres_url, per_hour=100)
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*vliegwiel_command(), "serve", "--instance", str(instance), "--port", str(port)]
            + ["--processes", "2", "--threads", "2"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: "serverprocessen" in log.read_text())
        resident = Resident(f"http://127.0.0.1:{port}")
        results = []
        with psycopg.connect(postgres_url) as lock:
            # Counting the submission waits for this lock: the request is in progress.
            lock.execute("BEGIN")
            lock.execute("LOCK TABLE vliegwiel_counts")
            answering = threading.Thread(target=lambda: results.append(resident.answer("bezig")))
            answering.start()
            time.sleep(1.5)
            os.killpg(process.pid, how)
            time.sleep(1.0)
            lock.execute("ROLLBACK")
        answering.join(30)
        assert acknowledged(results[0])
        assert process.wait(30) == 0
        assert instance_storage(instance).count(COLLECTION) == 1
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
