"""Numbers in the notation of the page's language: 41,7% and 1.250 on a Dutch page, 41.7% and
1,250 on an English one, in the charts as in the text."""

from __future__ import annotations

import re

from vliegwiel.surveys.responses import save_response

PAGE = "/beheer/enquete/dorpsenquete"


def _answers(village) -> None:
    # 5 of 12 (41,7%) and 7 of 12 (58,3%): both above k, so both are shown.
    survey = village.surveys.get("dorpsenquete")
    for age in ["65_79"] * 5 + ["tot_25"] * 7:
        save_response(village, survey, {"leeftijd": age, "prettig_wonen": 7})


def _chart_texts(page: str) -> str:
    """What a chart says: its description and the values printed at the bars."""
    descriptions = re.findall(r"<desc[^>]*>([^<]*)</desc>", page)
    values = re.findall(r'class="(?:value|bar-value)"[^>]*>([^<]*)<', page)
    return " | ".join(descriptions + values)


def test_dutch_page_writes_decimal_commas(client, village) -> None:
    _answers(village)
    client.login("beheerder")
    charts = _chart_texts(client.get(PAGE).get_data(as_text=True))
    assert "41,7%" in charts and "58,3%" in charts
    assert "41.7" not in charts


def test_english_page_keeps_english_notation(client, village) -> None:
    _answers(village)
    client.login("beheerder")
    charts = _chart_texts(client.get(f"{PAGE}?taal=en").get_data(as_text=True))
    assert "41.7%" in charts and "58.3%" in charts
    assert "41,7" not in charts


def test_methods_write_households_with_a_thousands_dot(instance_dir, make_app) -> None:
    config = instance_dir / "vliegwiel.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("# households = 350", "households = 1250"),
        encoding="utf-8",
    )
    app = make_app()
    _answers(app.extensions["vliegwiel"])
    client = app.test_client()
    client.login("beheerder")
    page = client.get("/beheer/uitslag/dorpsenquete").get_data(as_text=True)
    assert "1% van 1.250 huishoudens" in page
    english = client.get("/beheer/uitslag/dorpsenquete?taal=en").get_data(as_text=True)
    assert "1,250 households" in english
