"""Invitation letters: one A4 page per household with its code and a QR code, as a PDF.

The QR code opens ``<base_url>/code/<survey>?c=<CODE>`` (for a participation round
``<base_url>/ronde/<round>/code?c=<CODE>``), the code page with the code filled in. A code
in a URL lands in the browser history of whoever scans it; on a letter that already lies on
the kitchen table that is an acceptable trade-off, and once used a survey code is worthless
(a round's code is never used up: it is the household's key for the whole round, on any
device). QR codes are embedded as ``data:`` URLs because the PDF renderer loads nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import segno
from flask import render_template

from vliegwiel.core.pdf import render_pdf
from vliegwiel.core.resources import static_dir
from vliegwiel.reach.codes import IssuedCode
from vliegwiel.surveys.schema import Survey

#: The render time limit per letter: about 0.1 s on an idle machine, several times that on
#: a busy one; leave generous room.
SECONDS_PER_LETTER = 1.0


def code_url(base_url: str, survey_id: str, code: str) -> str:
    """The address a letter's QR code opens; the code goes without dashes, to keep it short."""
    return f"{base_url.rstrip('/')}/code/{quote(survey_id)}?c={code.replace('-', '')}"


def round_code_page(base_url: str, round_id: str) -> str:
    """A round's code page (the route ``round_codes.enter_code``); built without a request,
    because the CLI prints letters too."""
    return f"{base_url.rstrip('/')}/ronde/{quote(round_id)}/code"


def round_code_url(base_url: str, round_id: str, code: str) -> str:
    """The address a round letter's QR code opens, with the code filled in."""
    return f"{round_code_page(base_url, round_id)}?c={code.replace('-', '')}"


def qr_data_uri(url: str) -> str:
    # Error level M survives a coffee stain. PNG, not SVG: WeasyPrint lays out an SVG per
    # letter and is four times slower; print.css keeps the scaled pixels sharp.
    return segno.make(url, error="m").png_data_uri(scale=8, border=4)


def letters_html(
    survey: Survey,
    codes: list[IssuedCode],
    *,
    village_name: str,
    base_url: str,
    contact: str | None = None,
) -> str:
    """The letters as one HTML document (needs an app context for templates and gettext)."""
    return render_template(
        "print/letters.html",
        survey=survey,
        letters=_letters(codes, lambda code: code_url(base_url, survey.id, code)),
        village_name=village_name,
        survey_url=f"{base_url.rstrip('/')}/code/{survey.id}",
        contact=contact,
    )


def letters_pdf(
    survey: Survey,
    codes: list[IssuedCode],
    *,
    village_name: str,
    base_url: str,
    contact: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> bytes:
    html = letters_html(
        survey, codes, village_name=village_name, base_url=base_url, contact=contact
    )
    return _render(html, len(codes), progress)


def round_letters_pdf(
    round_record: dict[str, Any],
    codes: list[IssuedCode],
    *,
    village_name: str,
    base_url: str,
    contact: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> bytes:
    """Letters for a participation round (needs an app context): the code page of the round."""
    round_id = round_record["id"]
    html = render_template(
        "print/round_letters.html",
        round=round_record,
        letters=_letters(codes, lambda code: round_code_url(base_url, round_id, code)),
        village_name=village_name,
        survey_url=round_code_page(base_url, round_id),
        contact=contact,
    )
    return _render(html, len(codes), progress)


def page_letters_pdf(
    title: str,
    codes: list[IssuedCode],
    *,
    village_name: str,
    code_page_url: str,
    contact: str | None = None,
) -> bytes:
    """Letters for a plugin's participation method (needs an app context): the QR code opens
    ``code_page_url`` (an absolute address) with the code filled in."""
    html = render_template(
        "print/plugin_letters.html",
        title=title,
        letters=_letters(codes, lambda code: f"{code_page_url}?c={code.replace('-', '')}"),
        village_name=village_name,
        survey_url=code_page_url,
        contact=contact,
    )
    return _render(html, len(codes), None)


def _letters(codes: list[IssuedCode], url_of: Callable[[str], str]) -> list[dict[str, Any]]:
    return [
        {"code": issued.code, "household": issued.household, "qr": qr_data_uri(url_of(issued.code))}
        for issued in codes
    ]


def _render(html: str, count: int, progress: Callable[[str], None] | None) -> bytes:
    return render_pdf(
        html,
        static_dir=static_dir(),
        timeout=60 + SECONDS_PER_LETTER * count,
        progress=progress,
    )
