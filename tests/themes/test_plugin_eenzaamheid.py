"""The eenzaamheid plugin: De Jong Gierveld scoring, templates, indicators and summary."""

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

# The bundled plugins live in plugins/; an editable install puts them on the path, a plain
# checkout does not.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))

import vliegwiel_eenzaamheid as plugin  # noqa: E402
from vliegwiel_eenzaamheid.scoring import LONG, SHORT, score  # noqa: E402

from vliegwiel.core.plugins import create_plugin_manager  # noqa: E402
from vliegwiel.results.summaries import Finding, Summary  # noqa: E402
from vliegwiel.surveys.loader import (
    collect_question_types,  # noqa: E402
    load_survey_file,  # noqa: E402
)

LONELY = {"emotional": "ja", "social": "nee"}
NOT_LONELY = {"emotional": "nee", "social": "ja"}


def answers_with(version, lonely: int, missing: int = 0) -> dict:
    """The first `lonely` items answered lonely, the last `missing` left out, the rest not."""
    out = {}
    for i, item in enumerate(version.items):
        if i >= len(version.items) - missing:
            continue
        out[item.id] = (LONELY if i < lonely else NOT_LONELY)[item.kind]
    return out


@pytest.fixture(scope="module")
def question_types():
    pm = create_plugin_manager(allow=[], extra=[plugin])
    return collect_question_types(pm)


@pytest.fixture(scope="module")
def surveys(question_types):
    paths = plugin.vliegwiel_survey_templates()
    return {p.stem: load_survey_file(p, question_types) for p in paths}


# --- scoring -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (0, "niet"),
        (2, "niet"),
        (3, "matig"),
        (8, "matig"),
        (9, "ernstig"),
        (10, "ernstig"),
        (11, "zeer_ernstig"),
    ],
)
def test_eleven_item_category_boundaries(total, expected):
    result = score(answers_with(LONG, total), LONG)
    assert (result.total, result.category) == (total, expected)


@pytest.mark.parametrize(
    ("total", "expected"),
    [(0, "niet"), (1, "niet"), (2, "matig"), (4, "matig"), (5, "sterk"), (6, "sterk")],
)
def test_six_item_category_boundaries(total, expected):
    result = score(answers_with(SHORT, total), SHORT)
    assert (result.total, result.category) == (total, expected)


def test_worked_example_eleven_items():
    # Emotional items 2,3,5,6,9,10 score on "ja"/"min of meer"; social items 1,4,7,8,11 score
    # (reversed) on "nee"/"min of meer".
    answers = {
        "item01": "ja",  # social, 0
        "item02": "min_of_meer",  # emotional, 1
        "item03": "nee",  # emotional, 0
        "item04": "min_of_meer",  # social, 1
        "item05": "ja",  # emotional, 1
        "item06": "nee",  # emotional, 0
        "item07": "nee",  # social, 1
        "item08": "ja",  # social, 0
        "item09": "ja",  # emotional, 1
        "item10": "nee",  # emotional, 0
        "item11": "ja",  # social, 0
    }
    result = score(answers, LONG)
    assert (result.emotional, result.social, result.total) == (3, 2, 5)
    assert result.category == "matig"


def test_more_or_less_counts_as_lonely_on_every_item():
    all_neutral = {item.id: "min_of_meer" for item in LONG.items}
    assert score(all_neutral, LONG).category == "zeer_ernstig"
    assert score(all_neutral, SHORT).total == 6


def test_eleven_items_tolerate_two_missing_and_one_per_subscale():
    # item10 (emotional) and item11 (social) missing: each subscale misses one.
    two_missing = answers_with(LONG, 9, missing=2)
    result = score(two_missing, LONG)
    assert (result.total, result.emotional, result.social, result.missing) == (9, 5, 4, 2)
    assert result.category == "ernstig"  # counted over the answered items, not imputed
    three_missing = answers_with(LONG, 8, missing=3)  # items 9, 10, 11
    result = score(three_missing, LONG)
    assert result.total is None and result.category is None
    assert result.emotional is None  # items 9 and 10: two emotional items missing
    assert result.social is not None


def test_six_items_tolerate_one_missing_but_its_subscale_is_lost():
    one_missing = answers_with(SHORT, 5, missing=1)  # item10, emotional
    result = score(one_missing, SHORT)
    assert (result.total, result.category) == (5, "sterk")
    assert result.emotional is None and result.social == 3
    two_missing = answers_with(SHORT, 0, missing=2)
    assert score(two_missing, SHORT).total is None


def test_unknown_answer_counts_as_missing():
    answers = answers_with(SHORT, 2)
    answers["item03"] = "misschien"
    answers["item04"] = "weet niet"
    assert score(answers, SHORT).total is None


# --- templates and hooks --------------------------------------------------------------------


def test_templates_load_with_the_project_loader(surveys):
    assert set(surveys) == {"eenzaamheid", "eenzaamheid_kort"}
    assert plugin.scale_version(surveys["eenzaamheid"]) is LONG
    assert plugin.scale_version(surveys["eenzaamheid_kort"]) is SHORT
    texts = [
        st.text["nl"] for st in surveys["eenzaamheid_kort"].question("djg").settings.statements
    ]
    assert texts[0] == "Ik ervaar een leegte om me heen."
    assert texts[-1] == "Vaak voel ik me in de steek gelaten."


def test_indicators_only_for_own_surveys(surveys):
    survey = surveys["eenzaamheid_kort"]
    got = plugin.vliegwiel_response_indicators(
        survey=survey, answers={"djg": answers_with(SHORT, 4)}
    )
    assert got["eenzaamheid.totaal"] == 4
    assert got["eenzaamheid.categorie"] == "matig"
    other = SimpleNamespace(theme="energie")
    assert plugin.vliegwiel_response_indicators(survey=other, answers={}) is None


def _responses(version, totals, helps=()):
    out = []
    for i, total in enumerate(totals):
        answers = {"djg": answers_with(version, total)}
        if i < len(helps):
            answers["wat_helpt"] = helps[i]
        out.append({"answers": answers})
    return out


def test_summary_hides_everything_below_k(surveys):
    summary = plugin.vliegwiel_survey_summary(
        survey=surveys["eenzaamheid_kort"], responses=_responses(SHORT, [0, 3, 5, 6]), k=5
    )
    assert summary.plugin == "eenzaamheid"
    assert all(f.value is None for f in summary.findings)


def test_summary_shows_large_groups_and_hides_small_ones(surveys):
    # 10 not lonely, 6 moderately lonely, 2 severely lonely.
    totals = [0] * 10 + [3] * 6 + [6] * 2
    summary = plugin.vliegwiel_survey_summary(
        survey=surveys["eenzaamheid_kort"], responses=_responses(SHORT, totals), k=5
    )
    values = {f.label: f.value for f in summary.findings}
    # 2 of 18 is hidden; so is one more category, or the 2 would follow by subtraction.
    assert values["sterk eenzaam"] is None
    assert [values["niet eenzaam"], values["matig eenzaam"]].count(None) == 1
    assert values["Emotionele eenzaamheid, gemiddelde score"] is not None


def test_summary_means_compare_social_and_emotional(surveys):
    # Lonely on the first three items of the short scale: item03 (emotional), item04 and item07
    # (social). So emotional mean 1, social mean 2.
    summary = plugin.vliegwiel_survey_summary(
        survey=surveys["eenzaamheid_kort"], responses=_responses(SHORT, [3] * 6), k=5
    )
    values = {f.label: f.value for f in summary.findings}
    assert values["Emotionele eenzaamheid, gemiddelde score"] == "1,0"
    assert values["Sociale eenzaamheid, gemiddelde score"] == "2,0"


def test_follow_up_counts_what_would_help(surveys):
    helps = [["maatje"]] * 6 + [["ontmoeting", "maatje"]] * 2
    summary = plugin.vliegwiel_survey_summary(
        survey=surveys["eenzaamheid"], responses=_responses(LONG, [0] * 8, helps), k=5
    )
    values = {f.label: f.value for f in summary.findings}
    assert values["Wil een maatje"] == "100%"
    assert values["Wil een plek of moment om elkaar te ontmoeten"] is None  # 2 < k


def test_report_section_escapes_text(surveys):
    summary = Summary("eenzaamheid", "t", [Finding("<b>x</b>", None, "<script>")], note="&")
    results = SimpleNamespace(summaries=[summary])
    (section,) = plugin.vliegwiel_report_sections(survey=surveys["eenzaamheid"], results=results)
    assert "<script>" not in section.html and "&lt;script&gt;" in section.html
    assert "&lt;b&gt;x&lt;/b&gt;" in section.html


# --- age -----------------------------------------------------------------------------------------


def test_both_templates_ask_age_optionally_in_the_dorpsenquetes_categories(surveys, question_types):
    from vliegwiel.core.resources import bundled_surveys_dir

    dorp = load_survey_file(bundled_surveys_dir() / "dorpsenquete.yaml", question_types)
    expected = [(o.value, o.label) for o in dorp.question("leeftijd").settings.options]
    for survey in surveys.values():
        age = survey.question("leeftijd")
        assert [(o.value, o.label) for o in age.settings.options] == expected
        assert not age.required and survey.breakdown == "leeftijd"


def test_answers_stored_before_the_age_question_stay_complete(surveys):
    from vliegwiel.surveys.responses import check_complete

    for name, version in (("eenzaamheid", LONG), ("eenzaamheid_kort", SHORT)):
        old = {"djg": answers_with(version, 3)}
        assert check_complete(surveys[name], old) == old


def test_summary_splits_loneliness_by_age_and_protects_small_groups(surveys):
    # (age, lonely, not lonely): 20 aged 80+, half of them lonely; 2 under 25, both lonely.
    groups = [("80_plus", 10, 10), ("45_64", 5, 10), ("tot_25", 2, 0), ("65_79", 6, 5)]
    groups.append((None, 5, 6))
    ages = [age for age, lonely, fine in groups for _ in range(lonely + fine)]
    totals = [t for _a, lonely, fine in groups for t in [3] * lonely + [0] * fine]
    responses = _responses(SHORT, totals)
    for response, age in zip(responses, ages, strict=True):
        if age:
            response["answers"]["leeftijd"] = age
    summary = plugin.vliegwiel_survey_summary(
        survey=surveys["eenzaamheid_kort"], responses=responses, k=5
    )
    values = {f.label: f.value for f in summary.findings}
    assert values["Eenzaam (matig of meer), 80 jaar of ouder"] == "50%"
    assert values["Eenzaam (matig of meer), Jonger dan 25 jaar"] is None  # 2 < k
    # With the under-25s hidden, another row must be too, or theirs follows from the totals.
    assert [
        values[f"Eenzaam (matig of meer), {g}"] for g in ("45 tot 65 jaar", "65 tot 80 jaar")
    ].count(None) >= 1
    # Responses without an age still count in the overall bands.
    assert summary.note.startswith("59 van de 59")


def test_summary_without_ages_has_no_age_lines(surveys):
    summary = plugin.vliegwiel_survey_summary(
        survey=surveys["eenzaamheid_kort"], responses=_responses(SHORT, [0] * 6 + [3] * 6), k=5
    )
    assert not any("Eenzaam (matig of meer)" in f.label for f in summary.findings)
