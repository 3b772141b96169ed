"""Measuring answers on question files (`../shared/eval/dev.jsonl` format), and choosing the ranking's
weights and thresholds by cross-validation.

A question file has one JSON object per line with `id`, `lang`, `q` and `gold` (strings of which one
must be in a returned passage; an empty list means the sources do not answer it), and optionally
`asked` ("YYYY-MM-DD"): the day it was asked, which its relative times ("kemarin", "last year") count
from (`newsbot feedback --export` writes it), and `earlier`: the question whose answer it replies to, so
it is asked as a follow-up ("berapa lama?" after "Di mana Kim dan Putin bertemu?"). `lang` groups the
questions: `id`, `en`, `xx` (other languages), `kw` (keywords), `tmp` (the time named decides), `neg`
(near-topic but unanswered) and `off` (off-topic).

The report gives hit@1, hit@3 and MRR for every group of answerable questions, and for every group the
confidence outcomes: answered with high confidence, "closest I found" (low), or refused. An
answerable question should be high; a near-topic unanswered one must not be high; an off-topic one
should be refused.

`cross_validate` splits the questions into k folds (each group spread evenly over them), chooses the
weights and thresholds (`fit`) on k-1 folds and scores the fold left out, so the numbers it reports
are for questions the choice never saw. Each question is searched once; only the ranking is redone.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..index.errors import NewsbotError

from .answer import (HIGH, LOW, Thresholds, answer_groups, carriers, confidence, rank, relevance, searchable,
                     states_what_is_asked)
from .core import NewsCore


class EvalFileError(NewsbotError):
    """The question file cannot be read."""


NEAR_TOPIC, OFF_TOPIC = "neg", "off"
_ELSEWHERE = "@"  # a question's id on another index: "q001@1"
REFUSED = "refused"


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    q: str
    gold: list[str]
    asked: dt.date | None = None  # the day it was asked: what its relative times count from (None: today)
    earlier: str | None = None  # the question whose answer it replies to (a follow-up)

    @property
    def answerable(self) -> bool:
        return bool(self.gold)

    @property
    def kind(self) -> str:
        """'answer', 'neg' (near-topic, must not be confident) or 'off' (must be refused)."""
        if self.gold:
            return "answer"
        return NEAR_TOPIC if self.lang == NEAR_TOPIC else OFF_TOPIC


@dataclass(frozen=True)
class CaseResult:
    id: str
    lang: str
    question: str
    expected: str  # "answer" or "abstain"
    answered: bool
    rank: int | None  # 1-based rank of the first result whose passage holds a gold string
    correct: bool
    confidence: str = REFUSED  # "high", "low" or "refused"
    # How `/sources QUESTION` did: articles listed that hold a gold string, listed that do not, and holding
    # one but not listed (among the articles of the candidates found); None when not measured.
    sources: tuple[int, int, int] | None = None


@dataclass(frozen=True)
class LanguageScore:
    lang: str
    questions: int
    hit_at_1: float
    hit_at_3: float
    mrr: float


@dataclass(frozen=True)
class Outcomes:
    """How a group's questions were answered: confidently, as "closest I found", or refused."""

    lang: str
    questions: int
    high: int
    low: int
    refused: int


@dataclass
class EvalReport:
    k: int
    languages: list[LanguageScore]
    overall: LanguageScore | None
    abstain_right: int  # unanswerable questions refused
    abstain_wrong: int  # unanswerable questions that got an answer
    wrongly_abstained: int  # answerable questions that got none
    outcomes: list[Outcomes] = field(default_factory=list)
    cases: list[CaseResult] = field(default_factory=list)

    def sources(self) -> tuple[float, float, int] | None:
        """How `/sources QUESTION` did over the answerable questions: precision and recall of the articles
        it listed, and on how many questions; None when not measured."""
        counts = [c.sources for c in self.cases if c.sources is not None]
        if not counts:
            return None
        right, wrong, missed = (sum(c[n] for c in counts) for n in range(3))
        return right / max(right + wrong, 1), right / max(right + missed, 1), len(counts)

    def summary(self) -> dict[str, float]:
        """The headline rates the issue's targets are stated in."""
        by_kind: dict[str, list[CaseResult]] = {}
        for c in self.cases:
            kind = "answer" if c.expected == "answer" else (NEAR_TOPIC if c.lang == NEAR_TOPIC else OFF_TOPIC)
            by_kind.setdefault(kind, []).append(c)
        answerable, neg, off = by_kind.get("answer", []), by_kind.get(NEAR_TOPIC, []), by_kind.get(OFF_TOPIC, [])
        rate = lambda xs, pred: sum(1 for x in xs if pred(x)) / len(xs) if xs else 0.0  # noqa: E731
        return {
            "hit@1": self.overall.hit_at_1 if self.overall else 0.0,
            "hit@3": self.overall.hit_at_3 if self.overall else 0.0,
            "answerable low or refused": rate(answerable, lambda c: c.confidence != HIGH),
            "neg high": rate(neg, lambda c: c.confidence == HIGH),
            "off refused": rate(off, lambda c: c.confidence == REFUSED),
        }


def load_cases(path: Path | str) -> list[Case]:
    path = Path(path)
    if not path.is_file():
        raise EvalFileError(f"no question file at {path}")
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            gold = row.get("gold", [])
            if not isinstance(row["q"], str) or not isinstance(gold, list):
                raise TypeError
            asked = dt.date.fromisoformat(row["asked"]) if row.get("asked") is not None else None
            earlier = row.get("earlier")
            if earlier is not None and not isinstance(earlier, str):
                raise EvalFileError(f"{path}:{n}: \"earlier\" must be the question it follows up")
            cases.append(Case(str(row.get("id", n)), str(row.get("lang", "?")), row["q"], [str(g) for g in gold], asked,
                              earlier))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            raise EvalFileError(f"{path}:{n}: expected {{\"id\", \"lang\", \"q\", \"gold\": [...]}}") from None
        except ValueError:
            raise EvalFileError(f"{path}:{n}: \"asked\" must be a date, YYYY-MM-DD") from None
        if _ELSEWHERE in cases[-1].id:
            raise EvalFileError(f"{path}:{n}: a question id may not contain {_ELSEWHERE!r}")
    if not cases:
        raise EvalFileError(f"{path} has no questions")
    return cases


def _score(lang: str, results: list[CaseResult]) -> LanguageScore:
    n = len(results)
    return LanguageScore(
        lang=lang, questions=n,
        hit_at_1=sum(1 for r in results if r.rank == 1) / n,
        hit_at_3=sum(1 for r in results if r.rank is not None and r.rank <= 3) / n,
        mrr=sum(1 / r.rank for r in results if r.rank) / n,
    )


def _outcomes(lang: str, results: list[CaseResult]) -> Outcomes:
    count = lambda level: sum(1 for r in results if r.confidence == level)  # noqa: E731
    return Outcomes(lang, len(results), count(HIGH), count(LOW), count(REFUSED))


Searched = dict[str, tuple]  # case id -> the retriever's (query, hits) for its question


def search_all(core: NewsCore, cases: list[Case]) -> Searched:
    """Search every question once (as on the day it was asked, when known); the ranking can then be
    redone with any thresholds."""
    return {case.id: _search(core, case) for case in cases}


def _search(core: NewsCore, case: Case) -> tuple:
    """A question's search, as asked on its day and, for a follow-up, read with the question before it."""
    retriever = core.retriever
    question = retriever.read_with(case.q, case.earlier, case.asked)
    return retriever.search(retriever.prepare(question, today=case.asked) if case.asked else question)


def judge(core: NewsCore, case: Case, thresholds: Thresholds, k: int, searched=None,
          sources: bool = False) -> CaseResult:
    """One question's outcome under these thresholds (from its search, when given); with `sources`, how
    `/sources` with it did too."""
    searched = searched or _search(core, case)
    query, groups, _ = answer_groups(core.retriever, case.q, max(k, 3), thresholds, searched)
    rank = next(
        (i for i, (lead, _) in enumerate(groups, 1) if any(g in lead.passage.text for g in case.gold)), None
    )
    level = (confidence(groups[0][0], thresholds) if groups else None) or REFUSED
    expected = "answer" if case.gold else "abstain"
    correct = (rank is not None and rank <= k) if case.gold else not groups
    return CaseResult(case.id, case.lang, case.q, expected, bool(groups), rank, correct, level,
                      _sources(core, case, thresholds, searched) if sources and case.gold else None)


def _sources(core: NewsCore, case: Case, thresholds: Thresholds, searched) -> tuple[int, int, int]:
    """/sources with an answerable question against the articles that carry its answer: those, among the
    articles of the candidates found, with a passage holding a gold string."""
    holding = {h.article.article for h in searched[1] if any(g in h.passage.text for g in case.gold)}
    listed = {c.article for c in carriers(core.retriever, case.q, thresholds, searched).carriers}
    return len(listed & holding), len(listed - holding), len(holding - listed)


def report(results: list[CaseResult], k: int) -> EvalReport:
    answerable = [r for r in results if r.expected == "answer"]
    languages = sorted({r.lang for r in answerable})
    return EvalReport(
        k=k,
        languages=[_score(lang, [r for r in answerable if r.lang == lang]) for lang in languages],
        overall=_score("all", answerable) if answerable else None,
        abstain_right=sum(1 for r in results if r.expected == "abstain" and not r.answered),
        abstain_wrong=sum(1 for r in results if r.expected == "abstain" and r.answered),
        wrongly_abstained=sum(1 for r in answerable if not r.answered),
        outcomes=[_outcomes(lang, [r for r in results if r.lang == lang])
                  for lang in sorted({r.lang for r in results})],
        cases=results,
    )


def evaluate(core: NewsCore, cases: list[Case], k: int = 3, thresholds: Thresholds | None = None,
             searched: Searched | None = None) -> EvalReport:
    """Ask every question and score the answers."""
    thresholds = thresholds or core.thresholds
    searched = searched or search_all(core, cases)
    return report([judge(core, c, thresholds, k, searched[c.id], sources=True) for c in cases], k)


# -- choosing weights and thresholds -----------------------------------------------------------

# The ranking's weights are searched on this grid; thresholds on the best relevances seen.
RANKING_GRID = {
    "passage_weight": (0.0, 0.25, 0.5, 0.75, 1.0),
    "coverage_weight": (0.0, 0.025, 0.04, 0.05, 0.06, 0.075, 0.1, 0.15),
    "time_weight": (0.0, 0.025, 0.05, 0.1, 0.2),
    "number_weight": (0.0, 0.01, 0.02, 0.04),
    "when_weight": (0.0, 0.01, 0.02, 0.04, 0.06, 0.08),
}
NAMES_GRID = (0.0, 0.02, 0.04, 0.08)  # chosen with the thresholds: it changes confidence, not order
# What a wrong outcome costs when thresholds are chosen: refusing an answerable question is worst,
# a confident quote for an off-topic or unanswered question next, "closest I found" for an answerable
# one least.
COSTS = {("answer", REFUSED): 2.0, ("answer", LOW): 0.5, (NEAR_TOPIC, HIGH): 1.5,
         (OFF_TOPIC, HIGH): 2.0, (OFF_TOPIC, LOW): 0.5}
# On another index (`--also-on`: other articles indexed beside the corpus), an off-topic question answered
# "closest I found" costs nothing: a corpus covering everyday topics may well touch it, and only a confident
# answer there is a failure. Costed as on the corpus alone, a few such answers outweighed an answerable
# question refused, and one fold chose to refuse everything below "high".
COSTS_ELSEWHERE = {**COSTS, (OFF_TOPIC, LOW): 0.0}


def _ranking_quality(core: NewsCore, cases: list[Case], searched: Searched, thresholds: Thresholds) -> tuple:
    """Mean reciprocal rank and hit@1 over the answerable questions, nothing refused."""
    loose = replace(thresholds, min_relevance=-10.0, high_relevance=-10.0)
    ranks = [judge(core, c, loose, 3, searched[c.id]).rank for c in cases if c.answerable]
    return (round(sum(1 / r for r in ranks if r) / max(len(ranks), 1), 9), sum(1 for r in ranks if r == 1))


def _thresholds(tops: list[tuple[str, float, bool, bool]]) -> tuple[float, float, float]:
    """The (cost, refuse-below, high-from) that cost least for these (kind, best relevance, may be
    confident, asked of another index) tuples."""
    cuts = sorted({round(t, 4) for _, t, _, _ in tops})
    points = [-1.0] + [(a + b) / 2 for a, b in zip(cuts, cuts[1:])] + [1.0]

    def cost(low: float, high: float) -> float:
        total = 0.0
        for kind, top, may_be_high, elsewhere in tops:
            level = HIGH if top >= high and may_be_high else LOW if top >= low else REFUSED
            total += (COSTS_ELSEWHERE if elsewhere else COSTS).get((kind, level), 0.0)
        return total

    return min((cost(lo, hi), lo, hi) for lo in points for hi in points if hi >= lo)


def _ascend(core: NewsCore, cases: list[Case], searched: Searched, start: Thresholds) -> tuple[tuple, Thresholds]:
    """Coordinate ascent over the grid from a start, until a sweep changes nothing (at most 4)."""
    best, quality = start, _ranking_quality(core, cases, searched, start)
    for _ in range(4):
        before = best
        for name, values in RANKING_GRID.items():
            for value in values:
                candidate = replace(best, **{name: value})
                q = _ranking_quality(core, cases, searched, candidate)
                if q > quality:
                    best, quality = candidate, q
        if best == before:
            break
    return quality, best


def fit(core: NewsCore, cases: list[Case], searched: Searched, start: Thresholds | None = None) -> Thresholds:
    """The weights that rank these questions best, then the names penalty and thresholds whose outcomes
    cost least on them.

    The weights come from coordinate ascent over a grid, from fixed starting points that know nothing
    of these questions (the defaults, and no word or time evidence at all: one coordinate at a time
    does not always get from one to the other), or from `start` alone when given."""
    starts = [start] if start else [Thresholds(), replace(Thresholds(), coverage_weight=0.0, time_weight=0.0)]
    _, best = max((_ascend(core, cases, searched, replace(s, names_weight=0.0)) for s in starts),
                  key=lambda found: found[0])
    choices = []
    for names_weight in NAMES_GRID:
        weighted = replace(best, names_weight=names_weight)
        tops = []
        for case in cases:
            ranked = rank(searched[case.id][1], weighted)
            # The count and time caps (`states_what_is_asked`) keep an answer from "high" here as in
            # `confidence`; the names cap does not. Counted too, it lowered the high threshold chosen,
            # and near-topic questions answered with confidence went 0.17 -> 0.33 out of fold: the
            # threshold relaxed for the questions the cap does not catch.
            # A question with nothing to look for is refused whatever the thresholds (`searchable`).
            top = ranked[0] if ranked and searchable(searched[case.id][0]) else None
            elsewhere = _ELSEWHERE in case.id
            tops.append((case.kind, relevance(top, weighted), states_what_is_asked(top), elsewhere) if top
                        else (case.kind, -1.0, False, elsewhere))
        cost, low, high = _thresholds(tops)
        choices.append((cost, names_weight, low, high))
    _, names_weight, low, high = min(choices)
    return replace(best, names_weight=names_weight, min_relevance=round(low, 4), high_relevance=round(high, 4))


def folds(cases: list[Case], k: int) -> list[list[Case]]:
    """k folds with every group spread evenly over them (deterministic: by group, then id). A question
    asked of several indexes (`on_index`) is in one fold everywhere, so no fold is scored on a
    question its weights were chosen with."""
    out: list[list[Case]] = [[] for _ in range(k)]
    questions = sorted({(c.kind, c.lang, _question(c.id)) for c in cases})
    fold_of = {question: n % k for n, (_, _, question) in enumerate(questions)}
    for case in sorted(cases, key=lambda c: (c.kind, c.lang, c.id)):
        out[fold_of[_question(case.id)]].append(case)
    return out


def _question(case_id: str) -> str:
    return case_id.split(_ELSEWHERE, 1)[0]


def on_index(cases: list[Case], n: int) -> list[Case]:
    """The same questions, as asked of the n-th other index (ids kept apart: "q001@1")."""
    return [replace(c, id=f"{c.id}{_ELSEWHERE}{n}") for c in cases]


@dataclass
class Elsewhere:
    """The same questions on another index (one holding other articles beside the corpus)."""

    index: str
    out_of_fold: EvalReport
    in_sample: EvalReport


@dataclass
class CrossValidation:
    k: int
    out_of_fold: EvalReport  # every question scored by the thresholds fitted without it
    folds: list[dict[str, float]]  # each fold's headline rates
    in_sample: EvalReport  # fitted and scored on all questions
    fitted: Thresholds  # what fitting on all questions chose
    elsewhere: list[Elsewhere] = field(default_factory=list)  # the other indexes' scores


def cross_validate(core: NewsCore, cases: list[Case], k: int = 5, n: int = 3,
                   others: list[NewsCore] | None = None) -> CrossValidation:
    """Out-of-fold scores for the fitting procedure, beside in-sample ones.

    With `others`, the questions are asked of each other index too and the weights and thresholds are
    chosen on all the indexes at once (a ranking that holds in a small corpus and in a big mixed one);
    each index is scored on its own. The fold scores are the main index's."""
    others = others or []
    asked = [(core, cases)] + [(other, on_index(cases, i)) for i, other in enumerate(others, 1)]
    searched: Searched = {}
    for index_core, index_cases in asked:
        searched.update(search_all(index_core, index_cases))
    everything = [c for _, index_cases in asked for c in index_cases]
    parts = folds(everything, k)
    results: list[CaseResult] = []
    per_fold = []
    for i, test in enumerate(parts):
        train = [c for j, part in enumerate(parts) if j != i for c in part]
        chosen = fit(core, train, searched)
        fold_results = [judge(core, c, chosen, n, searched[c.id]) for c in test]
        results += fold_results
        per_fold.append(report([r for r in fold_results if _ELSEWHERE not in r.id], n).summary())
    fitted = fit(core, everything, searched)
    order = {c.id: i for i, c in enumerate(everything)}
    results.sort(key=lambda r: order[r.id])
    scored = []  # (out of fold, in sample) for each index
    for _, index_cases in asked:
        ids = {c.id for c in index_cases}
        scored.append((report([r for r in results if r.id in ids], n), evaluate(core, index_cases, n, fitted, searched)))
    elsewhere = [Elsewhere(str(other.settings.index_path), oof, ins) for other, (oof, ins) in zip(others, scored[1:])]
    return CrossValidation(k, scored[0][0], per_fold, scored[0][1], fitted, elsewhere)


# -- rendering --------------------------------------------------------------------------------

def render_report(report: EvalReport, misses: bool = True) -> str:
    lines = [f"{'lang':<6} {'n':>3} {'hit@1':>6} {'hit@3':>6} {'MRR':>6}"]
    for s in report.languages + ([report.overall] if report.overall else []):
        lines.append(f"{s.lang:<6} {s.questions:>3} {s.hit_at_1:>6.2f} {s.hit_at_3:>6.2f} {s.mrr:>6.2f}")
    lines.append("")
    lines.append(f"{'lang':<6} {'n':>3} {'high':>5} {'low':>5} {'refused':>8}   (confidence of the answer)")
    for o in report.outcomes:
        lines.append(f"{o.lang:<6} {o.questions:>3} {o.high:>5} {o.low:>5} {o.refused:>8}")
    lines.append(
        f"abstention: {report.abstain_right} right, {report.abstain_wrong} wrong (answered an unanswerable "
        f"question); {report.wrongly_abstained} answerable question(s) refused"
    )
    if sources := report.sources():
        precision, recall, questions = sources
        lines.append(f"/sources: precision {precision:.2f}, recall {recall:.2f} on {questions} questions (the articles "
                     "listed against those, among the candidates, holding a gold string)")
    if misses:
        for c in report.cases:
            if c.expected == "answer" and c.rank == 1 and c.confidence == HIGH:
                continue
            if c.expected == "abstain" and (c.confidence == REFUSED or (c.lang == NEAR_TOPIC and c.confidence == LOW)):
                continue
            if c.expected == "abstain":
                where = f"answered ({c.confidence}), should {'not be confident' if c.lang == NEAR_TOPIC else 'abstain'}"
            elif not c.answered:
                where = "refused"
            else:
                where = (f"gold at rank {c.rank}" if c.rank else "gold not in results") + f", {c.confidence}"
            lines.append(f"  {c.id}: {where} — {c.question}")
    return "\n".join(lines)


def render_cross_validation(cv: CrossValidation) -> str:
    keys = list(cv.folds[0]) if cv.folds else []
    lines = [f"Out of fold ({cv.k} folds; each question scored by weights and thresholds chosen without it):",
             render_report(cv.out_of_fold, misses=False), "",
             f"{'':28} {'out of fold':>12} {'fold mean':>10} {'± sd':>6} {'in sample':>10}"]
    oof, ins = cv.out_of_fold.summary(), cv.in_sample.summary()
    for key in keys:
        values = [f[key] for f in cv.folds]
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        lines.append(f"{key:<28} {oof[key]:>12.2f} {statistics.mean(values):>10.2f} {sd:>6.2f} {ins[key]:>10.2f}")
    for other in cv.elsewhere:
        lines += ["", f"On {other.index}, out of fold:", render_report(other.out_of_fold, misses=False), "",
                  f"{'':28} {'out of fold':>12} {'in sample':>10}"]
        oof, ins = other.out_of_fold.summary(), other.in_sample.summary()
        lines += [f"{key:<28} {oof[key]:>12.2f} {ins[key]:>10.2f}" for key in keys]
    chosen_on = "all questions" + (f" on {1 + len(cv.elsewhere)} indexes" if cv.elsewhere else "")
    lines += ["", f"Chosen on {chosen_on} (bot/data/ranking.json holds the shipped values):", cv.fitted.to_json().strip()]
    return "\n".join(lines)
