"""Print how long the letters PDF takes for a village: 500 households, one A4 page each.

Run: python bench/bench_letters.py [COUNT]
Includes building the HTML (codes, QR codes as SVG data: URLs) and the sandboxed
WeasyPrint render in its child process; storing the codes is timed separately.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vliegwiel.core.instance import init_instance  # noqa: E402
from vliegwiel.reach.codes import Household, new_codes, store_codes  # noqa: E402
from vliegwiel.reach.letters import letters_html, letters_pdf  # noqa: E402
from vliegwiel.web.app import create_app  # noqa: E402


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(init_instance(Path(tmp) / "dorp", "Benchdorp"))
        village = app.extensions["vliegwiel"]
        survey = village.surveys.get("dorpsenquete")
        households = [Household(f"Straat {i % 40}", str(i), "1234 AB") for i in range(count)]
        issued = new_codes(households)
        with app.app_context():
            start = time.perf_counter()
            html = letters_html(
                survey, issued, village_name="Benchdorp", base_url=village.config.base_url
            )
            html_s = time.perf_counter() - start
            start = time.perf_counter()
            pdf = letters_pdf(
                survey, issued, village_name="Benchdorp", base_url=village.config.base_url
            )
            pdf_s = time.perf_counter() - start
        start = time.perf_counter()
        store_codes(village.storage, village.config.secret_key, survey.id, issued)
        store_s = time.perf_counter() - start
    print(f"letters:            {count}")
    print(f"HTML with QR codes: {html_s:6.2f} s ({len(html) / 1e6:.1f} MB)")
    per_letter = pdf_s / count * 1000
    size = len(pdf) / 1e6
    print(f"PDF (HTML + render):{pdf_s:6.2f} s ({size:.1f} MB, {per_letter:.0f} ms/letter)")
    print(f"storing the hashes: {store_s:6.2f} s")


if __name__ == "__main__":
    main()
