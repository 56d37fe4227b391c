"""A round's published results are frozen (vliegwiel/rounds/publication.py): the outcome
page, the round page, the home page and the flywheel show what the beheerder published,
whatever changes afterwards, until they publish again."""

from __future__ import annotations

import re

from round_helpers import make_round, set_shortlist, submit_idea, text, vote

from vliegwiel.rounds.ballots import ballots_of
from vliegwiel.rounds.count import wait_for_counts
from vliegwiel.rounds.ideas import ideas_of, set_decision


def _outcome(client, round_id: str) -> str:
    page = text(client.get(f"/ronde/{round_id}/uitslag"))
    if "worden nu geteld" in page:
        wait_for_counts(client.application.extensions["vliegwiel"].storage)
        page = text(client.get(f"/ronde/{round_id}/uitslag"))
    return page


def _chosen(page: str, title: str) -> str:
    match = re.search(rf"<th scope=\"row\">{title}[^<]*</th> <td[^>]*>(ja|nee)</td>", page)
    assert match, f"no outcome row for {title}"
    return match.group(1)


def _flywheel_pilots(client) -> list[str]:
    """The flywheel's pilots and pilots done (its counts of people stay live, protected)."""
    page = text(client.get("/vliegwiel"))
    cells = re.findall(r'data-label="(?:Pilots|Pilots klaar)">([^<]*)<', page)
    assert len(cells) == 2, "no pilots cells on the flywheel page"
    return cells


def _everything(resident, round_id: str) -> dict[str, str]:
    home = re.sub(r"<[^>]+>", "", text(resident.get("/")))
    return {
        "outcome": _outcome(resident, round_id),
        "round": text(resident.get(f"/ronde/{round_id}")),
        "home": home,
        "flywheel": _flywheel_pilots(resident),
    }


def test_published_round_results_stay_as_published_until_published_again(
    app, village, organiser, clock
):
    round_id = make_round(organiser, village, method="approval", seats="1")
    clock.set("2026-03-09T10:00")
    author = app.test_client()
    speeltuin, bankjes = (submit_idea(author, round_id, t) for t in ("Speeltuin", "Bankjes"))
    set_shortlist(organiser, round_id, {speeltuin: 0, bankjes: 0})
    clock.set("2026-03-16T10:00")
    for ballot in ([speeltuin], [speeltuin], [bankjes]):
        assert vote(app.test_client(), round_id, {"idee": ballot}).status_code == 302

    # The vote is over; the beheerder decides and publishes.
    clock.set("2026-03-30T10:00")
    response = organiser.post_form(
        f"/beheer/rondes/{round_id}/besluiten",
        {f"besluit-{speeltuin}": "pilot", f"reden-{speeltuin}": "Start in april", "publish": "ja"},
    )
    assert response.status_code == 302
    resident = app.test_client()
    before = _everything(resident, round_id)
    assert _chosen(before["outcome"], "Speeltuin") == "ja"
    assert _chosen(before["outcome"], "Bankjes") == "nee"
    assert "3 " in before["outcome"]  # three voters
    assert "Gekozen als pilot" in before["round"] and "Start in april" in before["round"]
    assert "Speeltuin: Gekozen als pilot" in before["home"]
    assert before["flywheel"] == ["1", "0"]

    # Afterwards: four ballots imported for Bankjes (the count would now choose it), a
    # decision changed and an idea renamed, without publishing.
    storage = village.storage
    storage.insert_many(
        ballots_of(round_id),
        [
            {
                "participant": f"papier-{n}",
                "ballot": [bankjes],
                "channel": "paper",
                "created_at": "2026-03-21T10:00:00+01:00",
            }
            for n in range(4)
        ],
    )
    set_decision(storage, round_id, speeltuin, "niet_nu", "Toch te duur")
    set_decision(storage, round_id, bankjes, "pilot", "")
    storage.update(ideas_of(round_id), bankjes, {"title": "Bankjes (nieuw)"})
    wait_for_counts(storage)

    after = _everything(resident, round_id)
    assert after == before  # every public page exactly as published

    # The organiser's page shows the live state.
    assert "Toch te duur" in text(organiser.get(f"/beheer/rondes/{round_id}/besluiten"))

    # Publishing again shows the new state everywhere.
    response = organiser.post_form(
        f"/beheer/rondes/{round_id}/besluiten",
        {
            f"besluit-{speeltuin}": "niet_nu",
            f"reden-{speeltuin}": "Toch te duur",
            f"besluit-{bankjes}": "pilot",
            "publish": "ja",
        },
    )
    assert response.status_code == 302
    again = _everything(resident, round_id)
    assert _chosen(again["outcome"], "Bankjes \\(nieuw\\)") == "ja"
    assert _chosen(again["outcome"], "Speeltuin") == "nee"
    assert "Toch te duur" in again["round"]
    assert "Bankjes (nieuw): Gekozen als pilot" in again["home"]
    assert "Speeltuin: Niet nu" in again["home"]
    assert again["flywheel"] == ["1", "0"] and again != before
