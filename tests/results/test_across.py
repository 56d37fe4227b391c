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
from vliegwiel.results.tallies import set_published
from vliegwiel.surveys.responses import save_response
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
    set_published(village.storage, SURVEY, published)
    return path


@pytest.fixture
def province_dir(tmp_path, postgres_url):
    parent = tmp_path / "provincie"
    parent.mkdir()
    _village(parent, "noord", "Noorddorp", ["45_64"] * 6 + ["65_79"] * 6, published=True)
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
    # Noord: 6 of 12 aged 45-64 (50 %); Zuid: 9 of 15 (60 %).
    assert re.search(r"45 tot 65 jaar\s+50%\s+60%", result.output), result.output


def test_compare_villages_without_any_publication_says_so(province_dir):
    result = CliRunner().invoke(main, ["compare", "--villages", str(province_dir), "nergens"])
    assert result.exit_code == 1
    assert "no village in" in result.output and "'nergens'" in result.output
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
