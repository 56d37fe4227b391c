"""Security properties a village relies on, checked over the whole URL map.

The access table below is the policy: a route missing from it fails the test, so a new page
cannot ship without someone deciding who may see it.
"""

from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import PASSWORDS, VillageClient
from seeded_village import seed, url_for_rule

from vliegwiel.core.resources import templates_dir
from vliegwiel.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
EVERYONE = {"anonymous", "beheerder", "ambassadeur", "lezer"}
ORGANISERS = {"beheerder", "ambassadeur", "lezer"}
HOSTS = {"beheerder", "ambassadeur"}
BEHEERDER = {"beheerder"}

#: Who gets in on a GET of each endpoint.
ACCESS = {
    "static": EVERYONE,
    "resident.home": EVERYONE,
    "resident.intro": EVERYONE,
    "resident.page": EVERYONE,
    "resident.review": EVERYONE,
    "resident.thanks": EVERYONE,
    "resident.privacy": EVERYONE,
    "access.enter_code": EVERYONE,
    "round_codes.enter_code": EVERYONE,
    "auth.login": EVERYONE,
    "results.public_results": EVERYONE,
    "results.public_report": EVERYONE,
    "results.feed": EVERYONE,
    "results.margin_explained": EVERYONE,
    "rounds.round_list": EVERYONE,
    "rounds.round_page": EVERYONE,
    "rounds.ideas": EVERYONE,
    "rounds.idea": EVERYONE,
    "rounds.new_idea": EVERYONE,
    "rounds.vote": EVERYONE,
    "rounds.outcome": EVERYONE,
    "rounds.commit": EVERYONE,
    "rounds.meeting": EVERYONE,
    "rounds.poll": EVERYONE,
    "rounds.flywheel": EVERYONE,
    # The bundled stellingen plugin: voting and results are public, managing is for beheerders.
    "stellingen.index": EVERYONE,
    "stellingen.vote_page": EVERYONE,
    "stellingen.suggest": EVERYONE,
    "stellingen.results_page": EVERYONE,
    "stellingen.enter_code": EVERYONE,
    "stellingen_beheer.admin_index": BEHEERDER,
    "stellingen_beheer.admin_page": BEHEERDER,
    "stellingen_beheer.report_pdf": BEHEERDER,
    "stellingen_beheer.codes": BEHEERDER,
    # Protected results and round overviews: every organiser role.
    "organiser.dashboard": ORGANISERS,
    "auth.password": ORGANISERS,
    "organiser.survey_results": ORGANISERS,
    "results.organiser_results": ORGANISERS,
    "results.report_pdf": ORGANISERS,
    "results.compare": ORGANISERS,
    "rounds_admin.index": ORGANISERS,
    "rounds_admin.overview": ORGANISERS,
    "rounds_admin.ideas": ORGANISERS,
    "rounds_admin.selection": ORGANISERS,
    "rounds_admin.decisions": ORGANISERS,
    "rounds_admin.pledges": ORGANISERS,
    "rounds_admin.meetings": ORGANISERS,
    "rounds_admin.meeting": ORGANISERS,
    # Paper forms, data entry and running a poll: beheerders and ambassadeurs.
    "access.paper_form": HOSTS,
    "access.data_entry": HOSTS,
    "rounds_admin.poll_screen": HOSTS,
    # Raw answers, codes, settings and moderation: beheerders only.
    "access.codes": BEHEERDER,
    "round_codes.codes": BEHEERDER,
    "organiser.export": BEHEERDER,
    "results.export_xlsx": BEHEERDER,
    "results.bundle": BEHEERDER,
    "results.moderation": BEHEERDER,
    "results.population": BEHEERDER,
    "results.publish_preview": BEHEERDER,
    "rounds_admin.new": BEHEERDER,
    "rounds_admin.settings": BEHEERDER,
    "rounds_admin.export": BEHEERDER,
    "rounds_admin.design": BEHEERDER,
    "survey_templates.index": BEHEERDER,
    # Survey definitions (the editor and its saved versions): beheerders only.
    "survey_editor.edit": BEHEERDER,
    "survey_editor.new": BEHEERDER,
}

#: POST endpoints an organiser role may use although they change nothing it may not change
#: (auth.password: every organiser changes their own password).
READ_ONLY_POSTS = {"results.compare", "auth.logout", "auth.password"}


@pytest.fixture
def seeded(app, instance_dir):
    return seed(app, instance_dir)


def clients(app) -> dict[str, VillageClient]:
    made = {"anonymous": app.test_client()}
    for role in PASSWORDS:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{len(made) + 10}"
        client.login(role)
        made[role] = client
    return made


def assert_headers(response, url: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, url
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, url
    assert response.headers.get("X-Content-Type-Options") == "nosniff", url


def gets_in(response) -> bool:
    if response.status_code == 403:
        return False
    if response.status_code == 302:
        return "/beheer/login" not in response.headers["Location"]
    return response.status_code == 200


def test_every_get_route_lets_in_exactly_the_roles_in_the_table(app, seeded):
    get_rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods]
    assert {r.endpoint for r in get_rules} == set(ACCESS), "update the ACCESS table"
    by_role = clients(app)
    for rule in get_rules:
        url = url_for_rule(rule, seeded)
        for who, client in by_role.items():
            response = client.get(url)
            response.close()  # static files are streamed from an open file
            assert response.status_code < 500, (who, url)
            allowed = who in ACCESS[rule.endpoint]
            assert gets_in(response) == allowed, (who, url, response.status_code)
            if not allowed and who == "anonymous":
                assert response.status_code == 302  # to the login page, not a bare error
            assert_headers(response, url)


def test_organiser_posts_refuse_roles_without_the_right(app, seeded):
    from conftest import csrf_token

    village = app.extensions["vliegwiel"]
    by_role = clients(app)
    token = {
        who: csrf_token(c.get("/beheer/login").get_data(as_text=True)) for who, c in by_role.items()
    }
    before = {n: village.storage.all(n) for n in village.storage.collections()}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or not rule.rule.startswith("/beheer"):
            continue
        if rule.endpoint in READ_ONLY_POSTS or rule.endpoint == "auth.login":
            continue
        url = url_for_rule(rule, seeded)
        for who in ("anonymous", "lezer"):
            response = by_role[who].post(url, data={"csrf_token": token[who]})
            if who == "anonymous":
                assert response.status_code == 302, url
                assert "/beheer/login" in response.headers["Location"], url
            else:
                assert response.status_code == 403, url
    after = {n: village.storage.all(n) for n in village.storage.collections()}
    assert after == before


def test_every_post_route_without_a_csrf_token_is_refused(app, seeded):
    by_role = clients(app)
    post_rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert len(post_rules) > 20
    village = app.extensions["vliegwiel"]
    before = {n: village.storage.all(n) for n in village.storage.collections()}
    for rule in post_rules:
        url = url_for_rule(rule, seeded)
        for who in ("anonymous", "beheerder"):
            response = by_role[who].post(url, data={"title": "x", "name": "x"})
            assert response.status_code == 400, (who, url, response.status_code)
            assert "csrf" in response.get_data(as_text=True).lower() or (
                "verlopen" in response.get_data(as_text=True)
            ), url
    after = {n: village.storage.all(n) for n in village.storage.collections()}
    assert after == before


def test_session_cookie_is_httponly_and_samesite_lax(client):
    response = client.login("beheerder")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_the_instance_uses_https(instance_dir):
    config = instance_dir / "vliegwiel.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("https = false", "https = true"),
        encoding="utf-8",
    )
    app = create_app(instance_dir, {"TESTING": True})
    app.test_client_class = VillageClient
    client = app.test_client()
    response = client.login("beheerder")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_templates_have_no_inline_script_style_or_handlers():
    problems = []
    for path in sorted(templates_dir().rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            problems.append(f"{path.name}: inline {match.group(0)}")
        if re.search(r"\sstyle=[\"']", text):
            problems.append(f"{path.name}: style attribute")
        if re.search(r"\son[a-z]+=[\"']", text):
            problems.append(f"{path.name}: event handler attribute")
    assert problems == []


def test_error_pages_carry_the_security_headers_too(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert_headers(response, "/bestaat-niet")


def test_login_is_throttled_per_address_and_name(app):
    guesser = app.test_client()
    for _ in range(5):
        response = guesser.post_form(
            "/beheer/login", {"username": "beheerder", "password": "fout-wachtwoord"}
        )
        assert response.status_code == 400
    # Now even the right password is refused for a while, with a Dutch explanation.
    response = guesser.post_form(
        "/beheer/login", {"username": "beheerder", "password": PASSWORDS["beheerder"]}
    )
    assert response.status_code == 429
    assert "Wacht een kwartier" in response.get_data(as_text=True)
    # The real beheerder at another address still gets in.
    colleague = app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert colleague.login("beheerder").status_code == 302


def test_oversized_bodies_get_413(client):
    html = client.get("/enquete/dorpsenquete/pagina/1").get_data(as_text=True)
    from conftest import csrf_token

    response = client.post(
        "/enquete/dorpsenquete/pagina/1",
        data={"csrf_token": csrf_token(html), "idee": "x" * (300 * 1024)},
    )
    assert response.status_code == 413
    assert "Te veel tekst" in response.get_data(as_text=True)


# --- no secret in the repository -----------------------------------------------------------

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS key": re.compile(r"AKIA[0-9A-Z]{16}"),
    "GitHub token": re.compile(r"gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}"),
    "Slack token": re.compile(r"xox[abprs]-[A-Za-z0-9-]{10,}"),
    "API key": re.compile(r"sk-[A-Za-z0-9]{32,}"),
    # A literal secret_key in a file (config_text generates it; it is never written down).
    "secret key": re.compile(r"secret_key\s*=\s*[\"'][A-Za-z0-9_\-]{24,}[\"']"),
    "password in a URL": re.compile(r"[a-z]+://[^/\s:@]+:[^/\s:@]{6,}@"),
}


def tracked_files() -> list[Path]:
    result = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if result.returncode != 0:
        pytest.skip("not a git checkout (an installed wheel)")
    return [ROOT / name for name in result.stdout.decode().split("\0") if name]


def test_no_secret_is_tracked_in_the_repository():
    found = []
    for path in tracked_files():
        if not path.is_file() or path.suffix in {".png", ".jpg", ".pdf", ".mo", ".woff2"}:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for what, pattern in SECRET_PATTERNS.items():
            if pattern.search(text):
                found.append(f"{path.relative_to(ROOT)}: {what}")
        if path.name == "vliegwiel.toml":
            found.append(f"{path.relative_to(ROOT)}: an instance config is tracked")
    assert found == []


def test_the_patterns_would_catch_a_leaked_secret(instance_dir):
    # The scan is only worth something if it recognises a real generated config.
    text = (instance_dir / "vliegwiel.toml").read_text(encoding="utf-8")
    assert SECRET_PATTERNS["secret key"].search(text)


def test_the_generated_secret_lives_only_in_the_instance_config(instance_dir):
    config = instance_dir / "vliegwiel.toml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    secret = re.search(r'secret_key = "([^"]+)"', config.read_text()).group(1)
    assert len(secret) >= 48
    for path in instance_dir.rglob("*"):
        if path.is_file() and path != config:
            assert secret.encode() not in path.read_bytes(), path
