"""Print how long the letters PDF takes for a village (500 households, one A4 page each), next
to a baseline measured in the same run: WeasyPrint rendering 500 bare pages with one segno QR
code each.

Run: python bench/bench_letters.py [COUNT]

Both figures include making the QR codes (segno, error level M, inline SVG: the letters' own
encoding, so the comparison isolates what the letter's text and layout cost) and the
sandboxed WeasyPrint render in its child process (vliegwiel.core.pdf.render_pdf). The aim
(issue 15): 500 letters in at most 30 s and at most 1.5 x the baseline. Storing the codes is
timed separately. Note the machine's load (uptime) next to the figures: on a shared machine
both numbers move together, the ratio much less.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BASE_URL = "https://benchdorp.example.nl"


def baseline(count: int) -> float:
    """Seconds for 500 bare pages, each one segno QR code, in one WeasyPrint document."""
    import segno

    from vliegwiel.core.pdf import render_pdf
    from vliegwiel.core.resources import static_dir

    start = time.perf_counter()
    pages = []
    for i in range(count):
        qr = segno.make(f"{BASE_URL}/code/dorpsenquete?c=K7PM4XQD{i:04d}", error="m")
        svg = qr.svg_inline(border=4, omitsize=True)
        pages.append(f'<div class="page"><div class="qr">{svg}</div></div>')
    html = (
        "<!doctype html><html><head><style>@page { size: A4; margin: 18mm 20mm; }"
        ".page { page-break-after: always; } .qr svg { width: 42mm; height: 42mm; }"
        "</style></head><body>" + "".join(pages) + "</body></html>"
    )
    render_pdf(html, static_dir=static_dir(), timeout=600)
    return time.perf_counter() - start


def main() -> None:
    from vliegwiel.core.instance import init_instance
    from vliegwiel.reach.codes import Household, new_codes, store_codes
    from vliegwiel.reach.letters import letters_html, letters_pdf
    from vliegwiel.web.app import create_app

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(init_instance(Path(tmp) / "dorp", "Benchdorp"))
        village = app.extensions["vliegwiel"]
        survey = village.surveys.get("dorpsenquete").model_copy(update={"access": "code"})
        households = [Household(f"Straat {i % 40}", str(i), "1234 AB") for i in range(count)]
        issued = new_codes(households)
        # Warm the forkserver (WeasyPrint's import) so neither figure pays for it.
        baseline(1)
        base_s = baseline(count)
        with app.app_context():
            start = time.perf_counter()
            html = letters_html(survey, issued, village_name="Benchdorp", base_url=BASE_URL)
            html_s = time.perf_counter() - start
            start = time.perf_counter()
            pdf = letters_pdf(survey, issued, village_name="Benchdorp", base_url=BASE_URL)
            pdf_s = time.perf_counter() - start
        start = time.perf_counter()
        store_codes(village.storage, village.config.secret_key, survey.id, issued)
        store_s = time.perf_counter() - start
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine load (1, 5, 15 min): {load}")
    print(f"letters:                     {count}")
    print(f"baseline, bare QR pages:     {base_s:6.2f} s")
    size = len(pdf) / 1e6
    per_letter = pdf_s / count * 1000
    print(f"letters PDF (HTML + render): {pdf_s:6.2f} s ({size:.1f} MB, {per_letter:.0f} ms each)")
    html_mb = sum(len(part) for part in html) / 1e6
    print(f"  of which HTML + QR codes:  {html_s:6.2f} s ({html_mb:.1f} MB)")
    print(f"letters / baseline:          {pdf_s / base_s:6.2f} x   (aim: at most 1.5 x, and 30 s)")
    print(f"storing the hashes:          {store_s:6.2f} s")


if __name__ == "__main__":
    main()
