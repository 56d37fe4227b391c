"""Time per submitted response, with 100 and with 5,000 responses already stored in the survey.

What is timed is the resident's final click: the full POST of the review page through the real
Flask app (CSRF check, draft load, save_response, durable storage write, draft removal).
Each submission gets its own client and draft, prepared untimed. Prints mean, p50 and p95.

    python bench/bench_submit.py [--samples 100] [--sizes 100 5000]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from vliegwiel.core.instance import init_instance
from vliegwiel.surveys.responses import responses_collection, save_draft, save_response
from vliegwiel.web.app import create_app

ANSWERS = {
    "leeftijd": "45_64",
    "huishouden": "gezin",
    "woonduur": 12,
    "prettig_wonen": 8,
    "blijven_wonen": "ja",
    "woning_nodig": ["starters", "ouderen"],
    "voorzieningen_oordeel": {"winkel": "goed", "bus": "slecht"},
    "belangrijkste": ["school", "winkel", "bus"],
    "contact_buren": 4,
    "ontmoeten": ["straat", "dorpshuis"],
    "vrijwilliger": "ja",
    "uren": 6,
    "idee": "Een bankje bij de bushalte zou fijn zijn.",
}
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def prefill(village, survey, count: int) -> None:
    """Store ``count`` responses quickly: one real save, then copies through storage.insert."""
    collection = responses_collection(survey.id)
    have = village.storage.count(collection)
    if have == 0 and count > 0:
        save_response(village, survey, ANSWERS)
        have = 1
    template = village.storage.all(collection)[0]
    for _ in range(count - have):
        record = {k: v for k, v in template.items() if k != "id"}
        village.storage.insert(collection, record)


def time_submissions(app, survey, samples: int) -> list[float]:
    village = app.extensions["vliegwiel"]
    timings = []
    for _ in range(samples):
        client = app.test_client()
        draft = save_draft(village.storage, survey, None, dict(ANSWERS))
        with client.session_transaction() as session:
            session["drafts"] = {survey.id: draft["id"]}
        review = client.get(f"/enquete/{survey.id}/controle").get_data(as_text=True)
        token = TOKEN.search(review).group(1)
        start = time.perf_counter()
        response = client.post(f"/enquete/{survey.id}/controle", data={"csrf_token": token})
        timings.append(time.perf_counter() - start)
        assert response.status_code == 302, response.status_code
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 5000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vliegwiel-bench-") as tmp:
        instance = init_instance(Path(tmp) / "dorp", "Benchdorp")
        app = create_app(instance, {"TESTING": True})
        village = app.extensions["vliegwiel"]
        survey = village.surveys.get("dorpsenquete")
        print(f"{'stored':>8} {'samples':>8} {'mean ms':>9} {'p50 ms':>8} {'p95 ms':>8}")
        for size in sorted(args.sizes):
            start = time.perf_counter()
            prefill(village, survey, size)
            filled = time.perf_counter() - start
            timings = time_submissions(app, survey, args.samples)
            ms = [t * 1000 for t in timings]
            print(
                f"{size:>8} {len(ms):>8} {statistics.fmean(ms):>9.2f} "
                f"{percentile(ms, 0.5):>8.2f} {percentile(ms, 0.95):>8.2f}"
                f"   (pre-fill {filled:.1f} s)"
            )
            # The next size starts from what is stored now, submissions included.
        total = village.storage.count(responses_collection(survey.id))
        print(f"responses stored at the end: {total}")


if __name__ == "__main__":
    main()
