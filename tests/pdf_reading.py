"""Read generated PDFs back the way a person would see them: text, pages, pixels, QR codes.

Shared by every PDF test: ``from pdf_reading import pdf_text``. pytest's default "prepend"
import mode puts ``tests/`` on sys.path because it has no ``__init__.py``.
"""

from __future__ import annotations

import io

import pypdf
import pypdfium2
import zxingcpp
from PIL import Image, ImageChops


def pdf_text(pdf_bytes: bytes) -> str:
    """All extractable text, pages joined by newlines."""
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def pdf_page_count(pdf_bytes: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages)


def pdf_attachments(pdf_bytes: bytes) -> dict[str, list[bytes]]:
    """Every embedded file by name: document attachments and file-attachment annotations.

    WeasyPrint makes the first from ``<link rel=attachment>`` and the second from
    ``<a rel=attachment>``; pypdf's ``attachments`` only sees the first.
    """
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    found: dict[str, list[bytes]] = {name: list(data) for name, data in reader.attachments.items()}
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/FileAttachment":
                continue
            spec = annotation["/FS"].get_object()
            name = str(spec.get("/UF") or spec.get("/F") or "attachment")
            found.setdefault(name, []).append(spec["/EF"]["/F"].get_object().get_data())
    return found


def pdf_page_images(pdf_bytes: bytes, scale: float = 2) -> list[Image.Image]:
    """Every page rasterised (scale 1 = 72 dpi), as RGB images."""
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        return [page.render(scale=scale).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def decode_qr_codes(image: Image.Image) -> list[str]:
    """The text of every QR code found in ``image``."""
    return [
        barcode.text
        for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    ]


def count_pixels_near(image: Image.Image, colour: str, tolerance: int = 24) -> int:
    """How many pixels of an RGB image lie within ``tolerance`` of ``colour`` ("#rrggbb")."""
    target = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    # Per channel: 255 where close enough, else 0; a pixel counts when all three are 255.
    masks = [
        band.point(lambda value, want=want: 255 if abs(value - want) <= tolerance else 0)
        for band, want in zip(image.convert("RGB").split(), target, strict=True)
    ]
    combined = ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2])
    return combined.histogram()[255]
