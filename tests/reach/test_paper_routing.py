"""The paper form as paper questionnaires print it (issue 19): routing next to the answers,
conditions in words, and grids that stay on an A4 page. Every check reads the real PDF back."""

from __future__ import annotations

import re

import pypdfium2
from conftest import write_survey
from pdf_reading import pdf_page_images, pdf_text

#: The Burgerpeiling's satisfaction grid: six answer columns, long statements.
GRID = """\
id: voorzieningen
title: Voorzieningen
pages:
  - id: een
    questions:
      - id: vz03
        type: matrix
        text: In hoeverre bent u tevreden over de volgende voorzieningen in uw buurt?
        statements:
          - {id: winkels, text: Winkels voor dagelijkse boodschappen}
          - id: zorg
            text: >-
              (Gezondheids-) zorgvoorzieningen (zoals huisartsenpost, gezondheidscentrum,
              centrum voor jeugd en gezin, verzorgingstehuis)
          - {id: ov, text: Openbaar vervoer}
        options:
          - zeer tevreden
          - tevreden
          - niet tevreden / niet ontevreden
          - ontevreden
          - zeer ontevreden
          - weet niet / geen mening
"""

ROUTING = """\
id: route
title: Routing
pages:
  - id: een
    questions:
      - id: wonen
        type: yes_no
        text: Woont u in het dorp?
        end_if: {question: wonen, equals: nee}
      - id: contact
        type: single_choice
        text: Heeft u contact gehad met de gemeente?
        options:
          - {value: "1", label: ja}
          - {value: "2", label: nee}
      - id: onderwerp
        type: short_text
        text: Waarover?
        show_if: {question: contact, equals: "1"}
      - id: tevreden
        type: yes_no
        text: Was u tevreden?
        show_if: {question: contact, equals: "1"}
      - {id: bus, type: yes_no, text: "Neemt u de bus?"}
      - {id: fiets, type: yes_no, text: "Fietst u?"}
      - {id: auto, type: yes_no, text: "Rijdt u auto?"}
      - id: vervoer_waarom
        type: short_text
        text: Waarom reist u zo?
        show_if:
          any:
            - {question: bus, equals: ja}
            - {question: fiets, equals: ja}
            - {question: auto, equals: ja}
      - {id: slot, type: short_text, text: "Nog iets?"}
"""

MM = 72 / 25.4  # PDF points per millimetre


def _paper(client, instance_dir, text: str, survey_id: str) -> bytes:
    write_survey(instance_dir, text, f"{survey_id}.yaml")
    client.login("beheerder")
    response = client.get(f"/beheer/enquete/{survey_id}/papier.pdf")
    assert response.status_code == 200
    return response.data


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_a_six_column_grid_stays_on_the_a4_page(client, instance_dir):
    pdf = _paper(client, instance_dir, GRID, "voorzieningen")
    text = _flat(pdf_text(pdf))
    # Every answer column can be read: its label (in the header or the legend) is printed.
    for label in ("zeer tevreden", "niet tevreden / niet ontevreden", "weet niet / geen mening"):
        assert label in text
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        width, _height = page.get_size()
        chars = page.get_textpage()
        boxes = [chars.get_charbox(i) for i in range(chars.count_chars())]
    finally:
        document.close()
    # No character runs past the right margin (20 mm; a little slack for rounding).
    assert max(right for _left, _bottom, right, _top in boxes) <= width - 18 * MM
    # And no ink at all: the last column's boxes and the grid's right border are on the page.
    image = pdf_page_images(pdf, scale=2)[0].convert("L")
    margin = int(18 * MM * 2)
    strip = image.crop((image.width - margin, 0, image.width, image.height))
    assert strip.getextrema()[0] > 200, "something is printed in the right margin"
    # Six tick boxes per statement row: count the dark runs across the "Openbaar vervoer" row.
    assert _boxes_in_row(pdf, "Openbaar vervoer") == 6


def _boxes_in_row(pdf: bytes, label: str) -> int:
    """Tick boxes right of a statement, counted from the pixels of the rendered row."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        chars = page.get_textpage()
        start, count = chars.search(label).get_next()
        _left, bottom, _r, top = chars.get_charbox(start)
        _l, _b, right, _t = chars.get_charbox(start + count - 1)
        _width, height = page.get_size()
    finally:
        document.close()
    scale = 3
    image = pdf_page_images(pdf, scale=scale)[0].convert("L")
    y = int((height - (bottom + top) / 2) * scale)
    row = [image.getpixel((x, y)) < 128 for x in range(int((right + 2 * MM) * scale), image.width)]
    runs = sum(1 for i, dark in enumerate(row) if dark and (i == 0 or not row[i - 1]))
    # Right of the statement: its cell's border, then per answer column a box (two edges)
    # and the column's right border.
    assert (runs - 1) % 3 == 0, runs
    return (runs - 1) // 3


def test_routing_is_printed_next_to_the_answer_and_conditions_read_in_order(client, instance_dir):
    text = _flat(pdf_text(_paper(client, instance_dir, ROUTING, "route")))
    # The answer that skips questions says where to go; the one that ends says so.
    assert "nee → ga naar vraag 5" in text
    assert "Nee → einde vragenlijst" in text
    # A question for some residents says for whom, with the question and the answer.
    assert "Alleen invullen als u bij vraag 2 „ja” koos. 3. Waarover?" in text
    # A compound condition names its questions in the order they are asked.
    assert (
        "Alleen invullen als u bij vraag 5 „Ja” koos of bij vraag 6 „Ja” koos of bij vraag 7 "
        "„Ja” koos. 8. Waarom reist u zo?"
    ) in text
    assert "Sla hem over" not in text and "hoort bij uw antwoord" not in text
