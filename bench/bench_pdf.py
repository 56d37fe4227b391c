"""Print how long vliegwiel.core.pdf.render_pdf takes for typical reports (child process included).

Run: python bench/bench_pdf.py
"""

from __future__ import annotations

import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vliegwiel.core.pdf import render_pdf  # noqa: E402
from vliegwiel.results.charts import bar_chart, line_chart  # noqa: E402

STYLE = "<style>body { font-family: 'DejaVu Sans'; } svg { width: 100%; }</style>"
REPEATS = 3


def page(body: str) -> str:
    return f"<html><head><meta charset=utf-8>{STYLE}</head><body>{body}</body></html>"


def report_with_charts(count: int) -> str:
    charts = []
    for i in range(count):
        if i % 2:
            charts.append(
                line_chart(
                    f"Trend {i}",
                    {"Dorp": [3.1, None, 2.8, 2.5], "Gemeente": [3.3, 3.2, 3.0, 2.9]},
                    ["2023", "2024", "2025", "2026"],
                )
            )
        else:
            rows = [(f"Antwoordmogelijkheid nummer {j}", 10 + j * 7) for j in range(6)]
            charts.append(bar_chart(f"Vraag {i}", rows[:5] + [("Verborgen", None)]))
    return page("<h1>Dorpsenquête</h1>" + "".join(charts))


def table(rows: int) -> str:
    body = "".join(
        f"<tr><td>{i}</td><td>Antwoord van bewoner {i}, ëé</td><td>{i * 3 % 11}</td></tr>"
        for i in range(rows)
    )
    return page(f"<table><tr><th>#</th><th>Antwoord</th><th>Score</th></tr>{body}</table>")


def timed(html: str) -> float:
    start = time.perf_counter()
    render_pdf(html)
    return time.perf_counter() - start


def main() -> None:
    cold = timed(page("<p>opwarmen</p>"))
    print(f"first render (starts the forkserver, imports WeasyPrint): {cold:.2f} s")
    print(f"tiny page, warm: {timed(page('<p>klein</p>')):.2f} s")
    cases = {
        "1-page report, 2 charts": report_with_charts(2),
        "report, 12 charts": report_with_charts(12),
        "500-row table": table(500),
    }
    for name, html in cases.items():
        times = [timed(html) for _ in range(REPEATS)]
        print(f"{name}: median {statistics.median(times):.2f} s (min {min(times):.2f})")

    html = cases["500-row table"]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(render_pdf, [html, html]))
    print(f"two 500-row tables at once (2 children): {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
