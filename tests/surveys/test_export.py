"""Data out: CSV with a codebook and JSON with the full records, read back and compared."""

from __future__ import annotations

import csv
import io
import json

import pytest

from vliegwiel.surveys.export import export_codebook, export_csv, export_json, neutralise
from vliegwiel.surveys.responses import responses_of, save_response

FULL = {
    "leeftijd": "65_79",
    "huishouden": {"value": "__other__", "other": "Met mijn zus"},
    "woonduur": 40,
    "prettig_wonen": 9,
    "blijven_wonen": "ja",
    "woning_nodig": ["starters", "ouderen"],
    "voorzieningen_oordeel": {"bus": "slecht", "winkel": "goed"},
    "belangrijkste": ["school", "winkel"],
    "contact_buren": 3,
    "vrijwilliger": "ja",
    "uren": 6,
    "idee": '=HYPERLINK("http://evil")',
}
MINIMAL = {"leeftijd": "tot_25", "prettig_wonen": 5, "woning_nodig": ["geen"]}


@pytest.fixture
def saved(village):
    survey = village.surveys.get("dorpsenquete")
    save_response(village, survey, FULL)
    save_response(village, survey, MINIMAL, channel="paper")
    return survey


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_one_row_per_response(village, saved):
    records = responses_of(village, "dorpsenquete")
    rows = read_csv(export_csv(village, saved, records))
    assert [r["response_id"] for r in rows] == [r["id"] for r in records]
    full, minimal = rows
    assert full["leeftijd"] == "65_79"
    assert full["huishouden"] == "__other__" and full["huishouden__other"] == "Met mijn zus"
    assert full["woonduur"] == "40" and full["prettig_wonen"] == "9"
    assert (full["woning_nodig__starters"], full["woning_nodig__gezinnen"]) == ("1", "0")
    assert full["voorzieningen_oordeel__bus"] == "slecht"
    assert full["voorzieningen_oordeel__huisarts"] == ""
    assert (full["belangrijkste__school"], full["belangrijkste__winkel"]) == ("1", "2")
    assert full["belangrijkste__bus"] == ""
    assert full["uren"] == "6" and full["channel"] == "web"
    # Unanswered stays empty, never a misleading 0.
    assert minimal["woonduur"] == "" and minimal["ontmoeten__straat"] == ""
    assert minimal["woning_nodig__geen"] == "1" and minimal["channel"] == "paper"


def test_formula_cells_are_neutralised(village, saved):
    rows = read_csv(export_csv(village, saved, responses_of(village, "dorpsenquete")))
    assert rows[0]["idee"] == '\'=HYPERLINK("http://evil")'
    for value in ("=1+1", "+31 6", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(value) == "'" + value
    assert neutralise("Gewoon een idee") == "Gewoon een idee"
    assert neutralise(-2) == -2  # numbers are numbers, not formulas


def test_codebook_describes_every_csv_column(village, saved):
    header = next(csv.reader(io.StringIO(export_csv(village, saved, []))))
    codebook = read_csv(export_codebook(village, saved))
    assert list(dict.fromkeys(row["column"] for row in codebook)) == header
    codes = {(r["column"], r["code"]): r["meaning"] for r in codebook}
    assert codes[("leeftijd", "65_79")] == "65 tot 80 jaar"
    assert codes[("huishouden", "__other__")] == "Anders, namelijk"
    assert codes[("woning_nodig__starters", "1")] == "gekozen"
    assert codes[("prettig_wonen", "10")] == "heel prettig"
    assert codes[("voorzieningen_oordeel__bus", "weet_niet")] == "Weet ik niet"
    texts = {r["column"]: r["text"] for r in codebook}
    assert texts["leeftijd"] == "Wat is uw leeftijd?"


def test_json_holds_the_full_records(village, saved):
    records = responses_of(village, "dorpsenquete")
    data = json.loads(export_json(saved, records))
    assert data["survey"] == "dorpsenquete" and data["version"] == saved.version
    assert data["responses"] == records
    # The records on disk are the records exported: answers exactly as given.
    assert data["responses"][0]["answers"] == FULL
    assert data["responses"][1]["answers"] == MINIMAL


def test_json_export_keeps_non_ascii_text(village, saved):
    # Readable in any editor a volunteer opens it with, not \u00e9 escapes.
    survey = village.surveys.get("dorpsenquete")
    save_response(village, survey, {**MINIMAL, "idee": "Café op het plein, één keer per week"})
    text = export_json(survey, responses_of(village, "dorpsenquete"))
    assert "Café op het plein, één keer per week" in text
