"""Timelines: the dated statements of the articles, in chronological order.

Each event is one sentence quoted verbatim with the date it states or implies, resolved against its
article's publication date (`index.dates.date_mentions`) and kept at its precision: an event known
only to the month is a month. The same event reported by several outlets appears once, "also
reported by" the others. An article whose publication date is unknown contributes only the dates it
states in full; nothing gets an invented date.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

from ..index.dates import DAY, MONTH, YEAR, date_mentions
from ..index.store import StoredArticle, StoredPassage

from .answer import Source, Thresholds, rank, relevant, same_report
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


def passage_events(passage: StoredPassage, article: StoredArticle) -> list[tuple[tuple, Event]]:
    """The events of one passage, each with a sort key (date, precision, article, position, sentence)."""
    events = []
    for number, sentence in enumerate(passage.sentences):
        labels = {}
        for mention in date_mentions(sentence, article.published):
            labels.setdefault(mention.label(), mention)
        for label, mention in labels.items():
            key = (mention.date, _PRECISION_ORDER[mention.precision], article.article, passage.position, number)
            events.append((key, Event(
                date=label, precision=mention.precision, quote=sentence, outlet=article.outlet,
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


_cache: weakref.WeakKeyDictionary[Retriever, tuple[int, list[Event]]] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def corpus_events(retriever: Retriever) -> list[Event]:
    """Every event of the corpus in order: worked out once per version of the index (a timeline of a
    large corpus takes seconds, and asking for it again must not cost that again)."""
    with _cache_lock:  # several askers at once: one works it out, the others wait for it
        generation, passages, articles = retriever.corpus()
        cached = _cache.get(retriever)
        if cached is not None and cached[0] == generation:
            return cached[1]
        events = _ordered([(p, articles[p.article]) for p in passages])
        _cache[retriever] = (generation, events)
        return events


def _ordered(chosen) -> list[Event]:
    keyed = [item for passage, article in chosen for item in passage_events(passage, article)]
    keyed.sort(key=lambda item: item[0])
    return merge_duplicates([event for _, event in keyed])


def timeline(retriever: Retriever, topic: str | None = None, thresholds: Thresholds | None = None) -> list[Event]:
    """The corpus's events in chronological order; with a topic, only those in passages about it."""
    thresholds = thresholds or Thresholds.tuned()
    retriever.refresh()
    if topic and topic.strip():
        _, hits = retriever.search(topic)
        return _ordered([(h.passage, h.article) for h in rank(hits, thresholds)[:TOPIC_PASSAGES]
                         if relevant(h, thresholds)])
    return corpus_events(retriever)
