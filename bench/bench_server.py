"""Submissions through the real server (waitress, `vliegwiel serve`) at 100, 5,000 and 20,000
stored responses, against a bare Flask form endpoint under the same server as the ceiling;
organiser results page, survey page and PDF report times; server memory.

Each submission is the resident's real flow (GET the page, POST it, POST the review) by one of
CLIENTS concurrent clients with their own cookies. "submit" is the final POST of the review
page, the one that stores the response; "flow" is the whole GET-POST-POST. The responses
already stored are written straight into bucket files before the server starts (set-up, not
timed), for the one-question survey that is submitted to and for the example survey whose
results page and PDF report are timed.

    python bench/bench_server.py [--sizes 100 5000 20000] [--submissions 400] [--clients 8]
                                 [--backend tinydb|postgresql|both] [--database URL]
                                 [--runs 5] [--no-pdf]

The organiser results page and survey page of ``dorpsenquete`` are timed viewed again (the
usual case) and right after a new response (a record written by this process, as the
command line keys in a paper form); besides wall time, the server's CPU time per view
(from /proc) is printed, which other load on a shared machine disturbs less. The summary at
the end divides every size's figures by those of the smallest size of the same run.

With ``--backend postgresql`` (or ``both``) the villages keep their records in PostgreSQL:
``--database URL``, else a throwaway database on the server the ``PG*`` variables name (run
it inside ``pg_virtualenv``), as the tests do.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_submit import ANSWERS  # noqa: E402
from live_server import (  # noqa: E402
    COLLECTION,
    Resident,
    Server,
    acknowledged,
    make_instance,
    token_of,
)

from vliegwiel.accounts.model import add_user  # noqa: E402
from vliegwiel.core.storage import BUCKET_SIZE, Storage  # noqa: E402
from vliegwiel.core.village import build_village  # noqa: E402
from vliegwiel.surveys.responses import responses_collection, save_response  # noqa: E402

PASSWORD = "bench-wachtwoord-123"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def fill(village, survey, answers: dict, count: int, bucket_size: int = BUCKET_SIZE) -> None:
    """Store ``count`` responses: one real save, then bucket files in the storage's format
    (or, on PostgreSQL, one bulk insert)."""
    collection = responses_collection(survey.id)
    template = save_response(village, survey, answers)
    records = []
    for n in range(count):
        record = dict(template, id=uuid.uuid4().hex)
        if "marker" in record["answers"]:
            record["answers"] = {"marker": f"vooraf-{n}"}
        records.append(record)
    if not isinstance(village.storage, Storage):
        village.storage.delete(collection, template["id"])
        village.storage.insert_many(collection, records)
        return
    directory = village.storage.data_dir / collection
    for old in directory.glob("*.json"):
        old.unlink()
    for start in range(0, count, bucket_size):
        chunk = records[start : start + bucket_size]
        table = {str(i + 1): record for i, record in enumerate(chunk)}
        path = directory / f"{start // bucket_size:04d}.json"
        path.write_text(json.dumps({"records": table}, ensure_ascii=False), encoding="utf-8")


def drive(url: str | list[str], submissions: int, clients: int) -> dict:
    """Run ``submissions`` full flows from ``clients`` threads; return the timings.

    Several URLs (server processes of one instance): the clients take turns among them.
    """
    urls = [url] if isinstance(url, str) else url
    submit, flow, failures = [], [], []
    lock = threading.Lock()
    todo = iter(range(submissions))

    def worker(number: int) -> None:
        resident = Resident(urls[number % len(urls)])
        original_post = resident.http.post

        def timed_post(target, **kw):
            start = time.perf_counter()
            response = original_post(target, **kw)
            if target.endswith("/controle"):
                with lock:
                    submit.append(time.perf_counter() - start)
            return response

        resident.http.post = timed_post
        while True:
            with lock:
                n = next(todo, None)
            if n is None:
                return
            start = time.perf_counter()
            response = resident.answer(f"bench-{n}-{uuid.uuid4().hex[:6]}")
            elapsed = time.perf_counter() - start
            with lock:
                (flow if acknowledged(response) else failures).append(elapsed)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    return {"submit": submit, "flow": flow, "failures": len(failures), "wall": wall}


def report(label: str, timings: dict) -> None:
    s, f = timings["submit"], timings["flow"]
    print(
        f"{label:<30} {len(f) / timings['wall']:7.1f} resp/s   "
        f"submit p50 {percentile(s, 0.5) * 1000:6.1f} ms  p95 {percentile(s, 0.95) * 1000:6.1f} ms"
        f"   flow p50 {percentile(f, 0.5) * 1000:6.1f} ms  p95 {percentile(f, 0.95) * 1000:6.1f} ms"
        f"   failures {timings['failures']}"
    )


def timed_get(session: requests.Session, url: str, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = session.get(url, timeout=300)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), max(times)


def server_cpu(server) -> float:
    """CPU seconds (user + system) the server process has used so far: less sensitive to
    other engineers' load on a shared machine than wall-clock times."""
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def page_times(server, session, url: str, runs: int, before_each=None) -> dict:
    """Median and max wall time of ``runs`` loads of ``url`` and the server's CPU time per
    load; ``before_each`` runs (untimed) before every load."""
    walls, cpu = [], 0.0
    for _ in range(runs):
        if before_each is not None:
            before_each()
        before = server_cpu(server)
        start = time.perf_counter()
        response = session.get(url, timeout=300)
        walls.append(time.perf_counter() - start)
        cpu += server_cpu(server) - before
        assert response.status_code == 200, (url, response.status_code)
    # The kernel counts CPU time in ticks (10 ms): a mean over the runs, not a median.
    return {"median": statistics.median(walls), "max": max(walls), "cpu": cpu / runs}


#: Organiser pages whose cost should not grow with the responses (issue 12).
PAGES = {
    "results page": "/beheer/uitslag/dorpsenquete",
    "survey page": "/beheer/enquete/dorpsenquete",
}
#: Page figures per (backend, size), for the summary at the end of a run.
SUMMARY: dict[tuple[str, int], dict[str, dict]] = {}


def bench_pages(server, village, organiser, backend: str, size: int, runs: int) -> None:
    """The organiser pages viewed again (the usual case: counted once per version of the
    data) and right after a new response (a paper form keyed in by another process, so the
    page counts everything again)."""
    collection = responses_collection("dorpsenquete")
    template = village.storage.all(collection)[0]

    def new_response() -> None:
        village.storage.insert(collection, {k: v for k, v in template.items() if k != "id"})

    figures = {}
    for name, path in PAGES.items():
        url = server.url + path
        organiser.get(url, timeout=300)  # the first view after start-up counts
        figures[name] = page_times(server, organiser, url, runs)
        figures[name + " after a write"] = page_times(
            server, organiser, url, max(3, runs // 2), before_each=new_response
        )
    SUMMARY[(backend, size)] = figures
    for name, f in figures.items():
        print(
            f"{'':<30} {name:<28} median {f['median'] * 1000:7.0f} ms"
            f" (max {f['max'] * 1000:.0f})   server CPU {f['cpu'] * 1000:6.1f} ms per view"
        )


def print_summary(sizes: list[int]) -> None:
    """Each size against the smallest of the same run (the baseline): the target is at most
    1.5 x at 20,000 against 100 for the pages viewed again."""
    base = min(sizes)
    print(f"\nAgainst {base} stored in this run (wall median, server CPU per view):")
    for (backend, size), figures in sorted(SUMMARY.items()):
        baseline = SUMMARY.get((backend, base))
        if baseline is None or size == base:
            continue
        for name, f in figures.items():
            b = baseline[name]
            print(
                f"  {backend:<10} {size:>6}  {name:<28}"
                f" wall {f['median'] / b['median']:5.2f} x"
                f"   CPU {f['cpu'] / b['cpu'] if b['cpu'] else float('nan'):5.2f} x"
            )


def bench_size(work: Path, size: int, args, database_url: str | None = None) -> None:
    backend = "postgresql" if database_url else "tinydb"
    instance = make_instance(
        work, per_hour=0, name=f"dorp-{size}-{backend}", database_url=database_url
    )
    village = build_village(instance)
    add_user(village.storage, "beheerder", "beheerder", PASSWORD)
    fill(village, village.surveys.get("snel"), {"marker": "x"}, size)
    fill(village, village.surveys.get("dorpsenquete"), ANSWERS, size)
    with Server(instance, threads=args.threads) as server:
        if args.submissions:
            drive(server.url, args.warmup, max(args.clients))
            for clients in args.clients:
                timings = drive(server.url, args.submissions, clients)
                report(f"{backend:<10} {size:>6}, {clients:>2} clients", timings)
        organiser = requests.Session()
        login = organiser.get(server.url + "/beheer/login").text
        organiser.post(
            server.url + "/beheer/login",
            data={"csrf_token": token_of(login), "username": "beheerder", "password": PASSWORD},
        )
        print(f"{backend:<10} {size:>6} stored, organiser pages:")
        bench_pages(server, village, organiser, backend, size, args.runs)
        pdf = (
            timed_get(organiser, server.url + "/beheer/uitslag/dorpsenquete/rapport.pdf", 2)
            if args.pdf
            else None
        )
        print(
            f"{'':<30} "
            + (f"PDF report median {pdf[0]:.2f} s (max {pdf[1]:.2f})   " if pdf else "")
            + f"server RSS {server.rss_kib() / 1024:.0f} MiB"
            f"   stored now {village.storage.count(COLLECTION)}"
        )


class BareServer(Server):
    """bench/bare_app.py under waitress in a child process: the ceiling."""

    def start(self, timeout: float = 60) -> BareServer:
        command = [sys.executable, str(ROOT / "bench" / "bare_app.py")]
        log = open(self.log, "ab")  # noqa: SIM115 (closed with the process)
        self.process = subprocess.Popen(
            [*command, str(self.port), str(self.threads)], stdout=log, stderr=log
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/", timeout=2)
                return self
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("bare server did not start")


def bench_bare(work: Path, args) -> None:
    (work / "bare").mkdir()
    with BareServer(work / "bare", threads=args.threads) as server:
        drive(server.url, args.warmup, max(args.clients))
        for clients in args.clients:
            timings = drive(server.url, args.submissions, clients)
            report(f"bare Flask form, {clients:>2} clients", timings)
        print(f"{'':<30} server RSS {server.rss_kib() / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 5000, 20000])
    parser.add_argument(
        "--submissions",
        type=int,
        default=400,
        help="flows per size and client level; 0: organiser pages only (no bare ceiling)",
    )
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument(
        "--clients", type=int, nargs="+", default=[1, 8], help="concurrent clients (each level)"
    )
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--runs", type=int, default=5, help="loads of each organiser page")
    parser.add_argument(
        "--no-pdf", dest="pdf", action="store_false", help="skip the PDF report timing"
    )
    parser.add_argument("--backend", choices=["tinydb", "postgresql", "both"], default="tinydb")
    parser.add_argument("--database", default=None, help="postgresql:// URL (default: throwaway)")
    args = parser.parse_args()
    print(
        f"{platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; clients {args.clients}, {args.threads} waitress threads, "
        f"{args.submissions} submissions per size and client level"
    )
    with tempfile.TemporaryDirectory(prefix="vliegwiel-bench-") as tmp:
        work = Path(tmp)
        if args.submissions:
            bench_bare(work, args)
        backends = ["tinydb", "postgresql"] if args.backend == "both" else [args.backend]
        with database(args) as url:
            for backend in backends:
                for size in args.sizes:
                    bench_size(work, size, args, url if backend == "postgresql" else None)
        print_summary(args.sizes)


@contextlib.contextmanager
def database(args) -> Iterator[str | None]:
    """The PostgreSQL URL to use, or None when only TinyDB is measured."""
    if args.backend == "tinydb":
        yield None
    elif args.database:
        yield args.database
    else:
        from pg_database import ThrowawayDatabase, admin_conninfo

        from vliegwiel.core.postgres_storage import close_pools

        admin = admin_conninfo()
        if admin is None:
            sys.exit("no PostgreSQL: pass --database URL or run inside pg_virtualenv")
        throwaway = ThrowawayDatabase(admin)
        try:
            yield throwaway.url
        finally:
            close_pools()
            throwaway.drop()


if __name__ == "__main__":
    main()
