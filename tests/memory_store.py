"""A second index engine, in memory, for the tests: it proves that retrieval, answers, the timeline
and the front ends work over any `IndexStore` (nothing of SQLite reaches them)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import math
import threading
from collections import Counter

import numpy as np

from newsbot.index.errors import IndexNotFound
from newsbot.index.model import Article, Follow, Mention, Passage, Post, ShownAnswer, Snapshot, Vote, topic_key
from newsbot.index.store import (ChangeSet, FetchMemo, IndexedArticle, passage_key, sentence_texts, vector_key,
                                 vector_snapshot)
from newsbot.index.terms import stems

INDEXES: dict[str, "MemoryIndex"] = {}


class MemoryIndex:
    def __init__(self):
        self.generation = 0
        self.embedder: tuple[str, int] | None = None
        self.articles: dict[str, tuple[Article, str, str, str]] = {}  # id -> (article, content hash, origin, text hash)
        self.fetches: dict[str, FetchMemo] = {}
        self.passages: dict[int, tuple[Passage, str, str]] = {}  # id -> (passage, terms, vector key)
        self.mentions: list[Mention] = []
        self.vectors: dict[str, np.ndarray] = {}
        self.background: dict[str, str] = {}
        self.next_id = 1
        self.lock = threading.Lock()
        self.answers: dict[int, ShownAnswer] = {}
        self.conversations: dict[int, str] = {}  # answer id -> the private conversation it was shown in
        self.votes: dict[tuple[int, str], Vote] = {}
        self.follows: dict[int, Follow] = {}
        self.posts: list[Post] = []
        self.kept_ids = itertools.count(1)  # answers' and follows' ids


class MemoryStore:
    def __init__(self, location: str, create: bool = False, replace_damaged: bool = False):
        self.location, self.replaced = location, None
        if location not in INDEXES:
            if not create:
                raise IndexNotFound(f"no index at {location}; build it with: newsbot index FOLDER")
            INDEXES[location] = MemoryIndex()
        self.index = INDEXES[location]

    def version(self):
        return self.index.generation

    def recorded_embedder(self):
        return self.index.embedder

    def snapshot(self, complete: bool = False) -> Snapshot:
        with self.index.lock:
            ix = self.index
            ids = sorted(ix.passages)
            dim = ix.embedder[1] if ix.embedder else 0
            vectors = np.array([ix.vectors[ix.passages[i][2]] for i in ids], np.float32).reshape(len(ids), dim)
            languages = [ix.articles[ix.passages[i][0].article][0].language for i in ids]
            background = [ix.vectors[k] for k in sorted(ix.background)]
            return vector_snapshot(ix.generation, ix.embedder or ("", 0), Counter(languages),
                                   [(np.array(ids, np.int64), vectors, languages)] if ids else [], True,
                                   np.vstack(background) if background else np.zeros((0, dim), np.float32))

    def nearest(self, vector, k, language, since=None, until=None):
        return {}

    def prepare_search(self, progress=None):
        pass

    def passages(self, ids):
        with self.index.lock:
            return {i: self.index.passages[i][0] for i in ids if i in self.index.passages}

    def article_passages(self, articles):
        with self.index.lock:
            found = {}
            for i in sorted(self.index.passages):
                if (article := self.index.passages[i][0].article) in articles:
                    found.setdefault(article, []).append(i)
            return found

    def passage_vectors(self, ids):
        with self.index.lock:
            return {i: self.index.vectors[self.index.passages[i][2]] for i in ids if i in self.index.passages}

    def passage_languages(self, ids):
        with self.index.lock:
            ix = self.index
            return {i: ix.articles[ix.passages[i][0].article][0].language for i in ids if i in ix.passages}

    def mentions(self, passages=None):
        with self.index.lock:
            return sorted((m for m in self.index.mentions if passages is None or m.passage in passages),
                          key=lambda m: (m.passage, m.sentence))

    def passages_within(self, since, until):
        with self.index.lock:
            published = {a.article: a.published for a, *_ in self.index.articles.values()}
            return sorted({m.passage for m in self.index.mentions if since <= m.date <= until}
                          | {i for i, (p, _, _) in self.index.passages.items()
                             if published.get(p.article) and since <= published[p.article] <= until})

    def frequencies(self, terms=None):
        with self.index.lock:
            counts = Counter(t for _, passage_terms, _ in self.index.passages.values() for t in set(passage_terms.split()))
        return dict(counts) if terms is None else {t: counts[t] for t in terms if counts[t]}

    def _articles(self) -> list[Article]:
        counts = Counter(p.article for p, _, _ in self.index.passages.values())
        found = [Article(**{**a.__dict__, "passages": counts[a.article]}) for a, *_ in self.index.articles.values()]
        return sorted(found, key=lambda a: (a.outlet or "~", a.published or "", a.article))

    def articles(self, ids=None):
        with self.index.lock:
            return [a for a in self._articles() if ids is None or a.article in ids]

    def newest_articles(self, limit, since=None, until=None):
        with self.index.lock:
            dated = [a for a in self._articles() if a.published and (since is None or a.published >= since)
                     and (until is None or a.published <= until)]
        return sorted(dated, key=lambda a: (-a.published.toordinal(), a.article))[:limit]

    def lexical(self, terms, limit, since=None, until=None):
        start, end = since or dt.date.min, until or dt.date.max
        with self.index.lock:
            docs = {i: t.split() for i, (_, t, _) in self.index.passages.items()}
            if since or until:
                published = {a.article: a.published for a, *_ in self.index.articles.values()}
                stated = {m.passage for m in self.index.mentions if start <= m.date <= end}
                within = {i for i, (p, _, _) in self.index.passages.items()
                          if i in stated or (published.get(p.article) and start <= published[p.article] <= end)}
        n = len(docs) or 1
        scores = {}
        for i, words in docs.items():
            counts = Counter(words)
            score = sum(math.log(1 + n / (1 + sum(term in d for d in docs.values()))) * counts[term]
                        for term in terms if term in counts)
            if score and (not (since or until) or i in within):
                scores[i] = score
        return sorted(scores, key=lambda i: -scores[i])[:limit]

    def passage_terms(self, ids):
        with self.index.lock:
            return {i: self.index.passages[i][1] for i in ids if i in self.index.passages}

    def article_terms(self, articles):
        with self.index.lock:
            found = {}
            for passage, terms, _ in self.index.passages.values():
                if passage.article in articles:
                    found.setdefault(passage.article, []).append(terms)
            return found

    def vectors(self, keys):
        return {k: self.index.vectors[k] for k in keys if k in self.index.vectors}

    def missing_vectors(self, keys):
        return [k for k in dict.fromkeys(keys) if k not in self.index.vectors]

    def add_vectors(self, keys, vectors):
        self.index.vectors.update(zip(keys, np.asarray(vectors, np.float32)))

    def indexed(self, ids=None):
        return {i: IndexedArticle(h, origin, a.url, text) for i, (a, h, origin, text) in self.index.articles.items()
                if ids is None or i in ids}

    def fetch_memos(self, urls=None):
        return {u: m for u, m in self.index.fetches.items() if urls is None or u in urls}

    def background_keys(self):
        return dict(self.index.background)

    def commit(self, changes: ChangeSet) -> None:
        ix = self.index
        with ix.lock:
            gone = set(changes.removed) | {c.article.article for c in changes.changed}
            for i in [i for i, (p, _, _) in ix.passages.items() if p.article in gone]:
                del ix.passages[i]
            ix.mentions = [m for m in ix.mentions if m.passage in ix.passages]
            for a in gone:
                ix.articles.pop(a, None)
            for change in changes.changed:
                a = change.article
                ix.articles[a.article] = (Article(a.article, a.outlet, a.published, a.published_from, list(a.wires),
                                                  a.title, a.url, a.language, a.note, a.outlet_from),
                                          a.content_hash, a.origin, a.text_hash)
                for p, dates in zip(change.passages, change.mentions):
                    pid, ix.next_id = ix.next_id, ix.next_id + 1
                    assert all(vector_key(changes.embedder, s) in ix.vectors for s in sentence_texts(p))
                    ix.passages[pid] = (Passage(pid, a.article, p.position, p.text, json.dumps(p.sentences)),
                                        stems(p.text, a.language), passage_key(changes.embedder, p.text))
                    ix.mentions += [Mention(pid, n, d, precision) for n, d, precision in dates]
            ix.fetches.update((m.url, m) for m in changes.fetches)
            ix.background = {vector_key(changes.embedder, t): t for t in changes.background}
            ix.embedder = (changes.embedder, changes.dim)
            ix.generation += 1

    def claim(self, ids, limit):
        return list(ids)

    def release(self, ids):
        pass

    # what the bots keep

    def last_passage(self):
        return self.index.next_id - 1

    def passages_after(self, after, limit):
        with self.index.lock:
            return sorted(i for i in self.index.passages if i > after)[-limit:] if limit else []

    def record_answer(self, question, passages, conversation=None):
        with self.index.lock:
            n = next(self.index.kept_ids)
            self.index.answers[n] = ShownAnswer(n, question, list(passages), _now())
            if conversation is not None:
                self.index.conversations[n] = conversation
            return n

    def last_answer(self, conversation, since):
        held = [n for n, c in self.index.conversations.items()
                if c == conversation and n in self.index.answers and self.index.answers[n].shown >= since]
        return self.index.answers[max(held)] if held else None

    def shown_answer(self, answer):
        return self.index.answers.get(answer)

    def vote(self, answer, voter, result, value):
        with self.index.lock:
            self.index.votes.pop((answer, voter), None)  # a changed vote is the newest
            self.index.votes[(answer, voter)] = Vote(self.index.answers[answer], voter, result, value, _now())

    def votes(self):
        return sorted(self.index.votes.values(), key=lambda v: (v.at, v.answer.id))

    def answers_shown(self):
        return len(self.index.answers)

    def forget_feedback(self, before):
        with self.index.lock:
            gone = {n for n, a in self.index.answers.items() if a.shown < before}
            self.index.answers = {n: a for n, a in self.index.answers.items() if n not in gone}
            self.index.votes = {k: v for k, v in self.index.votes.items() if k[0] not in gone}
            return len(gone)

    def add_follow(self, place, topic, after):
        topic = " ".join(topic.split())
        with self.index.lock:
            for f in self.index.follows.values():
                if f.place == place and topic_key(f.topic) == topic_key(topic):
                    return f
            n = next(self.index.kept_ids)
            self.index.follows[n] = Follow(n, place, topic, after, _now())
            return self.index.follows[n]

    def remove_follows(self, place, topic):
        with self.index.lock:
            gone = [n for n, f in self.index.follows.items()
                    if f.place == place and (topic is None or topic_key(f.topic) == topic_key(topic))]
            for n in gone:
                del self.index.follows[n]
            return len(gone)

    def follows(self, place=None):
        return [f for _, f in sorted(self.index.follows.items()) if place is None or f.place == place]

    def record_posts(self, follow, after, posts):
        with self.index.lock:
            if (f := self.index.follows.get(follow)) is not None:
                self.index.follows[follow] = dataclasses.replace(f, after=max(f.after, after))
            self.index.posts += posts

    def posts(self, place, since):
        return [p for p in self.index.posts if p.place == place and p.at >= since]

    def close(self):
        pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
