"""vliegwiel.core.pdf: real WeasyPrint renders in a child process, read back as text and pixels."""

from __future__ import annotations

import logging
import multiprocessing
import os
from pathlib import Path

import pytest
import segno
from pdf_reading import (
    count_pixels_near,
    decode_qr_codes,
    pdf_attachments,
    pdf_page_count,
    pdf_page_images,
    pdf_text,
)

from vliegwiel.core.pdf import PdfRenderError, render_pdf
from vliegwiel.results.charts import SERIES_COLOURS, bar_chart

PAGE = "<html><head><meta charset=utf-8>{head}</head><body>{body}</body></html>"


def page(body: str, head: str = "") -> str:
    return PAGE.format(head=head, body=body)


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "print.css").write_text('h1::after { content: " (uit print.css)"; }')
    (static / "css" / "extra.css").write_text('h2::after { content: " (uit extra.css)"; }')
    return static


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    """A file outside the static folder whose content must never reach a PDF."""
    secret = tmp_path / "geheim.css"
    secret.write_text('body::before { content: "GEHEIM-1234"; }\n')
    return secret


def test_dutch_text_reads_back() -> None:
    pdf = render_pdf(page("<p>Dorpsenquête: ideeën voor het café in Ëlst</p>"))

    assert pdf_page_count(pdf) == 1
    assert "Dorpsenquête: ideeën voor het café in Ëlst" in pdf_text(pdf)


def test_static_css_is_applied_by_scheme_and_relative_url(static_dir: Path) -> None:
    head = (
        '<link rel=stylesheet href="vliegwiel-static:/css/print.css">'
        '<link rel=stylesheet href="css/extra.css">'
    )
    html = page("<h1>Uitslag</h1><h2>Wonen</h2>", head)

    with_static = pdf_text(render_pdf(html, static_dir=static_dir))
    without_static = pdf_text(render_pdf(html))

    assert "Uitslag (uit print.css)" in with_static
    assert "Wonen (uit extra.css)" in with_static
    assert "uit print.css" not in without_static


def test_hostile_references_render_without_leaking(
    static_dir: Path, secret_file: Path, tmp_path: Path
) -> None:
    (static_dir / "css" / "link.css").symlink_to(secret_file)
    passwd_first_line = Path("/etc/passwd").read_text().splitlines()[0]
    head = (
        '<link rel=attachment href="file:///etc/passwd">'
        f'<link rel=stylesheet href="{secret_file.as_uri()}">'
        '<link rel=stylesheet href="../../etc/passwd">'
        f'<link rel=stylesheet href="../{secret_file.name}">'
        '<link rel=stylesheet href="css/link.css">'
    )
    body = (
        "<p>Openbare brief</p>"
        '<a rel=attachment href="file:///etc/passwd">bijlage</a>'
        '<img src="file:///etc/hostname" alt="">'
        '<img src="http://127.0.0.1:9/x.png" alt="">'
    )

    pdf = render_pdf(page(body, head), static_dir=static_dir)

    text = pdf_text(pdf)
    assert "Openbare brief" in text
    assert pdf_attachments(pdf) == {}
    assert passwd_first_line not in text
    assert "GEHEIM-1234" not in text


def test_weasyprint_default_fetcher_would_leak(secret_file: Path) -> None:
    """Control for the test above: its checks do catch a leak when nothing guards."""
    import weasyprint

    html = page(
        '<p>Openbare brief</p><a rel=attachment href="file:///etc/passwd">bijlage</a>',
        f'<link rel=stylesheet href="{secret_file.as_uri()}">',
    )
    passwd_first_line = Path("/etc/passwd").read_text().splitlines()[0]
    pdf = weasyprint.HTML(string=html).write_pdf()

    assert pdf_attachments(pdf)["passwd"][0].startswith(passwd_first_line.encode())
    assert "GEHEIM-1234" in pdf_text(pdf)


def test_refused_urls_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="vliegwiel.core.pdf"):
        render_pdf(page('<img src="file:///etc/hostname" alt="">'))

    assert any("file:///etc/hostname" in record.getMessage() for record in caplog.records)


def test_data_urls_are_allowed() -> None:
    css = "data:text/css,p%3A%3Aafter%7Bcontent%3A%22%20uit%20data%22%7D"
    pdf = render_pdf(page("<p>Tekst</p>", f'<link rel=stylesheet href="{css}">'))

    assert "Tekst uit data" in pdf_text(pdf)


def test_time_limit_kills_the_child() -> None:
    render_pdf(page("<p>opwarmen</p>"))  # starts the forkserver, which stays by design
    before = _descendants(os.getpid())
    rows = "".join(f"<tr><td>{i}</td><td>rij {i}</td></tr>" for i in range(20_000))

    with pytest.raises(PdfRenderError, match="time limit"):
        render_pdf(page(f"<table>{rows}</table>"), timeout=0.5)

    assert multiprocessing.active_children() == []
    assert _descendants(os.getpid()) == before


def test_weasyprint_failure_becomes_pdf_render_error() -> None:
    # Deep nesting makes WeasyPrint's layout recurse past Python's limit.
    with pytest.raises(PdfRenderError, match="RecursionError"):
        render_pdf(page("<div>" * 600 + "diep"))


def test_progress_reports_weasyprint_steps() -> None:
    steps: list[str] = []
    render_pdf(page("<p>Voortgang</p>"), progress=steps.append)

    assert any("layout" in step.lower() for step in steps)


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_qr_code_survives_into_the_pdf(kind: str) -> None:
    url = "https://dorp.example/brief/K7Q2-M9XA"
    qr = segno.make(url, error="m")
    src = qr.png_data_uri(scale=6) if kind == "png" else qr.svg_data_uri(scale=6)
    pdf = render_pdf(page(f'<p>Scan de code</p><img src="{src}" style="width:4cm" alt="">'))

    [image] = pdf_page_images(pdf, scale=2)

    assert decode_qr_codes(image) == [url]


def test_blank_page_has_no_qr_code() -> None:
    [image] = pdf_page_images(render_pdf(page("<p>Geen code</p>")))

    assert decode_qr_codes(image) == []


def test_chart_renders_into_the_pdf() -> None:
    chart = bar_chart("Vervoer naar de huisarts", [("Auto", 41), ("Fiets", 23), ("Buurtbus", 7)])
    html = page(chart, "<style>svg { width: 100%; }</style>")

    pdf = render_pdf(html)
    [image] = pdf_page_images(pdf, scale=1)

    assert "Vervoer naar de huisarts" in pdf_text(pdf)
    assert count_pixels_near(image, SERIES_COLOURS[0]) > 2_000


def test_chart_without_values_draws_no_bars() -> None:
    chart = bar_chart("Alles verborgen", [("Auto", None), ("Fiets", None)])

    [image] = pdf_page_images(render_pdf(page(chart)), scale=1)

    assert count_pixels_near(image, SERIES_COLOURS[0]) == 0


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid``, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found
