"""Published results of the villages on one server side by side: ``vliegwiel compare
--villages DIR SURVEY`` and the organisers' comparison page on a multi-village server.

Three real villages: two published the village survey (one on TinyDB, one on PostgreSQL),
one did not; what it did not publish must never show up anywhere.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from conftest import csrf_token, unique_village
from werkzeug.test import Client

from vliegwiel.accounts.model import add_user
from vliegwiel.cli.main import main
from vliegwiel.core.instance import init_instance
from vliegwiel.core.village import build_village
from vliegwiel.results.publications import publish
from vliegwiel.results.tallies import set_published
from vliegwiel.surveys.responses import save_response
from vliegwiel.web.app import create_app
from vliegwiel.web.province import create_province

SURVEY = "dorpsenquete"


def _village(parent, folder, name, answers, *, published, database_url=None):
    path = init_instance(parent / folder, name, database_url=database_url)
    if database_url:
        config = path / "vliegwiel.toml"
        text = config.read_text(encoding="utf-8")
        text = text.replace("\n[plugins]", f'village = "{unique_village()}"\n\n[plugins]', 1)
        config.write_text(text, encoding="utf-8")
    village = build_village(path)
    add_user(village.storage, "beheerder", "beheerder", "beheerder-wachtwoord")
    survey = village.surveys.get(SURVEY)
    for leeftijd in answers:
        save_response(village, survey, {"leeftijd": leeftijd, "prettig_wonen": 7})
    if published:
        # Published as a beheerder does: a stored publication (its bundle is what crosses).
        app = create_app(path)
        with app.test_request_context():
            published_village = app.extensions["vliegwiel"]
            publish(published_village, published_village.surveys.get(SURVEY))
    set_published(village.storage, SURVEY, published)
    return path


@pytest.fixture
def province_dir(tmp_path, postgres_url):
    parent = tmp_path / "provincie"
    parent.mkdir()
    # Response counts are multiples of k: a publication counts responses in steps of k.
    _village(parent, "noord", "Noorddorp", ["45_64"] * 5 + ["65_79"] * 5, published=True)
    _village(
        parent,
        "zuid",
        "Zuiddorp",
        ["45_64"] * 9 + ["65_79"] * 6,
        published=True,
        database_url=postgres_url,
    )
    _village(parent, "west", "Westdorp", ["65_79"] * 12, published=False)
    return parent


def test_compare_villages_prints_only_published_results(province_dir):
    result = CliRunner().invoke(main, ["compare", "--villages", str(province_dir), SURVEY])
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[0]
    assert header.split() == ["Noorddorp", "Zuiddorp"]
    assert "Westdorp" not in result.output
    # Noord: 5 of 10 aged 45-64 (50 %); Zuid: 9 of 15 (60 %).
    assert re.search(r"45 tot 65 jaar\s+50%\s+60%", result.output), result.output
    # What each column is: how many answered, and when the village published it.
    assert re.search(r"^Noorddorp: 10 respondenten, gemaakt op \d+ \w+ \d{4}$", result.output, re.M)
    assert re.search(r"^Zuiddorp: 15 respondenten, gemaakt op ", result.output, re.M)


def test_compare_villages_without_any_publication_says_so(province_dir):
    result = CliRunner().invoke(main, ["compare", "--villages", str(province_dir), "nergens"])
    assert result.exit_code == 1
    assert "geen dorp in" in result.output and "heeft een enquête 'nergens'" in result.output
    # A survey the villages have, but none published.
    quiet = province_dir.parent / "stil"
    _village(quiet, "oost", "Oostdorp", ["45_64"] * 5, published=False)
    unpublished = CliRunner().invoke(main, ["compare", "--villages", str(quiet), SURVEY])
    assert unpublished.exit_code == 1
    assert f"heeft de uitslag van '{SURVEY}' gepubliceerd" in unpublished.output
    both = CliRunner().invoke(main, ["compare", "--villages", str(province_dir), "a", "b"])
    assert both.exit_code == 2 and "exactly one SURVEY" in both.output


def test_the_organiser_page_puts_other_published_villages_beside_its_own(province_dir):
    web = Client(create_province(province_dir))
    base = "/west/beheer"
    page = web.get(f"{base}/login").get_data(as_text=True)
    web.post(
        f"{base}/login",
        data={
            "csrf_token": csrf_token(page),
            "username": "beheerder",
            "password": "beheerder-wachtwoord",
        },
    )
    plain = web.get(f"{base}/uitslag/{SURVEY}/vergelijken").get_data(as_text=True)
    assert "Noorddorp" not in plain
    assert f"/west/beheer/uitslag/{SURVEY}/vergelijken?kernen=server" in plain

    response = web.get(f"{base}/uitslag/{SURVEY}/vergelijken?kernen=server")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # West itself did not publish, but its organisers see their own results beside the
    # published ones of the others.
    columns = re.findall(r'<th scope="col" class="num">([^<]+)</th>', html)
    assert columns[:3] == ["Westdorp", "Noorddorp", "Zuiddorp"]

    # Noord's organisers never see West's unpublished results.
    web = Client(create_province(province_dir))
    page = web.get("/noord/beheer/login").get_data(as_text=True)
    web.post(
        "/noord/beheer/login",
        data={
            "csrf_token": csrf_token(page),
            "username": "beheerder",
            "password": "beheerder-wachtwoord",
        },
    )
    html = web.get(f"/noord/beheer/uitslag/{SURVEY}/vergelijken?kernen=server").get_data(
        as_text=True
    )
    columns = re.findall(r'<th scope="col" class="num">([^<]+)</th>', html)
    assert columns[:2] == ["Noorddorp", "Zuiddorp"] and "Westdorp" not in html
