"""Reading and writing pabulib .pb files, on real files in tmp_path."""

import pytest

from vliegwiel.rounds.pabulib import PabulibError, PBInstance, PBVote, read_pb, write_pb
from vliegwiel.rounds.voting import Project, borda, dots, equal_shares

# The example file shown on equalshares.net, with two extra columns we must carry along.
APPROVAL_PB = """META
key;value
description;Example election
num_projects;3
num_votes;4
budget;100000
vote_type;approval
PROJECTS
project_id;cost;name;category
1;5000;Project 1;"groen;water"
2;10000;Project 2;sport
3;85000;Project 3;verkeer
VOTES
voter_id;vote;age
1;1,2;34
2;1;71
3;3;18
4;1,2,3;45
"""


def test_read_approval_file_and_count_it(tmp_path):
    path = tmp_path / "dorp.pb"
    path.write_text(APPROVAL_PB, encoding="utf-8")
    instance = read_pb(path.read_text(encoding="utf-8"))
    assert instance.budget == 100000
    assert instance.projects[0] == Project("1", 5000, "Project 1")
    # A quoted field may hold the separator.
    assert instance.project_fields["1"] == {"category": "groen;water"}
    assert instance.votes[3] == PBVote("4", ["1", "2", "3"], None, {"age": "45"})
    # The ballots feed straight into the rules (outcome worked out in test_voting.py).
    outcome = equal_shares(instance.projects, instance.ballots(), instance.budget, "none")
    assert outcome.selected == ["1", "2"]


@pytest.mark.parametrize("vote_type", ["approval", "cumulative", "ordinal"])
def test_round_trip(tmp_path, vote_type):
    votes = [
        PBVote("a", ["2", "1"], [3, 2] if vote_type == "cumulative" else None, {"age": "40"}),
        PBVote("b", ["3"], [5] if vote_type == "cumulative" else None, {"age": "none"}),
        PBVote("c", [], [] if vote_type == "cumulative" else None, {"age": "19"}),
    ]
    original = PBInstance(
        {"description": "Dorpshuis; tuin", "budget": "1200", "vote_type": vote_type},
        [Project("1", 400, "Bankjes"), Project("2", 900, 'Pad "oost"'), Project("3", 50)],
        votes,
        {"1": {"votes": "2"}, "2": {"votes": "1"}, "3": {"votes": "1"}},
    )
    path = tmp_path / "ronde.pb"
    path.write_text(write_pb(original), encoding="utf-8")
    again = read_pb(path.read_text(encoding="utf-8"))
    assert again.projects == original.projects
    assert again.votes == original.votes
    assert again.project_fields == original.project_fields
    assert again.meta == {**original.meta, "num_projects": "3", "num_votes": "3"}
    assert write_pb(again) == path.read_text(encoding="utf-8")


def test_cumulative_and_ordinal_ballots_have_the_shapes_the_rules_take():
    text = write_pb(
        PBInstance(
            {"budget": "10", "vote_type": "cumulative"},
            [Project("x", 1), Project("y", 1)],
            [PBVote("1", ["x", "y"], [2, 1]), PBVote("2", ["y"], [3])],
        )
    )
    instance = read_pb(text)
    assert instance.ballots() == [{"x": 2, "y": 1}, {"y": 3}]
    # y = 1 + 3 = 4, x = 2
    assert dots(instance.projects, instance.ballots(), points=3).selected == ["y"]

    ordinal = read_pb(
        text.replace("cumulative", "ordinal").replace("voter_id;vote;points", "voter_id;vote;extra")
    )
    assert ordinal.ballots() == [["x", "y"], ["y"]]
    # m = 2: first place 1 point. x = 1, y = 0 + 1 = 1: tie, x is listed first.
    assert borda(ordinal.projects, ordinal.ballots()).selected == ["x"]


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (APPROVAL_PB.replace("4;1,2,3;45", "4;1,7;45"), "Regel 18: onbekend project in stem: 7"),
        (APPROVAL_PB.replace("2;10000;", "2;tienduizend;"), "Regel 11: cost is geen geheel getal"),
        (APPROVAL_PB.replace("3;3;18", "3;3"), "Regel 17: 2 kolommen, maar de kop heeft er 3"),
        (APPROVAL_PB.split("VOTES")[0], "sectie VOTES ontbreekt"),
        (APPROVAL_PB.replace("num_votes;4", "num_votes;5"), "Regel 5: num_votes is 5, maar"),
        (APPROVAL_PB.replace("vote_type;approval", "vote_type;scoring"), "vote_type: scoring"),
        (APPROVAL_PB.replace("2;1;71", "1;1;71"), "Regel 16: voter_id 1 komt twee keer voor"),
        (APPROVAL_PB.replace("budget;100000", "budget;1e5x"), "Regel 6: budget is geen"),
    ],
)
def test_malformed_files_name_the_line(broken, message):
    with pytest.raises(PabulibError, match=message):
        read_pb(broken)
