"""The vote is counted once per version of the ballots, in the background, with a time limit:
a resident's page never counts (security review, finding 1)."""

from __future__ import annotations

import re
import time

import pytest
from round_helpers import make_round, set_shortlist, submit_idea, text, vote

from vliegwiel.rounds import count as round_count
from vliegwiel.rounds.count import count_collection, count_with_limit, wait_for_counts
from vliegwiel.rounds.model import ROUNDS


def _review_round(app, village, organiser, clock) -> str:
    """The reviewed case: budget 20,000; 15,000 + 5 x 500; 30 ballots, one only for the
    15,000 idea. Before, one GET of the outcome ran Equal Shares some 600 times (8.8 s)."""
    round_id = make_round(
        organiser, village, method="equal_shares", budget="20000", completion="add1u"
    )
    clock.set("2026-03-09T10:00")
    author = app.test_client()
    big = submit_idea(author, round_id, "Dorpshuis")
    small = [submit_idea(author, round_id, f"Bankje {i}") for i in range(5)]
    set_shortlist(organiser, round_id, {big: 15000, **{s: 500 for s in small}})
    clock.set("2026-03-16T10:00")
    assert vote(app.test_client(), round_id, {"idee": [big]}).status_code == 302
    for i in range(29):
        ballot = [small[i % 5], small[(i + 1) % 5]]
        assert vote(app.test_client(), round_id, {"idee": ballot}).status_code == 302
    clock.set("2026-03-23T10:00")
    return round_id


def test_residents_pages_never_count_and_a_flood_makes_one_count(
    app, village, organiser, clock, monkeypatch
):
    round_id = _review_round(app, village, organiser, clock)
    counts = []
    real = round_count.count_with_limit

    def counting(storage, record, seconds=None):
        counts.append(record["id"])
        return real(storage, record, seconds)

    monkeypatch.setattr(round_count, "count_with_limit", counting)
    pages = [app.test_client().get(f"/ronde/{round_id}/uitslag") for _ in range(10)]
    pages.append(app.test_client().get(f"/ronde/{round_id}/meedoen"))
    for page in pages:
        assert page.status_code == 200
        assert "De stemmen worden nu geteld" in text(page)
    wait_for_counts(village.storage)
    assert counts == [round_id]  # eleven requests, one count

    page = text(app.test_client().get(f"/ronde/{round_id}/uitslag"))
    assert re.search(
        r"Dorpshuis <span class=\"amount\">\(€ 15\.000\)</span></th> <td[^>]*>ja</td>", page
    )
    assert counts == [round_id]  # shown from the stored count

    # A new ballot (an import of paper votes, say) is a new version: counted again, once.
    record = village.storage.get(ROUNDS, round_id)
    village.storage.insert(
        f"rounds/{round_id}/ballots",
        {"participant": "papier-1", "ballot": [], "channel": "import", "created_at": ""},
    )
    assert "nu geteld" in text(app.test_client().get(f"/ronde/{round_id}/uitslag"))
    wait_for_counts(village.storage)
    assert counts == [round_id, round_id]
    assert len(village.storage.all(count_collection(record["id"]))) == 1


def test_a_count_past_its_time_limit_is_stopped_and_said_so(app, village, organiser, clock):
    round_id = _review_round(app, village, organiser, clock)
    record = village.storage.get(ROUNDS, round_id)
    start = time.monotonic()
    state = count_with_limit(village.storage, record, seconds=0.01)  # the child cannot finish
    assert time.monotonic() - start < 10
    assert state.failed and state.outcome is None
    page = text(app.test_client().get(f"/ronde/{round_id}/uitslag"))
    assert "kon niet automatisch worden geteld" in page
    # The organiser's selection page does not count again for a version that failed.
    start = time.monotonic()
    assert organiser.get(f"/beheer/rondes/{round_id}/selectie").status_code == 200
    assert len(village.storage.all(count_collection(round_id))) == 1


@pytest.mark.parametrize("completion", ["add1", "add1u"])
def test_the_stored_count_is_the_count(app, village, organiser, clock, completion):
    from vliegwiel.rounds.ballots import count_votes

    round_id = make_round(
        organiser, village, method="equal_shares", budget="100", completion=completion
    )
    clock.set("2026-03-09T10:00")
    author = app.test_client()
    q, s, p = (submit_idea(author, round_id, t) for t in ("Q", "S", "P"))
    set_shortlist(organiser, round_id, {q: 50, s: 45, p: 45})
    clock.set("2026-03-16T10:00")
    for ballot in [[p]] * 4 + [[q, s]] * 6:
        vote(app.test_client(), round_id, {"idee": ballot})
    clock.set("2026-03-23T10:00")
    record = village.storage.get(ROUNDS, round_id)
    stored = round_count.outcome_now(village.storage, record).outcome
    direct = count_votes(village.storage, record)
    assert stored == direct
