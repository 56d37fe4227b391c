"""Participation rounds through the web pages, as residents and organisers use them."""

from __future__ import annotations

import io
import re

from conftest import write_survey
from round_helpers import (
    SURVEY,
    make_round,
    set_shortlist,
    snapshot,
    submit_idea,
    support,
    text,
    vote,
)

from vliegwiel.rounds.count import wait_for_counts
from vliegwiel.rounds.model import ROUNDS


def test_full_cycle_survey_ideas_budget_vote_commitments_results(
    app, village, organiser, clock, instance_dir
):
    write_survey(instance_dir, SURVEY, "behoeften.yaml")
    round_id = make_round(
        organiser,
        village,
        method="greedy_budget",
        budget="1000",
        survey_id="behoeften",
        purpose="Wat maakt ons dorp groener?",
    )
    residents = [app.test_client() for _ in range(3)]

    # Before the first phase the round is a draft: residents do not see it.
    assert residents[0].get(f"/ronde/{round_id}").status_code == 404
    assert "Samen het dorp groener" not in text(residents[0].get("/rondes"))

    # Survey phase: the round page links the survey, which residents fill in.
    clock.set("2026-03-02T10:00")
    page = text(residents[0].get(f"/ronde/{round_id}"))
    assert "Vul de enquête in" in page and "/enquete/behoeften" in page
    for client, need in zip(residents, ["groen", "groen", "vervoer"], strict=True):
        client.post_form("/enquete/behoeften/pagina/1", {"behoefte": need})
        assert client.post_form("/enquete/behoeften/controle", {}).status_code == 302
    assert village.storage.count("responses/behoeften") == 3

    # Ideas phase: submit, support (once each), comment.
    clock.set("2026-03-09T10:00")
    bomen = submit_idea(residents[0], round_id, "Bomen langs de Dorpsstraat", wants_to_help="ja")
    tuin = submit_idea(residents[1], round_id, "Moestuin bij de school")
    bankjes = submit_idea(residents[2], round_id, "Bankjes in het park")
    for client in residents:
        assert support(client, round_id, bomen).status_code == 302
    support(residents[1], round_id, tuin)
    url = f"/ronde/{round_id}/idee/{bomen}"
    residents[2].post_form(f"{url}/reactie", {"text": "Goed plan!", "name": "Els"}, page=url)
    page = text(residents[2].get(url))
    assert "3 keer gesteund" in page and "Goed plan!" in page and "zelf meewerken" in page

    # The organiser puts the ideas on the shortlist with costs.
    set_shortlist(organiser, round_id, {bomen: 600, tuin: 500, bankjes: 300})

    # Prioritise phase: budget vote; an over-budget ballot is refused.
    clock.set("2026-03-16T10:00")
    before = snapshot(village.storage)
    response = vote(residents[0], round_id, {"idee": [bomen, tuin]})
    assert response.status_code == 400
    assert "meer dan het budget" in text(response)
    assert snapshot(village.storage) == before
    assert vote(residents[0], round_id, {"idee": [bomen, bankjes]}).status_code == 302
    assert vote(residents[1], round_id, {"idee": [bomen, bankjes]}).status_code == 302
    assert vote(residents[2], round_id, {"idee": [tuin]}).status_code == 302

    # After the vote the outcome explains every idea: bomen (2 votes, 600) and bankjes
    # (2 votes, 300) fit; the moestuin (1 vote, 500) no longer fits in the 100 left.
    clock.set("2026-03-22T10:00")
    page = _outcome_page(residents[0], round_id)
    assert _row(page, "Bomen langs de Dorpsstraat").endswith("(nog € 400 over).")
    assert _row(page, "Bankjes in het park").endswith("(nog € 100 over).")
    assert _row(page, "Moestuin bij de school") == (
        "nee: Niet gekozen: paste niet meer in het resterende budget van € 100."
    )

    # Commit phase: pledges to chosen initiatives only.
    response = residents[0].post_form(
        f"/ronde/{round_id}/meedoen",
        {"idea_id": bomen, "hours": "4", "consent": "ja", "name": "Jan", "contact": "06-1234"},
    )
    assert response.status_code == 302
    residents[1].post_form(f"/ronde/{round_id}/meedoen", {"idea_id": bomen, "money": "250"})
    before = snapshot(village.storage)
    response = residents[2].post_form(f"/ronde/{round_id}/meedoen", {"idea_id": tuin, "hours": "2"})
    assert response.status_code == 400 and "gekozen initiatief" in text(response)
    assert snapshot(village.storage) == before
    page = text(organiser.get(f"/beheer/rondes/{round_id}/toezeggingen"))
    assert "Jan" in page and "06-1234" in page and "€ 250" in page

    # Results: decisions with reasons, published, visible once the results phase starts.
    decisions = {
        f"besluit-{bomen}": "pilot",
        f"reden-{bomen}": "Start in april met de werkgroep",
        f"besluit-{tuin}": "niet_nu",
        f"reden-{tuin}": "Past niet meer in het budget; volgend jaar opnieuw",
        "publish": "ja",
    }
    response = organiser.post_form(f"/beheer/rondes/{round_id}/besluiten", decisions)
    assert response.status_code == 302
    assert "Gekozen als pilot" not in text(residents[0].get(f"/ronde/{round_id}"))
    clock.set("2026-03-30T10:00")
    page = text(residents[0].get(f"/ronde/{round_id}"))
    assert "resultaten gepubliceerd" in page
    assert "Gekozen als pilot" in page and "Start in april met de werkgroep" in page
    assert "Niet nu" in page and "volgend jaar opnieuw" in page
    # Contact details never reach residents.
    assert "06-1234" not in page and "Jan" not in page
    # The home page lists the round under "Uitslagen", with what happened to each idea.
    home = re.sub(r"<[^>]+>", "", text(residents[0].get("/")))
    assert "Ronde: Samen het dorp groener" in home and "Uitslag van de stemming" in home
    assert "Bomen langs de Dorpsstraat: Gekozen als pilot" in home
    assert "Moestuin bij de school: Niet nu" in home


# --- phases open and close by themselves --------------------------------------------------------


def test_phases_open_and_close_on_their_dates(app, village, organiser, clock):
    round_id = make_round(organiser, village)
    resident = app.test_client()
    clock.set("2026-03-07T23:59")  # last minute of the survey phase: ideas not open yet
    assert resident.get(f"/ronde/{round_id}").status_code == 200
    assert "Ideeën insturen kan nu niet" in text(resident.get(f"/ronde/{round_id}/idee-nieuw"))
    clock.set("2026-03-08T00:00")
    idea = submit_idea(resident, round_id, "Speeltuin")
    clock.set("2026-03-14T23:59")  # the end date is included
    assert support(resident, round_id, idea).status_code == 302
    other = app.test_client()
    token = _token(other, f"/ronde/{round_id}/idee/{idea}")  # page loaded while still open
    clock.set("2026-03-15T00:00")
    before = snapshot(village.storage)
    response = other.post(f"/ronde/{round_id}/idee/{idea}/steun", data={"csrf_token": token})
    assert response.status_code == 400
    assert "De fase Ideeën is gesloten" in text(response)
    assert snapshot(village.storage) == before


def _token(client, url: str) -> str:
    from conftest import csrf_token

    return csrf_token(client.get(url).get_data(as_text=True))


def test_votes_after_closing_are_refused(app, village, organiser, clock):
    round_id = make_round(organiser, village)
    clock.set("2026-03-09T10:00")
    resident = app.test_client()
    idea = submit_idea(resident, round_id, "Speeltuin")
    set_shortlist(organiser, round_id, {idea: 0})
    clock.set("2026-03-16T10:00")
    token = _token(resident, f"/ronde/{round_id}/stemmen")
    clock.set("2026-03-22T00:00")
    before = snapshot(village.storage)
    response = resident.post(f"/ronde/{round_id}/stemmen", data={"csrf_token": token, "idee": idea})
    assert response.status_code == 400
    assert "De fase Kiezen is gesloten; er wordt niets meer opgeslagen" in text(response)
    assert snapshot(village.storage) == before


# --- ideas: one support per browser, moderation, duplicates -------------------------------------


def test_one_support_per_browser_and_the_page_says_so(app, village, organiser, clock):
    round_id = make_round(organiser, village)
    clock.set("2026-03-09T10:00")
    resident = app.test_client()
    idea = submit_idea(resident, round_id, "Speeltuin")
    page = text(resident.get(f"/ronde/{round_id}/idee/{idea}"))
    assert "Eén keer per browser" in page
    assert support(resident, round_id, idea).status_code == 302
    before = snapshot(village.storage)
    token = _token(resident, f"/ronde/{round_id}/idee-nieuw")
    response = resident.post(f"/ronde/{round_id}/idee/{idea}/steun", data={"csrf_token": token})
    assert response.status_code == 400
    assert "U steunt dit idee al" in text(response)
    assert snapshot(village.storage) == before


def test_hidden_idea_shows_its_reason_and_takes_no_support(app, village, organiser, clock):
    round_id = make_round(organiser, village)
    clock.set("2026-03-09T10:00")
    resident = app.test_client()
    idea = submit_idea(resident, round_id, "Reclame voor mijn winkel")
    url = f"/beheer/rondes/{round_id}/idee/{idea}/verbergen"
    page = f"/beheer/rondes/{round_id}/ideeen"
    response = organiser.post_form(url, {"reason": ""}, page=page)
    assert response.status_code == 400 and "Geef een reden op" in text(response)
    organiser.post_form(url, {"reason": "Dit is reclame, geen idee voor het dorp."}, page=page)
    listing = text(resident.get(f"/ronde/{round_id}/ideeen"))
    assert "Dit is reclame, geen idee voor het dorp." in listing
    assert "Reclame voor mijn winkel" not in listing
    token = _token(resident, f"/ronde/{round_id}/idee-nieuw")
    before = snapshot(village.storage)
    response = resident.post(f"/ronde/{round_id}/idee/{idea}/steun", data={"csrf_token": token})
    assert response.status_code == 400 and "verborgen" in text(response)
    assert snapshot(village.storage) == before


def test_hidden_comment_shows_its_reason(app, village, organiser, clock):
    round_id = make_round(organiser, village)
    clock.set("2026-03-09T10:00")
    resident = app.test_client()
    idea = submit_idea(resident, round_id, "Speeltuin")
    url = f"/ronde/{round_id}/idee/{idea}"
    resident.post_form(f"{url}/reactie", {"text": "Scheldwoord!"}, page=url)
    comment = village.storage.all(f"rounds/{round_id}/comments")[0]["id"]
    organiser.post_form(
        f"/beheer/rondes/{round_id}/reactie/{comment}/verbergen",
        {"reason": "Niet vriendelijk"},
        page=f"/beheer/rondes/{round_id}/ideeen",
    )
    page = text(resident.get(url))
    assert "Niet vriendelijk" in page and "Scheldwoord!" not in page


def test_merging_duplicates_moves_supports_and_counts_people_once(app, village, organiser, clock):
    round_id = make_round(organiser, village)
    clock.set("2026-03-09T10:00")
    a, b, c = (app.test_client() for _ in range(3))
    original = submit_idea(a, round_id, "Jeu-de-boulesbaan")
    duplicate = submit_idea(b, round_id, "Boulesbaan bij het dorpshuis", wants_to_help="ja")
    support(a, round_id, original)
    support(b, round_id, original)
    support(b, round_id, duplicate)  # b supported both: counts once after the merge
    support(c, round_id, duplicate)
    url = f"/ronde/{round_id}/idee/{duplicate}"
    c.post_form(f"{url}/reactie", {"text": "Bij het dorpshuis is plek"}, page=url)
    response = organiser.post_form(
        f"/beheer/rondes/{round_id}/idee/{duplicate}/samenvoegen",
        {"target": original},
        page=f"/beheer/rondes/{round_id}/ideeen",
    )
    assert response.status_code == 302
    page = text(a.get(f"/ronde/{round_id}/idee/{original}"))
    assert "3 keer gesteund" in page
    assert "Bij het dorpshuis is plek" in page
    assert "zelf meewerken" in page
    listing = text(a.get(f"/ronde/{round_id}/ideeen"))
    assert "is samengevoegd met" in listing
    # The duplicate's own address leads to the idea it joined.
    response = a.get(url)
    assert response.status_code == 302 and response.headers["Location"].endswith(original)


# --- each voting method end to end --------------------------------------------------------------


def _voting_round(app, village, organiser, clock, **settings):
    round_id = make_round(organiser, village, **settings)
    clock.set("2026-03-09T10:00")
    author = app.test_client()
    ids = [submit_idea(author, round_id, name) for name in ("Speeltuin", "Bankjes", "Jeu")]
    return round_id, ids


def _outcome_page(client, round_id) -> str:
    """The outcome as a resident sees it: counted in the background, shown once done."""
    page = text(client.get(f"/ronde/{round_id}/uitslag"))
    if "worden nu geteld" in page:
        wait_for_counts(client.application.extensions["vliegwiel"].storage)
        page = text(client.get(f"/ronde/{round_id}/uitslag"))
    return page


def _outcome(app, clock, round_id) -> str:
    clock.set("2026-03-22T10:00")
    return _outcome_page(app.test_client(), round_id)


def _cells(page: str, title: str) -> tuple[str, str, str]:
    """Chosen, support (votes or points) and the reason in the outcome row of an idea."""
    match = re.search(
        rf"<th scope=\"row\">{title}[^<]*(?:<span class=\"amount\">[^<]*</span>)?</th> "
        r"<td[^>]*>(ja|nee)</td> <td[^>]*>([^<]*)</td> <td[^>]*>([^<]*)</td>",
        page,
    )
    assert match, f"no outcome row for {title}"
    return match.group(1), match.group(2), match.group(3)


def _row(page: str, title: str) -> str:
    chosen, _support, reason = _cells(page, title)
    return f"{chosen}: {reason}"


def test_approval_vote_end_to_end(app, village, organiser, clock):
    round_id, (speeltuin, bankjes, jeu) = _voting_round(
        app, village, organiser, clock, method="approval", seats="1"
    )
    set_shortlist(organiser, round_id, {speeltuin: 0, bankjes: 0, jeu: 0})
    clock.set("2026-03-16T10:00")
    for ballot in ([speeltuin, bankjes], [bankjes], [bankjes, jeu]):
        assert vote(app.test_client(), round_id, {"idee": ballot}).status_code == 302
    page = _outcome(app, clock, round_id)
    assert _row(page, "Bankjes") == "ja: Gekozen: 3 stemmen (plaats 1)."
    assert _row(page, "Speeltuin").startswith("nee: Niet gekozen: 1 stem (plaats 2)")


def test_dot_vote_end_to_end_refuses_too_many_points(app, village, organiser, clock):
    round_id, (speeltuin, bankjes, jeu) = _voting_round(
        app, village, organiser, clock, method="dots", points="5", seats="1"
    )
    set_shortlist(organiser, round_id, {speeltuin: 0, bankjes: 0, jeu: 0})
    clock.set("2026-03-16T10:00")
    resident = app.test_client()
    before = snapshot(village.storage)
    response = vote(resident, round_id, {f"punten-{speeltuin}": "4", f"punten-{bankjes}": "2"})
    assert response.status_code == 400
    assert "U heeft 6 punten verdeeld, maar u mag er hooguit 5 verdelen." in text(response)
    assert snapshot(village.storage) == before
    assert (
        vote(resident, round_id, {f"punten-{speeltuin}": "4", f"punten-{bankjes}": "1"}).status_code
        == 302
    )
    assert vote(app.test_client(), round_id, {f"punten-{bankjes}": "5"}).status_code == 302
    page = _outcome(app, clock, round_id)
    assert _row(page, "Bankjes") == "ja: Gekozen: 6 punten (plaats 1)."
    assert _row(page, "Jeu") == "nee: Niet gekozen: dit idee kreeg geen punten."


def test_borda_vote_end_to_end_refuses_shared_places(app, village, organiser, clock):
    round_id, (speeltuin, bankjes, jeu) = _voting_round(
        app, village, organiser, clock, method="borda", seats="1"
    )
    set_shortlist(organiser, round_id, {speeltuin: 0, bankjes: 0, jeu: 0})
    clock.set("2026-03-16T10:00")
    before = snapshot(village.storage)
    response = vote(app.test_client(), round_id, {f"plaats-{speeltuin}": "1", f"plaats-{jeu}": "1"})
    assert response.status_code == 400 and "dezelfde plaats" in text(response)
    assert snapshot(village.storage) == before
    # Three ideas: place 1 earns 2 points, place 2 earns 1.
    vote(app.test_client(), round_id, {f"plaats-{jeu}": "1", f"plaats-{bankjes}": "2"})
    vote(app.test_client(), round_id, {f"plaats-{bankjes}": "1", f"plaats-{jeu}": "2"})
    vote(app.test_client(), round_id, {f"plaats-{jeu}": "1"})
    page = _outcome(app, clock, round_id)
    assert _row(page, "Jeu") == "ja: Gekozen: 5 punten (plaats 1)."
    assert _row(page, "Bankjes").startswith("nee: Niet gekozen: 3 punten (plaats 2)")


def test_greedy_budget_vote_skips_what_no_longer_fits(app, village, organiser, clock):
    round_id, (speeltuin, bankjes, jeu) = _voting_round(
        app, village, organiser, clock, method="greedy_budget", budget="100"
    )
    set_shortlist(organiser, round_id, {speeltuin: 80, bankjes: 30, jeu: 20})
    clock.set("2026-03-16T10:00")
    for ballot in ([speeltuin, jeu], [speeltuin], [bankjes, jeu], [bankjes]):
        vote(app.test_client(), round_id, {"idee": ballot})
    page = _outcome(app, clock, round_id)
    assert (
        _row(page, "Speeltuin") == "ja: Gekozen: 2 stemmen, past binnen het budget (nog € 20 over)."
    )
    assert _row(page, "Bankjes").startswith("nee: Niet gekozen: paste niet meer")
    assert _row(page, "Jeu") == "ja: Gekozen: 2 stemmen, past binnen het budget (nog € 0 over)."
    # Every idea shows its support, also the one that lost (its reason names no votes).
    assert [_cells(page, t)[1] for t in ("Speeltuin", "Bankjes", "Jeu")] == ["2", "2", "2"]
    assert "Aantal stemmen</th>" in page


def test_equal_shares_vote_gives_the_minority_its_share(app, village, organiser, clock):
    round_id, (speeltuin, bankjes, jeu) = _voting_round(
        app, village, organiser, clock, method="equal_shares", budget="100", completion="none"
    )
    # A majority of three wants two projects; a minority of one wants a third.
    set_shortlist(organiser, round_id, {speeltuin: 50, bankjes: 50, jeu: 25})
    clock.set("2026-03-16T10:00")
    for ballot in ([speeltuin, bankjes], [speeltuin, bankjes], [speeltuin, bankjes], [jeu]):
        vote(app.test_client(), round_id, {"idee": ballot})
    page = _outcome(app, clock, round_id)
    assert _row(page, "Jeu").startswith("ja: Gekozen: de enige voorstander kon")
    assert _row(page, "Speeltuin").startswith("ja:")
    assert _row(page, "Bankjes").startswith("nee:")
    assert _cells(page, "Bankjes")[1] == "3"  # three voters wanted it; it still lost


def test_tampered_cost_and_unknown_idea_are_refused(app, village, organiser, clock):
    round_id, (speeltuin, bankjes, jeu) = _voting_round(
        app, village, organiser, clock, method="greedy_budget", budget="100"
    )
    set_shortlist(organiser, round_id, {speeltuin: 80, bankjes: 30, jeu: 20})
    clock.set("2026-03-16T10:00")
    resident = app.test_client()
    before = snapshot(village.storage)
    # Costs are never read from the form: claiming the speeltuin costs 10 does not help.
    response = vote(resident, round_id, {"idee": [speeltuin, bankjes], f"kosten-{speeltuin}": "10"})
    assert response.status_code == 400 and "€ 110" in text(response)
    response = vote(resident, round_id, {"idee": ["bestaat-niet"]})
    assert response.status_code == 400 and "Onbekend idee op het stembiljet: bestaat-niet" in text(
        response
    )
    assert snapshot(village.storage) == before
    token = _token(resident, f"/ronde/{round_id}/stemmen")
    assert vote(resident, round_id, {"idee": [speeltuin]}).status_code == 302
    before = snapshot(village.storage)
    response = resident.post(f"/ronde/{round_id}/stemmen", data={"csrf_token": token, "idee": jeu})
    assert response.status_code == 400 and "U heeft al gestemd" in text(response)
    assert snapshot(village.storage) == before


# --- commitments, meetings, flywheel ------------------------------------------------------------


def _committed_round(app, village, organiser, clock):
    round_id = make_round(organiser, village)
    clock.set("2026-03-09T10:00")
    idea = submit_idea(app.test_client(), round_id, "Buurtbus")
    set_shortlist(organiser, round_id, {idea: 0})
    clock.set("2026-03-16T10:00")
    vote(app.test_client(), round_id, {"idee": [idea]})
    clock.set("2026-03-23T10:00")
    _outcome_page(app.test_client(), round_id)  # the vote is counted once it has closed
    return round_id, idea


def test_pledge_contact_details_need_consent_and_only_beheerders_see_them(
    app, village, organiser, clock
):
    round_id, idea = _committed_round(app, village, organiser, clock)
    resident = app.test_client()
    url = f"/ronde/{round_id}/meedoen"
    before = snapshot(village.storage)
    response = resident.post_form(
        url, {"idea_id": idea, "hours": "3", "contact": "piet@example.org"}
    )
    assert response.status_code == 400 and "geen toestemming" in text(response)
    assert snapshot(village.storage) == before
    resident.post_form(
        url, {"idea_id": idea, "hours": "3", "consent": "ja", "contact": "piet@example.org"}
    )
    app.test_client().post_form(url, {"idea_id": idea, "skills": "Ik heb een rijbewijs D"})
    stored = village.storage.all(f"rounds/{round_id}/pledges")
    assert [p["contact"] for p in stored] == ["piet@example.org", ""]
    assert "piet@example.org" in text(organiser.get(f"/beheer/rondes/{round_id}/toezeggingen"))
    lezer = app.test_client()
    lezer.login("lezer")
    page = text(lezer.get(f"/beheer/rondes/{round_id}/toezeggingen"))
    assert "rijbewijs D" in page and "piet@example.org" not in page
    assert "alleen zichtbaar voor beheerders" in page
    export = organiser.get(f"/beheer/rondes/{round_id}/export.json").get_data(as_text=True)
    assert "piet@example.org" not in export and "participant" not in export


def test_meeting_sign_up_and_poll_with_phones_and_hand_count(app, village, organiser, clock):
    round_id, idea = _committed_round(app, village, organiser, clock)
    response = organiser.post_form(
        f"/beheer/rondes/{round_id}/bijeenkomsten",
        {
            "title": "Dorpsavond buurtbus",
            "starts_at": "2026-04-02T19:30",
            "place": "Dorpshuis De Linde",
            "agenda": "Welkom\nPlannen buurtbus",
            "idea": [idea],
        },
    )
    assert response.status_code == 302
    meeting_id = response.headers["Location"].split("/")[-1]
    resident = app.test_client()
    public = f"/ronde/{round_id}/bijeenkomst/{meeting_id}"
    assert resident.post_form(public, {"name": ""}).status_code == 302
    app.test_client().post_form(public, {"name": "Truus"})
    admin_meeting = f"/beheer/rondes/{round_id}/bijeenkomst/{meeting_id}"
    page = text(organiser.get(admin_meeting))
    assert "2 aanmeldingen" in page and "Truus" in page
    response = organiser.post_form(
        admin_meeting,
        {"action": "poll", "question": "Wanneer rijdt de bus?", "options": "Ochtend\nMiddag"},
    )
    screen = response.headers["Location"]
    poll_id = screen.split("/")[-1]
    answer = f"/ronde/{round_id}/peiling/{poll_id}"
    assert "Wanneer rijdt de bus?" in text(organiser.get(screen))
    # Phones in the hall scan the poll's QR code: it carries base_url, the letters' address,
    # not the 127.0.0.1/localhost the organiser's laptop opened the page on.
    screen_page = text(organiser.get(screen))
    assert f"https://testdorp.example.nl{answer}" in screen_page
    assert "werkt alleen op deze computer" not in screen_page
    village.config.base_url = ""
    screen_page = text(organiser.get(screen))
    assert f"http://localhost{answer}" in screen_page
    assert "Dit adres werkt alleen op deze computer" in screen_page
    village.config.base_url = "https://testdorp.example.nl"
    assert resident.post_form(answer, {"option": "Middag"}).status_code == 200
    response = resident.post_form(answer, {"option": "Ochtend"})
    assert response.status_code == 400 and "al beantwoord" in text(response)
    organiser.post_form(screen, {"action": "hands", "handen-0": "7", "handen-1": "4"})
    page = text(organiser.get(screen))
    rows = re.findall(r'<th scope="row">(\w+)</th>\s*((?:<td class="num">\d+</td>\s*)+)', page)
    counts = {name: re.findall(r"\d+", cells) for name, cells in rows}
    assert counts == {"Ochtend": ["0", "7", "7"], "Middag": ["1", "4", "5"]}
    organiser.post_form(
        admin_meeting, {"action": "outcomes", "outcomes": "Bus rijdt op dinsdag", "idea": [idea]}
    )
    page = text(resident.get(public))
    assert "Bus rijdt op dinsdag" in page and "Buurtbus" in page
    late = app.test_client()
    token = _token(late, answer)  # the phone loaded the question before it was closed
    organiser.post_form(screen, {"action": "close"})
    before = snapshot(village.storage)
    response = late.post(answer, data={"csrf_token": token, "option": "Middag"})
    assert response.status_code == 400 and "Deze peiling is gesloten" in text(response)
    assert snapshot(village.storage) == before


def test_flywheel_page_hides_small_groups(app, village, organiser, clock):
    round_id, idea = _committed_round(app, village, organiser, clock)
    url = f"/ronde/{round_id}/meedoen"
    for hours in ("2", "3", "4", "5", "6"):
        app.test_client().post_form(url, {"idea_id": idea, "hours": hours})
    app.test_client().post_form(url, {"idea_id": idea, "money": "100"})
    organiser.post_form(
        f"/beheer/rondes/{round_id}/besluiten",
        {f"besluit-{idea}": "klaar", "publish": "ja"},
    )
    clock.set("2026-04-01T10:00")
    page = text(app.test_client().get("/vliegwiel"))
    # 1 author + 1 voter + 6 pledgers = 8 participants; 5 volunteers giving 20 hours;
    # money from one person is hidden.
    cells = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', page)
    assert cells == ["8", "0", "1", "1", "1", "5", "20", "verborgen"]


def test_pilot_scores_next_to_residents_priorities(app, village, organiser, clock):
    round_id, (speeltuin, bankjes, jeu) = _voting_round(
        app,
        village,
        organiser,
        clock,
        method="approval",
        seats="1",
        criteria="Haalbaar\nEigen kracht",
    )
    set_shortlist(organiser, round_id, {speeltuin: 0, bankjes: 0})
    clock.set("2026-03-16T10:00")
    vote(app.test_client(), round_id, {"idee": [bankjes]})
    url = f"/beheer/rondes/{round_id}/selectie"
    response = organiser.post_form(url, {f"score-{speeltuin}-0": "9"})
    assert response.status_code == 400 and "0 tot en met 5" in text(response)
    organiser.post_form(url, {f"score-{speeltuin}-0": "4", f"score-{speeltuin}-1": "5"})
    assert village.storage.get(f"rounds/{round_id}/ideas", speeltuin)["scores"] == {
        "Haalbaar": 4,
        "Eigen kracht": 5,
    }
    page = text(organiser.get(url))
    assert "Gekozen: 1 stem (plaats 1)." in page  # the residents' priority, next to the scores
    assert '<td class="num">9</td>' in page  # speeltuin's total score
    lezer = app.test_client()
    lezer.login("lezer")
    assert lezer.post_form(url, {f"score-{speeltuin}-0": "1"}).status_code == 403


def test_organiser_pages_render_and_files_move_in_and_out(app, village, organiser, clock):
    round_id, (speeltuin, bankjes, jeu) = _voting_round(
        app, village, organiser, clock, method="greedy_budget", budget="100"
    )
    set_shortlist(organiser, round_id, {speeltuin: 80, bankjes: 30})
    clock.set("2026-03-16T10:00")
    vote(app.test_client(), round_id, {"idee": [speeltuin]})
    base = f"/beheer/rondes/{round_id}"
    for path in ("/", "", "/instellingen", "/ideeen", "/selectie", "/besluiten",
                 "/toezeggingen", "/bijeenkomsten"):  # fmt: skip
        url = "/beheer/rondes/" if path == "/" else base + path
        assert organiser.get(url).status_code == 200, url
    csv_response = organiser.get(f"{base}/export.csv")
    # One charset in the header (it used to say "charset=utf-8; charset=utf-8").
    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response.get_data(as_text=True).splitlines()[0].startswith("idea_id,title")
    pb_response = organiser.get(f"{base}/export.pb")
    assert pb_response.headers["Content-Type"] == "text/plain; charset=utf-8"
    pb = pb_response.get_data()
    design = organiser.get(f"{base}/ontwerp.json").get_data()

    # The ballots file goes back in only once: its voters are already in the round.
    before = snapshot(village.storage)
    response = organiser.post_form(
        f"{base}/stembiljetten", {"file": (io.BytesIO(pb), "ronde.pb")}, page=base,
        follow_redirects=True,
    )  # fmt: skip
    assert "staat al in deze ronde" in text(response)
    assert snapshot(village.storage) == before

    response = organiser.post_form(
        "/beheer/rondes/ontwerp-import",
        {"file": (io.BytesIO(design), "ontwerp.json"), "start": "2027-01-04"},
        page="/beheer/rondes/",
        follow_redirects=True,
    )
    assert "Het ontwerp is ingelezen als concept" in text(response)
    rounds = village.storage.all(ROUNDS)
    assert len(rounds) == 2 and rounds[1]["phases"][0]["start"].startswith("2027-01-04")
