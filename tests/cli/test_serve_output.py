"""What `vliegwiel serve` prints at start-up is for the organiser who started it: in the
instance's first language, read from the real server's output."""

from __future__ import annotations

import socket
import subprocess

from live_server import Server, make_instance, vliegwiel_command


def _started_output(server: Server) -> str:
    return server.log.read_text(encoding="utf-8", errors="replace")


def test_serve_speaks_dutch_for_a_dutch_village(tmp_path):
    with Server(make_instance(tmp_path), threads=2) as server:
        output = _started_output(server)
    assert f"Proefdorp: http://127.0.0.1:{server.port}/  (beheer: /beheer)" in output
    assert "Stoppen met Ctrl+C." in output
    assert "Press Ctrl+C" not in output


def test_serve_speaks_english_when_the_village_puts_english_first(tmp_path):
    instance = make_instance(tmp_path)
    config = instance / "vliegwiel.toml"
    text = config.read_text(encoding="utf-8")
    assert 'languages = ["nl", "en"]' in text
    config.write_text(text.replace('languages = ["nl", "en"]', 'languages = ["en", "nl"]'))
    with Server(instance, threads=2) as server:
        output = _started_output(server)
    assert f"Proefdorp: http://127.0.0.1:{server.port}/  (organisers: /beheer)" in output
    assert "Press Ctrl+C to stop." in output


def test_serve_villages_lists_the_villages_in_dutch(tmp_path):
    province = tmp_path / "provincie"
    province.mkdir()
    make_instance(province, name="dorp")
    make_instance(province, name="buurt")
    with Server(province, threads=2, villages=True) as server:
        output = _started_output(server)
    assert f"http://127.0.0.1:{server.port}/  (2 dorpen)" in output
    assert "  Proefdorp: /dorp/  gegevens: " in output
    assert "Stoppen met Ctrl+C." in output


def test_a_port_in_use_is_one_clear_line_not_a_traceback(tmp_path):
    instance = make_instance(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for where in (["--instance", str(instance)], ["--villages", str(tmp_path)]):
            started = subprocess.run(
                [*vliegwiel_command(), "serve", *where, "--port", str(port)],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert started.returncode == 1
            assert started.stderr.strip().splitlines() == [
                f"Fout: poort {port} is al in gebruik (draait vliegwiel daar al?); kies een "
                "andere met --port"
            ]
            assert "Traceback" not in started.stdout + started.stderr
            assert "Stoppen met Ctrl+C." not in started.stdout  # nothing claims it runs
