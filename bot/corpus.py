"""One version of the index as searches read it: passages, vectors, articles, vocabulary, background
and dates, with the lookups built from them. A `Corpus` never changes once made; when the index
changes the retriever makes a new one and swaps it in whole, so a search that took the old one
finishes on it, with no lock, and never sees a mix.

The caches a corpus keeps (close spellings of question words, passages' terms) belong to its version
and go with it.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict

import numpy as np
from rapidfuzz import fuzz, process

from ..index.model import Article, Mention, Passage, Snapshot
from ..index.store import IndexStore
from ..index.terms import stems, variants

PASSAGE_CACHE = 4096  # passages whose terms are kept between questions
ARTICLE_CACHE = 512  # articles whose terms are kept between questions
EXPANSION_CACHE = 10_000  # question words whose close index terms are kept


class Corpus:
    """An immutable view of one index version (its caches aside, which only ever hold what the
    version's own data gives)."""

    def __init__(self, snapshot: Snapshot, store: IndexStore):
        self.version = snapshot.version
        self.embedder = snapshot.embedder
        self.passages: list[Passage] = snapshot.passages
        self.matrix: np.ndarray = snapshot.vectors
        self.articles: dict[str, Article] = snapshot.articles
        self.vocab: dict[str, int] = snapshot.vocabulary
        self.background: np.ndarray = snapshot.background
        self._store = store
        self.row_of = {p.id: i for i, p in enumerate(self.passages)}
        self.passages_of: dict[str, list[int]] = {}
        for p in self.passages:
            self.passages_of.setdefault(p.article, []).append(p.id)
        self.mentions_of: dict[int, list[Mention]] = {}
        for m in snapshot.mentions:
            self.mentions_of.setdefault(m.passage, []).append(m)
        # Passages by language (the last group: language unknown; see Retriever.dense).
        known = sorted({a.language for a in self.articles.values() if a.language})
        code = {lang: n for n, lang in enumerate(known)}
        self.language_rows = np.array([code.get(self.articles[p.article].language, len(known)) for p in self.passages],
                                      dtype=np.int64)
        self.language_sizes = np.bincount(self.language_rows, minlength=len(known) + 1).astype(np.float32)
        self.terms_by_length: dict[int, list[str]] = {}
        for term in self.vocab:
            if term.isalpha():
                self.terms_by_length.setdefault(len(term), []).append(term)
        self.n_passages = max(len(self.passages), 1)
        self._lock = threading.Lock()  # guards the caches below, never a search
        self._expansions: dict[str, list[str]] = {}
        self._terms: OrderedDict[int, frozenset[str]] = OrderedDict()
        self._article_terms: OrderedDict[str, frozenset[str]] = OrderedDict()

    @property
    def dim(self) -> int:
        return self.embedder[1]

    @property
    def mixed_languages(self) -> bool:
        """True when the index holds passages in two or more known languages."""
        return int((self.language_sizes[:-1] > 0).sum()) > 1

    def dates(self, passage: Passage) -> list[dt.date]:
        """The dates a passage is about: its article's publication date and every date its sentences state."""
        published = self.articles[passage.article].published
        return ([published] if published else []) + [m.date for m in self.mentions_of.get(passage.id, ())]

    # -- words ---------------------------------------------------------------------------------
    def idf(self, term: str) -> float:
        df = self.vocab.get(term, 0)
        return math.log(1 + (self.n_passages - df + 0.5) / (df + 0.5))

    def expand(self, word: str) -> list[str]:
        """The index terms a question word may appear as: its stems and standard forms the index has,
        else the close index terms (typo tolerance); the word itself when there are none."""
        known = [v for v in variants(word) if v in self.vocab]
        if known or len(word) < 4 or word.isdigit():
            return known or [word]
        cached = self._expansions.get(word)
        if cached is None:
            # Only terms within two letters of its length can match; compare with those alone.
            candidates = [w for n in range(len(word) - 2, len(word) + 3) for w in self.terms_by_length.get(n, ())]
            matches = process.extract(word, candidates, scorer=fuzz.ratio, score_cutoff=80, limit=3)
            cached = [word] + [m[0] for m in matches]
            with self._lock:
                if len(self._expansions) > EXPANSION_CACHE:
                    self._expansions.clear()
                self._expansions[word] = cached
        return cached

    def coverage(self, content_terms: dict[str, list[str]], text: str | frozenset[str],
                 language: str | None = None) -> float:
        """IDF-weighted share of a question's content words (as any of their index terms) in a text
        (or in a set of stems already made)."""
        if not content_terms:
            return 0.0
        present = text if isinstance(text, frozenset) else frozenset(stems(text, language).split())
        total = found = 0.0
        for term, forms in content_terms.items():
            weight = max(self.idf(v) for v in forms) if any(v in self.vocab for v in forms) else self.idf(term)
            total += weight
            if any(v in present for v in forms):
                found += weight
        return found / total if total else 0.0

    # -- terms kept between questions ----------------------------------------------------------
    def passage_terms(self, passages: list[Passage]) -> list[frozenset[str]]:
        """The passages' terms as the indexer stored them."""
        with self._lock:
            new = [p.id for p in passages if p.id not in self._terms]
        stored = self._store.passage_terms(new) if new else {}
        with self._lock:
            for pid, terms in stored.items():
                self._terms[pid] = frozenset((terms or "").split())
            found = [self._terms.get(p.id, frozenset()) for p in passages]
            while len(self._terms) > PASSAGE_CACHE:
                self._terms.popitem(last=False)
        return found

    def article_terms(self, articles: list[str]) -> dict[str, frozenset[str]]:
        """Every term (stem and word) of each article's passages; the missing ones read in one go."""
        found: dict[str, frozenset[str]] = {}
        with self._lock:
            for article in articles:
                if (terms := self._article_terms.get(article)) is not None:
                    self._article_terms.move_to_end(article)
                    found[article] = terms
        missing = [a for a in dict.fromkeys(articles) if a not in found]
        if missing:
            stored = self._store.passage_terms([pid for a in missing for pid in self.passages_of.get(a, [])])
            for article in missing:
                found[article] = frozenset(t for pid in self.passages_of.get(article, [])
                                           for t in (stored.get(pid) or "").split())
            with self._lock:
                for article in missing:
                    self._article_terms[article] = found[article]
                while len(self._article_terms) > ARTICLE_CACHE:
                    self._article_terms.popitem(last=False)
        return found
