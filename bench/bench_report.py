"""Print how long the PDF report takes for 200 and 5,000 responses of the village survey.

Times three parts: computing the protected results (tallies, breakdowns, suppression
audit), assembling the HTML (charts included), and the WeasyPrint render in its child
process. Setting up the instance (saving the sample responses) is not timed.

Run: python bench/bench_report.py [COUNT ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vliegwiel.cli.demo import add_sample_responses  # noqa: E402
from vliegwiel.core.instance import init_instance  # noqa: E402
from vliegwiel.core.pdf import render_pdf  # noqa: E402
from vliegwiel.core.resources import static_dir  # noqa: E402
from vliegwiel.core.village import build_village
from vliegwiel.results.report import report_html  # noqa: E402
from vliegwiel.results.tallies import compute_results  # noqa: E402
from vliegwiel.web.app import create_app  # noqa: E402

SURVEY = "dorpsenquete"


def bench(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="vliegwiel-bench-") as tmp:
        path = init_instance(Path(tmp) / "dorp", "Benchdorp")
        village = build_village(path)
        add_sample_responses(village, village.surveys.get(SURVEY), count)
        app = create_app(path)
        village = app.extensions["vliegwiel"]
        survey = village.surveys.get(SURVEY)
        with app.test_request_context():
            render_pdf("<p>warm-up</p>")  # start the forkserver once, as a server would
            start = time.perf_counter()
            compute_results(village, survey, with_texts=True)
            results_s = time.perf_counter() - start
            start = time.perf_counter()
            html = report_html(village, survey)
            html_s = time.perf_counter() - start
            start = time.perf_counter()
            pdf = render_pdf(html, static_dir=static_dir(), timeout=600)
            render_s = time.perf_counter() - start
        print(
            f"{count:>6} responses: results {results_s:6.2f} s | HTML incl. results "
            f"{html_s:6.2f} s | PDF render {render_s:6.2f} s | total {html_s + render_s:6.2f} s"
            f" | {len(pdf) // 1024} KB"
        )


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [200, 5000]:
        bench(n)
