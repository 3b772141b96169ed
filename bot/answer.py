"""Answers: from retrieved passages to what a reader is shown.

An answer is a list of results, each the verbatim sentence(s) of a passage that answer the question,
with the outlet and date of the article. The same report carried by several outlets (a KCNA quote
that three articles repeat) is one result, "also reported by" the others.

Candidates are ranked by one relevance score (`relevance`), whose weights and thresholds are chosen
by cross-validation over the evaluation questions (`newsbot eval --cv`, stored in `data/ranking.json`).
The best candidate's relevance decides the confidence: high (answered), low ("the closest I found,
may not answer your question") or none (refused).
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import asdict, dataclass, field, fields, replace
from functools import lru_cache
from importlib.resources import files

import numpy as np
from rapidfuzz import fuzz

from ..index.dates import DAY, Period, date_label, date_mentions
from ..index.model import Article, Passage
from ..index.terms import fold, is_question, overview_topic, small_talk, written_name

from .pages import human_date
from .retrieve import Hit, Query, Retriever

MIN_DUPLICATE_WORDS = 6
_QUOTATION = re.compile(r"[“\"]([^”\"]{40,})[”\"]")
SHORT_QUOTE_CHARS = 60


@dataclass(frozen=True)
class Source:
    """Where a passage comes from."""

    outlet: str | None
    article: str
    published: str | None  # ISO date, None when unknown


@dataclass(frozen=True)
class QuoteDate:
    """A relative time in a quote ("Selasa pagi", "Oktober lalu") and the date it stands for."""

    text: str
    date: str  # 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'
    precision: str  # "day", "month" or "year"


@dataclass(frozen=True)
class Result:
    """One quoted result. `quote` is the answering sentence(s); `passage` the whole paragraph."""

    quote: str
    passage: str
    outlet: str | None
    article: str
    published: str | None
    score: float
    also_reported_by: list[str] = field(default_factory=list)  # other outlets carrying the same report
    also_reported_in: list[Source] = field(default_factory=list)  # …and their articles
    wire: str | None = None
    similarity: float = 0.0
    dates: list[QuoteDate] = field(default_factory=list)  # relative times in the quote, resolved
    url: str | None = None  # the article's address, when it has one
    passage_id: int | None = None  # the quoted passage's id in the index (what a vote on it records)


HIGH, LOW = "high", "low"


@dataclass(frozen=True)
class Answer:
    """The reply to one question. `answered` is False when the sources have nothing on it; when they
    have something, `confidence` is "high", or "low" for the closest passages that may not answer."""

    question: str
    answered: bool
    results: list[Result]
    note: str | None = None
    confidence: str | None = None

    @property
    def passages(self) -> tuple[int, ...] | None:
        """The passages its results quote, in order; None when one of them is not known."""
        ids = tuple(r.passage_id for r in self.results)
        return None if None in ids else ids


@dataclass(frozen=True)
class Thresholds:
    """How candidates are scored and when they count as answering (see `relevance`).

    The shipped values are those `newsbot eval --cv K --write` chose on the evaluation questions
    (`bot/data/ranking.json`); the dataclass defaults are only the fallback when that file is absent.
    """

    passage_weight: float = 0.5  # whole-passage cosine; the best sentence's cosine gets the rest
    coverage_weight: float = 0.05
    time_weight: float = 0.05
    number_weight: float = 0.0  # penalty for a passage with no number but its dates, for "how many"
    when_weight: float = 0.0  # penalty for a passage stating no time, when the question asks when
    names_weight: float = 0.0  # penalty by the share of the question's names the index never mentions
    min_relevance: float = -0.005  # below this the answer is refused
    high_relevance: float = 0.02  # from this on the answer is confident; between the two it is "low"
    # A further result is shown only if it is at least this fraction as relevant as the best one, so a
    # strong answer is not padded with passages that merely share the topic.
    secondary_ratio: float = 0.5

    @classmethod
    def tuned(cls, **overrides) -> Thresholds:
        """The values chosen by cross-validation, with any given overrides."""
        return replace(_tuned(), **{k: v for k, v in overrides.items() if v is not None})

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"


@lru_cache(maxsize=1)
def _tuned() -> Thresholds:
    try:
        values = json.loads(files(__package__).joinpath("data/ranking.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Thresholds()
    known = {f.name for f in fields(Thresholds)}
    return Thresholds(**{k: float(v) for k, v in values.items() if k in known})


def relevance(hit: Hit, thresholds: Thresholds) -> float:
    """How much better a passage fits the question than generic text does.

    The question's cosine with the passage (a mix of the whole passage's and its best sentence's)
    minus its best cosine with the bundled background sentences (everyday topics in Indonesian and
    English), plus a bonus for the share of the question's content words the passage contains, plus
    or minus a bonus when the passage's dates agree or disagree with a time the question names (or,
    for "the latest", when its article is or is not the newest about what the question names), less
    penalties: when a "how many" question meets a passage with no number, or a "when" question one that
    states no time, and for the question's names that the index never mentions (names survive
    translation, so an unknown one is telling). An
    off-topic question fits some background sentence about as well as any passage, so its relevance
    is negative; this holds whatever the corpus is about, which a fixed cosine threshold would not.
    """
    w = thresholds.passage_weight
    dense = w * hit.similarity + (1 - w) * hit.sentence
    return (dense - hit.background + thresholds.coverage_weight * hit.coverage + thresholds.time_weight * hit.time
            + thresholds.number_weight * hit.number + thresholds.when_weight * hit.when
            - thresholds.names_weight * hit.unknown_names)


def rank(hits: list[Hit], thresholds: Thresholds) -> list[Hit]:
    """Candidates, most relevant first."""
    return sorted(hits, key=lambda h: (-relevance(h, thresholds), h.passage.id))


def states_what_is_asked(hit: Hit) -> bool:
    """False for a passage that cannot hold the kind of answer asked for: one that states no number
    other than a date for a "how many" question (it cannot hold the count asked for); one whose dates
    all fall outside the time the question names ("What did Zelensky say last week?" answered from
    2022), or that is older than the newest report when the question asks for the latest; and, for
    such a question, one with no date at all ("Harga emas hari ini berapa?" answered from an undated
    report on gold mining), which cannot be shown to be of that time."""
    return hit.number >= 0 and (hit.time > 0 if hit.timed else hit.time >= 0)


def may_be_confident(best: Hit) -> bool:
    """False for the kinds of passage that are at most "closest I found", however relevant: one that
    does not state what is asked (`states_what_is_asked`), and one from an article in the question's
    language that never mentions a name the question asks about (a question about Surabaya answered
    from an article that never names Surabaya). None depends on what else the index holds."""
    return states_what_is_asked(best) and not best.absent_names


def confidence(best: Hit, thresholds: Thresholds) -> str | None:
    """"high", "low" or None (refuse) for the best candidate: its relevance decides, and a passage
    that cannot answer as asked (`may_be_confident`) is at most "low"."""
    score = relevance(best, thresholds)
    if score >= thresholds.high_relevance and may_be_confident(best):
        return HIGH
    return LOW if score >= thresholds.min_relevance else None


def relevant(hit: Hit, thresholds: Thresholds) -> bool:
    """True when a hit is close enough to the question to be shown."""
    return relevance(hit, thresholds) >= thresholds.min_relevance


def same_report(a: list[str], b: list[str]) -> bool:
    """True when two passages share a sentence or a quotation, allowing edits and other attributions.

    Sentences match on rapidfuzz's token-set ratio (word order and an added clause do not hide a
    shared report; measured on the seeds: the same report scores 78-83, different ones 71 and less).
    A quotation of 40+ characters carried by both ("…,” kata KCNA / “…,” KCNA announced) matches on
    its own text.
    """
    for sa in a:
        fa, words_a, quotes_a = _report_text(sa)
        for sb in b:
            fb, words_b, quotes_b = _report_text(sb)
            if min(words_a, words_b) >= MIN_DUPLICATE_WORDS and fuzz.token_set_ratio(fa, fb) >= 78:
                return True
            if any(fuzz.ratio(qa, qb) >= 90 for qa in quotes_a for qb in quotes_b):
                return True
    return False


@functools.lru_cache(maxsize=65_536)
def _report_text(sentence: str) -> tuple[str, int, tuple[str, ...]]:
    """A sentence as `same_report` compares it: folded, its word count, its folded quotations (kept:
    merging a timeline compares each sentence with many others)."""
    folded = fold(sentence)
    return folded, len(folded.split()), tuple(fold(q) for q in _QUOTATION.findall(sentence))


def collapse(hits: list[Hit]) -> list[tuple[Hit, list[Hit]]]:
    """Group hits that are the same report in different articles; the best-ranked hit leads its group."""
    groups: list[tuple[Hit, list[Hit]]] = []
    for hit in hits:
        for lead, others in groups:
            if lead.passage.article != hit.passage.article and all(
                o.passage.article != hit.passage.article for o in others
            ) and same_report(lead.passage.sentences, hit.passage.sentences):
                others.append(hit)
                break
        else:
            groups.append((hit, []))
    return groups


def quote_dates(quote: str, published) -> list[QuoteDate]:
    """The relative times in a quote with the dates they stand for; a date the quote states in full
    ("14 September 2023") needs no gloss."""
    found = []
    for mention in date_mentions(quote, published):
        if not re.search(r"\d{4}", mention.text):
            found.append(QuoteDate(mention.text, mention.label(), mention.precision))
    return found


def choose_quotes(retriever: Retriever, query: Query, hits: list[Hit]) -> list[str]:
    """For each hit, the sentence(s) of its passage that best answer the question, verbatim."""
    corpus = query.corpus or retriever.current()
    weights = query.weights or corpus.term_weights(query.content_terms)  # once, not for each sentence
    multi = [h for h in hits if len(h.passage.sentences) > 1]
    sentences = [s for h in multi for s in h.passage.sentences]
    sims = iter(retriever.sentence_vectors(sentences, corpus) @ query.vector if sentences else np.zeros(0))
    quotes = []
    for hit in hits:
        sents = hit.passage.sentences
        if len(sents) <= 1:
            quotes.append(sents[0] if sents else hit.passage.text)
            continue
        language = hit.article.language
        scores = [float(next(sims)) + 0.1 * corpus.coverage(query.content_terms, s, language, weights)
                  if not is_question(s) else -math.inf for s in sents]  # a question answers nothing
        quotes.append(_quote_from(sents, int(np.argmax(scores))))
    return quotes


def _quote_from(sentences: list[str], best: int) -> str:
    """Sentence `best`, with the next one when it is very short (a dateline, a heading): a very short
    sentence rarely answers on its own."""
    chosen = [best]
    if len(sentences[best]) < SHORT_QUOTE_CHARS and best + 1 < len(sentences) and not is_question(sentences[best + 1]):
        chosen.append(best + 1)
    return " ".join(sentences[i] for i in chosen)


@dataclass(frozen=True)
class Carrier:
    """One article that carries the answer to a question, with its own sentence."""

    outlet: str | None
    article: str
    published: str | None
    wire: str | None
    quote: str


@dataclass(frozen=True)
class Carriers:
    """Which outlets carry the answer to a question (`/sources <question>`); empty when none does. As an
    answer's, `confidence` is "high", or "low" when these are only the closest articles found."""

    question: str
    answered: bool
    carriers: list[Carrier]
    note: str | None = None
    confidence: str | None = None


def answer_groups(
    retriever: Retriever, question: str, k: int, thresholds: Thresholds, searched=None,
    among: list[int] | None = None, after: tuple[int, ...] | None = None,
) -> tuple[Query, list[tuple[Hit, list[Hit]]], str | None]:
    """The up-to-k relevant reports for a question, each with the other articles carrying it, and a note.
    `searched` is the question's search already made (evaluation ranks one search many ways); `among`
    limits the candidates to these passages. With `after` (the passages an answer to it quoted), the next
    reports after the last of those, for "ada lagi?": every relevant one counts, not only those nearly as
    relevant as the best."""
    query, hits = searched or retriever.search(question, among=among)
    hits = rank(hits, thresholds)
    note = _joined(_long_note(query), _unheld_note(query))
    if not searchable(query) or not hits or not relevant(hits[0], thresholds):
        return query, [], note
    groups = [g for g in collapse(hits if after else hits[: 4 * k + 4]) if relevant(g[0], thresholds)]
    if not groups:
        return query, [], note
    if after:
        groups = _each_time(groups) if query.every_time else groups
        shown = [i for i, (lead, others) in enumerate(groups) if {h.passage.id for h in (lead, *others)} & set(after)]
        return query, groups[max(shown) + 1 if shown else 0:][:k], note
    floor = _floor(max(relevance(lead, thresholds) for lead, _ in groups), thresholds)
    kept = [g for g in groups if relevance(g[0], thresholds) >= floor]
    return query, (_each_time(kept) if query.every_time else kept)[:k], note


def _each_time(groups: list[tuple[Hit, list[Hit]]]) -> list[tuple[Hit, list[Hit]]]:
    """For a question asking every time something happened ("kapan aja Kim ketemu Putin?"): the best
    report of each month its reports were published in first, most relevant first, then the others, so
    the 2025 meeting is not crowded out by three reports of 2023's."""
    seen, first, rest = set(), [], []
    for group in groups:
        published = group[0].article.published
        month = (published.year, published.month) if published else group[0].article.article
        (rest if month in seen else first).append(group)
        seen.add(month)
    return first + rest


def answer(retriever: Retriever, question: str, k: int = 3, thresholds: Thresholds | None = None,
           searched=None, among: list[int] | None = None, after: tuple[int, ...] | None = None) -> Answer:
    """Answer a question with up to k quoted results, or abstain; with `among`, from these passages only;
    with `after` (the passages an answer to it quoted), with the results that come next."""
    thresholds = thresholds or Thresholds.tuned()
    if small_talk(question):  # "makasih", "halo", "ok": nothing to quote (the chat flow replies to them)
        return Answer(question=question, answered=False, results=[], note=SMALL_TALK_NOTE)
    topic = overview_topic(question)
    if topic is not None:  # "rangkum dong": the chat flow gives the timeline; a bare answer points to it
        return Answer(question=question, answered=False, results=[], note=overview_note(topic))
    searched = searched or retriever.search(question, among=among)
    if searched[0].news and among is None:
        return headlines(retriever, searched[0], question, k, after)
    query, groups, note = answer_groups(retriever, question, k, thresholds, searched, among, after)
    if not groups:
        return Answer(question=question, answered=False, results=[], note=note)
    quotes = choose_quotes(retriever, query, [lead for lead, _ in groups])
    results = []
    for (lead, others), quote in zip(groups, quotes):
        article = lead.article
        also = [Source(o.article.outlet, o.article.article, _iso(o.article.published)) for o in others]
        results.append(
            Result(
                quote=quote, passage=lead.passage.text, outlet=article.outlet, article=article.article,
                published=_iso(article.published), score=round(relevance(lead, thresholds), 6),
                also_reported_by=list(dict.fromkeys(s.outlet for s in also if s.outlet and s.outlet != article.outlet)),
                also_reported_in=also, wire=_wire(article), similarity=round(lead.similarity, 4),
                dates=quote_dates(quote, article.published), url=article.url, passage_id=lead.passage.id,
            )
        )
    level = confidence(groups[0][0], thresholds)
    note = _joined(note, _unmentioned_note(query, groups[0][0]), _other_times_note(query, [lead for lead, _ in groups]))
    return Answer(question=question, answered=True, results=results, note=note, confidence=level)


def more_note(question: str) -> str:
    """What the next results on a question ("ada lagi?" after its answer) say they are."""
    return f"More on “{' '.join(question.split())}”, after the results shown before."


def follow_up_note(earlier: str) -> str:
    """What a reader is told when a question was read with the one it replies to."""
    return f"Taken as a follow-up to “{' '.join(earlier.split())}”."


NEWEST_NOTE = "The newest reports in my sources."
MORE_HEADLINES = 30  # how far "ada lagi?" after the newest reports goes on
NEWS_CARRIERS = 10  # the newest articles `/sources` lists for a question asking only for the news
SMALL_TALK_NOTE = "That asks nothing of the news."


def overview_note(topic: str) -> str:
    """What an answer to "rangkum dong" says: the story so far is the timeline, in the articles' words."""
    command = f"/timeline {topic}" if topic else "/timeline"
    return f"That asks for the story so far, which the timeline tells in the articles' words: {command}"
UNDATED_NOTE = "None of my articles has a publication date, so I cannot tell which news is newest."


def headlines(retriever: Retriever, query: Query, question: str, k: int = 3,
              after: tuple[int, ...] | None = None) -> Answer:
    """The reply to a question asking only for the news ("Apa berita terbaru?", "What's new today?"):
    the lead of each of the k newest articles, newest first; of those published in the time the question
    names, when it names one and the sources have some, else of the latest before then, else the newest.
    With `after` (the leads an answer to it quoted), the k next after the last of those."""
    depth = k if not after else k + MORE_HEADLINES  # the newest articles read, to go on after those shown
    reports = retriever.newest_reports(depth, query.periods, query.corpus)
    note = f"The newest reports in my sources published {_span(query)}." if query.periods else NEWEST_NOTE
    if not reports and query.periods:  # the latest before then, as near the time asked as there are
        reports = retriever.newest_reports(depth, corpus=query.corpus, before=min(p.start for p in query.periods))
        note = f"Nothing in my sources was published {_span(query)}; these are the latest reports before then."
    if not reports and query.periods:
        reports = retriever.newest_reports(depth, corpus=query.corpus)
        note = f"Nothing in my sources was published {_span(query)}; these are the newest reports."
    if after:
        shown = [i for i, (_, lead) in enumerate(reports) if lead.id in after]
        reports = reports[max(shown) + 1 if shown else 0:][:k]
    if not reports:
        return Answer(question=question, answered=False, results=[], note=None if after else UNDATED_NOTE)
    results = [_quoting(article, lead, _quote_from(lead.sentences or [lead.text], 0))  # the lead's opening
               for article, lead in reports]
    return Answer(question=question, answered=True, results=results, note=note, confidence=HIGH)


def _quoting(article: Article, passage: Passage, quote: str) -> Result:
    """A result quoting these words of a passage, found other than by relevance (its score is 0)."""
    return Result(quote=quote, passage=passage.text, outlet=article.outlet, article=article.article,
                  published=_iso(article.published), score=0.0, wire=_wire(article),
                  dates=quote_dates(quote, article.published), url=article.url, passage_id=passage.id)


def whole_paragraphs(retriever: Retriever, question: str, quoted: tuple[int, ...]) -> Answer:
    """The passages an answer to `question` quoted (those the index still holds), in order, each quoted
    whole: what "maksudnya?" after an answer gets, since the bot explains nothing in words of its own.
    Not answered when none is left. It claims no confidence of its own: the answer it shows again did."""
    corpus = retriever.current()
    passages = corpus.passages(quoted)
    articles = corpus.articles({p.article for p in passages})
    results = [_quoting(articles[p.article], p, p.text) for p in passages if p.article in articles]
    note = f"The whole paragraphs the answer to “{' '.join(question.split())}” quoted from." if results else None
    return Answer(question=question, answered=bool(results), results=results, note=note)


def _span(query: Query) -> str:
    """The time a question names, as dates: 'on 22 Nov 2026', 'in 2025', 'in Sep 2023' or 'from
    16 Nov 2026 to 22 Nov 2026'."""
    whole = Period("", min(p.start for p in query.periods), max(p.end for p in query.periods))
    precision = whole.precision()
    if precision is None:
        return f"from {human_date(whole.start.isoformat())} to {human_date(whole.end.isoformat())}"
    return ("on " if precision == DAY else "in ") + human_date(date_label(whole.start, precision))


def carriers(retriever: Retriever, question: str, thresholds: Thresholds | None = None, searched=None) -> Carriers:
    """The articles whose passage answers the question nearly as well as the best one (`carrying`), once
    each, most relevant first, with its own best sentence; for a question asking only for the news, the
    newest articles (of the time it names), each with its lead."""
    thresholds = thresholds or Thresholds.tuned()
    if small_talk(question):
        return Carriers(question=question, answered=False, carriers=[], note=SMALL_TALK_NOTE)
    query, hits = searched or retriever.search(question)
    if query.news:  # "/sources berita terbaru": who published the newest reports
        newest = headlines(retriever, query, question, NEWS_CARRIERS)
        return Carriers(question=question, answered=newest.answered, note=newest.note, confidence=newest.confidence,
                        carriers=[Carrier(outlet=r.outlet, article=r.article, published=r.published, wire=r.wire,
                                          quote=r.quote) for r in newest.results])
    hits = rank(hits, thresholds)
    note = _joined(_long_note(query), _unheld_note(query))
    if not searchable(query) or not hits or not relevant(hits[0], thresholds):
        return Carriers(question=question, answered=False, carriers=[], note=note)
    best = carrying(hits, thresholds)
    quotes = choose_quotes(retriever, query, best)
    found = [
        Carrier(outlet=h.article.outlet, article=h.article.article, published=_iso(h.article.published),
                wire=_wire(h.article), quote=q)
        for h, q in zip(best, quotes)
    ]
    note = _joined(note, _unmentioned_note(query, best[0]), _other_times_note(query, best))
    return Carriers(question=question, answered=True, carriers=found, note=note,
                    confidence=confidence(hits[0], thresholds))


# An article carries the answer when its best passage is at least this share of the best one's relevance
# (or is the same report as the best passage). Chosen by 5-fold cross-validation over the 215 answerable
# questions of the evaluation files on the seeds and on the mixed index together (the F1 of the articles
# listed against those holding a gold string; 0.85 in four folds, 0.8 in one). The answer's own floor (half
# the best) listed 3.3 of the 5 seeds per question, most of them not carrying it.
CARRIER_RATIO = 0.85


def carrying(hits: list[Hit], thresholds: Thresholds) -> list[Hit]:
    """Each article's best passage among ranked hits, for the articles that carry the answer: nearly as
    relevant as the best passage, or the same report as it. When even the best is only "closest I found"
    (relevance at most 0), the answer's floor."""
    top = relevance(hits[0], thresholds)
    floor = max(_floor(top, thresholds), top * CARRIER_RATIO) if top > 0 else _floor(top, thresholds)
    lead = hits[0]
    chosen: dict[str, Hit] = {}
    for hit in hits:
        if hit.article.article in chosen:
            continue
        if relevance(hit, thresholds) >= floor or same_report(lead.passage.sentences, hit.passage.sentences):
            chosen[hit.article.article] = hit
    return list(chosen.values())


def searchable(query: Query) -> bool:
    """False for a question with nothing to look for, whatever the search finds near it: one of
    punctuation or function words alone ("??? !!!", "apa itu?"), and one in a language the index is
    written in whose words the index holds none of (`Query.unheld`: "gimana cuaca besok?" over news
    of Kim and Putin). The nearest passages to such a question are about something else."""
    return bool(query.content_terms) and not query.unheld


def _unheld_note(query: Query) -> str | None:
    """For a question whose words the index holds none of: "Nothing in my sources mentions cuaca or
    besok.", as the question writes them."""
    if not query.unheld:
        return None
    written = {fold(w): w for w in reversed(re.findall(r"\w+", query.text))}  # the first spelling of each
    return f"Nothing in my sources mentions {_listed([written.get(word, word) for word in query.unheld])}."


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _floor(best: float, thresholds: Thresholds) -> float:
    """The relevance a further result needs, given the best one's."""
    return max(thresholds.min_relevance, best * thresholds.secondary_ratio) if best > 0 else thresholds.min_relevance


def _long_note(query: Query) -> str | None:
    return f"Your question was long; I searched its first {len(query.text)} characters." if query.truncated else None


def _other_times_note(query: Query, shown: list[Hit]) -> str | None:
    """For a question naming a time ("bulan lalu", "in 2022") when nothing shown is dated within it: why
    these are only the closest found ("Nothing I found on this is dated in Oct 2026.")."""
    if query.periods and not any(hit.time > 0 for hit in shown):
        return f"Nothing I found on this is dated {_span(query)}."
    return None


def _unmentioned_note(query: Query, best: Hit) -> str | None:
    """For a question naming what no article mentions, when the best answer is in the question's language
    (where a name would be written as asked, and its absence caps the answer at "closest I found"):
    "Nothing in my sources mentions Surabaya.", as the question spelled it."""
    if not query.unmentioned or not best.absent_names:
        return None
    spelled = list(dict.fromkeys(written_name(query.text, name) for name in query.unmentioned))
    return f"Nothing in my sources mentions {_listed(spelled)}."


def _joined(*notes: str | None) -> str | None:
    return " ".join(n for n in notes if n) or None


def _wire(article) -> str | None:
    return article.wires[0] if article.wires else None


def _iso(date) -> str | None:
    return date.isoformat() if date else None
