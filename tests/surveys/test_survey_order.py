"""The residents' home page lists the open surveys in the order the organisers set with the
arrow buttons on the overview (plain forms, no JavaScript)."""

from __future__ import annotations

import re

from conftest import csrf_token, write_survey

SURVEY = """\
id: {id}
title: {{nl: "{title}"}}
pages:
  - id: p1
    questions:
      - id: q1
        type: yes_no
        text: {{nl: "Vraag?"}}
"""


def _add(instance_dir, survey_id: str, title: str) -> None:
    write_survey(instance_dir, SURVEY.format(id=survey_id, title=title), f"{survey_id}.yaml")


def _home_titles(client) -> list[str]:
    page = client.get("/").get_data(as_text=True)
    cards = page.split('id="uitslagen-lijst"')[0]
    return re.findall(r'<h2><a href="/enquete/[^"]+">([^<]+)</a></h2>', cards)


def _arrow(client, survey_id: str, direction: str):
    return client.post_form(
        "/beheer/volgorde", {"survey_id": survey_id, "richting": direction}, page="/beheer/"
    )


def test_organiser_orders_the_home_page(instance_dir, make_app) -> None:
    _add(instance_dir, "aa_bus", "Busenquête")
    _add(instance_dir, "zz_speeltuin", "Speeltuin")
    client = make_app().test_client()
    # Without an order: by id, as before.
    assert _home_titles(client) == ["Busenquête", "Dorpsenquête", "Speeltuin"]

    client.login("beheerder")
    overview = client.get("/beheer/").get_data(as_text=True)
    assert "Speeltuin hoger zetten" in overview and "Busenquête lager zetten" in overview
    # The first has no "up", the last no "down".
    assert "Busenquête hoger zetten" not in overview
    assert "Speeltuin lager zetten" not in overview

    response = _arrow(client, "zz_speeltuin", "omhoog")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/beheer/#volgorde-zz_speeltuin")
    _arrow(client, "zz_speeltuin", "omhoog")
    assert _home_titles(client) == ["Speeltuin", "Busenquête", "Dorpsenquête"]
    _arrow(client, "zz_speeltuin", "omhoog")  # already first: nothing changes
    _arrow(client, "aa_bus", "omlaag")
    assert _home_titles(client) == ["Speeltuin", "Dorpsenquête", "Busenquête"]
    # The overview shows the same order, so the arrows move what residents see.
    overview = client.get("/beheer/").get_data(as_text=True)
    assert (
        overview.index("Speeltuin") < overview.index("Dorpsenquête") < overview.index("Busenquête")
    )

    # A survey added later goes after the ordered ones, never to the top.
    _add(instance_dir, "aaa_nieuw", "Nieuwe enquête")
    client = make_app().test_client()
    assert _home_titles(client) == ["Speeltuin", "Dorpsenquête", "Busenquête", "Nieuwe enquête"]


def test_only_a_beheerder_orders_and_bad_input_is_refused(instance_dir, make_app) -> None:
    _add(instance_dir, "aa_bus", "Busenquête")
    client = make_app().test_client()
    client.login("lezer")
    assert "hoger zetten" not in client.get("/beheer/").get_data(as_text=True)
    token = csrf_token(client.get("/beheer/").get_data(as_text=True))
    data = {"survey_id": "aa_bus", "richting": "omlaag", "csrf_token": token}
    assert client.post("/beheer/volgorde", data=data).status_code == 403

    client = make_app().test_client()
    client.login("beheerder")
    assert _arrow(client, "aa_bus", "opzij").status_code == 400
    assert _arrow(client, "bestaat_niet", "omlaag").status_code == 404
    no_token = {"survey_id": "aa_bus", "richting": "omlaag"}
    assert client.post("/beheer/volgorde", data=no_token).status_code == 400
    assert _home_titles(client) == ["Busenquête", "Dorpsenquête"]
