"""An instance with one of everything (responses, a round with an idea, a comment, a meeting
and a poll), so tests can fill every URL parameter in app.url_map with a real id."""

from __future__ import annotations

from conftest import write_survey
from round_helpers import Clock, make_round, set_shortlist, submit_idea, vote
from vliegwiel_stellingen import conversations

from vliegwiel.plugin_support import PluginStore
from vliegwiel.surveys.responses import save_response

SURVEY = """\
id: kort
title: Korte enquête
pages:
  - id: p1
    title: Eén pagina
    questions:
      - id: buurt
        type: single_choice
        text: Waar woont u?
        options: [noord, zuid]
      - id: mening
        type: long_text
        text: Wat wilt u kwijt?
"""


def seed(app, instance_dir) -> dict[str, str]:
    """Fill the instance; return a value for every URL parameter name."""
    write_survey(instance_dir, SURVEY, "kort.yaml")
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get("kort")
    for n in range(6):
        save_response(village, survey, {"buurt": "noord", "mening": f"Antwoord {n}"})
    clock = Clock()
    app.config["VLIEGWIEL_NOW"] = clock
    organiser = app.test_client()
    organiser.environ_base["REMOTE_ADDR"] = "198.51.100.1"
    organiser.login("beheerder")
    published = organiser.post_form(
        "/beheer/uitslag/kort/publiceren", {}, page="/beheer/uitslag/kort"
    )
    assert published.status_code == 302
    round_id = make_round(organiser, village)
    clock.set("2026-03-09T10:00")
    resident = app.test_client()
    idea = submit_idea(resident, round_id, "Buurtbus")
    url = f"/ronde/{round_id}/idee/{idea}"
    resident.post_form(f"{url}/reactie", {"text": "Goed plan", "name": "Els"}, page=url)
    comment = village.storage.all(f"rounds/{round_id}/comments")[0]["id"]
    set_shortlist(organiser, round_id, {idea: 0})
    clock.set("2026-03-16T10:00")
    vote(app.test_client(), round_id, {"idee": [idea]})
    clock.set("2026-03-23T10:00")
    meeting = (
        organiser.post_form(
            f"/beheer/rondes/{round_id}/bijeenkomsten",
            {"title": "Dorpsavond", "starts_at": "2026-04-02T19:30", "place": "Dorpshuis"},
        )
        .headers["Location"]
        .split("/")[-1]
    )
    poll = (
        organiser.post_form(
            f"/beheer/rondes/{round_id}/bijeenkomst/{meeting}",
            {"action": "poll", "question": "Wanneer?", "options": "Ochtend\nMiddag"},
        )
        .headers["Location"]
        .split("/")[-1]
    )
    # The bundled stellingen plugin: a conversation with one resident's suggestion waiting.
    store = PluginStore(village.storage, "stellingen")
    set_id = conversations.create(store, "Het plein", ["Meer bankjes.", "Minder verkeer."])
    conversations.suggest(store, set_id, "Een boom in het midden.")
    (waiting,) = conversations.suggestions(store, set_id)
    return {
        "set_id": set_id,
        "statement_id": waiting["id"],
        "survey_id": "kort",
        "number": "1",
        "round_id": round_id,
        "idea_id": idea,
        "comment_id": comment,
        "meeting_id": meeting,
        "poll_id": poll,
        "fmt": "csv",
        "name": "onbekend",
        "filename": "style.css",
    }


def url_for_rule(rule, values: dict[str, str]) -> str:
    """The rule's path with every <converter:name> replaced by its seeded value."""
    path = rule.rule
    for argument in rule.arguments:
        for pattern in (f"<{argument}>", f"<int:{argument}>", f"<path:{argument}>"):
            path = path.replace(pattern, values[argument])
    return path
