"""Read and write the pabulib `.pb` format (pabulib.org), so a round can be exported for, or
checked against, other tools such as the equalshares.net calculator.

A file has three sections, META, PROJECTS and VOTES, each a section name on its own line
followed by a semicolon-separated header row and data rows. Supported vote types: approval,
cumulative (points) and ordinal. Columns we do not interpret (category, age, ...) are kept as
text so a file survives a read and a write unchanged in meaning.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from fractions import Fraction

from flask_babel import gettext as _

from vliegwiel.core.errors import VliegwielError
from vliegwiel.rounds.voting import Project

SECTIONS = ("meta", "projects", "votes")
VOTE_TYPES = ("approval", "cumulative", "ordinal")
#: The order pabulib (and pabulib-checker) expects META keys in; other keys follow.
META_ORDER = (
    "description", "country", "unit", "district", "subunit", "instance", "num_projects",
    "num_votes", "budget", "vote_type", "rule", "date_begin", "date_end", "min_length",
    "max_length", "min_sum_cost", "max_sum_cost", "min_points", "max_points", "min_sum_points",
    "max_sum_points", "default_score", "min_project_cost", "max_project_cost",
    "min_project_score_threshold", "neighborhoods", "subdistricts", "categories", "edition",
    "language", "currency", "fully_funded", "experimental", "comment", "acknowledgments",
)  # fmt: skip
#: PROJECTS columns pabulib puts between cost and name.
BEFORE_NAME = ("votes", "score")


class PabulibError(VliegwielError, ValueError):
    """A malformed .pb file; the Dutch message names the line."""

    code = "pabulib"


@dataclass
class PBVote:
    voter_id: str
    vote: list[str]  # idea ids; for ordinal votes best first
    points: list[int] | None = None  # cumulative votes: points per entry of `vote`
    fields: dict[str, str] = field(default_factory=dict)  # other columns, e.g. age


@dataclass
class PBInstance:
    meta: dict[str, str]
    projects: list[Project]
    votes: list[PBVote]
    project_fields: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval")

    @property
    def budget(self) -> int:
        return _integer(self.meta["budget"], 0, "budget")

    def ballots(self) -> list[set[str]] | list[dict[str, int]] | list[list[str]]:
        """Ballots in the shape vliegwiel.rounds.voting takes for this vote type: approval ->
        sets, cumulative -> {id: points}, ordinal -> ranked lists."""
        if self.vote_type == "cumulative":
            return [dict(zip(v.vote, v.points or [], strict=True)) for v in self.votes]
        if self.vote_type == "ordinal":
            return [list(v.vote) for v in self.votes]
        return [set(v.vote) for v in self.votes]


def _error(line: int, message: str) -> PabulibError:
    return PabulibError(_("Regel %(line)s: %(message)s", line=line, message=message))


def _integer(text: str, line: int, what: str) -> int:
    # pabulib writes amounts as plain integers, sometimes as "1200.0" or "1200,00".
    try:
        value = Fraction(text.strip().replace(",", "."))
    except (ValueError, ZeroDivisionError):
        value = None
    if value is None or value.denominator != 1:
        raise _error(line, _("%(what)s is geen geheel getal: %(text)s", what=what, text=text))
    return int(value)


def read_pb(text: str) -> PBInstance:
    """Parse a .pb file. Raises PabulibError with the line number of the first problem."""
    reader = csv.reader(io.StringIO(text), delimiter=";")
    rows: dict[str, list[tuple[int, dict[str, str]]]] = {}
    headers: dict[str, list[str]] = {}
    section = None
    expect_header = False
    for row in reader:
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        name = row[0].strip().lower()
        if len(row) == 1 and name in SECTIONS:
            if name in rows:
                raise _error(line, _("sectie %(name)s staat er twee keer in.", name=name.upper()))
            section, expect_header = name, True
            rows[section] = []
            continue
        if section is None:
            raise _error(line, _("het bestand moet met de sectie META beginnen."))
        cells = [cell.strip() for cell in row]
        if expect_header:
            headers[section], expect_header = cells, False
            continue
        if len(cells) != len(headers[section]):
            raise _error(
                line,
                _(
                    "%(found)s kolommen, maar de kop heeft er %(expected)s.",
                    found=len(cells),
                    expected=len(headers[section]),
                ),
            )
        rows[section].append((line, dict(zip(headers[section], cells, strict=True))))
    for name in SECTIONS:
        if name not in rows:
            raise _error(reader.line_num, _("sectie %(name)s ontbreekt.", name=name.upper()))

    meta = {r["key"]: r["value"] for _line, r in rows["meta"] if "key" in r and "value" in r}
    vote_type = meta.get("vote_type")
    if vote_type not in VOTE_TYPES:
        raise _error(
            rows["meta"][0][0] if rows["meta"] else 1,
            _("onbekend of ontbrekend vote_type: %(type)s", type=vote_type or ""),
        )
    if "budget" not in meta:
        raise _error(1, _("META heeft geen budget."))
    meta_line = next(line for line, r in rows["meta"] if r.get("key") == "budget")
    _integer(meta["budget"], meta_line, "budget")

    projects, project_fields = _read_projects(rows["projects"])
    known = {p.id for p in projects}
    votes = [_read_vote(line, r, vote_type, known) for line, r in rows["votes"]]
    _check_unique([(line, r.get("voter_id", "")) for line, r in rows["votes"]], "voter_id")
    _check_count(meta, rows, "num_projects", len(projects))
    _check_count(meta, rows, "num_votes", len(votes))
    return PBInstance(meta, projects, votes, project_fields)


def _read_projects(
    rows: list[tuple[int, dict[str, str]]],
) -> tuple[list[Project], dict[str, dict[str, str]]]:
    projects, extra = [], {}
    for line, r in rows:
        if "project_id" not in r or "cost" not in r:
            raise _error(line, _("PROJECTS heeft de kolommen project_id en cost nodig."))
        cost = _integer(r["cost"], line, "cost")
        projects.append(Project(r["project_id"], cost, r.get("name", "")))
        rest = {k: v for k, v in r.items() if k not in ("project_id", "cost", "name")}
        extra[r["project_id"]] = rest
    _check_unique([(line, r["project_id"]) for line, r in rows], "project_id")
    return projects, extra


def _read_vote(line: int, r: dict[str, str], vote_type: str, known: set[str]) -> PBVote:
    if "voter_id" not in r or "vote" not in r:
        raise _error(line, _("VOTES heeft de kolommen voter_id en vote nodig."))
    vote = [pid.strip() for pid in r["vote"].split(",") if pid.strip()]
    unknown = [pid for pid in vote if pid not in known]
    if unknown:
        raise _error(line, _("onbekend project in stem: %(ids)s", ids=", ".join(unknown)))
    if len(set(vote)) != len(vote):
        raise _error(line, _("een project staat twee keer in dezelfde stem."))
    points = None
    if vote_type == "cumulative":
        raw = [p for p in r.get("points", "").split(",") if p.strip()]
        if len(raw) != len(vote):
            raise _error(line, _("het aantal punten past niet bij het aantal projecten."))
        points = [_integer(p, line, "points") for p in raw]
        if any(p < 0 for p in points):
            raise _error(line, _("negatieve punten."))
    rest = {k: v for k, v in r.items() if k not in ("voter_id", "vote", "points")}
    return PBVote(r["voter_id"], vote, points, rest)


def _check_unique(pairs: list[tuple[int, str]], column: str) -> None:
    seen: set[str] = set()
    for line, value in pairs:
        if value in seen:
            raise _error(
                line, _("%(column)s %(value)s komt twee keer voor.", column=column, value=value)
            )
        seen.add(value)


def _check_count(meta: dict[str, str], rows: dict, key: str, actual: int) -> None:
    # A count that disagrees with the rows usually means a truncated or hand-edited file.
    if key not in meta:
        return
    line = next(line for line, r in rows["meta"] if r.get("key") == key)
    if _integer(meta[key], line, key) != actual:
        raise _error(
            line,
            _(
                "%(key)s is %(claimed)s, maar er zijn er %(actual)s.",
                key=key,
                claimed=meta[key],
                actual=actual,
            ),
        )


def write_pb(instance: PBInstance) -> str:
    """The instance as .pb text; num_projects and num_votes are set from the content."""
    for p in instance.projects:
        if "," in p.id:
            raise ValueError(f"project id {p.id!r} contains a comma, which .pb votes cannot hold")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    counted = {
        **instance.meta,
        "num_projects": str(len(instance.projects)),
        "num_votes": str(len(instance.votes)),
    }
    meta = {k: counted[k] for k in META_ORDER if k in counted}
    meta.update((k, v) for k, v in counted.items() if k not in meta)
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())

    extra_project = _columns(instance.project_fields.values())
    before = [c for c in BEFORE_NAME if c in extra_project]
    after = [c for c in extra_project if c not in before]
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", *before, "name", *after])
    for p in instance.projects:
        fields = instance.project_fields.get(p.id, {})
        writer.writerow(
            [
                p.id,
                p.cost,
                *(fields.get(c, "") for c in before),
                p.name,
                *(fields.get(c, "") for c in after),
            ]
        )

    cumulative = instance.vote_type == "cumulative"
    extra_vote = _columns(v.fields for v in instance.votes)
    writer.writerow(["VOTES"])
    writer.writerow(["voter_id", "vote", *(["points"] if cumulative else []), *extra_vote])
    for v in instance.votes:
        points = [",".join(str(p) for p in v.points or [])] if cumulative else []
        rest = (v.fields.get(c, "") for c in extra_vote)
        writer.writerow([v.voter_id, ",".join(v.vote), *points, *rest])
    return out.getvalue()


def _columns(dicts) -> list[str]:
    columns: list[str] = []
    for d in dicts:
        columns.extend(k for k in d if k not in columns)
    return columns
