"""The energie plugin: household indicators, village summary and its template."""

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))

import vliegwiel_energie as plugin  # noqa: E402
from vliegwiel_energie import indicators as ind  # noqa: E402

from vliegwiel.core.plugins import create_plugin_manager  # noqa: E402
from vliegwiel.surveys.loader import (
    collect_question_types,  # noqa: E402
    load_survey_file,  # noqa: E402
)


@pytest.fixture(scope="module")
def survey():
    types = collect_question_types(create_plugin_manager(allow=[], extra=[plugin]))
    (path,) = plugin.vliegwiel_survey_templates()
    return load_survey_file(path, types)


def test_template_loads_with_the_project_loader(survey):
    assert survey.id == "energie" and survey.theme == "energie"
    assert survey.question("investeren_bedrag").settings.unit == "euro"


def test_household_with_panels_by_count():
    # 10 panels x 400 Wp = 4 kWp; 4 x 875 = 3,500 kWh a year.
    got = ind.household_indicators(
        {"zonnepanelen": "ja", "zonnepanelen_aantal": 10, "stroomverbruik_kwh": 3100}
    )
    assert got["kwp"] == 4.0
    assert got["generation_kwh_per_year"] == 3500
    assert (got["kwh_per_year"], got["kwh_estimated"]) == (3100, False)
    assert got["roof_potential_kwp"] == 0


def test_reported_kwp_wins_over_panel_count():
    got = ind.household_indicators(
        {"zonnepanelen": "ja", "zonnepanelen_kwp": 2.4, "zonnepanelen_aantal": 10}
    )
    assert got["kwp"] == 2.4 and got["generation_kwh_per_year"] == 2100


def test_unknown_use_falls_back_to_cbs_average():
    got = ind.household_indicators({"zonnepanelen": "nee"})
    assert (got["kwh_per_year"], got["kwh_estimated"]) == (2550, True)
    assert got["kwp"] == 0 and got["generation_kwh_per_year"] == 0


def test_panels_of_unknown_size_give_no_generation():
    got = ind.household_indicators({"zonnepanelen": "ja"})
    assert got["kwp"] is None and got["generation_kwh_per_year"] is None


@pytest.mark.parametrize(
    ("answers", "potential"),
    [
        ({"zonnepanelen": "nee", "eigendom": "koop", "dak_geschikt": "ja"}, 4.0),
        ({"zonnepanelen": "nee", "eigendom": "huur_corporatie", "dak_geschikt": "ja"}, 0.0),
        ({"zonnepanelen": "nee", "eigendom": "koop", "dak_geschikt": "weet_niet"}, 0.0),
        ({"zonnepanelen": "ja", "eigendom": "koop", "dak_geschikt": "ja"}, 0.0),
    ],
)
def test_roof_potential_only_for_owners_of_suitable_bare_roofs(answers, potential):
    assert ind.roof_potential_kwp(answers) == potential


def test_only_firm_pledges_count():
    assert ind.pledge_eur({"investeren": "ja", "investeren_bedrag": 500}) == 500
    assert ind.pledge_eur({"investeren": "misschien", "investeren_bedrag": 500}) == 0


def test_village_aggregate_hand_computed():
    households = [
        # uses 3,000, generates 4 x 875 = 3,500
        {"zonnepanelen": "ja", "zonnepanelen_aantal": 10, "stroomverbruik_kwh": 3000},
        # uses 2,550 (CBS), suitable roof, pledges 1,000
        {
            "zonnepanelen": "nee",
            "eigendom": "koop",
            "dak_geschikt": "ja",
            "investeren": "ja",
            "investeren_bedrag": 1000,
        },
        # uses 4,000, pledges 2,000
        {
            "zonnepanelen": "nee",
            "eigendom": "huur_particulier",
            "stroomverbruik_kwh": 4000,
            "investeren": "ja",
            "investeren_bedrag": 2000,
        },
    ]
    v = ind.village(ind.household_indicators(a) for a in households)
    assert v.households == 3
    assert v.mean_kwh_per_year == pytest.approx((3000 + 2550 + 4000) / 3)
    assert v.potential_roofs == 1 and v.potential_kwh_per_year == 3500
    assert v.pledged_eur == 3000 and v.pledgers == 2
    # Remaining demand 9,550 - 3,500 = 6,050 kWh -> 6,050 / 875 kWp x EUR 1,250 = EUR 8,642.86
    assert v.remaining_kwh_per_year == 6050
    assert v.project_cost_eur == pytest.approx(6050 / 875 * 1250)
    assert v.local_share == pytest.approx(3000 / (6050 / 875 * 1250))
    assert not v.meets_aim  # 34.7% < 50%


def test_indicators_hook_namespaces_and_ignores_other_surveys(survey):
    got = plugin.vliegwiel_response_indicators(survey=survey, answers={"zonnepanelen": "nee"})
    assert got["energie.kwh_per_year"] == 2550
    assert (
        plugin.vliegwiel_response_indicators(survey=SimpleNamespace(theme="x"), answers={}) is None
    )


def _response(**answers):
    return {"answers": answers}


def test_summary_hides_pledges_of_fewer_than_k_households(survey):
    responses = [_response(zonnepanelen="nee", stroomverbruik_kwh=3000) for _ in range(8)]
    responses += [_response(zonnepanelen="nee", investeren="ja", investeren_bedrag=5000)] * 2
    summary = plugin.vliegwiel_survey_summary(survey=survey, responses=responses, k=5)
    values = {f.label: f.value for f in summary.findings}
    assert values["Huishoudens"] == "10"
    assert values["Stroomverbruik per huishouden (opgegeven)"] == "3.000 kWh"
    assert values["Toegezegde inleg"] is None
    assert values["Lokaal eigendom van een gezamenlijk project"] is None


def test_summary_shows_pledges_and_local_share(survey):
    # 6 households, each 2,625 kWh (=3 kWp x 875) and EUR 3,750 pledged: the remaining
    # 15,750 kWh needs 18 kWp = EUR 22,500; pledged 22,500 -> 100%.
    responses = [
        _response(
            zonnepanelen="nee", stroomverbruik_kwh=2625, investeren="ja", investeren_bedrag=3750
        )
        for _ in range(6)
    ]
    summary = plugin.vliegwiel_survey_summary(survey=survey, responses=responses, k=5)
    values = {f.label: f.value for f in summary.findings}
    assert values["Toegezegde inleg"] == "€ 22.500"
    assert values["Lokaal eigendom van een gezamenlijk project"] == "100%"


def test_report_section_escapes(survey):
    from vliegwiel.results.summaries import Finding, Summary

    s = Summary("energie", "t", [Finding("<i>", "1", "")])
    (section,) = plugin.vliegwiel_report_sections(
        survey=survey, results=SimpleNamespace(summaries=[s])
    )
    assert "&lt;i&gt;" in section.html
