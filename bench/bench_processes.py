"""What a second server process gives a village on PostgreSQL (``vliegwiel serve
--processes 2``), against the bare Flask ceiling with one and with two processes, all in the
same run: issue 14's throughput target for PostgreSQL.

The village runs as ``vliegwiel serve --processes 1`` and ``--processes 2`` on one port, as a
province would run it; the kernel hands each resident's connection to one of the processes.
The bare form (bench/bare_app.py) is measured with one process and with two (each on its own
port, the residents split between them), and the higher of its two figures is the ceiling.

    python bench/bench_processes.py --database URL [--submissions 1000] [--clients 8]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_server import BareServer, drive  # noqa: E402
from live_server import Server, make_instance  # noqa: E402


def flows_per_second(urls: list[str], submissions: int, clients: int) -> float:
    drive(urls, min(80, submissions), clients)  # warm up every process
    timings = drive(urls, submissions, clients)
    assert timings["failures"] == 0, timings["failures"]
    return len(timings["flow"]) / timings["wall"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="postgresql://... for the village")
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    print(f"{platform.platform()}, {args.clients} residents, {args.submissions} flows each")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # The submission limit on, as every village has it (on PostgreSQL one statement per
        # submission), and high enough that one address's residents are never refused.
        instance = make_instance(
            work, name="dorp", database_url=args.database, per_hour=1_000_000_000
        )
        figures = {}
        for processes in (1, 2):
            with ExitStack() as stack:
                bare = []
                for n in range(processes):
                    (work / f"bare{n}").mkdir(exist_ok=True)
                    bare.append(stack.enter_context(BareServer(work / f"bare{n}")).url)
                figures["bare", processes] = flows_per_second(bare, args.submissions, args.clients)
            with ExitStack() as stack:
                village = stack.enter_context(Server(instance, processes=processes)).url
                figures["village", processes] = flows_per_second(
                    [village], args.submissions, args.clients
                )
        ceiling = max(figures["bare", 1], figures["bare", 2])
        for (what, processes), rate in figures.items():
            print(
                f"{what:<8} {processes} process{'es' if processes > 1 else '  '} "
                f"{rate:7.1f} flows/s  {100 * rate / ceiling:5.1f} % of the ceiling"
            )


if __name__ == "__main__":
    main()
