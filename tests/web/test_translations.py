"""Dutch by default, English complete: the catalogue matches the source and the pages use it.

Message ids are Dutch, so Dutch needs no catalogue (Flask-Babel shows the msgid). The English
catalogue must hold every msgid found in the source, translated, not fuzzy, with the same
placeholders, and the committed .mo must be the compiled .po.
Fix a failure with ``python scripts/translations.py`` and translate what it lists.
"""

from __future__ import annotations

import importlib.util
import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

from vliegwiel.core.resources import translations_dir

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = "dorpsenquete"


def _load_script():
    spec = importlib.util.spec_from_file_location("translations", ROOT / "scripts/translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


translations = _load_script()


@pytest.fixture(scope="module")
def source_messages():
    return translations.extract()


@pytest.fixture(scope="module")
def english():
    return translations.read_catalog(translations.po_path("en"), "en")


def test_the_app_reads_the_catalogues_the_script_writes():
    assert translations.TRANSLATIONS == translations_dir()
    assert (translations_dir() / "en" / "LC_MESSAGES" / "messages.mo").is_file()


def test_extraction_finds_the_ui_strings(source_messages):
    # Guards the guard: an extraction that found nothing would make the next test pass.
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in source_messages if m.id}
    for known in ("Volgende", "Versturen", "Welkom bij %(village)s", "Inloggen"):
        assert known in ids
    assert len(ids) > 150


def test_every_source_message_is_translated_into_english(source_messages, english):
    missing = [m.id for m in source_messages if m.id and m.id not in english]
    problems = [f"not in the catalogue: {m!r}" for m in missing]
    problems += translations.untranslated(english)
    assert not problems, "run scripts/translations.py, then translate:\n" + "\n".join(problems)


def test_compiled_catalogue_is_the_current_po(english, tmp_path):
    committed = translations.po_path("en").with_suffix(".mo")
    fresh = tmp_path / "messages.mo"
    fresh.write_bytes(translations.compile_mo(english))

    def messages(path: Path) -> dict:
        catalog = read_mo(BytesIO(path.read_bytes()))
        # Plural entries come back as lists: make them comparable (and hashable).
        return {
            (tuple(m.id) if isinstance(m.id, list | tuple) else m.id): (
                tuple(m.string) if isinstance(m.string, list | tuple) else m.string
            )
            for m in catalog
            if m.id
        }

    assert messages(committed) == messages(fresh), (
        "messages.mo is stale: run `python scripts/translations.py compile`"
    )


def _language_switch(html: str) -> list[str]:
    nav = re.search(r'<nav class="language"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no language switch on the page"
    return re.findall(r'href="\?taal=(\w+)"[^>]*>([^<]+)<', nav.group(1))


def test_every_resident_page_has_a_visible_language_switch(client):
    pages = ["/", "/privacy", f"/enquete/{EXAMPLE}", f"/enquete/{EXAMPLE}/pagina/1", "/niets"]
    client.post_form(f"/enquete/{EXAMPLE}/pagina/1", {"leeftijd": "45_64", "action": "next"})
    pages += [f"/enquete/{EXAMPLE}/pagina/2", f"/enquete/{EXAMPLE}/controle"]
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert ("en", "English") in _language_switch(response.get_data(as_text=True)), path


def test_dutch_is_the_default(client):
    html = client.get(f"/enquete/{EXAMPLE}").get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "Dorpsenquête" in html and "Begin de enquête" in html
    assert "Deze enquête heeft ongeveer 6 pagina's." in html
    assert "Village survey" not in html


def test_english_survey_texts_and_interface(client):
    html = client.get(f"/enquete/{EXAMPLE}?taal=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Village survey" in html and "What is it like to live in our village?" in html
    assert "Start the survey" in html and "This survey has about 6 pages." in html
    assert "Begin de enquête" not in html
    assert ("nl", "Nederlands") in _language_switch(html)

    # The choice sticks for the rest of the visit, error messages included.
    response = client.post_form(f"/enquete/{EXAMPLE}/pagina/1", {"action": "next"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "How old are you?" in html and "Under 25" in html
    assert "Check your answers" in html and "Next" in html and "(required)" in html
    assert "This question is required. Please give an answer." in html
    assert "Volgende" not in html and "Wat is uw leeftijd?" not in html


def test_switching_back_to_dutch(client):
    client.get("/?taal=en")
    assert "Welcome to" in client.get("/").get_data(as_text=True)
    html = client.get("/?taal=nl").get_data(as_text=True)
    assert "Welkom bij" in html and '<html lang="nl">' in html
