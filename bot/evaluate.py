"""Measuring retrieval on a question file (`../shared/eval/dev.jsonl` format): one JSON object per line
with `id`, `lang`, `q` and `gold` (strings of which one must be in a returned passage; an empty list
means the bot must abstain). Reports hit@1, hit@3 and MRR per language, and abstention right/wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import NewsbotError

from .core import NewsCore


class EvalFileError(NewsbotError):
    """The question file cannot be read."""


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    q: str
    gold: list[str]


@dataclass(frozen=True)
class CaseResult:
    id: str
    lang: str
    question: str
    expected: str  # "answer" or "abstain"
    answered: bool
    rank: int | None  # 1-based rank of the first result whose passage holds a gold string
    correct: bool


@dataclass(frozen=True)
class LanguageScore:
    lang: str
    questions: int
    hit_at_1: float
    hit_at_3: float
    mrr: float


@dataclass
class EvalReport:
    k: int
    languages: list[LanguageScore]
    overall: LanguageScore | None
    abstain_right: int
    abstain_wrong: int  # off-topic questions that got an answer
    wrongly_abstained: int  # answerable questions that got none
    cases: list[CaseResult] = field(default_factory=list)


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
            cases.append(Case(str(row.get("id", n)), str(row.get("lang", "?")), row["q"], [str(g) for g in gold]))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            raise EvalFileError(f"{path}:{n}: expected {{\"id\", \"lang\", \"q\", \"gold\": [...]}}") from None
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


def evaluate(core: NewsCore, cases: list[Case], k: int = 3) -> EvalReport:
    """Ask every question and score the answers."""
    results = []
    for case in cases:
        answer = core.ask(case.q, k=max(k, 3))
        rank = next(
            (i for i, r in enumerate(answer.results, 1) if any(g in r.passage for g in case.gold)), None
        )
        expected = "answer" if case.gold else "abstain"
        correct = (rank is not None and rank <= k) if case.gold else not answer.answered
        results.append(CaseResult(case.id, case.lang, case.q, expected, answer.answered, rank, correct))
    answerable = [r for r in results if r.expected == "answer"]
    languages = sorted({r.lang for r in answerable})
    return EvalReport(
        k=k,
        languages=[_score(lang, [r for r in answerable if r.lang == lang]) for lang in languages],
        overall=_score("all", answerable) if answerable else None,
        abstain_right=sum(1 for r in results if r.expected == "abstain" and not r.answered),
        abstain_wrong=sum(1 for r in results if r.expected == "abstain" and r.answered),
        wrongly_abstained=sum(1 for r in answerable if not r.answered),
        cases=results,
    )


def render_report(report: EvalReport) -> str:
    lines = [f"{'lang':<6} {'n':>3} {'hit@1':>6} {'hit@3':>6} {'MRR':>6}"]
    for s in report.languages + ([report.overall] if report.overall else []):
        lines.append(f"{s.lang:<6} {s.questions:>3} {s.hit_at_1:>6.2f} {s.hit_at_3:>6.2f} {s.mrr:>6.2f}")
    lines.append(
        f"abstention: {report.abstain_right} right, {report.abstain_wrong} wrong (answered off-topic); "
        f"{report.wrongly_abstained} answerable question(s) refused"
    )
    misses = [c for c in report.cases if not c.correct or (c.expected == "answer" and c.rank != 1)]
    for c in misses:
        where = "refused" if not c.answered else (f"gold at rank {c.rank}" if c.rank else "gold not in results")
        if c.expected == "abstain":
            where = "answered, should abstain"
        lines.append(f"  {c.id}: {where} — {c.question}")
    return "\n".join(lines)
