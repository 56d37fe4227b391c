"""The demo village is believable: answers follow plausible distributions (volunteer hours,
loneliness near the Dutch figures), the same on every run, a round is open for voting with a
shortlist and texts that match its dates, and the report shows a response rate."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from types import SimpleNamespace

import pytest
from babel.dates import format_date
from click.testing import CliRunner

from vliegwiel import hookimpl
from vliegwiel.cli.demo import DEMO_HOUSEHOLDS, generate_answers
from vliegwiel.cli.main import main
from vliegwiel.core.village import Village, build_village
from vliegwiel.results.report import report_html
from vliegwiel.rounds.ballots import projects_of, stored_ballots
from vliegwiel.rounds.model import current_phase, list_rounds, phase, status_of
from vliegwiel.surveys.responses import responses_of
from vliegwiel.web.app import create_app

RESPONSES = 200


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("demo") / "achterveld"
    result = CliRunner().invoke(
        main, ["demo", "--no-serve", "--responses", str(RESPONSES), "--dir", str(target)]
    )
    assert result.exit_code == 0, result.output
    return target


def _categories(village: Village, survey_id: str) -> Counter[str]:
    return Counter(
        r["indicators"]["eenzaamheid.categorie"] for r in responses_of(village, survey_id)
    )


@pytest.mark.parametrize("survey_id", ["eenzaamheid", "eenzaamheid_kort"])
def test_loneliness_categories_are_near_the_national_figures(demo, survey_id):
    # CBS/RIVM Gezondheidsmonitor: about half of Dutch adults are not lonely, four in ten
    # moderately, one in ten (very) severely. Random answers made 0 % "niet eenzaam".
    counts = _categories(build_village(demo), survey_id)
    total = sum(counts.values())
    assert total == RESPONSES
    assert 0.40 <= counts["niet"] / total <= 0.60, counts
    assert 0.30 <= counts["matig"] / total <= 0.50, counts
    severe = total - counts["niet"] - counts["matig"]
    assert 0.04 <= severe / total <= 0.18, counts


def test_volunteer_hours_are_mostly_few(demo):
    answers = [r["answers"] for r in responses_of(build_village(demo), "dorpsenquete")]
    volunteers = [a for a in answers if a.get("vrijwilliger") == "ja"]
    assert 0.2 <= len(volunteers) / len(answers) <= 0.5  # most residents give 0 hours
    hours = [a["uren"] for a in answers if "uren" in a]
    assert hours and median(hours) <= 10  # was 79.8 on average
    assert sum(h <= 10 for h in hours) / len(hours) >= 0.6
    assert max(hours) > 20  # and a few give much more


def test_the_same_seed_gives_the_same_answers(demo):
    village = build_village(demo)
    survey = village.surveys.get("eenzaamheid")
    first = [generate_answers(village, survey, random.Random(3)) for _ in range(5)]
    again = [generate_answers(village, survey, random.Random(3)) for _ in range(5)]
    assert first == again
    other = [generate_answers(village, survey, random.Random(4)) for _ in range(5)]
    assert other != first


def test_the_round_is_open_for_voting_with_a_shortlist_and_dates_in_its_text(demo):
    village = build_village(demo)
    now = datetime.now(UTC)
    (record,) = list_rounds(village.storage)
    assert status_of(record, now) == "open"
    assert current_phase(record, now).kind == "prioritise"
    projects = projects_of(village.storage, record["id"])
    assert len(projects) == 5 and all(p.cost > 0 for p in projects)
    assert sum(p.cost for p in projects) > record["settings"]["budget"]  # a real choice
    ballots = stored_ballots(village.storage, record["id"])
    assert ballots and len({b["participant"] for b in ballots}) == len(ballots)
    # The purpose names the voting dates, not a fixed month ("kies in mei" in December).
    vote = phase(record, "prioritise")
    start = format_date(vote.start.date(), "d MMMM", locale="nl")
    end = format_date(vote.last_day, "d MMMM", locale="nl")
    assert f"kies van {start} tot en met {end}" in record["purpose"]
    assert "€ 5.000" in record["purpose"]


def test_the_report_shows_a_response_rate(demo):
    village = build_village(demo)
    assert village.config.households == DEMO_HOUSEHOLDS
    app = create_app(demo)
    with app.test_request_context("/"):
        html = report_html(village, village.surveys.get("dorpsenquete"))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    rate = round(100 * RESPONSES / DEMO_HOUSEHOLDS)
    assert f"Dat is {rate}% van de {DEMO_HOUSEHOLDS} huishoudens." in text


def test_hook_vliegwiel_sample_answers(instance_dir):
    def vliegwiel_sample_answers(survey, rng):
        if survey.id != "dorpsenquete":
            return None
        return {"eenzaam_gevoel": rng.choice(["vaak"])}

    proef = SimpleNamespace(
        __name__="proef", vliegwiel_sample_answers=hookimpl(vliegwiel_sample_answers)
    )
    village = build_village(instance_dir, extra_plugins=(proef,))
    survey = village.surveys.get("dorpsenquete")
    answers = [generate_answers(village, survey, random.Random(n)) for n in range(20)]
    assert {a["eenzaam_gevoel"] for a in answers} == {"vaak"}
    # Without the plugin the profile's mix comes back.
    plain = build_village(instance_dir)
    mixed = {
        generate_answers(plain, survey, random.Random(n)).get("eenzaam_gevoel") for n in range(20)
    }
    assert len(mixed - {None}) > 1
