"""Voting as a resident notices it: the running total after "Bereken", "U heeft gestemd" and a
changed vote that replaces the old one until the deadline, the open vote on the home page,
support per idea in the outcome, and the organiser's warning for ideas that cost € 0."""

from __future__ import annotations

import re
import threading

from conftest import csrf_token
from round_helpers import make_round, set_shortlist, submit_idea, text, vote

from vliegwiel.rounds.ballots import cast_ballot, count_votes, stored_ballots
from vliegwiel.rounds.ideas import all_ideas
from vliegwiel.rounds.model import get_round


def words(response) -> str:
    """What a reader sees: the page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response))).replace(" .", ".")


VOTE_DAY = "2026-03-16T10:00"  # the prioritise phase of round_helpers.PHASES: 15-21 March


def _budget_round(app, village, organiser, clock, costs=(600, 500, 300)) -> tuple[str, list[str]]:
    round_id = make_round(organiser, village, method="greedy_budget", budget="1000")
    clock.set("2026-03-09T10:00")
    author = app.test_client()
    ids = [submit_idea(author, round_id, name) for name in ("Speeltuin", "Jeu", "Bankjes")]
    set_shortlist(organiser, round_id, dict(zip(ids, costs, strict=True)))
    clock.set(VOTE_DAY)
    return round_id, ids


def test_bereken_shows_total_and_remaining_budget_and_stores_nothing(
    app, village, organiser, clock
):
    round_id, (speeltuin, jeu, bankjes) = _budget_round(app, village, organiser, clock)
    resident = app.test_client()
    response = resident.get(f"/ronde/{round_id}/stemmen")
    page = words(response)
    assert "Gekozen: € 0 van € 1.000" in page and "Nog over: € 1.000" in page
    # Each cost stays on one line with its euro sign.
    assert '<span class="amount">(€ 600)</span>' in text(response)

    response = vote(resident, round_id, {"idee": [speeltuin, bankjes], "actie": "bereken"})
    page = words(response)
    assert response.status_code == 200
    assert "Gekozen: € 900 van € 1.000" in page and "Nog over: € 100" in page
    ticked = f'value="{speeltuin}" aria-describedby="uitleg" data-cost="600" checked'
    assert ticked in text(response)
    assert stored_ballots(village.storage, round_id) == []

    over = words(vote(resident, round_id, {"idee": [speeltuin, jeu], "actie": "bereken"}))
    assert "Gekozen: € 1.100 van € 1.000" in over
    assert "Dat is € 100 meer dan het budget" in over
    assert stored_ballots(village.storage, round_id) == []


def test_changing_a_vote_replaces_the_ballot_until_the_deadline(app, village, organiser, clock):
    round_id, (speeltuin, jeu, bankjes) = _budget_round(app, village, organiser, clock)
    resident, neighbour = app.test_client(), app.test_client()
    assert "Stem nu" in text(resident.get(f"/ronde/{round_id}"))
    assert vote(resident, round_id, {"idee": [speeltuin]}).status_code == 302
    assert vote(neighbour, round_id, {"idee": [jeu]}).status_code == 302

    page = words(resident.get(f"/ronde/{round_id}"))
    assert "U heeft gestemd." in page and "Stem nu" not in page
    assert "U kunt uw stem wijzigen tot en met 21 maart 2026." in page
    form = resident.get(f"/ronde/{round_id}/stemmen")
    assert "U heeft gestemd. Dank u wel!" in words(form) and "Stem wijzigen" in words(form)
    assert f'value="{speeltuin}" aria-describedby="uitleg" data-cost="600" checked' in text(form)

    # A second ballot without asking to change is still refused: a form sent twice.
    again = vote(resident, round_id, {"idee": [bankjes]})
    assert again.status_code == 400 and "U heeft al gestemd" in text(again)

    changed = vote(resident, round_id, {"idee": [bankjes, jeu], "wijzigen": "ja"})
    assert changed.status_code == 302
    assert "Uw stem is gewijzigd" in text(resident.get(changed.headers["Location"]))
    ballots = stored_ballots(village.storage, round_id)
    assert len(ballots) == 2
    assert sorted(sorted(b["ballot"]) for b in ballots) == sorted([[jeu], sorted([bankjes, jeu])])
    outcome = count_votes(village.storage, get_round(village.storage, round_id))
    assert outcome.scores == {jeu: 2, bankjes: 1, speeltuin: 0}

    # After the deadline the vote stands, even for a form opened before it.
    token = csrf_token(text(resident.get(f"/ronde/{round_id}/stemmen")))
    clock.set("2026-03-22T10:00")
    late = resident.post(
        f"/ronde/{round_id}/stemmen",
        data={"idee": [speeltuin], "wijzigen": "ja", "csrf_token": token},
    )
    assert late.status_code == 400
    assert "Stem wijzigen" not in text(resident.get(f"/ronde/{round_id}/stemmen"))
    assert len(stored_ballots(village.storage, round_id)) == 2
    outcome = count_votes(village.storage, get_round(village.storage, round_id))
    assert outcome.scores == {jeu: 2, bankjes: 1, speeltuin: 0}


def test_concurrent_changes_leave_exactly_one_ballot(app, village, organiser, clock):
    round_id, ids = _budget_round(app, village, organiser, clock)
    record = get_round(village.storage, round_id)
    moment = clock()
    cast_ballot(village.storage, record, [ids[0]], participant="p", now=moment)
    errors: list[Exception] = []

    def change(choice: str) -> None:
        try:
            for _ in range(5):
                cast_ballot(
                    village.storage, record, [choice], participant="p", now=moment, replace=True
                )
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=change, args=(pid,)) for pid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    [ballot] = stored_ballots(village.storage, round_id)
    assert ballot["ballot"] in ([ids[0]], [ids[1]], [ids[2]])
    assert sum(count_votes(village.storage, record).scores.values()) == 1


def test_home_page_announces_the_open_vote(app, village, organiser, clock):
    round_id, _ = _budget_round(app, village, organiser, clock)
    resident = app.test_client()
    clock.set("2026-03-10T10:00")  # ideas phase: no vote yet
    assert "Nu stemmen" not in text(resident.get("/"))
    clock.set(VOTE_DAY)
    home = words(resident.get("/"))
    assert "Nu stemmen" in home
    assert f'<a href="/ronde/{round_id}/stemmen">Stem mee: Samen het dorp groener</a>' in text(
        resident.get("/")
    )
    assert "kan tot en met 21 maart 2026" in home
    clock.set("2026-03-22T10:00")
    assert "Nu stemmen" not in text(resident.get("/"))


def test_budget_shortlist_with_zero_costs_is_refused_or_warned(app, village, organiser, clock):
    round_id = make_round(organiser, village, method="equal_shares", budget="3000")
    clock.set("2026-03-09T10:00")
    author = app.test_client()
    ids = [submit_idea(author, round_id, name) for name in ("Speeltuin", "Bankjes")]
    data = {}
    for n, idea_id in enumerate(ids, 1):
        data |= {f"kies-{idea_id}": "ja", f"volgorde-{idea_id}": str(n), f"kosten-{idea_id}": "0"}
    ideas_page = f"/beheer/rondes/{round_id}/ideeen"

    refused = organiser.post_form(f"/beheer/rondes/{round_id}/stemlijst", data, page=ideas_page)
    assert refused.status_code == 400
    assert "Elk idee op de stemlijst kost nu € 0" in words(refused)
    assert not any(i.get("shortlisted") for i in all_ideas(village.storage, round_id))

    data[f"kosten-{ids[0]}"] = "1200"
    saved = organiser.post_form(f"/beheer/rondes/{round_id}/stemlijst", data, page=ideas_page)
    assert saved.status_code == 302
    flashed = words(organiser.get(saved.headers["Location"]))
    assert "De stemlijst is opgeslagen. Let op: deze ideeën kosten € 0" in flashed
    assert "met één stem al gekozen: Bankjes." in flashed
    overview = words(organiser.get(f"/beheer/rondes/{round_id}"))
    assert "Let op: deze ideeën kosten € 0" in overview and "Bankjes" in overview

    # An approval round has no budget: costs of € 0 are normal there.
    other = make_round(organiser, village, method="approval", seats="1")
    idea = submit_idea(author, other, "Bankjes")
    set_shortlist(organiser, other, {idea: 0})
    assert "kosten-waarschuwing" not in text(organiser.get(f"/beheer/rondes/{other}"))
