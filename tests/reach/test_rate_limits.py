"""The per-address submission limit: against ballot stuffing, not against a full village hall."""

from __future__ import annotations

import re

import pytest
from conftest import PASSWORDS, VillageClient, csrf_token, instance_on, write_survey
from round_helpers import Clock, make_round

from vliegwiel.core.config import load_config
from vliegwiel.core.storage_backends import open_storage
from vliegwiel.core.window_counts import MemoryWindowCounts
from vliegwiel.reach.rate_limits import SubmissionLimit
from vliegwiel.surveys.status import OPEN, set_status
from vliegwiel.web.app import create_app

SURVEY = """\
id: kort
title: Korte vraag
pages:
  - id: p1
    title: Eén vraag
    questions:
      - id: mening
        type: short_text
        text: Wat vindt u?
        required: true
"""


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def set_limit(instance_dir, per_hour: int) -> None:
    config = instance_dir / "vliegwiel.toml"
    text = re.sub(
        r"submissions_per_ip_per_hour = \d+",
        f"submissions_per_ip_per_hour = {per_hour}",
        config.read_text(encoding="utf-8"),
    )
    config.write_text(text, encoding="utf-8")


@pytest.fixture
def limited_app(instance_dir):
    write_survey(instance_dir, SURVEY, "kort.yaml")
    set_limit(instance_dir, 3)
    app = create_app(instance_dir, {"TESTING": True})
    app.test_client_class = VillageClient
    return app


def answer(client, text: str):
    client.post_form("/enquete/kort/pagina/1", {"mening": text})
    return client.post_form("/enquete/kort/controle", {})


def test_the_window_slides_per_address():
    clock = FakeClock()
    limit = SubmissionLimit(2, MemoryWindowCounts(3600, clock))
    assert limit.take("10.0.0.1") and limit.take("10.0.0.1")
    assert not limit.take("10.0.0.1")
    assert limit.take("10.0.0.2")  # another address has its own count
    assert limit.retry_after("10.0.0.1") == 3601
    clock.now += 1800
    assert limit.retry_after("10.0.0.1") == 1801
    clock.now += 1800  # the first submissions leave the hour
    assert limit.retry_after("10.0.0.1") == 0
    assert limit.take("10.0.0.1")


def test_zero_turns_the_limit_off():
    limit = SubmissionLimit(0, MemoryWindowCounts(3600, FakeClock()))
    assert all(limit.take("10.0.0.1") for _ in range(10_000))


def test_given_back_submissions_do_not_count():
    limit = SubmissionLimit(1, MemoryWindowCounts(3600, FakeClock()))
    assert limit.take("10.0.0.1")
    limit.give_back("10.0.0.1")
    assert limit.take("10.0.0.1")


def test_default_lets_a_village_hall_answer_together(instance_dir):
    assert load_config(instance_dir).submissions_per_ip_per_hour == 600
    # A hall of 150 residents on one wifi, each answering once and doing four more things.
    limit = SubmissionLimit(600, MemoryWindowCounts(3600, FakeClock()))
    assert all(limit.take("hall") for _ in range(150 * 4))


def test_over_the_limit_the_resident_gets_429_in_dutch_and_nothing_is_stored(
    limited_app, instance_dir
):
    village = limited_app.extensions["vliegwiel"]
    for n in range(3):
        assert answer(limited_app.test_client(), f"antwoord {n}").status_code == 302
    client = limited_app.test_client()
    refused = answer(client, "een te veel")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "te veel inzendingen van dit adres" in page
    assert "papieren formulier" in page
    assert int(refused.headers["Retry-After"]) > 3000
    assert village.storage.count("responses/kort") == 3
    # The resident's answers are kept as a draft, so they can be sent later.
    assert "een te veel" in client.get("/enquete/kort/controle").get_data(as_text=True)

    # Someone on another address is not affected.
    other = limited_app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    assert answer(other, "ander adres").status_code == 302
    assert village.storage.count("responses/kort") == 4


def test_refused_and_incomplete_submissions_do_not_count(limited_app):
    client = limited_app.test_client()
    # An incomplete response (the required answer is missing) is refused with 400 ...
    client.post_form("/enquete/kort/pagina/1", {"mening": ""})
    for _ in range(5):
        assert client.post_form("/enquete/kort/controle", {}).status_code == 400
    # ... and costs nothing: three real submissions still go through.
    for n in range(3):
        assert answer(limited_app.test_client(), f"antwoord {n}").status_code == 302


def test_ideas_and_supports_count_too(limited_app, instance_dir):
    clock = Clock()
    limited_app.config["VLIEGWIEL_NOW"] = clock
    village = limited_app.extensions["vliegwiel"]
    organiser = limited_app.test_client()
    organiser.environ_base["REMOTE_ADDR"] = "198.51.100.7"  # organisers use their own address
    organiser.login("beheerder")
    round_id = make_round(organiser, village)
    clock.set("2026-03-09T10:00")
    ideas = []
    for n in range(3):
        response = limited_app.test_client().post_form(
            f"/ronde/{round_id}/idee-nieuw",
            {"title": f"Idee nummer {n}", "description": "Een bankje bij de kerk"},
        )
        assert response.status_code == 302
        ideas.append(response.headers["Location"].split("/")[-1])
    url = f"/ronde/{round_id}/idee/{ideas[0]}"
    supporter = limited_app.test_client()
    refused = supporter.post_form(f"{url}/steun", {}, page=url)
    assert refused.status_code == 429
    assert "te veel inzendingen" in refused.get_data(as_text=True)
    assert village.storage.count(f"rounds/{round_id}/supports") == 0
    neighbour = limited_app.test_client()
    neighbour.environ_base["REMOTE_ADDR"] = "192.0.2.45"
    assert neighbour.post_form(f"{url}/steun", {}, page=url).status_code == 302
    assert village.storage.count(f"rounds/{round_id}/supports") == 1


def test_organiser_pages_and_logins_are_not_counted(limited_app):
    client = limited_app.test_client()
    for _ in range(5):
        client.login("beheerder")
        client.post_form("/beheer/logout", {}, page="/beheer/")
    assert answer(client, "na het beheren").status_code == 302


def test_server_processes_of_a_postgresql_village_count_together(tmp_path, postgres_url):
    """Two apps on one PostgreSQL village are what `vliegwiel serve --processes 2` runs: the
    submission limit and the login throttle hold over both, not per process."""
    instance = instance_on(tmp_path / "dorp", postgres_url)
    (instance / "surveys" / "kort.yaml").write_text(SURVEY, encoding="utf-8")
    set_status(open_storage(load_config(instance)), "kort", OPEN)
    set_limit(instance, 3)
    apps = [create_app(instance, {"TESTING": True}) for _ in range(2)]
    for app in apps:
        app.test_client_class = VillageClient
    for n in range(3):
        assert answer(apps[n % 2].test_client(), f"antwoord {n}").status_code == 302
    for app in apps:
        assert answer(app.test_client(), "een te veel").status_code == 429
    assert apps[0].extensions["vliegwiel"].storage.count("responses/kort") == 3

    # Five wrong passwords, spread over the two processes, block the next try on either.
    for n in range(5):
        wrong = apps[n % 2].test_client()
        page = wrong.get("/beheer/login").get_data(as_text=True)
        response = wrong.post(
            "/beheer/login",
            data={"username": "beheerder", "password": "fout", "csrf_token": csrf_token(page)},
        )
        assert response.status_code == 400
    for app in apps:
        client = app.test_client()
        page = client.get("/beheer/login").get_data(as_text=True)
        response = client.post(
            "/beheer/login",
            data={
                "username": "beheerder",
                "password": PASSWORDS["beheerder"],
                "csrf_token": csrf_token(page),
            },
        )
        assert response.status_code == 429


def test_giving_back_never_fails_when_the_database_is_gone():
    """A submission that failed because the database went away must end on the Dutch 503
    page; taking its count back cannot reach the database either, and must not turn that
    page into a 500."""
    from vliegwiel.core.storage_contract import DatabaseUnavailable

    class Unreachable(MemoryWindowCounts):
        def undo(self, key):
            raise DatabaseUnavailable("database is out of reach")

    limit = SubmissionLimit(3, Unreachable(3600, FakeClock()))
    assert limit.take("10.0.0.1")
    limit.give_back("10.0.0.1")  # no exception; the submission stays counted
    assert limit.counts.count("10.0.0.1") == 1
