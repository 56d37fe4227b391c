"""What a second server process gives a village on PostgreSQL (``vliegwiel serve
--processes 2``), against the bare Flask ceiling with one and with two processes, all in the
same run: issue 14's throughput target for PostgreSQL.

The village runs as ``vliegwiel serve --processes 1`` and ``--processes 2`` on one port, as a
province would run it; the kernel hands each resident's connection to one of the processes.
The bare form (bench/bare_app.py) is measured with one process and with two (each on its own
port, the residents split between them), and the higher of its two figures is the ceiling.
Each run measures all four one after the other; the ratios are taken within a run, and their
median over the runs is printed last (throughput on a shared machine moves between runs).
Server CPU per flow (every server process, from /proc; PostgreSQL's own not counted) moves
far less.

    python bench/bench_processes.py --database URL [--submissions 1000] [--clients 8] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_server import BareServer, drive  # noqa: E402
from live_server import Server, make_instance  # noqa: E402


def server_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the server processes and their children (``--processes``)."""
    total = 0.0
    for pid in pids:
        for task in [pid, *children(pid)]:
            fields = Path(f"/proc/{task}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def measure(servers: list[Server], submissions: int, clients: int) -> tuple[float, float]:
    """(flows per second, server CPU ms per flow) with the residents split over the URLs."""
    urls = [server.url for server in servers]
    drive(urls, min(80, submissions), clients)  # warm up every process
    pids = [server.process.pid for server in servers]
    before = server_cpu_seconds(pids)
    timings = drive(urls, submissions, clients)
    cpu = server_cpu_seconds(pids) - before
    assert timings["failures"] == 0, timings["failures"]
    flows = len(timings["flow"])
    return flows / timings["wall"], 1000 * cpu / flows


def one_run(work: Path, instance: Path, submissions: int, clients: int) -> dict:
    figures = {}
    for processes in (1, 2):
        with ExitStack() as stack:
            bare = []
            for n in range(processes):
                (work / f"bare{n}").mkdir(exist_ok=True)
                bare.append(stack.enter_context(BareServer(work / f"bare{n}")))
            figures["bare", processes] = measure(bare, submissions, clients)
        with ExitStack() as stack:
            # One port, as a province runs it: the kernel hands each connection to a process.
            village = stack.enter_context(Server(instance, processes=processes))
            time.sleep(1.0)  # until every process serves, not only the first
            figures["village", processes] = measure([village], submissions, clients)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="postgresql://... for the village")
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{platform.platform()}, {os.cpu_count()} CPUs, {args.clients} residents, "
        f"{args.submissions} flows per measurement, {args.runs} runs"
    )
    ratios: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # The submission limit on, as every village has it (on PostgreSQL one statement per
        # submission), and high enough that one address's residents are never refused.
        instance = make_instance(
            work, name="dorp", database_url=args.database, per_hour=1_000_000_000
        )
        for run in range(1, args.runs + 1):
            figures = one_run(work, instance, args.submissions, args.clients)
            ceiling = max(figures["bare", 1][0], figures["bare", 2][0])
            print(f"run {run}")
            for (what, processes), (rate, cpu) in figures.items():
                ratio = 100 * rate / ceiling
                ratios.setdefault((what, processes), []).append(ratio)
                print(
                    f"  {what:<8} {processes} process{'es' if processes > 1 else '  '} "
                    f"{rate:7.1f} flows/s  {ratio:5.1f} % of the ceiling  "
                    f"server CPU {cpu:5.2f} ms/flow"
                )
    print("median over the runs, % of each run's ceiling:")
    for (what, processes), values in ratios.items():
        print(
            f"  {what:<8} {processes} process{'es' if processes > 1 else '  '} "
            f"{statistics.median(values):5.1f} %  (runs: "
            f"{', '.join(f'{v:.1f}' for v in values)})"
        )


if __name__ == "__main__":
    main()
