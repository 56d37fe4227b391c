"""Survey results: tallies per question with small-group protection applied.

Also the organiser's decisions about results: which free texts are approved for
publication (moderation) and whether a survey's results are published on the public site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from vliegwiel.core.storage import Storage, put_record
from vliegwiel.core.village import Village
from vliegwiel.results.breakdowns import BreakdownView, candidates, protect_jointly
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
    """
    if responses is None:
        wave, responses = wave_responses(village, survey, wave)
    k = village.config.min_group_size
    columns = _columns(responses)
    tallies = {
        q.id: village.question_types[q.type].tally(q, columns.get(q.id, []))
        for q in survey.questions()
    }
    protected = {q.id: protect_tally(q, tallies[q.id], k) for q in survey.questions()}
    channels: dict[str, int] = {}
    for r in responses:
        channels[r.get("channel", "web")] = channels.get(r.get("channel", "web"), 0) + 1
    # Every choice question, broken down by every breakdown question, the channels and the
    # respondents: one system, so the pages of this view (any ?uitsplitsing=) can be put
    # side by side without giving a hidden number away (breakdowns.py).
    joint = protect_jointly(
        survey,
        tallies,
        responses,
        lambda q, answers: village.question_types[q.type].tally(q, answers),
        channels,
        k,
    )
    shown_by = _shown_breakdowns(survey, breakdown, joint.counts)
    approved = approved_texts(village, survey, responses) if with_texts else {}
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
    summaries = [
        summary
        for _plugin, summary in village.call_hook(
            "vliegwiel_survey_summary", survey=survey, responses=responses, k=k
        )
        if isinstance(summary, Summary)
    ]
    times = sorted(r["submitted_at"] for r in responses)
    weighting = apply_weighting(village, survey, responses, results)
    return SurveyResults(
        survey=survey,
        respondents=len(responses),
        k=k,
        questions=results,
        summaries=summaries,
        channels=joint.channels or suppress_counts(channels, k),
        first_response=times[0] if times else None,
        last_response=times[-1] if times else None,
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


def _columns(responses: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Every question's answers in response order: one pass over the responses, not one
    per question (results pages count tens of thousands)."""
    columns: dict[str, list[Any]] = {}
    for r in responses:
        for question_id, answer in r["answers"].items():
            column = columns.get(question_id)
            if column is None:
                column = columns[question_id] = []
            column.append(answer)
    return columns


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


def approved_texts(
    village: Village, survey: Survey, responses: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """Approved texts per question id (redacted where the organiser removed a part), sorted
    so their order says nothing about who wrote them or when."""
    approved = {
        d["id"]
        for d in village.storage.all(moderation_collection(survey.id))
        if d.get("status") == APPROVED
    }
    # A text's key is "<response id>-<question id>": only responses with an approved text
    # need reading (usually a few among thousands). Ids may hold "-", so every prefix counts.
    owners = {key[:i] for key in approved for i, ch in enumerate(key) if ch == "-"}
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
