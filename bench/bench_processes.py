"""What a second server process would give a village on PostgreSQL, against the bare Flask
ceiling with one and with two processes, all in the same run (a measurement for a design
decision: vliegwiel serves a village from one process today).

Two ``vliegwiel serve`` processes on one instance and one database, each on its own port;
the residents (8 by default) are split between them, as a load balancer would. The bare form
(bench/bare_app.py) is measured the same way with one and with two processes, and the higher
of its two figures is the ceiling. Both villages' processes count rate limits on their own, so
this is not a supported way to run vliegwiel: see docs/performance.md.

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
        instance = make_instance(work, name="dorp", database_url=args.database)
        figures = {}
        for processes in (1, 2):
            with ExitStack() as stack:
                bare = []
                for n in range(processes):
                    (work / f"bare{n}").mkdir(exist_ok=True)
                    bare.append(stack.enter_context(BareServer(work / f"bare{n}")).url)
                figures["bare", processes] = flows_per_second(bare, args.submissions, args.clients)
            with ExitStack() as stack:
                village = [stack.enter_context(Server(instance)).url for _ in range(processes)]
                figures["village", processes] = flows_per_second(
                    village, args.submissions, args.clients
                )
        ceiling = max(figures["bare", 1], figures["bare", 2])
        for (what, processes), rate in figures.items():
            print(
                f"{what:<8} {processes} process{'es' if processes > 1 else '  '} "
                f"{rate:7.1f} flows/s  {100 * rate / ceiling:5.1f} % of the ceiling"
            )


if __name__ == "__main__":
    main()
