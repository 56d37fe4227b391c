"""Survey results: tallies per question with small-group protection applied.

Also the organiser's decisions about results: which free texts are approved for
publication (moderation) and whether a survey's results are published on the public site.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from vliegwiel.core.storage import Storage, put_record
from vliegwiel.core.village import Village
from vliegwiel.results.breakdowns import (
    BREAKDOWN_TYPES,
    SKIP,
    BreakdownView,
    answer_key,
    candidates,
    protect_crosses,
)
from vliegwiel.results.charts import bar_chart, bar_list, responsive
from vliegwiel.results.intervals import CONFIDENCE_DEFAULT, mean_interval, percent_interval
from vliegwiel.results.population import load_margins
from vliegwiel.results.representation import GroupShare, compare
from vliegwiel.results.summaries import Summary
from vliegwiel.results.suppression import Counts, percent, suppress_counts
from vliegwiel.results.waves import wave_label, wave_responses
from vliegwiel.results.weighted import WeightingInfo, apply_weighting
from vliegwiel.surveys.question_types import Tally
from vliegwiel.surveys.responses import now
from vliegwiel.surveys.schema import Question, Survey
from vliegwiel.web.i18n import current_language, localise


@dataclass
class QuestionResult:
    question: Question
    #: The raw tally; never shown as is: use ``counts`` and ``stats``.
    tally: Tally
    #: Answer counts as they may be published (None: hidden), for choice-like questions.
    counts: Counts | None
    #: Numeric statistics, None when fewer than k respondents answered.
    stats: dict[str, float] | None
    #: True when the question had fewer than k respondents: nothing is shown.
    hidden: bool
    parts: dict[str, QuestionResult] = field(default_factory=dict)
    #: Protected breakdown tables by background question id (choice questions only).
    breakdowns: dict[str, BreakdownView] = field(default_factory=dict)
    #: Free texts approved by an organiser; empty unless asked for (``with_texts``).
    texts: list[str] = field(default_factory=list)
    #: Households (or residents) the respondents come from, for the finite-population
    #: correction of the margins of error; None: unknown.
    population: int | None = None
    confidence: float = CONFIDENCE_DEFAULT
    #: Weighted percentages per answer key and their margins, when weighting is on and
    #: allowed for this question (``vliegwiel.results.weighted``).
    weighted: dict[str, tuple[float, tuple[float, float] | None]] | None = None
    #: Charts and margins already drawn or computed: results are cached between views
    #: (``results_cache``), and a drawn chart costs more than the rest of a page.
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def interval(self, key: str) -> tuple[float, float] | None:
        """The margin of error of answer ``key``'s published percentage, in percent.

        Computed from the published count and total only: None wherever either is hidden
        (and for rankings, whose rows are points), so it never tells more than the
        percentage next to it.
        """
        if self.counts is None or self.tally.kind == "ranking":
            return None
        return percent_interval(
            self.counts.cells.get(key),
            self.counts.total,
            population=self.population,
            confidence=self.confidence,
        )

    def rows_with_intervals(
        self,
    ) -> list[tuple[str, Any, int | None, float | None, tuple[float, float] | None]]:
        """:meth:`rows` with each answer's margin of error (None: hidden or not a percentage)."""
        return [(*row, self.interval(row[0])) for row in self.rows()]

    @property
    def mean_interval(self) -> tuple[float, float] | None:
        """The t-interval of the published mean, rounded like the mean; None when hidden."""
        key = ("mean_interval", self.population, self.confidence)
        if key not in self._memo:
            self._memo[key] = self._mean_interval()
        return self._memo[key]

    def _mean_interval(self) -> tuple[float, float] | None:
        if self.hidden or not self.stats or "mean" not in self.stats:
            return None
        sd = self.tally.stats.get("sd")
        if sd is None:
            return None
        interval = mean_interval(
            self.tally.stats["mean"],
            sd,
            self.tally.respondents,
            population=self.population,
            confidence=self.confidence,
        )
        if interval is None:
            return None
        decimals = stat_decimals(self.tally)
        return (_round(interval[0], decimals), _round(interval[1], decimals))

    def rows(self) -> list[tuple[str, Any, int | None, float | None]]:
        """(key, label, count, percentage) per answer as published; None means hidden.

        Percentages are of the respondents who answered, so multiple-choice rows may add up
        to more than 100.
        """
        if self.counts is None:
            return []
        total = self.counts.total
        if self.tally.kind == "ranking":
            total = None  # ranking rows are points, not people
        return [
            (
                row.key,
                row.label,
                self.counts.cells.get(row.key),
                percent(self.counts.cells.get(row.key), total),
            )
            for row in self.tally.rows
        ]

    def chart(self, title: str | None = None) -> Markup | None:
        """An inline SVG bar chart of the published percentages (points for a ranking)."""
        if self.hidden or self.counts is None:
            return None
        title = title or localise(self.question.text)
        # Labels are localised: one chart per title and language; the counts never change.
        key = ("chart", title, current_language())
        if key not in self._memo:
            self._memo[key] = self._chart(title)
        return self._memo[key]

    def _chart(self, title: str) -> Markup:
        ranking = self.tally.kind == "ranking"
        rows = [
            (localise(label), count if ranking else pct) for _key, label, count, pct in self.rows()
        ]
        return Markup(
            responsive(
                lambda width: bar_chart(title, rows, percent=not ranking, width=width),
                bar_list(title, rows, percent=not ranking),
            )
        )


@dataclass
class SurveyResults:
    survey: Survey
    respondents: int
    k: int
    questions: list[QuestionResult]
    summaries: list[Summary]
    channels: Counts
    first_response: str | None = None
    last_response: str | None = None
    #: The background questions the results are broken down by (first: the survey's own).
    breakdown_by: list[Question] = field(default_factory=list)
    #: The id of the survey round these results cover (None: the survey has one round).
    wave: str | None = None
    #: That round's label, for display only.
    wave_label: str | None = None
    #: ``[village] households`` (finite-population correction) and the confidence level of
    #: every margin of error.
    households: int | None = None
    confidence: float = CONFIDENCE_DEFAULT
    #: None when weighting is off (``[results] weighting``); else applied or why not.
    weighting: WeightingInfo | None = None
    #: Who answered compared with who lives there, per question with population figures.
    representation: list[tuple[Question, list[GroupShare]]] = field(default_factory=list)
    #: ``[results] underrepresented_factor``, for the explanation under that table.
    underrepresented_factor: float = 1.5

    @property
    def respondents_shown(self) -> int | None:
        """The number of respondents as it may be published."""
        return self.respondents if self.respondents >= self.k else None


#: Statistics that describe a group; a minimum or maximum would describe one resident.
PUBLISHED_STATS = ("mean", "median")


def stat_decimals(tally: Tally) -> int:
    """Decimals of a published mean or median: one for a short scale (0-10), else none.

    Two decimals of a mean of n answers, next to the mean of n + 1, give the new answer
    away; rounding blurs that, and a whole number is all a village needs anyway.
    """
    return 1 if tally.kind == "choice" and len(tally.rows) <= 11 else 0


def _round(value: float, decimals: int) -> float | int:
    rounded = round(value, decimals)
    return int(rounded) if decimals == 0 else rounded


def protect_tally(question: Question, tally: Tally, k: int) -> QuestionResult:
    hidden = tally.respondents < k
    counts = None
    parts: dict[str, QuestionResult] = {}
    if tally.kind == "choice":
        # The respondents are the published total: equal to the sum of the counts for single
        # choice (a line that needs complementary suppression), smaller for multiple choice.
        counts = suppress_counts(tally.counts(), k, total=tally.respondents)
    elif tally.kind == "ranking":
        # Ranking rows are points, not people: no cell describes a small group, but the whole
        # question is hidden below k respondents.
        counts = Counts(
            {key: None if hidden else value for key, value in tally.counts().items()},
            None if hidden else tally.respondents,
        )
    stats = None
    if tally.stats and not hidden:
        decimals = stat_decimals(tally)
        stats = {
            key: _round(value, decimals)
            for key, value in tally.stats.items()
            if key in PUBLISHED_STATS
        }
    for key, part in tally.parts.items():
        parts[key] = protect_tally(question, part, k)
    return QuestionResult(question, tally, counts, stats, hidden, parts)


def compute_results(
    village: Village,
    survey: Survey,
    responses: list[dict[str, Any]] | None = None,
    *,
    breakdown: str | None = None,
    with_texts: bool = False,
    wave: str | None = None,
) -> SurveyResults:
    """Tally and protect every question.

    ``responses`` defaults to the survey's current round (see ``vliegwiel.results.waves``).
    Choice questions are protected together with their breakdown by the survey's
    ``breakdown:`` question and, if given, by ``breakdown`` as well, so the counts shown
    are the same whether or not a page shows the breakdown. ``with_texts`` adds the free
    texts an organiser approved.

    The responses are first counted into a :class:`RawTally` (``count_responses``), then
    finished (``finish_results``); ``results_cache`` adds up the raw tallies of storage
    chunks instead, which gives the same results.
    """
    if responses is None:
        wave, responses = wave_responses(village, survey, wave)
    raw = count_responses(responses, breakdown_ids(survey))
    return finish_results(
        village,
        survey,
        raw,
        breakdown=breakdown,
        wave=wave,
        text_responses=responses if with_texts else None,
        responses=responses,
    )


# --- raw tallies: counts that add up ------------------------------------------------------------


def _freeze(value: Any) -> Hashable:
    """A key equal for equal answers only: 1, 1.0 and True, 0.0 and -0.0 stay apart (a
    median or a row count may tell them apart), lists and dicts become tuples."""
    kind = type(value)
    if kind is str:
        return value
    if kind is float:
        return (float, value, math.copysign(1, value))
    if kind is list:
        return (list, tuple(_freeze(v) for v in value))
    if kind is dict:
        return (dict, tuple((k, _freeze(v)) for k, v in value.items()))
    return (kind, value)


#: Answer counts of one question: frozen answer -> [an answer, how often].
Counted = dict[Hashable, list]


def _count(column: Counted, answer: Any, n: int = 1) -> None:
    key = _freeze(answer)
    slot = column.get(key)
    if slot is None:
        column[key] = [answer, n]
    else:
        slot[1] += n


def _add_counted(into: Counted, other: Counted) -> None:
    for key, (answer, n) in other.items():
        slot = into.get(key)
        if slot is None:
            into[key] = [answer, n]
        else:
            slot[1] += n


@dataclass
class RawTally:
    """What a set of responses adds to the results, in counts that add up: the raw tally of
    two sets of responses is the sum of theirs (``add``). Results are finished from it
    (``finish_results``), so they can be counted per storage chunk and added up.
    """

    respondents: int = 0
    #: Responses per channel, in order of first appearance.
    channels: dict[str, int] = field(default_factory=dict)
    first: str | None = None
    last: str | None = None
    #: Question id -> its answers counted.
    answers: dict[str, Counted] = field(default_factory=dict)
    #: Breakdown question id -> its answer (``answer_key``; None: left open) -> how many.
    groups: dict[str, dict[Any, int]] = field(default_factory=dict)
    #: Breakdown question id -> its answer -> question id -> that group's answers counted.
    cross: dict[str, dict[Any, dict[str, Counted]]] = field(default_factory=dict)

    def add(self, other: RawTally) -> None:
        """Add ``other``'s counts to these (``other`` is left as it is)."""
        self.respondents += other.respondents
        for channel, n in other.channels.items():
            self.channels[channel] = self.channels.get(channel, 0) + n
        if other.first is not None and (self.first is None or other.first < self.first):
            self.first = other.first
        if other.last is not None and (self.last is None or other.last > self.last):
            self.last = other.last
        for qid, column in other.answers.items():
            _add_counted(self.answers.setdefault(qid, {}), column)
        for by_id, sizes in other.groups.items():
            mine_sizes = self.groups.setdefault(by_id, {})
            for key, n in sizes.items():
                mine_sizes[key] = mine_sizes.get(key, 0) + n
        for by_id, groups in other.cross.items():
            mine = self.cross.setdefault(by_id, {})
            for key, columns in groups.items():
                group = mine.setdefault(key, {})
                for qid, column in columns.items():
                    _add_counted(group.setdefault(qid, {}), column)


def breakdown_ids(survey: Survey) -> list[str]:
    """Every question results may be broken down by (``cross`` of the raw tallies): views
    are protected jointly with all of them (``breakdowns.protect_jointly``)."""
    return [q.id for q in candidates(survey)]


def count_responses(responses: list[dict[str, Any]], by: Iterable[str] = ()) -> RawTally:
    """The raw tally of ``responses``, with cross counts by each question id in ``by``."""
    raw = RawTally()
    for r in responses:
        raw.respondents += 1
        channel = r.get("channel", "web")
        raw.channels[channel] = raw.channels.get(channel, 0) + 1
        at = r["submitted_at"]
        if raw.first is None or at < raw.first:
            raw.first = at
        if raw.last is None or at > raw.last:
            raw.last = at
        for qid, answer in r["answers"].items():
            column = raw.answers.get(qid)
            if column is None:
                column = raw.answers[qid] = {}
            _count(column, answer)
    for by_id in by:
        sizes: dict[Any, int] = raw.groups.setdefault(by_id, {})
        groups: dict[Any, dict[str, Counted]] = raw.cross.setdefault(by_id, {})
        for r in responses:
            answers = r["answers"]
            key = answer_key(answers.get(by_id))
            sizes[key] = sizes.get(key, 0) + 1
            columns = groups.get(key)
            if columns is None:
                columns = groups[key] = {}
            for qid, given in answers.items():
                column = columns.get(qid)
                if column is None:
                    column = columns[qid] = {}
                _count(column, given)
    return raw


def _counted(column: Counted | None) -> list[tuple[Any, int]]:
    return [(answer, n) for answer, n in (column or {}).values()]


def _counted_cross(village: Village, raw: RawTally):  # noqa: ANN202 (breakdowns.Cross)
    """``breakdowns._cross`` from a raw tally: the same two-way tables, from counts."""

    def cross(q: Question, b: Question, q_answers: list[Any], b_answers: list[Any]) -> tuple:
        per_group: dict[Any, Counted] = {w: {} for w in [*b_answers, SKIP]}
        sizes = {w: 0 for w in per_group}
        for key, n in raw.groups[b.id].items():
            sizes[key if key in per_group else SKIP] += n
        for key, columns in raw.cross[b.id].items():
            column = columns.get(q.id)
            if column:
                _add_counted(per_group[key if key in per_group else SKIP], column)
        cells: dict[tuple[Any, Any], int] = {}
        answered: dict[Any, int] = {}
        for w, given in per_group.items():
            if q.type in BREAKDOWN_TYPES:
                counts: dict[Any, int] = {}
                for answer, n in given.values():
                    a = answer_key(answer)
                    if a in q_answers:  # no option (any more): left open, as in _cross
                        counts[a] = counts.get(a, 0) + n
                respondents = sum(counts.values())
            else:
                tally = village.question_types[q.type].tally_counted(q, _counted(given))
                counts, respondents = tally.counts(), tally.respondents
            for a in q_answers:
                cells[(a, w)] = counts.get(a, 0)
            cells[(SKIP, w)] = sizes[w] - respondents
            answered[w] = respondents
        return cells, answered

    return cross


def needs_responses(village: Village, survey: Survey) -> bool:
    """True when the survey's results need the whole list of responses, not only a raw
    tally: weighting is on, or a plugin summarises this survey (``vliegwiel_survey_summary``
    gets the responses; a plugin that returns None for no responses has said the survey is
    not its concern, which depends on the survey only: see the hook's documentation)."""
    if village.config.weighting != "off":
        return True
    k = village.config.min_group_size
    return bool(village.call_hook("vliegwiel_survey_summary", survey=survey, responses=[], k=k))


def finish_results(
    village: Village,
    survey: Survey,
    raw: RawTally,
    *,
    breakdown: str | None = None,
    wave: str | None = None,
    text_responses: list[dict[str, Any]] | None = None,
    responses: list[dict[str, Any]] | None = None,
) -> SurveyResults:
    """Results from a raw tally (with cross counts for ``breakdown_ids(survey)``): tallies,
    small-group protection, breakdowns, margins.

    ``text_responses``: responses whose approved texts are shown (None: no texts; only
    responses with an approved text are read). ``responses``: the whole list, which
    weighting and plugin summaries need (``needs_responses``); without it they are left out.
    """
    k = village.config.min_group_size
    tallies = {
        q.id: village.question_types[q.type].tally_counted(q, _counted(raw.answers.get(q.id)))
        for q in survey.questions()
    }
    protected = {q.id: protect_tally(q, tallies[q.id], k) for q in survey.questions()}
    channels = dict(raw.channels)
    # Every choice question, broken down by every breakdown question, the channels and the
    # respondents: one system, so the pages of this view (any ?uitsplitsing=) can be put
    # side by side without giving a hidden number away (breakdowns.py).
    joint = protect_crosses(
        survey, tallies, raw.respondents, _counted_cross(village, raw), channels, k
    )
    shown_by = _shown_breakdowns(survey, breakdown, joint.counts)
    approved = (
        approved_texts(village, survey, text_responses) if text_responses is not None else {}
    )
    results = []
    for question in survey.questions():
        result = protected[question.id]
        if question.id in joint.counts:
            result.counts = joint.counts[question.id]
            own = joint.breakdowns.get(question.id, {})
            result.breakdowns = {b: own[b] for b in shown_by if b in own}
        if not result.hidden:
            result.texts = approved.get(question.id, [])
        _set_margins(result, village.config.households, village.config.confidence)
        results.append(result)
    summaries = []
    weighting = None
    if responses is not None:
        summaries = [
            summary
            for _plugin, summary in village.call_hook(
                "vliegwiel_survey_summary", survey=survey, responses=responses, k=k
            )
            if isinstance(summary, Summary)
        ]
        weighting = apply_weighting(village, survey, responses, results)
    return SurveyResults(
        survey=survey,
        respondents=raw.respondents,
        k=k,
        questions=results,
        summaries=summaries,
        channels=joint.channels or suppress_counts(channels, k),
        first_response=raw.first,
        last_response=raw.last,
        breakdown_by=[q for q in survey.questions() if q.id in shown_by],
        wave=wave,
        wave_label=wave_label(village.storage, survey.id, wave),
        households=village.config.households,
        confidence=village.config.confidence,
        weighting=weighting,
        representation=_representation(village, survey, results),
        underrepresented_factor=village.config.underrepresented_factor,
    )


def _representation(
    village: Village, survey: Survey, results: list[QuestionResult]
) -> list[tuple[Question, list[GroupShare]]]:
    """The published counts of each question with population figures, against them."""
    margins = load_margins(village.storage, survey.id)
    shown = []
    for result in results:
        population = margins.get(result.question.id)
        if population is None or result.hidden or result.counts is None:
            continue
        rows = compare(
            result.counts.cells,
            population,
            total=result.counts.total,
            factor=village.config.underrepresented_factor,
        )
        shown.append((result.question, rows))
    return shown


def _set_margins(result: QuestionResult, population: int | None, confidence: float) -> None:
    result.population = population
    result.confidence = confidence
    for part in result.parts.values():
        _set_margins(part, population, confidence)


def _shown_breakdowns(
    survey: Survey, chosen: str | None, protected: dict[str, Counts]
) -> list[str]:
    """The breakdowns a page shows: the survey's own and the one chosen, when allowed."""
    allowed = {q.id for q in candidates(survey)}
    return [b for b in dict.fromkeys([survey.breakdown, chosen]) if b in allowed and b in protected]


# --- free-text moderation -------------------------------------------------------------------

APPROVED, REJECTED = "approved", "rejected"


def moderation_collection(survey_id: str) -> str:
    return f"text_moderation/{survey_id}"


@dataclass(frozen=True)
class TextItem:
    """One free text of one response, with the organiser's decision (None: not yet)."""

    key: str
    question: Question
    text: str
    status: str | None
    #: The text with a part removed by the organiser (see ``vliegwiel.results.moderation``);
    #: when set, this and never ``text`` is what gets published.
    redacted: str | None = None

    @property
    def published(self) -> str:
        return self.redacted if self.redacted is not None else self.text


def text_items(village: Village, survey: Survey, responses: list[dict[str, Any]]) -> list[TextItem]:
    """Every free text (text questions and "Anders, namelijk") with its moderation status."""
    decisions = {d["id"]: d for d in village.storage.all(moderation_collection(survey.id))}
    text_questions = {
        q.id
        for q in survey.questions()
        if village.question_types[q.type].tally(q, []).kind == "text"
    }
    items = []
    questions = list(survey.questions())  # once, not once per response
    for r in responses:
        answers = r["answers"]
        for question in questions:
            answer = answers.get(question.id)
            if question.id in text_questions and isinstance(answer, str):
                text = answer
            elif isinstance(answer, dict) and isinstance(answer.get("other"), str):
                text = answer["other"]
            else:
                continue
            if text.strip():
                key = f"{r['id']}-{question.id}"
                decision = decisions.get(key, {})
                items.append(
                    TextItem(key, question, text, decision.get("status"), decision.get("redacted"))
                )
    return items


def set_text_status(storage: Storage, survey_id: str, key: str, status: str) -> None:
    """Record an organiser's decision about one free text."""
    if status not in (APPROVED, REJECTED):
        raise ValueError(f"unknown moderation status {status!r}")
    put_record(
        storage, moderation_collection(survey_id), key, {"status": status, "decided_at": now()}
    )


def text_owners(village: Village, survey: Survey) -> set[str]:
    """Ids that may be of a response with an approved text (a superset: the key of a text
    is "<response id>-<question id>" and ids may hold "-", so every prefix counts)."""
    approved = {
        d["id"]
        for d in village.storage.all(moderation_collection(survey.id))
        if d.get("status") == APPROVED
    }
    # Only responses with an approved text need reading (usually a few among thousands).
    return {key[:i] for key in approved for i, ch in enumerate(key) if ch == "-"}


def approved_texts(
    village: Village, survey: Survey, responses: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """Approved texts per question id (redacted where the organiser removed a part), sorted
    so their order says nothing about who wrote them or when."""
    owners = text_owners(village, survey)
    responses = [r for r in responses if r["id"] in owners]
    found: dict[str, list[str]] = {}
    for item in text_items(village, survey, responses):
        if item.status == APPROVED:
            found.setdefault(item.question.id, []).append(item.published)
    return {qid: sorted(texts, key=str.casefold) for qid, texts in found.items()}


# --- publication ----------------------------------------------------------------------------

PUBLISHED = "published_results"


def is_published(storage: Storage, survey_id: str) -> bool:
    record = storage.get(PUBLISHED, survey_id)
    return bool(record and record["published"])


def set_published(storage: Storage, survey_id: str, published: bool) -> None:
    put_record(storage, PUBLISHED, survey_id, {"published": published, "changed_at": now()})
