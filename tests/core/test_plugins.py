"""The plugin system: every hook is called where it should be, discovery and the allow-list.

Each ``test_hook_<name>`` registers a throwaway plugin with ``make_app(PLUGINS=[...])`` and
checks what a resident or organiser would notice. tests/core/test_hooks.py makes sure no hook
goes without one.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import PASSWORDS, write_survey
from flask import Blueprint
from markupsafe import Markup

from vliegwiel import hookimpl
from vliegwiel.cli.main import add_plugin_commands, main
from vliegwiel.core.plugins import PluginError, create_plugin_manager, describe_plugins
from vliegwiel.results.report_sections import ReportSection
from vliegwiel.results.summaries import Finding, Summary
from vliegwiel.results.tallies import compute_results
from vliegwiel.surveys.builtin_questions import ShortText
from vliegwiel.surveys.responses import responses_of
from vliegwiel.web.app import create_app

BUNDLED = ("energie", "bereikbaarheid", "eenzaamheid", "stellingen")

KORT = """\
id: kort
title: Korte enquête
theme: proef
pages:
  - id: een
    title: Een
    questions:
      - id: kleur
        type: single_choice
        text: Welke kleur?
        required: true
        options: [rood, blauw]
"""


def plugin(name: str, **hooks: Any) -> SimpleNamespace:
    """A throwaway plugin object named ``name`` implementing ``hooks``."""
    return SimpleNamespace(__name__=name, **{hook: hookimpl(f) for hook, f in hooks.items()})


@pytest.fixture
def kort(instance_dir: Path) -> Path:
    return write_survey(instance_dir, KORT, "kort.yaml")


def answer_kort(client, kleur: str = "blauw") -> None:
    response = client.post_form("/enquete/kort/pagina/1", {"kleur": kleur})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post_form("/enquete/kort/controle", {})
    assert response.status_code == 302 and response.location.endswith("/bedankt")


def plugin_problems_on_dashboard(app) -> str:
    client = app.test_client()
    client.login("beheerder")
    html = client.get("/beheer/").get_data(as_text=True)
    assert "Fouten in plugins" in html
    return html


# --- one test per hook ----------------------------------------------------------------------


def test_hook_vliegwiel_startup(make_app, kort):
    seen = {}

    def startup(village):
        # Runs after the surveys capability: the plugin sees the instance's surveys.
        seen["surveys"] = [s.id for s in village.surveys.all()]
        village.answer_guards.append(
            lambda survey: ("Even dicht", 503) if survey.id == "kort" else None
        )

    client = make_app(PLUGINS=[plugin("sluiter", vliegwiel_startup=startup)]).test_client()
    assert "kort" in seen["surveys"]
    page = client.get("/enquete/kort/pagina/1")
    assert page.status_code == 503 and "Even dicht" in page.get_data(as_text=True)


def test_a_failing_startup_hook_stops_start_up_with_its_message(make_app):
    def startup(village):
        raise PluginError("plugin 'kapot' needs [kapot] key in vliegwiel.toml")

    with pytest.raises(PluginError, match=r"\[kapot\] key"):
        make_app(PLUGINS=[plugin("kapot", vliegwiel_startup=startup)])


def test_hook_vliegwiel_flywheel_participation(make_app, monkeypatch):
    from datetime import UTC, datetime

    from vliegwiel.plugin_support import Participation

    def counts(village):
        return [
            Participation("Buurtgesprek", "/thema/buurt", datetime(2026, 3, 1, tzinfo=UTC), 12),
            Participation("Koffietafel", "/thema/koffie", datetime(2026, 1, 1, tzinfo=UTC), 3),
        ]

    def broken(village):
        raise RuntimeError("kapot")

    monkeypatch.setenv("VLIEGWIEL_PLUGINS", "")
    app = make_app(
        PLUGINS=[
            plugin("teller", vliegwiel_flywheel_participation=counts),
            plugin("kapot", vliegwiel_flywheel_participation=broken),
        ]
    )
    html = app.test_client().get("/vliegwiel").get_data(as_text=True)

    assert "Ook meegedaan" in html
    # Oldest first; twelve people are shown, three are fewer than k and hidden.
    assert html.index("Koffietafel") < html.index("Buurtgesprek")
    assert '<a href="/thema/buurt">Buurtgesprek</a>' in html and ">12<" in html
    assert ">3<" not in html and "minder dan 5" in html
    assert "kapot" in plugin_problems_on_dashboard(app)


def test_hook_vliegwiel_register_commands():
    import click

    def commands(cli):
        @cli.command("groet")
        @click.argument("naam")
        def groet(naam):
            """Say hello."""
            click.echo(f"Hallo {naam}")

        @cli.command("serve")
        def hijack():
            click.echo("not the real serve")

    group = click.Group(commands={"serve": click.Command("serve", callback=lambda: None)})
    pm = create_plugin_manager(extra=[plugin("groeter", vliegwiel_register_commands=commands)])
    add_plugin_commands(group, pm)

    assert CliRunner().invoke(group, ["groet", "Jan"]).output == "Hallo Jan\n"
    # A plugin never replaces a command that exists; the core's own commands came first.
    assert "not the real serve" not in CliRunner().invoke(group, ["serve"]).output
    result = CliRunner().invoke(group, ["--help"])
    assert {"round", "user", "backup", "report", "codes", "surveys", "groet"} <= set(group.commands)
    assert "groet" in result.output


class Kleurcode(ShortText):
    """A question type of a plugin: a colour code such as #ff8800."""

    name = "kleurcode"


def test_hook_vliegwiel_question_types(make_app, instance_dir):
    def vliegwiel_question_types():
        return [Kleurcode()]

    write_survey(
        instance_dir,
        "id: huis\ntitle: Huis\npages:\n  - id: p\n    title: P\n    questions:\n"
        "      - id: deur\n        type: kleurcode\n        text: Kleur van uw voordeur?\n",
        "huis.yaml",
    )
    without = make_app()
    assert without.extensions["vliegwiel"].surveys.get("huis") is None  # unknown type

    app = make_app(PLUGINS=[plugin("kleuren", vliegwiel_question_types=vliegwiel_question_types)])
    client = app.test_client()
    page = client.get("/enquete/huis/pagina/1").get_data(as_text=True)
    assert "Kleur van uw voordeur?" in page
    client.post_form("/enquete/huis/pagina/1", {"deur": "#ff8800"})
    client.post_form("/enquete/huis/controle", {})
    (stored,) = responses_of(app.extensions["vliegwiel"], "huis")
    assert stored["answers"] == {"deur": "#ff8800"}


def test_hook_vliegwiel_survey_templates(make_app, tmp_path):
    template = tmp_path / "proefsjabloon.yaml"
    template.write_text(KORT, encoding="utf-8")

    def vliegwiel_survey_templates():
        return [template]

    app = make_app(
        PLUGINS=[plugin("sjablonen", vliegwiel_survey_templates=vliegwiel_survey_templates)]
    )
    client = app.test_client()
    client.login("beheerder")
    listing = client.get("/beheer/sjablonen/").get_data(as_text=True)
    assert "proefsjabloon" in listing and "sjablonen" in listing
    assert client.get("/enquete/kort").status_code == 404

    added = client.post_form("/beheer/sjablonen/proefsjabloon", {}, page="/beheer/sjablonen/")

    assert added.status_code == 302
    # An added template is a concept until the team opens it.
    assert "Korte enquête" not in client.get("/").get_data(as_text=True)
    page = "/beheer/enquete/kort"
    client.post_form(f"{page}/status", {"status": "open"}, page=page)
    assert "Korte enquête" in client.get("/").get_data(as_text=True)
    answer_kort(client)
    assert "Al toegevoegd" in client.get("/beheer/sjablonen/").get_data(as_text=True)


def test_hook_vliegwiel_blueprints(make_app):
    seen_apps = []

    def vliegwiel_blueprints(app):
        seen_apps.append(app)
        bp = Blueprint("proefthema", __name__, url_prefix="/thema/proef")
        bp.add_url_rule("/", "index", lambda: "Welkom bij het proefthema")
        return [bp]

    app = make_app(PLUGINS=[plugin("thema", vliegwiel_blueprints=vliegwiel_blueprints)])

    response = app.test_client().get("/thema/proef/")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "Welkom bij het proefthema"
    assert seen_apps == [app]


def test_hook_vliegwiel_response_indicators(make_app, kort):
    def vliegwiel_response_indicators(survey, answers):
        if survey.theme != "proef":
            return None
        return {"proef.is_blauw": answers["kleur"] == "blauw"}

    app = make_app(
        PLUGINS=[plugin("proef", vliegwiel_response_indicators=vliegwiel_response_indicators)]
    )
    client = app.test_client()
    answer_kort(client, "blauw")
    answer_kort(client, "rood")

    stored = responses_of(app.extensions["vliegwiel"], "kort")
    assert [r["indicators"] for r in stored] == [
        {"proef.is_blauw": True},
        {"proef.is_blauw": False},
    ]
    client.login("beheerder")
    exported = json.loads(client.get("/beheer/enquete/kort/export.json").get_data(as_text=True))
    assert [r["indicators"] for r in exported["responses"]] == [
        {"proef.is_blauw": True},
        {"proef.is_blauw": False},
    ]
    csv_text = client.get("/beheer/enquete/kort/export.csv").get_data(as_text=True)
    assert "proef.is_blauw" in csv_text.splitlines()[0]


def test_hook_vliegwiel_response_saved(make_app, kort):
    seen: list[tuple[str, dict | None]] = []
    holder: dict[str, Any] = {}

    def vliegwiel_response_saved(survey, response):
        # The record must already be durable: read it back through the app's storage.
        storage = holder["app"].extensions["vliegwiel"].storage
        seen.append((survey.id, storage.get(f"responses/{survey.id}", response["id"])))

    app = make_app(
        PLUGINS=[plugin("luisteraar", vliegwiel_response_saved=vliegwiel_response_saved)]
    )
    holder["app"] = app
    answer_kort(app.test_client())

    ((survey_id, stored),) = seen
    assert survey_id == "kort"
    assert stored is not None and stored["answers"] == {"kleur": "blauw"}


@pytest.mark.parametrize("hook", ["vliegwiel_response_indicators", "vliegwiel_response_saved"])
def test_a_failing_plugin_is_shown_to_organisers_and_the_answer_is_saved(
    make_app, kort, hook, caplog
):
    def broken(survey, answers=None, response=None):
        raise RuntimeError("kapotte plugin")

    app = make_app(PLUGINS=[plugin("kapot", **{hook: broken})])
    with caplog.at_level(logging.ERROR):
        answer_kort(app.test_client())

    (stored,) = responses_of(app.extensions["vliegwiel"], "kort")
    assert stored["answers"] == {"kleur": "blauw"}
    assert any("kapot" in record.getMessage() for record in caplog.records)
    html = plugin_problems_on_dashboard(app)
    assert "kapot" in html and hook in html and "kapotte plugin" in html


def test_hook_vliegwiel_survey_summary(make_app, kort):
    def vliegwiel_survey_summary(survey, responses, k):
        if survey.theme != "proef":
            return None
        blue = sum(r["answers"].get("kleur") == "blauw" for r in responses)
        return Summary(
            plugin="proef",
            title="Kleuren in het dorp",
            findings=[Finding("Blauw", str(blue) if len(responses) >= k else None)],
            note=f"k={k}",
        )

    app = make_app(PLUGINS=[plugin("proef", vliegwiel_survey_summary=vliegwiel_survey_summary)])
    village = app.extensions["vliegwiel"]
    client = app.test_client()
    for colour in ("blauw", "blauw", "rood"):
        answer_kort(client, colour)

    summaries = compute_results(village, village.surveys.get("kort")).summaries

    k = village.config.min_group_size
    assert [s.title for s in summaries] == ["Kleuren in het dorp"]
    assert summaries[0].note == f"k={k}"
    # Three respondents is fewer than k (5): the finding is hidden.
    assert summaries[0].findings == [Finding("Blauw", None)]
    for colour in ("rood", "blauw"):
        answer_kort(client, colour)
    summaries = compute_results(village, village.surveys.get("kort")).summaries
    assert summaries[0].findings == [Finding("Blauw", "3")]
    client.login("beheerder")
    page = client.get("/beheer/uitslag/kort").get_data(as_text=True)
    assert "Kleuren in het dorp" in page and "Blauw: 3" in page


def test_hook_vliegwiel_report_sections(make_app, kort):
    def vliegwiel_report_sections(survey, results):
        return [
            ReportSection(
                plugin="proef",
                title="Proefsectie",
                html=Markup("<p>{} antwoorden in deze sectie</p>").format(results.respondents),
            )
        ]

    app = make_app(PLUGINS=[plugin("proef", vliegwiel_report_sections=vliegwiel_report_sections)])
    client = app.test_client()
    answer_kort(client)
    client.login("beheerder")

    # The organiser results page (web/results_pages.py) lists plugin sections.
    html = client.get("/beheer/uitslag/kort").get_data(as_text=True)

    assert "Proefsectie" in html
    assert "<p>1 antwoorden in deze sectie</p>" in html


def test_hook_vliegwiel_share_sections(make_app, kort):
    import io
    import zipfile

    from publishing import publish_survey

    from vliegwiel.plugin_support import ShareSection
    from vliegwiel.results.publications import latest
    from vliegwiel.results.share import read_bundle

    def sections(survey, results):
        return [
            ShareSection("proef", "Proefdeel", {"aantal": 3, "verborgen": None, "k": results.k})
        ]

    def misnamed(survey, results):
        return [ShareSection("Proef Twee", "Verkeerd", {"aantal": 1})]

    app = make_app(
        PLUGINS=[
            plugin("proef", vliegwiel_share_sections=sections),
            plugin("slordig", vliegwiel_share_sections=misnamed),
        ]
    )
    answer_kort(app.test_client())
    publish_survey(app, "kort")
    village = app.extensions["vliegwiel"]
    data = latest(village.storage, "kort").bundle(village.storage)

    bundle = read_bundle(data)  # written, then read back strictly like another village's
    (section,) = bundle.results.sections
    assert (section.plugin, section.title) == ("proef", "Proefdeel")
    assert section.data == {"aantal": 3, "verborgen": None, "k": 5}
    raw = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("summaries.json"))
    assert raw["sections"][0]["data"]["verborgen"] is None  # null in the file
    assert "slordig" in plugin_problems_on_dashboard(app)


def organiser_menu(client) -> str:
    page = client.get("/beheer/").get_data(as_text=True)
    return page.split('class="organiser-nav"')[1].split("</nav>")[0]


def test_hook_vliegwiel_organiser_links(make_app):
    from vliegwiel.plugin_support import OrganiserLink

    def links():
        return [
            OrganiserLink("Buurtkaart", "/thema/kaart"),
            OrganiserLink("Voor iedereen", "/thema/iedereen", role=None),
        ]

    def broken():
        raise RuntimeError("kapot")

    app = make_app(
        PLUGINS=[
            plugin("kaart", vliegwiel_organiser_links=links),
            plugin("kapot", vliegwiel_organiser_links=broken),
        ]
    )
    beheerder = app.test_client()
    beheerder.login("beheerder")
    menu = organiser_menu(beheerder)
    assert '<a href="/thema/kaart">Buurtkaart</a>' in menu
    assert '<a href="/thema/iedereen">Voor iedereen</a>' in menu

    other_role = next(role for role in PASSWORDS if role != "beheerder")
    member = app.test_client()
    member.login(other_role)
    menu = organiser_menu(member)
    assert "Buurtkaart" not in menu  # for beheerders only
    assert "Voor iedereen" in menu
    assert "kapot" in plugin_problems_on_dashboard(app)


# --- discovery and start-up checks ----------------------------------------------------------


def test_a_misspelt_hook_stops_start_up(make_app):
    def vliegwiel_respons_saved(survey, response):
        pass

    with pytest.raises(PluginError, match="vliegwiel_respons_saved"):
        make_app(PLUGINS=[plugin("slordig", vliegwiel_respons_saved=vliegwiel_respons_saved)])


def test_a_misspelt_hook_in_a_single_file_plugin_stops_the_cli(instance_dir):
    (instance_dir / "plugins" / "slordig.py").write_text(
        "from vliegwiel import hookimpl\n\n\n@hookimpl\ndef vliegwiel_respons_saved(survey):\n"
        "    pass\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["plugins", "--instance", str(instance_dir)])
    assert result.exit_code == 1
    assert "vliegwiel_respons_saved" in result.output and "Traceback" not in result.output


def test_two_plugins_claiming_one_question_type_fail_naming_both(make_app):
    def vliegwiel_question_types():
        return [Kleurcode()]

    first = plugin("alfa", vliegwiel_question_types=vliegwiel_question_types)
    second = plugin("beta", vliegwiel_question_types=vliegwiel_question_types)
    with pytest.raises(PluginError, match="kleurcode") as error:
        make_app(PLUGINS=[first, second])
    assert "'alfa'" in str(error.value) and "'beta'" in str(error.value)


def test_a_plugin_cannot_take_over_a_built_in_type_silently(make_app):
    class Scale(ShortText):
        name = "scale"

    with pytest.raises(PluginError, match="'scale'") as error:
        make_app(PLUGINS=[plugin("overname", vliegwiel_question_types=lambda: [Scale()])])
    assert "'overname'" in str(error.value)
    assert "'core:vliegwiel.builtin_questions'" in str(error.value)


def loaded(app) -> set[str]:
    return {row["name"] for row in describe_plugins(app.extensions["vliegwiel"].pm)}


def test_vliegwiel_plugins_env_restricts_loading(make_app, monkeypatch):
    monkeypatch.setenv("VLIEGWIEL_PLUGINS", "energie")
    names = loaded(make_app())
    assert "energie" in names
    assert not names & {"bereikbaarheid", "eenzaamheid"}


def test_config_enabled_restricts_loading_and_the_env_wins(make_app, instance_dir, monkeypatch):
    monkeypatch.delenv("VLIEGWIEL_PLUGINS", raising=False)
    config = instance_dir / "vliegwiel.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            '# enabled = ["energie", "bereikbaarheid", "eenzaamheid"]', 'enabled = ["eenzaamheid"]'
        ),
        encoding="utf-8",
    )
    assert loaded(make_app()) & set(BUNDLED) == {"eenzaamheid"}
    monkeypatch.setenv("VLIEGWIEL_PLUGINS", "bereikbaarheid")
    assert loaded(make_app()) & set(BUNDLED) == {"bereikbaarheid"}


def simple_answers(village, survey) -> dict[str, Any]:
    """Form data answering every question of a survey with its first possible answer."""
    data: dict[str, Any] = {}
    for question in survey.questions():
        settings, kind = question.settings, question.type
        options = [o.value for o in getattr(settings, "options", None) or []]
        answer: Any = {
            "single_choice": options[:1] and options[0],
            "yes_no": "ja",
            "multiple_choice": options[:1],
            "ranking": options,
            "scale": getattr(settings, "min", 1),
            "number": getattr(settings, "min", None) or 1,
            "short_text": "Proef",
            "long_text": "Proef",
            "matrix": {s.id: options[0] for s in getattr(settings, "statements", [])},
        }[kind]
        data.update(village.question_types[kind].form_data(question, answer))
    return data


@pytest.mark.parametrize("blocked", BUNDLED)
def test_each_bundled_plugin_can_be_blocked_and_the_core_still_serves(
    make_app, monkeypatch, blocked
):
    monkeypatch.setenv("VLIEGWIEL_PLUGINS", ",".join(p for p in BUNDLED if p != blocked))
    app = make_app()
    assert blocked not in loaded(app)
    client = app.test_client()
    assert client.get("/").status_code == 200

    village = app.extensions["vliegwiel"]
    survey = village.surveys.get("dorpsenquete")
    data = simple_answers(village, survey)
    url = "/enquete/dorpsenquete/pagina/1"
    for _ in range(len(survey.pages) + 1):
        response = client.post_form(url, data if "/pagina/" in url else {})
        assert response.status_code == 302, response.get_data(as_text=True)
        url = response.location
        if url.endswith("/bedankt"):
            break
    assert url.endswith("/bedankt")
    assert len(responses_of(village, "dorpsenquete")) == 1


def test_a_single_file_plugin_in_the_instance_is_loaded(make_app, instance_dir):
    (instance_dir / "plugins" / "dorpsplein.py").write_text(
        '"""A single-file plugin: one page of its own."""\n'
        "from flask import Blueprint\n\nfrom vliegwiel import hookimpl\n\n"
        "@hookimpl\ndef vliegwiel_blueprints(app):\n"
        '    bp = Blueprint("dorpsplein", __name__, url_prefix="/dorpsplein")\n'
        '    bp.add_url_rule("/", "index", lambda: "Het dorpsplein")\n'
        "    return [bp]\n",
        encoding="utf-8",
    )
    app = make_app()
    assert "dorpsplein" in loaded(app)
    assert app.test_client().get("/dorpsplein/").get_data(as_text=True) == "Het dorpsplein"


def test_the_allow_list_also_governs_single_file_plugins(make_app, instance_dir, monkeypatch):
    (instance_dir / "plugins" / "dorpsplein.py").write_text(
        "from vliegwiel import hookimpl\n\n@hookimpl\ndef vliegwiel_survey_templates():\n"
        "    return []\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("VLIEGWIEL_PLUGINS", "energie")
    assert "dorpsplein" not in loaded(make_app())


def test_each_app_has_its_own_plugin_manager(make_app):
    def vliegwiel_blueprints(app):
        bp = Blueprint("eigen", __name__, url_prefix="/eigen")
        bp.add_url_rule("/", "index", lambda: "eigen pagina")
        return [bp]

    with_plugin = make_app(PLUGINS=[plugin("eigen", vliegwiel_blueprints=vliegwiel_blueprints)])
    without = make_app()

    assert with_plugin.extensions["vliegwiel"].pm is not without.extensions["vliegwiel"].pm
    assert "eigen" in loaded(with_plugin) and "eigen" not in loaded(without)
    assert with_plugin.test_client().get("/eigen/").status_code == 200
    assert without.test_client().get("/eigen/").status_code == 404


def test_vliegwiel_plugins_lists_name_version_and_hooks(instance_dir, monkeypatch):
    monkeypatch.delenv("VLIEGWIEL_PLUGINS", raising=False)
    result = CliRunner().invoke(main, ["plugins", "--json", "--instance", str(instance_dir)])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert set(BUNDLED) <= set(rows)
    assert "vliegwiel_question_types" in rows["bereikbaarheid"]["hooks"]
    assert rows["energie"]["version"] == rows["core:vliegwiel.builtin_questions"]["version"]


def test_survey_templates_page_is_for_beheerders_only(client):
    assert client.get("/beheer/sjablonen/").status_code == 302  # to the login page
    client.login("lezer")
    assert client.get("/beheer/sjablonen/").status_code == 403


def test_bundled_templates_are_offered_and_can_be_added(client, instance_dir):
    client.login("beheerder")
    page = client.get("/beheer/sjablonen/").get_data(as_text=True)
    for name in ("energie", "bereikbaarheid", "eenzaamheid"):
        assert f"/beheer/sjablonen/{name}" in page

    client.post_form("/beheer/sjablonen/energie", {}, page="/beheer/sjablonen/")

    assert (instance_dir / "surveys" / "energie.yaml").is_file()
    assert client.get("/enquete/energie").status_code == 404  # a concept until opened
    page = "/beheer/enquete/energie"
    client.post_form(f"{page}/status", {"status": "open"}, page=page)
    assert client.get("/enquete/energie").status_code == 200


def test_core_app_serves_with_no_plugins_at_all(instance_dir, monkeypatch):
    monkeypatch.setenv("VLIEGWIEL_PLUGINS", "")
    app = create_app(instance_dir, {"TESTING": True})
    assert not loaded(app) & set(BUNDLED)
    assert app.test_client().get("/").status_code == 200


PUBLIC_API = {
    "vliegwiel",
    "vliegwiel.question_types",
    "vliegwiel.survey_schema",
    "vliegwiel.summaries",
    "vliegwiel.report_sections",
    "vliegwiel.suppression",
    "vliegwiel.i18n",
    # For a participation method of its own (docs/plugins.md) and for commands.
    "vliegwiel.plugin_support",
    "vliegwiel.cli.common",
}


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_plugins_use_only_the_public_api(name):
    import ast

    package = Path(__file__).resolve().parents[2] / "plugins" / f"vliegwiel_{name}"
    used = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("vliegwiel"):
                used.add(node.module)
            elif isinstance(node, ast.Import):
                used |= {a.name for a in node.names if a.name.startswith("vliegwiel")}
    assert used and used <= PUBLIC_API, used - PUBLIC_API
