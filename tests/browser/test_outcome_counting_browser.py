"""The outcome page while the vote is counted in the background, and once counted, at phone
and desktop width (security review, finding 1)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from vliegwiel.rounds.ballots import ballots_of
from vliegwiel.rounds.count import wait_for_counts
from vliegwiel.rounds.ideas import set_shortlist, submit_idea
from vliegwiel.rounds.model import ROUNDS, TIMEZONE, create_round

from .live import DESKTOP, PHONE, LiveServer, new_context


def _counted_round(storage) -> str:
    now = datetime.now(TIMEZONE)
    kinds = ("ideas", "prioritise", "commit")
    start = now - timedelta(days=20)
    phases = []
    for n, kind in enumerate(kinds):
        begin, end = start + timedelta(days=7 * n), start + timedelta(days=7 * (n + 1))
        phases.append({"kind": kind, "start": begin.isoformat(), "end": end.isoformat()})
    record = create_round(
        storage,
        title="Dorpsbudget",
        phases=phases,
        settings={"method": "equal_shares", "budget": 20000, "completion": "add1u"},
        now=start,
    )
    storage.update(ROUNDS, record["id"], {"scheduled": True})
    record = storage.get(ROUNDS, record["id"])
    when = start + timedelta(days=1)
    ideas = [
        submit_idea(storage, record, title=t, description="x", participant=f"p{n}", now=when)
        for n, t in enumerate(["Dorpshuis", "Bankjes", "Speeltuin", "Jeu de boules"])
    ]
    ids = [i["id"] if isinstance(i, dict) else i for i in ideas]
    set_shortlist(
        storage,
        record["id"],
        [(ids[0], 1, 15000), (ids[1], 2, 500), (ids[2], 3, 4000), (ids[3], 4, 800)],
        locked_by_votes=False,
    )
    for n in range(30):
        ballot = [ids[0]] if n == 0 else [ids[1 + n % 3], ids[1 + (n + 1) % 3]]
        storage.insert(
            ballots_of(record["id"]),
            {"participant": f"v{n}", "ballot": ballot, "channel": "web", "created_at": ""},
        )
    return record["id"]


@pytest.mark.parametrize("label, viewport", [("phone", PHONE), ("desktop", DESKTOP)])
def test_outcome_while_counting_and_after(
    browser: Browser, live_server: LiveServer, screenshot_dir: Path, label: str, viewport: dict
):
    storage = live_server.village.storage
    round_id = _counted_round(storage)
    context = new_context(browser, live_server, viewport=viewport)
    page = context.new_page()
    try:
        page.goto(f"/ronde/{round_id}/uitslag")
        notice = page.get_by_role("status")
        assert "De stemmen worden nu geteld" in notice.inner_text()
        page.screenshot(path=screenshot_dir / f"uitslag-telt-{label}.png", full_page=True)
        wait_for_counts(storage)
        page.reload()
        table = page.locator("table.data")
        assert "Dorpshuis" in table.inner_text()
        no_scroll = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert no_scroll
        page.screenshot(path=screenshot_dir / f"uitslag-geteld-{label}.png", full_page=True)
    finally:
        context.close()
