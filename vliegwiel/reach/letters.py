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

import io
import ipaddress
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

import segno
from flask import render_template
from markupsafe import Markup
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from vliegwiel.core.pdf import PdfRenderError, render_pdf
from vliegwiel.core.resources import static_dir
from vliegwiel.reach.codes import Household, IssuedCode
from vliegwiel.surveys.schema import Survey

#: The render time limit per letter: about 0.1 s on an idle machine, several times that on
#: a busy one; leave generous room.
SECONDS_PER_LETTER = 1.0


class LetterTooLongError(PdfRenderError):
    """The letter's text does not fit on one A4 page (a long survey intro)."""

    code = "letter_too_long"


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
) -> list[str]:
    """The letters as HTML documents (needs an app context for templates and gettext): the
    letter's text once (and the reminder's, with ``reminders``), then the household parts of
    every letter (address, code, QR code) as one document; ``letters_pdf`` lays them over
    each other.

    For a survey with ``access: open`` no code is printed (the survey will not ask for one):
    pass ``without_codes(households)`` and store nothing. ``place`` is the woonplaats for
    addresses without their own; ``reminders`` adds, after all invitations, one reminder per
    household with the same code.
    """
    with_code = survey.access == "code"
    url = survey_url(base_url, survey.id, with_code=with_code)
    # An open survey's letters all point to the same address: one QR code, on the text page.
    shared_qr = None if with_code else qr_svg(url)
    context = {
        "survey": survey,
        "village_name": village_name,
        "survey_url": url,
        "contact": contact,
        "with_code": with_code,
        "shared_qr": shared_qr,
    }
    pages = [render_template("print/letters.html", reminder=False, **context)]
    if reminders:
        pages.append(render_template("print/letters.html", reminder=True, **context))
    letters = (
        _letters(codes, lambda code: code_url(base_url, survey.id, code))
        if with_code
        else [{"code": None, "household": c.household, "qr": None} for c in codes]
    )
    slots = render_template(
        "print/letter_slots.html",
        letters=letters * len(pages),
        place=place or village_name,
    )
    return [*pages, slots]


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
    *pages, slots = letters_html(
        survey,
        codes,
        village_name=village_name,
        base_url=base_url,
        contact=contact,
        place=place,
        reminders=reminders,
    )
    return _render(pages, slots, len(codes), progress)


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
    return _code_letters_pdf(
        "print/round_letters.html",
        {"round": round_record},
        codes,
        code_page_url=round_code_page(base_url, round_id),
        url_of=lambda code: round_code_url(base_url, round_id, code),
        village_name=village_name,
        contact=contact,
        place=place,
        progress=progress,
    )


def page_letters_pdf(
    title: str,
    codes: list[IssuedCode],
    *,
    village_name: str,
    code_page_url: str,
    contact: str | None = None,
    place: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> bytes:
    """Letters for a plugin's participation method (needs an app context): the QR code opens
    ``code_page_url`` (an absolute address) with the code filled in."""
    return _code_letters_pdf(
        "print/plugin_letters.html",
        {"title": title},
        codes,
        code_page_url=code_page_url,
        url_of=lambda code: f"{code_page_url}?c={code.replace('-', '')}",
        village_name=village_name,
        contact=contact,
        place=place,
        progress=progress,
    )


def _code_letters_pdf(
    template: str,
    context: dict[str, Any],
    codes: list[IssuedCode],
    *,
    code_page_url: str,
    url_of: Callable[[str], str],
    village_name: str,
    contact: str | None,
    place: str | None,
    progress: Callable[[str], None] | None,
) -> bytes:
    """Letters whose code is a household's key for a whole method (a round, a plugin's
    participation): one text page, never a reminder, every letter with its code and QR code."""
    page = render_template(
        template,
        village_name=village_name,
        survey_url=code_page_url,
        contact=contact,
        with_code=True,
        shared_qr=None,
        reminder=False,
        **context,
    )
    slots = render_template(
        "print/letter_slots.html",
        letters=_letters(codes, url_of),
        place=place or village_name,
    )
    return _render([page], slots, len(codes), progress)


def _letters(codes: list[IssuedCode], url_of: Callable[[str], str]) -> list[dict[str, Any]]:
    return [
        {"code": issued.code, "household": issued.household, "qr": qr_svg(url_of(issued.code))}
        for issued in codes
    ]


def _render(
    pages: list[str], slots: str, count: int, progress: Callable[[str], None] | None
) -> bytes:
    """Render the text page(s) once and the household parts of every letter, then lay each
    text page under its ``count`` household pages.

    Laying out the same text 500 times was most of the time a letters PDF took; now the text
    is laid out and stored once (a form XObject every page draws), and the 500 pages hold
    only an address, a code and a QR code. Both documents use letters.css, where the parts
    sit at fixed places, so they line up.
    """
    texts = [render_pdf(page, static_dir=static_dir(), timeout=60) for page in pages]
    if any(len(PdfReader(io.BytesIO(text)).pages) != 1 for text in texts):
        raise LetterTooLongError(
            "the letter's text does not fit on one A4 page: shorten the survey's intro"
        )
    households = render_pdf(
        slots,
        static_dir=static_dir(),
        timeout=60 + SECONDS_PER_LETTER * count * len(pages),
        progress=progress,
    )
    return _stack(texts, households, count)


def _stack(texts: list[bytes], households: bytes, count: int) -> bytes:
    """Draw ``texts[i]`` (one page each) under household pages ``i * count`` to
    ``(i + 1) * count - 1``. The inputs are our own renders, never uploaded PDFs."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(households)))
    forms = []
    for text in texts:
        page = PdfReader(io.BytesIO(text)).pages[0]
        form = StreamObject()
        form.set_data(page.get_contents().get_data())
        form.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): page.mediabox,
                NameObject("/Resources"): page["/Resources"].clone(writer),
            }
        )
        forms.append(writer._add_object(form))
    for number, page in enumerate(writer.pages):
        resources = page["/Resources"].get_object()
        # WeasyPrint shares one resources dictionary between pages: give each its own copy.
        own = DictionaryObject(resources)
        xobjects = DictionaryObject(own.get("/XObject", DictionaryObject()).get_object())
        xobjects[NameObject("/VwLetterText")] = forms[min(number // count, len(forms) - 1)]
        own[NameObject("/XObject")] = xobjects
        page[NameObject("/Resources")] = own
        under = StreamObject()
        under.set_data(b"q /VwLetterText Do Q\n")
        contents = page["/Contents"]
        layers = ArrayObject([writer._add_object(under)])
        current = contents.get_object()
        if isinstance(current, ArrayObject):
            layers.extend(current)
        elif isinstance(contents, IndirectObject):
            layers.append(contents)
        else:
            layers.append(writer._add_object(current))
        page[NameObject("/Contents")] = layers
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
