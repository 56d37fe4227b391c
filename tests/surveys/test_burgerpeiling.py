"""The Burgerpeiling 2022 model questionnaire (tests/data/burgerpeiling-2022.yaml, transcribed
from VNG-Realisatie/Burgerpeiling), through everything a village does with it: check, the real
forms along the routes of its branching file, the paper form, and the SPSS export."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pyreadstat
import pytest
from click.testing import CliRunner
from pdf_reading import pdf_text

from vliegwiel.cli.main import main

SOURCE = Path(__file__).parents[1] / "data" / "burgerpeiling-2022.yaml"


@pytest.fixture
def bp(instance_dir, client, village):
    shutil.copy(SOURCE, instance_dir / "surveys" / "burgerpeiling.yaml")
    survey = village.surveys.get("burgerpeiling")
    assert survey is not None, village.surveys.broken()
    return survey


def test_the_transcription_passes_check_with_its_source_noted():
    result = CliRunner().invoke(main, ["check", str(SOURCE)])
    assert result.exit_code == 0, result.output
    questions = int(re.search(r"(\d+) questions", result.output).group(1))
    assert questions >= 40
    header = SOURCE.read_text(encoding="utf-8")[:1500]
    assert "VNG-Realisatie/Burgerpeiling" in header and "Branching" in header


def _default(question) -> dict[str, Any]:
    """What a resident who just takes the first answers would send for one question."""
    s = question.settings
    q = question.id
    if question.type == "scale":
        return {q: "7"}
    if question.type == "matrix":
        return {f"{q}__{st.id}": s.options[0].value for st in s.statements}
    if question.type in ("single_choice", "yes_no"):
        return {q: s.options[0].value}
    if question.type == "multiple_choice":
        return {q: [s.options[0].value]}
    if question.type in ("short_text", "long_text"):
        return {q: "Meer bankjes"}
    return {}


def _answer_everything(client, survey, choices: dict[str, Any]) -> list[int]:
    """Walk the pages as the server leads, answering EVERY question shown on each page, even
    those that should not apply: the server must drop what does not apply."""
    url = "/enquete/burgerpeiling/pagina/1"
    seen = []
    while "/pagina/" in url:
        number = int(url.rsplit("/", 1)[1])
        seen.append(number)
        data: dict[str, Any] = {}
        for question in survey.pages[number - 1].questions:
            if not question.is_note:
                data.update(_default(question))
        data.update({k: v for k, v in choices.items() if k in data or "__" in k})
        response = client.post_form(url, data)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        url = response.headers["Location"]
    assert url.endswith("/enquete/burgerpeiling/controle")
    response = client.post_form(url, {})
    assert response.status_code == 302
    return seen


def test_route_without_contact_skips_to_dv08_and_volunteers_skip_zw08(bp, client, village):
    seen = _answer_everything(
        client,
        bp,
        {
            "dv02": "2",  # nee -> skip to dv08
            "zw06__vrijwilligerswerk": "1",  # vaak -> skip zw08
            "zw06__mantelzorg": "3",  # (bijna) nooit -> skip zw09
            "wl01": "11",  # weet niet / geen mening
        },
    )
    assert seen == list(range(1, len(bp.pages) + 1))
    (record,) = village.storage.all("responses/burgerpeiling")
    answers = record["answers"]
    assert answers["dv02"] == "2" and answers["dv08"] == {"vinden": "1"}
    for skipped in ("dv00", "dv12", "dv05", "dv07", "zw08", "zw09"):
        assert skipped not in answers, skipped
    assert answers["wl01"] == "11" and answers["wl16"] == 7


def test_route_with_contact_and_a_carer_who_does_no_volunteering(bp, client, village):
    _answer_everything(
        client,
        bp,
        {
            "dv02": "1",
            "dv00": "__other__",
            "dv00__other": "Afval",
            "zw06__vrijwilligerswerk": "3",
            "zw06__mantelzorg": "1",
            "zw08": ["3", "__other__"],
            "zw08__other": "Mantelzorg kost al mijn tijd",
            "zw13": ["2", "__other__"],
            "zw13__other": "Tuin",
        },
    )
    (record,) = village.storage.all("responses/burgerpeiling")
    answers = record["answers"]
    assert answers["dv00"] == {"value": "__other__", "other": "Afval"}
    assert answers["dv07"]["informatie"] == "1"
    assert answers["zw08"] == {
        "values": ["3", "__other__"],
        "other": "Mantelzorg kost al mijn tijd",
    }
    assert answers["zw09"] == "1"
    assert answers["zw13"]["values"] == ["2", "__other__"]


def test_exclusive_answers_of_zw13_cannot_be_combined(bp, client):
    for number in range(1, 8):
        page = bp.pages[number - 1]
        data: dict[str, Any] = {}
        for question in page.questions:
            if not question.is_note:
                data.update(_default(question))
        client.post_form(f"/enquete/burgerpeiling/pagina/{number}", data)
    page = bp.pages[7]
    data = {}
    for question in page.questions:
        if not question.is_note:
            data.update(_default(question))
    data["zw13"] = ["1", "11"]
    response = client.post_form("/enquete/burgerpeiling/pagina/8", data)
    assert response.status_code == 400
    assert "U kunt „geen, ik wil geen hulp geven aan buren” niet combineren" in response.get_data(
        as_text=True
    )


def test_paper_form_prints_the_branching_next_to_the_answers(bp, client):
    client.login("beheerder")
    response = client.get("/beheer/enquete/burgerpeiling/papier.pdf")
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", pdf_text(response.data))
    assert f"nee → ga naar vraag {bp.number('dv08')}" in text
    zw06 = bp.number("zw06")
    assert (
        f"Alleen invullen als u bij vraag {zw06}, „vrijwilligerswerk”, iets anders dan „vaak” of "
        f"„af en toe” koos. {bp.number('zw08')}. Wat is de reden"
    ) in text
    assert f"Alleen invullen als u bij vraag {zw06}, „Zorg aan een familielid" in text
    # Instructions between questions are printed, without a number of their own.
    assert "Als u geen zorg geeft aan een familielid, vriend of kennis" in text
    assert f"{bp.number('zw09')}. Heeft u het gevoel" in text


def test_spss_export_has_labels_and_opt_outs_as_missing_values(bp, client, village, tmp_path):
    _answer_everything(client, bp, {"dv02": "2", "wl01": "11"})
    _answer_everything(
        client, bp, {"dv02": "1", "wl01": "8", "dv00": "__other__", "dv00__other": "Afval"}
    )
    out = tmp_path / "bp.sav"
    result = CliRunner().invoke(
        main,
        [
            "export",
            "burgerpeiling",
            "--format",
            "sav",
            "-o",
            str(out),
            "--instance",
            str(village.config.instance_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    frame, meta = pyreadstat.read_sav(str(out), user_missing=True)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["wl01"] == "[1] Hoe prettig vindt u het om in uw buurt te wonen?"
    assert labels["wl02__thuis"].endswith("| Ik voel me thuis in deze buurt")
    assert meta.variable_value_labels["wl01"][11] == "weet niet / geen mening"
    assert meta.variable_value_labels["wl01"][1] == "zeer onprettig"
    assert meta.missing_user_values.get("wl01") == [11] or {
        "lo": 11.0,
        "hi": 11.0,
    } in meta.missing_ranges.get("wl01", [])
    assert sorted(frame["wl01"].tolist()) == [8, 11]
    # "Anders, namelijk" gets the next code after the numbered answers, as in the data format.
    assert meta.variable_value_labels["dv00"][9] == "Anders, namelijk"
    assert 9 in frame["dv00"].tolist()
    # Read without user-missing values (what SPSS does in a mean): the opt-out is gone.
    plain, _meta = pyreadstat.read_sav(str(out))
    assert plain["wl01"].mean() == 8
