"""CPU time per resident flow: the village against the bare Flask form, in the same run.

Throughput on a shared machine moves with everyone else's load; the CPU time a flow costs
moves far less, so this is the figure to compare changes with. A flow is what
bench_server.py times (GET the survey page, POST the answer, POST the review, which stores
the response), with the same one-question survey and the same bare ceiling
(bench/bare_app.py).

Two measurements, each for the bare app and a village, alternating, best round kept:

- **in-process**: the Flask test client, no server and no network; CPU of this process
  (``time.process_time``) per flow.
- **server**: the real ``vliegwiel serve`` (waitress, 8 threads) in a child process, driven
  by 8 concurrent residents; CPU of the server process (user + system, from /proc) per flow.
  The PostgreSQL server's own CPU is not in it.

    python bench/bench_flow_cpu.py [--backend tinydb|postgresql|both] [--flows 200]
                                   [--rounds 3] [--database URL]

``--backend postgresql`` (or ``both``) needs ``--database URL`` or ``pg_virtualenv``, as
bench_server.py does.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

import bare_app  # noqa: E402
from bench_server import BareServer, database, drive  # noqa: E402
from live_server import SURVEY_ID, Server, make_instance, token_of  # noqa: E402

from vliegwiel.web.app import create_app  # noqa: E402

PAGE = f"/enquete/{SURVEY_ID}/pagina/1"
REVIEW = f"/enquete/{SURVEY_ID}/controle"


def flow(client, marker: str) -> None:
    """One resident's flow through the test client; fails loudly if anything is refused."""
    page = client.get(PAGE)
    assert page.status_code == 200, page.status_code
    token = token_of(page.get_data(as_text=True))
    posted = client.post(PAGE, data={"csrf_token": token, "marker": marker})
    assert posted.status_code == 302, posted.status_code
    stored = client.post(REVIEW, data={"csrf_token": token})
    assert stored.status_code == 302, stored.status_code
    assert stored.headers["Location"].endswith("/bedankt"), stored.headers["Location"]


def in_process_ms(app, flows: int) -> float:
    """CPU milliseconds per flow, each flow by a new browser (its own cookies)."""
    start = time.process_time()
    for n in range(flows):
        flow(app.test_client(), f"cpu-{n}")
    return (time.process_time() - start) * 1000 / flows


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_ms(server: Server, flows: int, clients: int) -> tuple[float, float]:
    """Server CPU milliseconds per flow and flows per second, ``clients`` residents at once."""
    before = process_cpu_seconds(server.process.pid)
    timings = drive(server.url, flows, clients)
    used = process_cpu_seconds(server.process.pid) - before
    assert timings["failures"] == 0, timings["failures"]
    return used * 1000 / flows, len(timings["flow"]) / timings["wall"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["tinydb", "postgresql", "both"], default="tinydb")
    parser.add_argument("--flows", type=int, default=200, help="flows per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; best kept")
    parser.add_argument("--clients", type=int, default=8, help="residents at once (server)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--database", default=None, help="postgresql:// URL (default: throwaway)")
    args = parser.parse_args()
    print(
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; {args.flows} flows x {args.rounds} rounds"
    )
    backends = ["tinydb", "postgresql"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory(prefix="vliegwiel-cpu-") as tmp, database(args) as url:
        work = Path(tmp)
        instances = {
            b: make_instance(work, name=f"dorp-{b}", database_url=url if b != "tinydb" else None)
            for b in backends
        }
        apps = {b: create_app(path) for b, path in instances.items()}
        best: dict[str, float] = {}
        for _ in range(args.rounds):
            for name, app in [("bare Flask form", bare_app.app), *apps.items()]:
                in_process_ms(app, 10)  # warm: templates compiled, caches filled
                ms = in_process_ms(app, args.flows)
                best[name] = min(ms, best.get(name, ms))
        bare = best["bare Flask form"]
        print("\nin-process (Flask test client), CPU per flow:")
        for name, ms in best.items():
            print(f"  {name:<16} {ms:6.2f} ms   {ms / bare:4.2f} x bare")

        (work / "bare").mkdir()
        servers = {"bare Flask form": BareServer(work / "bare", threads=args.threads)}
        servers.update({b: Server(p, threads=args.threads) for b, p in instances.items()})
        results: dict[str, tuple[float, float]] = {}
        for _ in range(args.rounds):
            for name, server in servers.items():
                with server:
                    drive(server.url, 40, args.clients)  # warm
                    ms, rate = server_ms(server, args.flows, args.clients)
                if name not in results or ms < results[name][0]:
                    results[name] = (ms, rate)
        bare_ms, bare_rate = results["bare Flask form"]
        print(f"\nreal server ({args.clients} residents at once), server process CPU per flow:")
        for name, (ms, rate) in results.items():
            print(
                f"  {name:<16} {ms:6.2f} ms   {ms / bare_ms:4.2f} x bare"
                f"   ({rate:.1f} flows/s, {rate / bare_rate * 100:.0f} % of bare; noisy)"
            )


if __name__ == "__main__":
    main()
