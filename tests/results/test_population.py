"""Population figures (entered or imported from CBS Kerncijfers) and who answered compared
with who lives there."""

from __future__ import annotations

import pytest
from results_data import write_wijkpeiling

from vliegwiel.core.village import build_village
from vliegwiel.results.population import (
    PopulationError,
    load_margins,
    margin_from_cbs,
    read_cbs_csv,
    save_margins,
)
from vliegwiel.results.representation import compare


@pytest.fixture
def village_with_wijkpeiling(instance_dir):
    write_wijkpeiling(instance_dir)
    return build_village(instance_dir)


#: The shape of a StatLine download of "Kerncijfers wijken en buurten" (semicolons, quoted
#: headers with the table path, thousands with a dot), three neighbourhoods of one village.
CBS_STATLINE = (
    ";".join(
        [
            '"Wijken en buurten"',
            '"Gemeentenaam"',
            '"Bevolking/Aantal inwoners (aantal)"',
            '"Bevolking/Geslacht/Mannen (aantal)"',
            '"Bevolking/Geslacht/Vrouwen (aantal)"',
            '"Bevolking/Leeftijdsgroepen/0 tot 15 jaar (aantal)"',
            '"Bevolking/Leeftijdsgroepen/15 tot 25 jaar (aantal)"',
            '"Bevolking/Leeftijdsgroepen/25 tot 45 jaar (aantal)"',
            '"Bevolking/Leeftijdsgroepen/45 tot 65 jaar (aantal)"',
            '"Bevolking/Leeftijdsgroepen/65 jaar of ouder (aantal)"',
        ]
    )
    + "\n"
    '"Noord";"Dorpshoven";"1.010";"500";"510";"150";"110";"220";"280";"250"\n'
    '"Zuid";"Dorpshoven";"390";"190";"200";"50";"40";"80";"120";"100"\n'
    '"Oostkant";"Dorpshoven";"100";"55";"45";".";".";"20";"30";"40"\n'
)

#: The open-data column names of the same table.
CBS_OPEN_DATA = """\
ID,WijkenEnBuurten,Gemeentenaam_1,AantalInwoners_5,Mannen_6,Vrouwen_7,k_0Tot15Jaar_8,k_15Tot25Jaar_9,k_25Tot45Jaar_10,k_45Tot65Jaar_11,k_65JaarOfOuder_12
0,Noord,Dorpshoven,1010,500,510,150,110,220,280,250
"""


def test_statline_csv_is_read_per_neighbourhood():
    regions = read_cbs_csv(CBS_STATLINE.encode("utf-8"))
    assert [r.name for r in regions] == ["Noord", "Zuid", "Oostkant"]
    assert regions[0].figures == {
        "inwoners": 1010,
        "mannen": 500,
        "vrouwen": 510,
        "0-15": 150,
        "15-25": 110,
        "25-45": 220,
        "45-65": 280,
        "65+": 250,
    }
    # CBS keeps small figures secret with "."; those are left out, never read as 0
    assert "0-15" not in regions[2].figures


def test_open_data_csv_has_the_same_figures():
    (region,) = read_cbs_csv(CBS_OPEN_DATA.encode("utf-8"))
    assert region.name == "Noord"
    assert region.figures["65+"] == 250
    assert region.figures["inwoners"] == 1010


def test_answers_map_to_cbs_groups_and_regions(village_with_wijkpeiling):
    survey = village_with_wijkpeiling.surveys.get("wijkpeiling")
    wijk = survey.question("wijk")
    regions = read_cbs_csv(CBS_STATLINE.encode("utf-8"))
    by_part = margin_from_cbs(wijk, regions, {"noord": "Noord", "zuid": "zuid", "oost": "Oostkant"})
    assert by_part == {"noord": 1010, "zuid": 390, "oost": 100}
    mening = survey.question("mening")
    summed = margin_from_cbs(mening, regions, {"ja": "45-65+65+", "nee": "25-45"})
    assert summed == {"ja": 280 + 250 + 120 + 100 + 30 + 40, "nee": 220 + 80 + 20}
    with pytest.raises(PopulationError, match="neither a CBS group"):
        margin_from_cbs(wijk, regions, {"noord": "Noord", "zuid": "Zuid", "oost": "Westkant"})
    with pytest.raises(PopulationError, match="no CBS group given"):
        margin_from_cbs(wijk, regions, {"noord": "Noord"})


@pytest.mark.parametrize(
    "data",
    [b"", b"just some text\n", b"a;b\n1;2\n", b'"Aantal inwoners"\n"veel"\n', b"x" * 2_000_001],
)
def test_a_file_that_is_no_cbs_table_gets_a_clear_error(data):
    with pytest.raises(PopulationError):
        read_cbs_csv(data)


def test_margins_are_stored_and_checked(village_with_wijkpeiling):
    village = village_with_wijkpeiling
    survey = village.surveys.get("wijkpeiling")
    save_margins(village.storage, survey, {"wijk": {"noord": 200, "zuid": 150, "oost": 50}})
    assert load_margins(village.storage, "wijkpeiling") == {
        "wijk": {"noord": 200, "zuid": 150, "oost": 50}
    }
    for bad in (
        {"wijk": {"noord": 200, "zuid": 150}},
        {"wijk": {"noord": 200, "zuid": 150, "oost": -1}},
        {"wijk": {"noord": 0, "zuid": 0, "oost": 0}},
        {"idee": {"x": 1}},
        {"wijk": {"noord": "veel", "zuid": 150, "oost": 50}},
    ):
        with pytest.raises(PopulationError):
            save_margins(village.storage, survey, bad)
    # nothing of the refused input was stored
    assert load_margins(village.storage, "wijkpeiling")["wijk"]["oost"] == 50


def test_under_represented_groups_are_flagged():
    # 60 respondents: the over-65s are 30 % of the village and 60 % of the respondents.
    rows = compare(
        {"jong": 10, "midden": 14, "oud": 36},
        {"jong": 120, "midden": 160, "oud": 120},
        total=60,
        factor=1.5,
    )
    by_group = {r.group: r for r in rows}
    assert by_group["oud"].ratio == pytest.approx(2.0)
    assert not by_group["oud"].under_represented
    # young: 16.7 % of respondents, 30 % of residents: ratio .56 < 1/1.5
    assert by_group["jong"].ratio == pytest.approx(10 / 60 / 0.3)
    assert by_group["jong"].under_represented
    # middle: 23.3 % against 40 %: ratio .58, under-represented as well
    assert by_group["midden"].under_represented
    # with a looser factor only the young are flagged
    loose = {
        r.group: r
        for r in compare(
            {"jong": 10, "midden": 14, "oud": 36},
            {"jong": 120, "midden": 160, "oud": 120},
            total=60,
            factor=1.75,
        )
    }
    assert loose["jong"].under_represented and not loose["midden"].under_represented


def test_a_hidden_count_stays_hidden_in_the_comparison():
    rows = compare({"a": 20, "b": None, "c": None}, {"a": 50, "b": 30, "c": 20}, total=27)
    hidden = [r for r in rows if r.group != "a"]
    assert all(r.respondents is None and r.ratio is None for r in hidden)
    assert not any(r.under_represented for r in hidden)
