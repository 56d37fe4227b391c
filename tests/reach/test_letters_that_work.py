"""Letters a village can post: an address residents reach, a place name, no code a survey does
not ask for, and a reminder with the same code. Every letter is read back from the real PDF."""

from __future__ import annotations

import io
import re

import pytest
from access_helpers import add_survey, text_of
from click.testing import CliRunner
from pdf_reading import decode_qr_codes, pdf_page_count, pdf_page_images, pdf_text

from vliegwiel.cli.main import main
from vliegwiel.core.instance import init_instance
from vliegwiel.reach.codes import codes_collection
from vliegwiel.reach.letters import base_url_problem

CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def page_texts(pdf: bytes) -> list[str]:
    import pypdf

    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def codes_cli(instance, scope: str, out, *extra: str):
    args = ["codes", scope, "--instance", str(instance), "-o", str(out), *extra]
    return CliRunner().invoke(main, args)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", "unset"),
        ("http://127.0.0.1:8000", "local"),
        ("http://127.9.9.9", "local"),
        ("http://localhost:8000/", "local"),
        ("http://dorp.localhost", "local"),
        ("http://[::1]:8000", "local"),
        ("http://0.0.0.0:8000", "local"),
        ("http://[::ffff:127.0.0.1]", "local"),
        ("ftp://dorp.nl", "invalid"),
        ("enquete.dorp.nl", "invalid"),
        ("https://enquete.dorp.nl", None),
        ("http://192.168.1.20:8000", None),
    ],
)
def test_which_addresses_a_letter_may_print(url, problem):
    assert base_url_problem(url) == problem
    assert base_url_problem(url, allow_local=True) == (problem if problem != "local" else None)


def test_a_fresh_instance_refuses_letters_until_base_url_is_set(tmp_path):
    instance = init_instance(tmp_path / "nieuw", "Nieuwdorp")
    assert "\n# base_url = " in (instance / "vliegwiel.toml").read_text(encoding="utf-8")
    add_survey(instance, "buurt")
    out = tmp_path / "brieven.pdf"
    refused = codes_cli(instance, "buurt", out, "--count", "2")
    assert refused.exit_code == 1
    [line] = [x for x in refused.output.splitlines() if x.strip()]
    assert "vliegwiel codes buurt --base-url URL" in line and "base_url" in line
    assert str(instance / "vliegwiel.toml") in line
    assert not out.exists()

    made = codes_cli(instance, "buurt", out, "--count", "1", "--base-url", "https://nieuw.nl")
    assert made.exit_code == 0, made.output
    [code] = CODE.findall(pdf_text(out.read_bytes()))
    [image] = pdf_page_images(out.read_bytes(), scale=2)
    assert decode_qr_codes(image) == [f"https://nieuw.nl/code/buurt?c={code.replace('-', '')}"]


def test_a_loopback_base_url_is_refused_in_the_cli_and_nothing_is_stored(instance_dir, tmp_path):
    add_survey(instance_dir, "buurt")
    out = tmp_path / "brieven.pdf"
    for url in ("http://127.0.0.1:8000", "http://localhost:8800", "http://[::1]"):
        refused = codes_cli(instance_dir, "buurt", out, "--count", "2", "--base-url", url)
        assert refused.exit_code == 1
        assert f"{url} is alleen op deze computer te bereiken" in refused.output
        assert "--base-url URL" in refused.output
    # The setting itself is checked the same way.
    config = instance_dir / "vliegwiel.toml"
    text = config.read_text(encoding="utf-8").replace(
        'base_url = "https://testdorp.example.nl"', 'base_url = "http://127.0.0.1:8000"'
    )
    config.write_text(text, encoding="utf-8")
    refused = codes_cli(instance_dir, "buurt", out, "--count", "2")
    assert refused.exit_code == 1 and "alleen op deze computer te bereiken" in refused.output
    assert not out.exists()

    from vliegwiel.core.village import build_village

    assert build_village(instance_dir).storage.count(codes_collection("buurt")) == 0


def test_the_letters_page_explains_a_loopback_base_url_and_makes_nothing(instance_dir, make_app):
    add_survey(instance_dir, "buurt")
    config = instance_dir / "vliegwiel.toml"
    text = config.read_text(encoding="utf-8").replace(
        'base_url = "https://testdorp.example.nl"', 'base_url = "http://127.0.0.1:8000"'
    )
    config.write_text(text, encoding="utf-8")
    app = make_app()
    organiser = app.test_client()
    organiser.login("beheerder")
    page = text_of(organiser.get("/beheer/enquete/buurt/codes"))
    assert "Er kunnen nog geen brieven worden gemaakt" in page
    assert "http://127.0.0.1:8000: dat werkt alleen op deze computer" in page
    assert "vliegwiel.toml" in page and "vliegwiel codes buurt --base-url ADRES" in page
    assert "Brieven maken (PDF)" not in page
    # A forged POST makes nothing either.
    response = organiser.post_form("/beheer/enquete/buurt/codes", {"count": "3"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert app.extensions["vliegwiel"].storage.count(codes_collection("buurt")) == 0


def test_demo_letters_carry_the_demos_own_address(tmp_path):
    demo = tmp_path / "demo"
    made = CliRunner().invoke(
        main, ["demo", "--dir", str(demo), "--no-serve", "--responses", "0", "--port", "8800"]
    )
    assert made.exit_code == 0, made.output
    add_survey(demo, "buurt")
    out = tmp_path / "brieven.pdf"
    result = codes_cli(demo, "buurt", out, "--count", "1")
    assert result.exit_code == 0, result.output
    pdf = out.read_bytes()
    [code] = CODE.findall(pdf_text(pdf))
    assert "http://127.0.0.1:8800/code/buurt" in pdf_text(pdf)
    [image] = pdf_page_images(pdf, scale=2)
    assert decode_qr_codes(image) == [f"http://127.0.0.1:8800/code/buurt?c={code.replace('-', '')}"]


def test_the_address_block_ends_with_the_place_from_the_list_or_the_setting(instance_dir, tmp_path):
    add_survey(instance_dir, "buurt")
    addresses = tmp_path / "adressen.csv"
    addresses.write_text(
        "straat;huisnummer;postcode;woonplaats\n"
        "Kerkstraat;1;1234 AB;Oosterwolde\n"
        "Dijk;7a;1234 AC\n",
        encoding="utf-8",
    )
    out = tmp_path / "brieven.pdf"
    result = codes_cli(instance_dir, "buurt", out, "--addresses", str(addresses))
    assert result.exit_code == 0, result.output
    first, second = page_texts(out.read_bytes())
    assert re.search(r"Kerkstraat 1\s*\n\s*1234 AB\s+OOSTERWOLDE", first)
    # Without a place column: the village name (the default of [village] place).
    assert re.search(r"Dijk 7a\s*\n\s*1234 AC\s+TESTDORP", second)

    config = instance_dir / "vliegwiel.toml"
    text = config.read_text(encoding="utf-8").replace(
        '# place = "Achterveld"', 'place = "Veenhuizen"'
    )
    config.write_text(text, encoding="utf-8")
    out.unlink()
    assert codes_cli(instance_dir, "buurt", out, "--addresses", str(addresses)).exit_code == 0
    first, second = page_texts(out.read_bytes())
    assert "OOSTERWOLDE" in first and re.search(r"1234 AC\s+VEENHUIZEN", second)


def test_an_open_survey_gets_letters_without_a_code_and_says_how_to_switch(
    instance_dir, make_app, tmp_path
):
    add_survey(instance_dir, "buurt", access="open")
    out = tmp_path / "brieven.pdf"
    result = codes_cli(instance_dir, "buurt", out, "--count", "2")
    assert result.exit_code == 0, result.output
    assert "access: open" in result.output and "'access: code'" in result.output
    pdf = out.read_bytes()
    assert pdf_page_count(pdf) == 2
    text = pdf_text(pdf)
    assert not CODE.search(text) and "Vul deze code in" not in text
    assert "code van deze brief" not in text
    assert "U heeft geen code nodig" in text
    assert "https://testdorp.example.nl/enquete/buurt" in text.replace("\n", "")
    for image in pdf_page_images(pdf, scale=2):
        assert decode_qr_codes(image) == ["https://testdorp.example.nl/enquete/buurt"]

    app = make_app()
    assert app.extensions["vliegwiel"].storage.count(codes_collection("buurt")) == 0
    organiser = app.test_client()
    organiser.login("beheerder")
    page = text_of(organiser.get("/beheer/enquete/buurt/codes"))
    assert "De brieven krijgen daarom geen code" in page
    assert "Zet dan access: code in de enquête" in page
    response = organiser.post_form("/beheer/enquete/buurt/codes", {"count": "1"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "U heeft geen code nodig" in pdf_text(response.data)
    assert app.extensions["vliegwiel"].storage.count(codes_collection("buurt")) == 0


def test_reminders_repeat_each_code_after_all_invitations(instance_dir, make_app, tmp_path):
    add_survey(instance_dir, "buurt")
    addresses = tmp_path / "adressen.csv"
    addresses.write_text("Kerkstraat;1;1234 AB\nKerkstraat;3;1234 AB\n", encoding="utf-8")
    out = tmp_path / "brieven.pdf"
    result = codes_cli(instance_dir, "buurt", out, "--addresses", str(addresses), "--reminders")
    assert result.exit_code == 0, result.output
    assert "pagina's 3-4 de herinneringen" in result.output
    texts = page_texts(out.read_bytes())
    assert len(texts) == 4
    invitations, reminders = texts[:2], texts[2:]
    for invitation, reminder, address in zip(
        invitations, reminders, ["Kerkstraat 1", "Kerkstraat 3"], strict=True
    ):
        assert address in invitation and address in reminder
        assert "Al ingevuld?" not in invitation and "Doe mee" in invitation
        assert "Herinnering" in reminder and "Al ingevuld? Dank u wel!" in reminder
        assert "Iedereen krijgt deze herinnering" in reminder
        assert CODE.findall(invitation) == CODE.findall(reminder)
    # Two households, two codes: the reminders add none.
    app = make_app()
    assert app.extensions["vliegwiel"].storage.count(codes_collection("buurt")) == 2

    organiser = app.test_client()
    organiser.login("beheerder")
    response = organiser.post_form("/beheer/enquete/buurt/codes", {"count": "1", "reminders": "y"})
    assert response.status_code == 200
    first, second = page_texts(response.data)
    assert CODE.findall(first) == CODE.findall(second) and "Dank u wel" in second
