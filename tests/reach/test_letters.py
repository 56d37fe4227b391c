"""Letters read back from the PDF: one page per household, QR codes that open the code page."""

from __future__ import annotations

import io
import re

import pytest
from access_helpers import add_survey, enter_code, text_of
from click.testing import CliRunner
from pdf_reading import decode_qr_codes, pdf_page_count, pdf_page_images, pdf_text

from vliegwiel.cli.main import main
from vliegwiel.reach.codes import codes_collection

CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
ADDRESSES = (
    "straat;huisnummer;postcode\nKerkstraat;1;1234 AB\nKerkstraat;3;1234 AB\nDijk;7a;1234 AC\n"
)


@pytest.fixture
def code_app(instance_dir, make_app):
    add_survey(instance_dir, "buurt")
    return make_app()


def upload(client, text: str, **fields):
    data = {"addresses": (io.BytesIO(text.encode()), "adressen.csv"), **fields}
    return client.post_form("/beheer/enquete/buurt/codes", data, content_type="multipart/form-data")


def page_texts(pdf: bytes) -> list[str]:
    import pypdf

    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_letters_from_an_address_list_one_page_each_with_a_working_qr_code(code_app):
    village = code_app.extensions["vliegwiel"]
    organiser = code_app.test_client()
    organiser.login("beheerder")
    response = upload(organiser, ADDRESSES, contact="Dorpshuis De Linde")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = response.data
    assert pdf_page_count(pdf) == 3
    texts = page_texts(pdf)
    images = pdf_page_images(pdf, scale=2)
    base = village.config.base_url
    codes = []
    for text, image, address in zip(
        texts, images, ["Kerkstraat 1", "Kerkstraat 3", "Dijk 7a"], strict=True
    ):
        assert address in text and "Testdorp" in text and "Dorpshuis De Linde" in text
        [code] = CODE.findall(text)
        assert decode_qr_codes(image) == [f"{base}/code/buurt?c={code.replace('-', '')}"]
        codes.append(code)
    assert len(set(codes)) == 3
    assert village.storage.count(codes_collection("buurt")) == 3
    counts = text_of(organiser.get("/beheer/enquete/buurt/codes"))
    assert "Kerkstraat 2 0 2" in counts and "Dijk 1 0 1" in counts
    # A printed code opens the survey.
    assert enter_code(code_app.test_client(), codes[1]).status_code == 302


def test_an_address_list_with_bad_rows_generates_nothing(code_app):
    village = code_app.extensions["vliegwiel"]
    organiser = code_app.test_client()
    organiser.login("beheerder")
    bad = "Kerkstraat;1;1234 AB\nKerkstraat;;1234 AB\nDijk;7;99\nDijk;8;1234 AC\nDijk;8;1234 AC\n"
    response = upload(organiser, bad)
    assert response.status_code == 400
    page = text_of(response)
    assert "geen codes gemaakt" in page
    for line in (2, 3, 5):
        assert f"Regel {line}:" in page
    assert "Regel 1:" not in page and "Regel 4:" not in page
    assert "Regel 2: het huisnummer ontbreekt" in page
    assert "99&#39; is geen Nederlandse postcode (zoals 1234 AB)" in page
    assert "Regel 5: zelfde adres als regel 4" in page
    assert village.storage.count(codes_collection("buurt")) == 0


def test_cli_writes_letters_and_refuses_bad_address_lists(code_app, instance_dir, tmp_path):
    village = code_app.extensions["vliegwiel"]
    runner = CliRunner()
    out = tmp_path / "brieven.pdf"
    args = ["codes", "buurt", "--instance", str(instance_dir), "-o", str(out)]
    result = runner.invoke(main, [*args, "--count", "2"])
    assert result.exit_code == 0, result.output
    assert pdf_page_count(out.read_bytes()) == 2
    assert len(CODE.findall(pdf_text(out.read_bytes()))) == 2
    assert village.storage.count(codes_collection("buurt")) == 2

    csv = tmp_path / "adressen.csv"
    csv.write_text("Kerkstraat,1,1234 AB\nKerkstraat,x,1234 AB\n", encoding="utf-8")
    out.unlink()
    failed = runner.invoke(main, [*args, "--addresses", str(csv)])
    assert failed.exit_code == 1
    assert f"{csv}:2:" in failed.output and "er zijn geen codes gemaakt" in failed.output
    assert not out.exists()
    assert village.storage.count(codes_collection("buurt")) == 2
