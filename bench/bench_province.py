"""Many villages on one server: 50 villages x 2,000 responses under ``vliegwiel serve
--villages`` against one village with 2,000 under ``vliegwiel serve --instance``, in the same
run: submit p95 (8 concurrent residents) and results page times of one village, and the
server's memory per extra village.

    python bench/bench_province.py [--villages 50] [--responses 2000] [--submissions 300]
                                   [--backend tinydb|postgresql] [--database URL]

On PostgreSQL all villages share one database (``--database URL``, else a throwaway one on
the server the ``PG*`` variables name: run it inside ``pg_virtualenv``).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_server import PASSWORD, database, drive, fill, percentile, timed_get  # noqa: E402
from bench_submit import ANSWERS  # noqa: E402
from live_server import Server, make_instance, token_of  # noqa: E402

from vliegwiel.accounts.model import add_user  # noqa: E402
from vliegwiel.core.village import build_village  # noqa: E402


def make_village(parent: Path, name: str, responses: int, url: str | None) -> Path:
    instance = make_instance(parent, per_hour=0, name=name, database_url=url)
    village = build_village(instance)
    add_user(village.storage, "beheerder", "beheerder", PASSWORD)
    fill(village, village.surveys.get("snel"), {"marker": "x"}, responses)
    fill(village, village.surveys.get("dorpsenquete"), ANSWERS, responses)
    return instance


def measure(server: Server, base: str, args) -> dict:
    drive(base, 40, args.clients)  # warm-up
    timings = drive(base, args.submissions, args.clients)
    organiser = requests.Session()
    login = organiser.get(base + "/beheer/login").text
    organiser.post(
        base + "/beheer/login",
        data={"csrf_token": token_of(login), "username": "beheerder", "password": PASSWORD},
    )
    times = []
    for _ in range(args.runs):
        median, _max = timed_get(organiser, base + "/beheer/uitslag/dorpsenquete", 1)
        times.append(median)
    return {
        "resp/s": len(timings["flow"]) / timings["wall"],
        "submit p50": percentile(timings["submit"], 0.5) * 1000,
        "submit p95": percentile(timings["submit"], 0.95) * 1000,
        "results p50": percentile(times, 0.5) * 1000,
        "results p95": percentile(times, 0.95) * 1000,
        "failures": timings["failures"],
        "rss": server.rss_kib() / 1024,
    }


def line(label: str, row: dict) -> str:
    return (
        f"| {label} | {row['resp/s']:.1f} | {row['submit p50']:.1f} / {row['submit p95']:.1f} | "
        f"{row['results p50']:.0f} / {row['results p95']:.0f} | {row['rss']:.0f} MiB | "
        f"{row['failures']} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=50)
    parser.add_argument("--responses", type=int, default=2000)
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--runs", type=int, default=10, help="results page loads")
    parser.add_argument("--backend", choices=["tinydb", "postgresql"], default="tinydb")
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    print(
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs; "
        f"{args.backend}, {args.villages} villages x {args.responses} responses, "
        f"{args.clients} clients, {args.submissions} submissions"
    )
    with tempfile.TemporaryDirectory(prefix="vliegwiel-province-") as tmp, database(args) as url:
        work = Path(tmp)
        single = make_village(work / "alleen", "dorp", args.responses, url)
        province = work / "provincie"
        for n in range(args.villages):
            make_village(province, f"dorp-{n:02d}", args.responses, url)
        print(
            "| Server | resp/s | submit p50 / p95 (ms) | results page p50 / p95 (ms) | RSS |"
            " failures |"
        )
        print("| --- | --- | --- | --- | --- | --- |")
        with Server(single, threads=args.threads) as server:
            alone = measure(server, server.url, args)
        print(line("one village (--instance)", alone))
        middle = f"dorp-{args.villages // 2:02d}"
        with Server(province, threads=args.threads, villages=True) as server:
            many = measure(server, f"{server.url}/{middle}", args)
        print(line(f"{args.villages} villages (--villages), /{middle}/", many))
        if args.villages > 1:
            per_village = (many["rss"] - alone["rss"]) / (args.villages - 1)
            print(f"\nMemory per extra village: {per_village:.1f} MiB")
        print(
            f"submit p95 ratio {many['submit p95'] / alone['submit p95']:.2f}, "
            f"results page p95 ratio {many['results p95'] / alone['results p95']:.2f}"
        )


if __name__ == "__main__":
    main()
