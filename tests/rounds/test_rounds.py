"""Participation rounds without the web: status from dates, ballots in and out as .pb,
design export and import, the CLI, the flywheel figures and the participant-key seam."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner
from conftest import write_survey

from vliegwiel.cli.main import main
from vliegwiel.core.instance import init_instance
from vliegwiel.core.village import build_village
from vliegwiel.rounds.ballots import cast_ballot, count_votes, export_pb, import_pb
from vliegwiel.rounds.flywheel import round_figures
from vliegwiel.rounds.ideas import set_shortlist, submit_idea, support
from vliegwiel.rounds.io import export_design, import_design
from vliegwiel.rounds.model import (
    ROUNDS,
    TIMEZONE,
    RoundError,
    create_round,
    get_round,
    parse_day,
    participant_hash,
    status_of,
    update_round,
)
from vliegwiel.rounds.pabulib import read_pb
from vliegwiel.rounds.pledges import make_pledge

T0 = datetime(2026, 5, 1, tzinfo=TIMEZONE)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def phases(*kinds: str, length: int = 7) -> list[dict]:
    """Consecutive phases of ``length`` days from T0; the results phase has no end."""
    out = []
    for n, kind in enumerate(kinds):
        start = at(n * length)
        end = None if kind == "results" else at((n + 1) * length)
        out.append({"kind": kind, "start": start.isoformat(), "end": end and end.isoformat()})
    return out


def snapshot(storage) -> dict:
    return {name: storage.all(name) for name in storage.collections(ROUNDS)}


@pytest.fixture
def storage(village):
    return village.storage


def scheduled_round(storage, kinds=("ideas", "prioritise", "commit", "results"), **settings):
    record = create_round(
        storage, title="Dorpsbudget", phases=phases(*kinds), settings=settings, now=T0
    )
    update_round(storage, record["id"], {"scheduled": True})
    return get_round(storage, record["id"])


# --- status follows the clock -------------------------------------------------------------------


def test_status_moves_from_draft_to_open_closed_and_published_by_the_dates(storage):
    record = create_round(
        storage, title="Ronde", phases=phases("ideas", "prioritise", "results"), now=T0
    )
    assert status_of(record, at(1)) == "draft"  # not scheduled: stays a draft
    update_round(storage, record["id"], {"scheduled": True})
    record = get_round(storage, record["id"])
    assert status_of(record, at(-0.01)) == "draft"
    assert status_of(record, at(0)) == "open"
    assert status_of(record, at(13.99)) == "open"
    assert status_of(record, at(14)) == "closed"
    update_round(storage, record["id"], {"results_published": True})
    record = get_round(storage, record["id"])
    assert status_of(record, at(13)) == "open"  # published results wait for their phase
    assert status_of(record, at(14)) == "published"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([{"kind": "ideas", "start": at(3).isoformat(), "end": at(1).isoformat()}], "eindigt"),
        ([{"kind": "ideas", "start": at(0).isoformat(), "end": None}], "einddatum"),
        (
            [
                {"kind": "ideas", "start": at(0).isoformat(), "end": at(5).isoformat()},
                {"kind": "prioritise", "start": at(4).isoformat(), "end": at(9).isoformat()},
            ],
            "voordat de vorige fase",
        ),
        (phases("ideas") + phases("ideas"), "één keer"),
    ],
)
def test_impossible_phases_are_refused(storage, bad, message):
    with pytest.raises(RoundError, match=message):
        create_round(storage, title="Ronde", phases=bad)
    assert storage.count(ROUNDS) == 0


def test_a_date_end_includes_the_whole_day():
    assert parse_day("2026-03-14", end=True) == datetime(2026, 3, 15, tzinfo=TIMEZONE)
    with pytest.raises(RoundError, match="Geen geldige datum"):
        parse_day("14-03-2026")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"method": "loting"}, "Onbekende stemmethode"),
        ({"method": "greedy_budget", "budget": 0}, "budget nodig"),
        ({"method": "dots", "points": 0}, "minstens 1 punt"),
    ],
)
def test_impossible_settings_are_refused(storage, settings, message):
    with pytest.raises(RoundError, match=message):
        create_round(storage, title="Ronde", settings=settings)


# --- ballots in and out as .pb ------------------------------------------------------------------


def voted_round(storage, method="greedy_budget", **settings):
    record = scheduled_round(storage, method=method, **settings)
    ideas = [
        submit_idea(storage, record, title=t, description="d", participant=f"a{n}", now=at(1))
        for n, t in enumerate(("Speeltuin", "Bankjes", "Jeu"))
    ]
    ids = [i["id"] for i in ideas]
    set_shortlist(
        storage,
        record["id"],
        list(zip(ids, (1, 2, 3), (80, 30, 20), strict=True)),
        locked_by_votes=False,
    )
    return record, ids


def test_pb_export_and_import_round_trip(storage):
    record, (s, b, j) = voted_round(storage, budget=100)
    for n, ballot in enumerate(([s, j], [s], [b, j], [b])):
        cast_ballot(storage, record, ballot, participant=f"p{n}", now=at(8))
    before = count_votes(storage, record)
    text = export_pb(storage, record, "Testdorp")
    parsed = read_pb(text)
    assert parsed.meta["vote_type"] == "approval" and parsed.budget == 100
    assert [(p.id, p.cost) for p in parsed.projects] == [(s, 80), (b, 30), (j, 20)]
    assert sorted(map(sorted, parsed.ballots())) == sorted(map(sorted, ([s, j], [s], [b, j], [b])))

    # Re-importing the same file adds nothing: those voters are already in the round.
    snap = snapshot(storage)
    with pytest.raises(RoundError, match="staat al in deze ronde"):
        import_pb(storage, record, text, now=at(9))
    assert snapshot(storage) == snap

    # Into an empty copy of the ballots: the same outcome comes back.
    for ballot in storage.all(f"rounds/{record['id']}/ballots"):
        storage.delete(f"rounds/{record['id']}/ballots", ballot["id"])
    assert import_pb(storage, record, text, now=at(9)) == 4
    after = count_votes(storage, record)
    assert after.selected == before.selected == [s, j]
    assert after.scores == before.scores


def test_pb_round_trip_for_dots_and_borda(storage):
    for method, ballots in (
        ("dots", [{"x": 3}, {"x": 1, "y": 4}]),
        ("borda", [["y", "x"], ["x"]]),
    ):
        record, ids = voted_round(storage, method=method, points=5, seats=1)
        rename = {"x": ids[0], "y": ids[1]}
        for n, ballot in enumerate(ballots):
            real = (
                {rename[k]: v for k, v in ballot.items()}
                if isinstance(ballot, dict)
                else [rename[k] for k in ballot]
            )
            cast_ballot(storage, record, real, participant=f"p{n}", now=at(8))
        before = count_votes(storage, record)
        text = export_pb(storage, record)
        for stored in storage.all(f"rounds/{record['id']}/ballots"):
            storage.delete(f"rounds/{record['id']}/ballots", stored["id"])
        import_pb(storage, record, text, now=at(9))
        assert count_votes(storage, record).scores == before.scores


def test_pb_import_refuses_tampered_costs_unknown_ideas_and_bad_ballots(storage):
    record, (s, b, j) = voted_round(storage, budget=100)
    good = (
        f"META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n"
        f"{s};80;Speeltuin\n{b};30;Bankjes\n{j};20;Jeu\nVOTES\nvoter_id;vote\n"
    )
    snap = snapshot(storage)
    cases = {
        good.replace(f"{s};80", f"{s};10") + f"v1;{s},{b}\n": "wijken af",
        good.replace(f"{j};20;Jeu", "zzz;20;Nieuw") + "v1;zzz\n": "Onbekend idee",
        good.replace("budget;100", "budget;100\nmax_sum_cost;100")
        + f"v1;{s}\nv2;{s},{b}\n": "Stembiljet 2 \\(voter_id v2\\): De gekozen ideeën kosten samen",
        good.replace("approval", "ordinal") + f"v1;{s}\n": "type ordinal",
        good + "v1;\n": "leeg",
    }
    for text, message in cases.items():
        with pytest.raises(RoundError, match=message):
            import_pb(storage, record, text, now=at(8))
        assert snapshot(storage) == snap


# --- ballots and pledges refuse bad input -------------------------------------------------------


def test_cast_ballot_refuses_double_late_and_over_budget(storage):
    record, (s, b, j) = voted_round(storage, budget=100)
    snap = snapshot(storage)
    with pytest.raises(RoundError, match="nog niet begonnen"):
        cast_ballot(storage, record, [s], participant="p", now=at(6))
    with pytest.raises(ValueError, match="meer dan het budget"):
        cast_ballot(storage, record, [s, b], participant="p", now=at(8))
    assert snapshot(storage) == snap
    cast_ballot(storage, record, [s], participant="p", now=at(8))
    snap = snapshot(storage)
    with pytest.raises(RoundError, match="al gestemd"):
        cast_ballot(storage, record, [j], participant="p", now=at(8))
    with pytest.raises(RoundError, match="gesloten"):
        cast_ballot(storage, record, [j], participant="q", now=at(14))
    assert snapshot(storage) == snap


def test_shortlist_and_costs_freeze_once_people_voted(storage):
    record, (s, b, j) = voted_round(storage, budget=100)
    cast_ballot(storage, record, [s], participant="p", now=at(8))
    with pytest.raises(RoundError, match="liggen nu vast"):
        set_shortlist(storage, record["id"], [(s, 1, 10)], locked_by_votes=True)
    from vliegwiel.rounds.ideas import hide_idea

    with pytest.raises(RoundError, match="al over dit idee gestemd"):
        hide_idea(storage, record["id"], s, "reden")


def test_pledge_without_consent_stores_no_contact(storage):
    record, (s, _b, _j) = voted_round(storage, budget=100)
    snap = snapshot(storage)
    with pytest.raises(RoundError, match="geen toestemming"):
        make_pledge(
            storage, record, idea_id=s, hours=2, name="Piet", participant="p",
            targets=[s], now=at(15),
        )  # fmt: skip
    assert snapshot(storage) == snap
    pledge = make_pledge(
        storage, record, idea_id=s, hours=2, participant="p", targets=[s], now=at(15)
    )
    assert pledge["name"] == "" and pledge["contact"] == "" and pledge["consent"] is False


# --- flywheel -----------------------------------------------------------------------------------


def test_flywheel_figures_count_people_once_and_hide_small_groups(storage):
    record, (s, b, _j) = voted_round(storage, budget=100)
    support(storage, record, s, participant="a0", now=at(2))  # an author, counted once
    for n in range(4):
        cast_ballot(storage, record, [s], participant=f"v{n}", now=at(8))
    for n in range(5):
        make_pledge(
            storage, record, idea_id=s, hours=n + 1, participant=f"v{n}", targets=[s], now=at(15)
        )
    make_pledge(storage, record, idea_id=s, money=500, participant="rich", targets=[s], now=at(15))
    figures = round_figures(storage, record, k=5, now=at(30))
    # Authors a0-a2, voters v0-v3, pledger v4 and "rich": 9 people.
    assert figures.participants == 9
    assert figures.volunteers == 5 and figures.hours_per_month == 15
    assert figures.money is None  # one person's money stays private
    assert figures.pilots is None  # not published yet
    assert round_figures(storage, record, k=10, now=at(30)).participants is None


# --- design export and import -------------------------------------------------------------------


SURVEY = """\
id: groen
title: Groen in het dorp
pages:
  - id: p1
    title: Groen
    questions:
      - id: bomen
        type: yes_no
        text: Wilt u meer bomen?
"""


def test_design_round_trip_into_another_village_without_resident_data(
    village, instance_dir, tmp_path
):
    write_survey(instance_dir, SURVEY, "groen.yaml")
    record = scheduled_round(
        village.storage,
        kinds=("survey", "ideas", "prioritise", "results"),
        method="equal_shares",
        budget=5000,
        survey_id="groen",
        criteria=["Haalbaarheid", "Eigen kracht"],
    )
    submit_idea(
        village.storage, record, title="Geheim idee", description="x", participant="p", now=at(8)
    )
    text = export_design(village, record)
    assert "Geheim idee" not in text and '"participant"' not in text
    design = json.loads(text)
    assert [p["offset_days"] for p in design["phases"]] == [0, 7, 14, 21]
    assert design["phases"][-1]["duration_days"] is None

    other_dir = init_instance(tmp_path / "ander-dorp", "Anderdorp", with_examples=False)
    other = build_village(other_dir)
    imported, notes = import_design(other, text, start=date(2027, 1, 4), now=T0)
    assert imported["scheduled"] is False  # a draft until the new village schedules it
    assert imported["settings"]["criteria"] == ["Haalbaarheid", "Eigen kracht"]
    assert imported["settings"]["method"] == "equal_shares"
    assert imported["phases"][1]["start"].startswith("2027-01-11")
    assert (other_dir / "surveys" / "groen.yaml").read_text("utf-8") == SURVEY
    assert build_village(other_dir).surveys.get("groen") is not None
    assert "toegevoegd" in notes[0]
    assert other.storage.collections(f"{ROUNDS}/{imported['id']}") == []

    # A second import keeps the survey the village now has.
    _again, notes = import_design(other, text, start=date(2027, 1, 4), now=T0)
    assert "niet vervangen" in notes[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("niet json", "geen JSON"),
        ('{"format": "iets anders"}', "geen ontwerp"),
        ('{"format": "vliegwiel-round-design", "version": 1, "phases": []}', "onvolledig"),
    ],
)
def test_bad_design_files_are_refused(village, text, message):
    with pytest.raises(RoundError, match=message):
        import_design(village, text, start=date(2027, 1, 1), now=T0)
    assert village.storage.count(ROUNDS) == 0


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_round_commands(village, instance_dir, tmp_path):
    record, (s, b, j) = voted_round(village.storage, budget=100)
    cast_ballot(village.storage, record, [s, j], participant="p", now=at(8))
    runner = CliRunner()
    where = ["--instance", str(instance_dir)]

    result = runner.invoke(main, ["round", "list", *where])
    assert (
        result.exit_code == 0 and record["id"] in result.output and "Dorpsbudget" in result.output
    )

    result = runner.invoke(main, ["round", "export", record["id"], "--format", "csv", *where])
    assert result.exit_code == 0
    header, *rows = result.output.splitlines()
    assert header.startswith("idea_id,title,theme,state") and len(rows) == 3

    out = tmp_path / "ronde.json"
    result = runner.invoke(
        main, ["round", "export", record["id"], "--format", "json", "-o", str(out), *where]
    )
    assert result.exit_code == 0 and json.loads(out.read_text())["outcome"]["selected"] == [s, j]

    pb = tmp_path / "ronde.pb"
    assert (
        runner.invoke(
            main, ["round", "ballots-export", record["id"], "-o", str(pb), *where]
        ).exit_code
        == 0
    )
    result = runner.invoke(main, ["round", "ballots-import", record["id"], str(pb), *where])
    assert result.exit_code == 1 and "staat al in deze ronde" in result.output

    design = tmp_path / "ontwerp.json"
    assert (
        runner.invoke(
            main, ["round", "design-export", record["id"], "-o", str(design), *where]
        ).exit_code
        == 0
    )
    result = runner.invoke(
        main, ["round", "design-import", str(design), "--start", "2027-02-01", *where]
    )
    assert result.exit_code == 0 and "Conceptronde " in result.output
    assert village.storage.count(ROUNDS) == 2

    result = runner.invoke(main, ["round", "export", "bestaat-niet", *where])
    assert result.exit_code == 1 and "onbekende ronde 'bestaat-niet'" in result.output


# --- the participant-key seam -------------------------------------------------------------------


def test_participant_key_uses_a_resolver_of_the_village_before_the_browser(app):
    from vliegwiel.rounds.views_public import participant_key

    plain = {"id": "r1", "settings": {"requires_codes": False}}
    coded = {"id": "r2", "settings": {"requires_codes": True}}
    with app.test_request_context("/"):
        first = participant_key(plain)
        assert participant_key(plain) == first  # same browser, same key
        with pytest.raises(RoundError, match="uitnodigingscode"):
            participant_key(coded)
    app.extensions["vliegwiel"].participant_resolvers.append(
        lambda r: "code-42" if r["settings"]["requires_codes"] else None
    )
    with app.test_request_context("/"):
        assert participant_key(coded) == participant_hash("r2", "code:code-42")
        assert participant_key(plain) != participant_hash("r1", "code:code-42")
