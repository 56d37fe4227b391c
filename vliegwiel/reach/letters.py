"""Invitation letters: one A4 page per household with its code and a QR code, as a PDF.

The QR code opens ``<base_url>/code/<survey>?c=<CODE>`` (for a participation round
``<base_url>/ronde/<round>/code?c=<CODE>``), the code page with the code filled in. A code
in a URL lands in the browser history of whoever scans it; on a letter that already lies on
the kitchen table that is an acceptable trade-off, and once used a survey code is worthless
(a round's code is never used up: it is the household's key for the whole round, on any
device). A survey with ``access: open`` asks for no code, so its letters carry none: the
survey's address and a QR code to it.

Letters are printed on paper and read on other devices, so ``base_url`` must be an address
residents can reach: ``base_url_problem`` refuses an unset one and a loopback one
(``127.0.0.0/8``, ``::1``, ``localhost``) unless ``[server] allow_local_base_url`` is set
(the demo does, for its own address).

Speed: all letters are one HTML document and one WeasyPrint render; each QR code is inline
SVG (one path, drawn once per code); the layout avoids flexbox, whose min-content passes
made a letter about three times slower to lay out.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

import segno
from flask import render_template
from markupsafe import Markup

from vliegwiel.core.pdf import render_pdf
from vliegwiel.core.resources import static_dir
from vliegwiel.reach.codes import Household, IssuedCode
from vliegwiel.surveys.schema import Survey

#: The render time limit per letter: about 0.1 s on an idle machine, several times that on
#: a busy one; leave generous room.
SECONDS_PER_LETTER = 1.0


def base_url_problem(base_url: str | None, *, allow_local: bool = False) -> str | None:
    """Why letters cannot print ``base_url``: "unset", "invalid" or "local"; None when fine.

    "local" is an address only this computer reaches: loopback (127.0.0.0/8, ::1),
    ``localhost`` (and ``*.localhost``) or the unspecified 0.0.0.0/::. ``allow_local``
    (``[server] allow_local_base_url``) lets the demo print its own address.
    """
    if not base_url or not base_url.strip():
        return "unset"
    try:
        parts = urlsplit(base_url.strip())
        host = parts.hostname
    except ValueError:
        return "invalid"
    if parts.scheme not in ("http", "https") or not host:
        return "invalid"
    if allow_local:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return "local"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if address.is_loopback or address.is_unspecified:
        return "local"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        mapped = address.ipv4_mapped
        if mapped.is_loopback or mapped.is_unspecified:
            return "local"
    return None


def survey_url(base_url: str, survey_id: str, *, with_code: bool) -> str:
    """The address a letter prints: the code page of a code survey, else the survey itself."""
    page = "code" if with_code else "enquete"
    return f"{base_url.rstrip('/')}/{page}/{quote(survey_id)}"


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


def qr_svg(url: str) -> Markup:
    """The QR code as inline SVG markup: one vector path, sharp on any printer.

    Error level M survives a coffee stain. Inline SVG laid out faster than PNG or SVG
    ``data:`` URLs in WeasyPrint (bench/bench_letters.py) and needs no URL fetch at all.
    """
    svg = segno.make(url, error="m").svg_inline(border=4, omitsize=True, svgclass="qr-svg")
    return Markup(svg)


def without_codes(households: list[Household]) -> list[IssuedCode]:
    """Letters for an ``access: open`` survey: the households, no code generated."""
    return [IssuedCode("", household) for household in households]


def letters_html(
    survey: Survey,
    codes: list[IssuedCode],
    *,
    village_name: str,
    base_url: str,
    contact: str | None = None,
    place: str | None = None,
    reminders: bool = False,
) -> str:
    """The letters as one HTML document (needs an app context for templates and gettext).

    For a survey with ``access: open`` no code is printed (the survey will not ask for one):
    pass ``without_codes(households)`` and store nothing.
    ``place`` is the woonplaats for addresses without their own; ``reminders`` adds, after
    all invitations, one reminder per household with the same code.
    """
    with_code = survey.access == "code"
    if with_code:
        letters = _letters(codes, lambda code: code_url(base_url, survey.id, code))
    else:
        # The same address on every letter: one QR code for all of them.
        shared = qr_svg(survey_url(base_url, survey.id, with_code=False))
        letters = [{"code": None, "household": c.household, "qr": shared} for c in codes]
    return render_template(
        "print/letters.html",
        survey=survey,
        letters=letters,
        village_name=village_name,
        survey_url=survey_url(base_url, survey.id, with_code=with_code),
        contact=contact,
        place=place or village_name,
        reminders=reminders,
    )


def letters_pdf(
    survey: Survey,
    codes: list[IssuedCode],
    *,
    village_name: str,
    base_url: str,
    contact: str | None = None,
    place: str | None = None,
    reminders: bool = False,
    progress: Callable[[str], None] | None = None,
) -> bytes:
    html = letters_html(
        survey,
        codes,
        village_name=village_name,
        base_url=base_url,
        contact=contact,
        place=place,
        reminders=reminders,
    )
    return _render(html, len(codes) * (2 if reminders else 1), progress)


def round_letters_pdf(
    round_record: dict[str, Any],
    codes: list[IssuedCode],
    *,
    village_name: str,
    base_url: str,
    contact: str | None = None,
    place: str | None = None,
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
        place=place or village_name,
        reminders=False,
    )
    return _render(html, len(codes), progress)


def _letters(codes: list[IssuedCode], url_of: Callable[[str], str]) -> list[dict[str, Any]]:
    return [
        {"code": issued.code, "household": issued.household, "qr": qr_svg(url_of(issued.code))}
        for issued in codes
    ]


def _render(html: str, count: int, progress: Callable[[str], None] | None) -> bytes:
    return render_pdf(
        html,
        static_dir=static_dir(),
        timeout=60 + SECONDS_PER_LETTER * count,
        progress=progress,
    )
