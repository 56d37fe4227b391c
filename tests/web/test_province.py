"""Many villages on one server: ``vliegwiel serve --villages DIR`` as a real server process,
one village on TinyDB files and one on PostgreSQL, residents and organisers in each.
"""

from __future__ import annotations

import re

import pytest
import requests
from live_server import (
    COLLECTION,
    Resident,
    Server,
    acknowledged,
    instance_storage,
    make_instance,
    token_of,
)
from pg_database import with_password
from werkzeug.test import Client

from vliegwiel.accounts.model import add_user
from vliegwiel.core.village import build_village
from vliegwiel.results.publications import publish
from vliegwiel.results.tallies import set_published
from vliegwiel.web.app import create_app
from vliegwiel.web.province import ProvinceError, create_province

PASSWORD = "beheerder-wachtwoord"


def publish_now(instance, survey_id: str) -> None:
    """Publish a survey's results as a beheerder does: a stored publication, on the site."""
    app = create_app(instance)
    village = app.extensions["vliegwiel"]
    with app.test_request_context():
        publish(village, village.surveys.get(survey_id))
    set_published(village.storage, survey_id, True)


def _login(http: requests.Session, base: str) -> requests.Response:
    page = http.get(f"{base}/beheer/login", timeout=30)
    return http.post(
        f"{base}/beheer/login",
        data={"csrf_token": token_of(page.text), "username": "beheerder", "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )


@pytest.fixture
def province_dir(tmp_path, postgres_url):
    """Two villages: 'noord' on TinyDB files, 'zuid' in the shared PostgreSQL database."""
    villages = tmp_path / "provincie"
    villages.mkdir()
    accounts = {"beheerder": PASSWORD}
    make_instance(villages, name="noord", accounts=accounts)
    make_instance(villages, name="zuid", accounts=accounts, database_url=postgres_url)
    (villages / "province.toml").write_text('[province]\nname = "Provincie Proef"\n')
    return villages


def test_two_villages_one_on_tinydb_one_on_postgresql_in_one_server(province_dir):
    publish_now(province_dir / "zuid", "snel")
    with Server(province_dir, villages=True) as server:
        # A resident completes the survey in each village.
        for folder in ("noord", "zuid"):
            response = Resident(f"{server.url}/{folder}").answer(f"antwoord-uit-{folder}")
            assert acknowledged(response), (folder, response.status_code)

        # The province index lists both villages, and only the published results.
        index = requests.get(server.url + "/", timeout=30)
        assert index.status_code == 200
        assert "<h1>Dorpen en kernen</h1>" in index.text
        assert index.text.count('href="/noord/"') == 1 and 'href="/zuid/"' in index.text
        assert 'href="/zuid/uitslag/snel"' in index.text
        assert "/noord/uitslag/" not in index.text
        assert requests.get(server.url + "/zuid/uitslag/snel", timeout=30).status_code == 200
        assert requests.get(server.url + "/noord/uitslag/snel", timeout=30).status_code == 404
        assert requests.get(server.url + "/nergens/", timeout=30).status_code == 404
        bare = requests.get(server.url + "/noord", allow_redirects=False, timeout=30)
        assert bare.status_code == 308 and bare.headers["Location"] == "/noord/"

        # Logged in to one village is never logged in to the other.
        browser = requests.Session()
        assert _login(browser, f"{server.url}/noord").status_code == 302
        cookies = {(c.name, c.path) for c in browser.cookies}
        assert ("vliegwiel-noord", "/noord/") in cookies
        own = browser.get(f"{server.url}/noord/beheer/", allow_redirects=False, timeout=30)
        assert own.status_code == 200
        other = browser.get(f"{server.url}/zuid/beheer/", allow_redirects=False, timeout=30)
        assert other.status_code == 302 and "/zuid/beheer/login" in other.headers["Location"]
        # Even the other village's cookie name with this village's signed value is refused.
        stolen = browser.cookies.get("vliegwiel-noord", path="/noord/")
        thief = requests.Session()
        thief.cookies.set("vliegwiel-zuid", stolen, path="/zuid/")
        denied = thief.get(f"{server.url}/zuid/beheer/", allow_redirects=False, timeout=30)
        assert denied.status_code == 302 and "login" in denied.headers["Location"]
        log = server.log.read_text(errors="replace")

    assert re.search(r"Proefdorp: /noord/\s+gegevens: TinyDB folder", log)
    assert re.search(r"Proefdorp: /zuid/\s+gegevens: PostgreSQL postgresql://\S+:\*{3}@", log)
    # Each answer is stored in its own village's store, once.
    north = [
        r["answers"]["marker"] for r in instance_storage(province_dir / "noord").all(COLLECTION)
    ]
    south = [
        r["answers"]["marker"] for r in instance_storage(province_dir / "zuid").all(COLLECTION)
    ]
    assert north == ["antwoord-uit-noord"] and south == ["antwoord-uit-zuid"]
    assert "Traceback" not in log


def test_host_names_pick_a_village_and_bad_folders_are_named(province_dir):
    (province_dir / "province.toml").write_text(
        '[villages]\nhosts = { "zuid.example.nl" = "zuid" }\n'
    )
    province = create_province(province_dir)
    web = Client(province)
    by_host = web.get("/", headers={"Host": "zuid.example.nl"})
    assert by_host.status_code == 200 and "Welkom bij Proefdorp" in by_host.get_data(as_text=True)
    index = web.get("/", headers={"Host": "provincie.example.nl"}).get_data(as_text=True)
    assert 'href="//zuid.example.nl/"' in index and 'href="/noord/"' in index
    # Its old address under the folder (letters printed before the host was mapped) leads to
    # the same page on its own host.
    moved = web.get("/zuid/enquete/snel?taal=en", headers={"Host": "provincie.example.nl"})
    assert moved.status_code == 308
    assert moved.headers["Location"] == "//zuid.example.nl/enquete/snel?taal=en"

    (province_dir / "province.toml").write_text('[villages]\nhosts = { "x.nl" = "west" }\n')
    with pytest.raises(ProvinceError, match="'west', which is not a village folder"):
        create_province(province_dir)
    (province_dir / "province.toml").unlink()
    (province_dir / "Met Spatie").mkdir()
    (province_dir / "Met Spatie" / "vliegwiel.toml").write_text("")
    with pytest.raises(ProvinceError, match="Met Spatie: a village folder name"):
        create_province(province_dir)


def test_a_shared_database_key_used_twice_is_refused(tmp_path, postgres_url):
    villages = tmp_path / "provincie"
    villages.mkdir()
    # The same database, its URL spelled two ways: the database itself says it is one.
    spelled = postgres_url + ("&" if "?" in postgres_url else "?") + "connect_timeout=9"
    for name, url in (("oost", postgres_url), ("west", spelled)):
        path = make_instance(villages, name=name, database_url=url)
        config = path / "vliegwiel.toml"
        text = re.sub(r'village = "[^"]+"', 'village = "dezelfde"', config.read_text())
        config.write_text(text)
    with pytest.raises(ProvinceError, match="same \\[storage\\] village key 'dezelfde'"):
        create_province(villages)


def test_an_unreachable_village_database_stops_the_start_with_its_name(tmp_path):
    villages = tmp_path / "provincie"
    villages.mkdir()
    make_instance(villages, name="noord")
    # opened=False: nothing can be written to a database that is not there.
    unreachable = with_password("x", "geheim", "127.0.0.1:1/x")
    make_instance(villages, name="zuid", database_url=unreachable, opened=False)
    # The folder first, so a host with fifty villages knows which one to look at.
    with pytest.raises(
        ProvinceError, match=r"^zuid: cannot reach the database postgresql://x:\*{3}@"
    ):
        create_province(villages)


def _form_post(web: Client, url: str, fields: dict) -> str:
    """GET the form at ``url`` (its CSRF token), POST ``fields``; the redirect's Location."""
    page = web.get(url)
    assert page.status_code == 200, url
    posted = web.post(url, data={"csrf_token": token_of(page.get_data(as_text=True)), **fields})
    assert posted.status_code == 302, posted.get_data(as_text=True)
    return posted.headers["Location"]


def test_logging_in_under_a_village_folder_returns_to_that_village(tmp_path):
    """An organiser sent to the login page from a deep link, or to the password page with a
    one-time password, comes back to the same page of the same village, query and all."""
    villages = tmp_path / "provincie"
    villages.mkdir()
    make_instance(villages, name="noord")
    village = build_village(villages / "noord")
    _user, once = add_user(village.storage, "nieuw", "beheerder")  # a one-time password
    web = Client(create_province(villages))

    asked = web.get("/noord/beheer/uitslag/snel/vergelijken?kernen=server")
    login = asked.headers["Location"]
    assert login.startswith("/noord/beheer/login?next=")
    deep_link = "/noord/beheer/uitslag/snel/vergelijken?kernen=server"
    assert _form_post(web, login, {"username": "nieuw", "password": once}) == deep_link
    # A one-time password opens nothing but the change page, which keeps where to go after.
    change = web.get(deep_link).headers["Location"]
    assert change.startswith("/noord/beheer/wachtwoord?next=")
    new = "een-heel-nieuw-wachtwoord"
    assert _form_post(web, change, {"current": once, "new": new, "repeat": new}) == deep_link


def test_each_village_keeps_its_own_draft_in_one_browser(tmp_path):
    """Answers saved in one village are still there after the same browser saved answers in
    another village of the province (each its own draft cookie, name and path)."""
    villages = tmp_path / "provincie"
    villages.mkdir()
    for name in ("noord", "zuid"):
        make_instance(villages, name=name)
    browser = Client(create_province(villages))
    page = "/{}/enquete/snel/pagina/1"
    for name in ("noord", "zuid"):
        location = _form_post(browser, page.format(name), {"marker": f"begonnen in {name}"})
        assert location == f"/{name}/enquete/snel/controle"
    for name in ("noord", "zuid"):
        review = browser.get(f"/{name}/enquete/snel/controle").get_data(as_text=True)
        assert f"begonnen in {name}" in review, name
    for name in ("noord", "zuid"):
        assert browser.get_cookie(f"vliegwiel-{name}_drafts", path=f"/{name}/") is not None


def test_the_router_answers_in_the_site_frame_with_its_headers(tmp_path):
    """What the province answers itself: the redirect to a village's folder keeps the query
    (the language a resident chose) and carries the security headers; a POST to the index is a
    Dutch page in the site's frame, not Werkzeug's English one."""
    villages = tmp_path / "provincie"
    villages.mkdir()
    make_instance(villages, name="noord")
    web = Client(create_province(villages))
    moved = web.get("/noord?taal=en")
    assert moved.status_code == 308
    assert moved.headers["Location"] == "/noord/?taal=en"
    assert moved.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in moved.headers["Content-Security-Policy"]
    # English chosen on the index goes along to the village, which then speaks it.
    english = web.get("/?taal=en").get_data(as_text=True)
    assert 'href="/noord/?taal=en"' in english
    assert 'href="/noord/"' in web.get("/").get_data(as_text=True)
    # A village's pages lead back to the list of villages; a single village has no such link.
    home = web.get("/noord/").get_data(as_text=True)
    assert '<a href="/">Andere dorpen en kernen</a>' in home
    single = create_app(villages / "noord").test_client().get("/").get_data(as_text=True)
    assert "Andere dorpen en kernen" not in single
    posted = web.post("/")
    assert posted.status_code == 405
    html = posted.get_data(as_text=True)
    assert "<h1>Dit kan hier niet</h1>" in html and 'href="/"' in html
    assert posted.headers["X-Frame-Options"] == "DENY"
    assert "Method Not Allowed" not in html


def test_the_comparison_says_when_no_other_village_has_published(tmp_path):
    villages = tmp_path / "provincie"
    villages.mkdir()
    make_instance(villages, name="noord", accounts={"beheerder": PASSWORD})
    make_instance(villages, name="zuid")
    web = Client(create_province(villages))
    login = "/noord/beheer/login"
    assert _form_post(web, login, {"username": "beheerder", "password": PASSWORD}) == (
        "/noord/beheer/"
    )
    page = web.get("/noord/beheer/uitslag/snel/vergelijken?kernen=server")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        "Nog geen ander dorp op deze server heeft de uitslag van deze enquête gepubliceerd." in html
    )
    assert "Proefdorp: uw dorp, de antwoorden tot nu (minder dan 5 respondenten)" in html


def test_the_results_feed_names_the_village_by_its_own_address(tmp_path):
    """Feed ids and links come from [server] base_url when set, not from whatever Host header
    a request sends (they must stay the same for a feed reader)."""
    villages = tmp_path / "provincie"
    villages.mkdir()
    config = make_instance(villages, name="noord") / "vliegwiel.toml"
    text = config.read_text(encoding="utf-8")
    base = 'base_url = "https://dorpen.example.nl/noord"'
    config.write_text(text.replace('# base_url = "https://enquete.achterveld.nl"', base, 1))
    web = Client(create_province(villages))
    feed = web.get("/noord/uitslagen.atom", headers={"Host": "evil.example"})
    xml = feed.get_data(as_text=True)
    assert "<id>https://dorpen.example.nl/noord/uitslagen.atom</id>" in xml
    assert 'href="https://dorpen.example.nl/noord/"' in xml
    assert "evil.example" not in xml
