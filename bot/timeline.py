"""Timelines: the dated statements of the articles, in chronological order.

Each event is one sentence quoted verbatim with the date it states or implies, resolved against its
article's publication date when the passage was indexed (`index.dates.date_mentions`, stored as the
index's mentions) and kept at its precision: an event known
only to the month is a month. The same event reported by several outlets appears once, "also
reported by" the others. An article whose publication date is unknown contributes only the dates it
states in full; nothing gets an invented date.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

from ..index.dates import DAY, MONTH, YEAR
from ..index.model import Article, Mention, Passage
from ..index.terms import is_question

from .answer import Source, Thresholds, rank, relevance, relevant, same_report, searchable
from .corpus import Corpus
from .retrieve import Retriever

_PRECISION_ORDER = {YEAR: 0, MONTH: 1, DAY: 2}
TOPIC_PASSAGES = 40


@dataclass(frozen=True)
class Event:
    """One dated statement. `date` is 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY' as `precision` says."""

    date: str
    precision: str
    quote: str
    outlet: str | None
    article: str
    published: str | None
    also_reported_by: list[str] = field(default_factory=list)
    also_reported_in: list[Source] = field(default_factory=list)


def passage_events(passage: Passage, article: Article, mentions: list[Mention]) -> list[tuple[tuple, Event]]:
    """The events of one passage (from its stored date mentions), each with a sort key (date,
    precision, article, position, sentence). A sentence naming one date twice is one event; one that
    asks is none."""
    events, seen = [], set()
    for mention in mentions:
        label = mention.label()
        if (mention.sentence, label) in seen or mention.sentence >= len(passage.sentences):
            continue
        if is_question(passage.sentences[mention.sentence]):
            continue  # "Apa saja aturan baru pada 2025?" names a time, not an event
        seen.add((mention.sentence, label))
        key = (mention.date, _PRECISION_ORDER[mention.precision], article.article, passage.position, mention.sentence)
        events.append((key, Event(
            date=label, precision=mention.precision, quote=passage.sentences[mention.sentence], outlet=article.outlet,
            article=article.article, published=article.published.isoformat() if article.published else None,
        )))
    return events


def merge_duplicates(events: list[Event]) -> list[Event]:
    """One event per (date, report): later copies from other articles become 'also reported by'.

    Only events of the same date can be one report, so each is compared with those alone."""
    merged: list[Event] = []
    by_date: dict[str, list[int]] = {}
    for event in events:
        same_date = by_date.setdefault(event.date, [])
        for i in same_date:
            kept = merged[i]
            if kept.article != event.article \
                    and event.article not in {s.article for s in kept.also_reported_in} \
                    and same_report([kept.quote], [event.quote]):
                also = kept.also_reported_in + [Source(event.outlet, event.article, event.published)]
                outlets = list(dict.fromkeys(
                    s.outlet for s in also if s.outlet and s.outlet != kept.outlet))
                merged[i] = Event(kept.date, kept.precision, kept.quote, kept.outlet, kept.article,
                                  kept.published, outlets, also)
                break
        else:
            same_date.append(len(merged))
            merged.append(event)
    return merged


_cache: weakref.WeakKeyDictionary[Corpus, list[Event]] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def corpus_events(corpus: Corpus) -> list[Event]:
    """Every event of the corpus in order: worked out once per version of the index."""
    with _cache_lock:  # several askers at once: one works it out, the others wait for it
        events = _cache.get(corpus)
        if events is None:
            mentions: dict[int, list[Mention]] = {}
            for m in corpus.store.mentions():
                mentions.setdefault(m.passage, []).append(m)
            passages = corpus.store.passages(list(mentions))  # read past the caches: these are many
            articles = {a.article: a for a in corpus.store.articles(list({p.article for p in passages.values()}))}
            events = _cache[corpus] = _ordered(list(passages.values()), articles, mentions)
        return events


def _ordered(passages: list[Passage], articles: dict[str, Article], mentions: dict[int, list[Mention]]) -> list[Event]:
    keyed = [item for p in passages for item in passage_events(p, articles[p.article], mentions.get(p.id, []))]
    keyed.sort(key=lambda item: item[0])
    return merge_duplicates([event for _, event in keyed])


def timeline(retriever: Retriever, topic: str | None = None, thresholds: Thresholds | None = None) -> list[Event]:
    """The corpus's events in chronological order; with a topic, only those in passages about it, and
    when the topic names a time ("Kim Putin 2025", "udang bulan lalu"), only the events of that time.
    A topic no passage answers as an answer would with confidence has none: a topic in the index's
    language none of whose words any article uses, or one whose nearest passage is only "closest I
    found" ("sepak bola" over news of Kim and Putin)."""
    thresholds = thresholds or Thresholds.tuned()
    corpus = retriever.current()
    if topic and topic.strip():
        query = retriever.prepare(topic, corpus=corpus)
        if not searchable(query):  # "gempa" over news of Kim and Putin: no article mentions it
            return []
        _, hits = retriever.search(query)
        hits = rank(hits, thresholds)
        if not hits or relevance(hits[0], thresholds) < thresholds.high_relevance:
            return []  # "sepak bola", "world cup": what is nearest would be only "closest I found"
        passages = [h.passage for h in hits[:TOPIC_PASSAGES] if relevant(h, thresholds)]
        mentions = corpus.mentions(p.id for p in passages)
        if query.periods:
            mentions = {pid: [m for m in found if any(p.meets(m.date, m.precision) for p in query.periods)]
                        for pid, found in mentions.items()}
        return _ordered(passages, corpus.articles(p.article for p in passages), mentions)
    return corpus_events(corpus)
