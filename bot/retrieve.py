"""Hybrid retrieval over the index: candidates from SQLite FTS5 (BM25 over stems) and from dense
cosine similarity, each described by the evidence `bot.answer` ranks them with.

A candidate's evidence: the question's cosine with the whole passage and with its best sentence, the
IDF-weighted share of the question's words it contains (matched as stems, informal Indonesian read as
standard), and whether its dates agree with a time the question names ("pada 2025").

The user's words never reach FTS5 as syntax: the question is cut into word tokens and each is quoted,
so quotes, `*`, `AND`, `NEAR(` or column filters are just words. Words the index does not contain are
matched to close index terms with rapidfuzz ("peskof" finds "peskov").

The passages' vectors are held as one contiguous float32 matrix, loaded once; when the index file
is rebuilt underneath a running bot, the next search notices (a generation counter) and reloads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from ..index import store
from ..index.dates import Period, passage_dates, question_periods, time_agreement
from ..index.embed import Embedder
from ..index.errors import IndexNotFound
from ..index.store import StoredArticle, StoredPassage
from ..index.terms import (STOPWORDS, asks_quantity, has_number, names, question_language, standardise, stems,
                         variants, words)

CANDIDATES = 50
MAX_QUERY_TERMS = 32
COMMON_DOCS = 1000  # below this many passages, no word is too common to search for
PASSAGE_CACHE = 4096  # passages whose stems and dates are kept between questions
ARTICLE_CACHE = 512  # articles whose terms are kept between questions


@dataclass(frozen=True)
class Hit:
    """One retrieved passage with the evidence for it."""

    passage: StoredPassage
    article: StoredArticle
    similarity: float  # cosine between the question and the whole passage
    sentence: float  # the question's best cosine with one of the passage's sentences
    coverage: float  # IDF-weighted share of the question's content words found in the passage
    time: float  # +1 the passage's dates agree with a time the question names, -1 they don't, 0 no time
    number: float  # -1 when the question asks "how many" and the passage states no number, else 0
    unknown_names: float  # share of the question's names (capitalised words) the index never mentions
    background: float  # the question's best cosine with the generic background sentences
    absent_names: int  # the question's names its article never mentions (when both share a language)
    bm25_rank: int | None
    dense_rank: int | None


@dataclass(frozen=True)
class Query:
    """A question prepared for search: its text, word tokens (with fuzzy expansions) and vector."""

    text: str
    terms: list[str]
    content_terms: dict[str, list[str]]  # question word -> the index terms (stems) it may appear as
    vector: np.ndarray
    truncated: bool
    periods: list[Period] = dataclasses.field(default_factory=list)  # times the question names
    quantity: bool = False  # it asks "how many" / "berapa"
    unknown_names: float = 0.0  # share of its names the index never mentions
    known_names: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # the others, as index terms
    language: str | None = None  # 'id' or 'en' when its function words tell


class Retriever:
    """Searches one index with one embedder; safe to share between threads."""

    def __init__(self, index_path: Path | str, embedder: Embedder, max_question_chars: int = 500,
                 today: dt.date | None = None):
        self.index_path = Path(index_path)
        self.embedder = embedder
        self.max_question_chars = max_question_chars
        self.today = today  # what relative times in questions count from (None: the real today)
        self._lock = threading.RLock()
        self._generation = -1
        self._local = threading.local()
        self._pool: ThreadPoolExecutor | None = None
        self.reload()

    # -- loading -------------------------------------------------------------------------------
    def _db(self):
        """This thread's connection to the index file that is at the path now: a connection to a file
        since deleted or replaced (a rebuild elsewhere, a restored backup) is closed and opened anew."""
        db = getattr(self._local, "db", None)
        current = store.file_identity(self.index_path)
        if db is not None and getattr(self._local, "identity", None) != current:
            db.close()
            db = None
        if db is None:
            db = store.open_index(self.index_path)
            self._local.db, self._local.identity = db, current
        return db

    def reload(self) -> None:
        """(Re)load passages, vectors, articles and vocabulary from the index."""
        with self._lock, store.sqlite_errors(self.index_path):
            db = self._db()
            recorded = store.recorded_embedder(db)
            if recorded is None:
                raise IndexNotFound(f"the index at {self.index_path} is empty; run: newsbot index FOLDER")
            if recorded[0] != self.embedder.name:
                store.check_embedder(db, self.embedder.name, self.embedder.dim)
            with db.atomic():  # one consistent snapshot of all tables
                generation = store.generation(db)
                passages, matrix = store.load_passages(db)
                articles = {a.article: a for a in store.load_articles(db)}
                vocab = store.vocabulary(db)
                background = store.load_background(db)
            self.passages = passages
            self.matrix = matrix
            self.row_of = {p.id: i for i, p in enumerate(passages)}
            self.passages_of: dict[str, list[int]] = {}
            for p in passages:
                self.passages_of.setdefault(p.article, []).append(p.id)
            # Passages by language (the last group: language unknown, never corrected; see `dense`).
            known = sorted({a.language for a in articles.values() if a.language})
            code = {lang: n for n, lang in enumerate(known)}
            self.language_rows = np.array([code.get(articles[p.article].language, len(known)) for p in passages],
                                          dtype=np.int64)
            self.language_sizes = np.bincount(self.language_rows, minlength=len(known) + 1).astype(np.float32)
            self.articles = articles
            self.vocab = vocab
            self.background = background
            self.terms_by_length = {}
            for term in vocab:
                if term.isalpha():
                    self.terms_by_length.setdefault(len(term), []).append(term)
            self._expansions: dict[str, list[str]] = {}
            self._evidence: OrderedDict[int, tuple[frozenset[str], list[dt.date] | None]] = OrderedDict()
            self._article_terms: OrderedDict[str, frozenset[str]] = OrderedDict()
            self.n_passages = max(len(passages), 1)
            self._generation = generation
            self._loaded_identity = self._local.identity

    def corpus(self) -> tuple[int, list[StoredPassage], dict[str, StoredArticle]]:
        """The loaded index's version, passages and articles, read together (a reload swaps them)."""
        with self._lock:
            return self._generation, self.passages, self.articles

    @property
    def mixed_languages(self) -> bool:
        """True when the index holds passages in two or more known languages."""
        return int((self.language_sizes[:-1] > 0).sum()) > 1

    def sentence_vectors(self, sentences: list[str]) -> np.ndarray:
        """The sentences' vectors as stored by the indexer (embedded now only if an index lacks them)."""
        name = self.embedder.name
        keys = [store.vector_key(name, s) for s in sentences]
        found = store.get_vectors(self._db(), keys, self.matrix.shape[1])
        missing = [s for s, k in zip(sentences, keys) if k not in found]
        if missing:
            found.update(zip((store.vector_key(name, s) for s in missing), self.embedder.embed_passages(missing)))
        return np.vstack([found[k] for k in keys]) if keys else np.zeros((0, self.matrix.shape[1]), np.float32)

    def refresh(self) -> None:
        """Reload if the index changed since it was loaded, or another file took its place."""
        db = self._db()
        if store.generation(db) != self._generation or self._local.identity != self._loaded_identity:
            self.reload()

    def _embedding_pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsbot-embed")
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- query preparation ---------------------------------------------------------------------
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
            if len(self._expansions) > 10_000:
                self._expansions.clear()
            self._expansions[word] = cached
        return cached

    def clip(self, question: str) -> tuple[str, bool]:
        """The question with its whitespace collapsed and cut to the maximum length; whether it was cut."""
        text = " ".join(question.split())
        if len(text) <= self.max_question_chars:
            return text, False
        return text[: self.max_question_chars].rsplit(" ", 1)[0] or text[: self.max_question_chars], True

    def embed(self, text: str) -> np.ndarray:
        """The question's vector: embedded with its informal Indonesian words in their standard form."""
        text = standardise(text)
        return self.embedder.embed_query(text) if text.strip() else np.zeros(self.matrix.shape[1], np.float32)

    def prepare(self, question: str, vector: np.ndarray | None = None) -> Query:
        """Truncate, tokenise, expand and (unless given its vector) embed a question."""
        text, truncated = self.clip(question)
        tokens = list(dict.fromkeys(words(text)))[:MAX_QUERY_TERMS]
        content = {t: self.expand(t) for t in tokens if t not in STOPWORDS}
        terms = list(dict.fromkeys(tokens + [x for xs in content.values() for x in xs]))
        vector = self.embed(text) if vector is None else vector
        periods = question_periods(text, self.today or dt.date.today())
        named = {n: [v for v in self.expand(n) if v in self.vocab] for n in names(text)}
        known = {n: forms for n, forms in named.items() if forms}
        unknown = (len(named) - len(known)) / len(named) if named else 0.0
        return Query(text=text, terms=terms, content_terms=content, vector=vector, truncated=truncated,
                     periods=periods, quantity=asks_quantity(text), unknown_names=unknown, known_names=known,
                     language=question_language(text))

    # -- scoring ---------------------------------------------------------------------------------
    def evidence(self, passages: list[StoredPassage], dated: bool) -> list[tuple[frozenset[str], list[dt.date]]]:
        """The passages' terms (as the indexer stored them) and, when `dated`, their dates; kept for
        the next questions."""
        new = [p.id for p in passages if p.id not in self._evidence]
        stored = store.passage_terms(self._db(), new) if new else {}
        for passage in passages:
            if passage.id not in self._evidence:
                self._evidence[passage.id] = (frozenset((stored.get(passage.id) or "").split()), None)
            terms, dates = self._evidence[passage.id]
            if dated and dates is None:
                article = self.articles[passage.article]
                self._evidence[passage.id] = (terms, passage_dates(passage.sentences, article.published))
        found = [self._evidence[p.id] for p in passages]
        while len(self._evidence) > PASSAGE_CACHE:
            self._evidence.popitem(last=False)
        return found

    def article_terms(self, article: str) -> frozenset[str]:
        """Every term (stem and word) of an article's passages; kept for the next questions."""
        found = self._article_terms.get(article)
        if found is None:
            stored = store.passage_terms(self._db(), self.passages_of.get(article, []))
            found = frozenset(t for terms in stored.values() for t in (terms or "").split())
            self._article_terms[article] = found
            while len(self._article_terms) > ARTICLE_CACHE:
                self._article_terms.popitem(last=False)
        else:
            self._article_terms.move_to_end(article)
        return found

    def absent_names(self, query: Query, article: StoredArticle) -> int:
        """How many of the question's names (those the index knows) the article never mentions, when
        the question and the article are in the same language: there a name is written the same way,
        and an article that never names what the question asks about is about something else. Across
        languages it says nothing ("North Korea" / "Korea Utara") and counts 0."""
        if not query.known_names or query.language is None or query.language != article.language:
            return 0
        terms = self.article_terms(article.article)
        return sum(1 for forms in query.known_names.values() if not any(f in terms for f in forms))

    def coverage(self, query: Query, text: str | frozenset[str], language: str | None = None) -> float:
        """IDF-weighted share of the question's content words (as any of their index terms) in a text
        (or in a set of stems already made)."""
        if not query.content_terms:
            return 0.0
        present = text if isinstance(text, frozenset) else frozenset(stems(text, language).split())
        total = found = 0.0
        for term, forms in query.content_terms.items():
            weight = max(self.idf(v) for v in forms) if any(v in self.vocab for v in forms) else self.idf(term)
            total += weight
            if any(v in present for v in forms):
                found += weight
        return found / total if total else 0.0

    def match_terms(self, query: Query) -> list[str]:
        """The terms BM25 searches for: the content words and their close matches.

        Stopwords are left out. So are common words, those in over a tenth of the passages (and over
        COMMON_DOCS of them), when the question has rarer ones: like Lucene's common-terms cutoff. Such a
        word weighs little in BM25 but makes FTS5 score a large part of a big index (50 ms a question at
        100k passages). The dense search and the coverage bonus still see it.
        """
        content = list(dict.fromkeys(v for variants in query.content_terms.values() for v in variants))
        common = max(self.n_passages // 10, COMMON_DOCS)
        rare = [t for t in content if self.vocab.get(t, 0) <= common]
        return rare or content or query.terms

    def bm25(self, query: Query, limit: int = CANDIDATES) -> list[int]:
        """Passage ids ranked by FTS5 BM25 for any of the query's terms."""
        terms = self.match_terms(query)
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = self._db().execute(
            "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? ORDER BY bm25(passages_fts) LIMIT ?",
            [match, limit],
        )
        return [r[0] for r in rows if r[0] in self.row_of]

    def dense(self, query: Query, limit: int = CANDIDATES) -> tuple[list[int], np.ndarray]:
        """Passage ids ranked by cosine similarity, and every passage's similarity, each less how far its
        language's passages sit above the index's average for this question.

        The embedder rates any text in the question's own language closer than text in another: an
        English question is nearer every English passage than most Indonesian ones, answer or not.
        Measuring each passage against the other passages of its language removes that pull; in an
        index of one language it changes nothing.
        """
        if not len(self.passages):
            return [], np.zeros(0, np.float32)
        sims = self.matrix @ query.vector
        if self.mixed_languages:
            means = np.bincount(self.language_rows, weights=sims, minlength=len(self.language_sizes))
            means = means / np.maximum(self.language_sizes, 1)
            known = self.language_rows < len(self.language_sizes) - 1
            offset = (means - float(sims[known].mean())).astype(np.float32)
            offset[-1] = 0.0  # passages of unknown language stay as they are
            sims = sims - offset[self.language_rows]
        limit = min(limit, len(sims))
        top = np.argpartition(-sims, limit - 1)[:limit]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [self.passages[i].id for i in top], sims

    def search(self, question: str | Query, limit: int = CANDIDATES) -> tuple[Query, list[Hit]]:
        """The candidates for a question (the lexical and the dense search's best), with their evidence;
        `bot.answer.rank` orders them."""
        with self._lock, store.sqlite_errors(self.index_path):
            self.refresh()
            if isinstance(question, Query):
                query = question
                lexical = self.bm25(query, limit)
            else:
                # The question's embedding runs beside the lexical search (both release the GIL).
                pending = self._embedding_pool().submit(self.embed, self.clip(question)[0])
                query = self.prepare(question, vector=np.zeros(0, np.float32))
                lexical = self.bm25(query, limit)
                query = dataclasses.replace(query, vector=pending.result())
            dense_ids, sims = self.dense(query, limit)
            candidates = list(dict.fromkeys(dense_ids + lexical))
            rows = [self.row_of[pid] for pid in candidates]
            # A one-sentence passage's vector is its sentence's: only longer passages need theirs.
            sentences = [s for r in rows if len(self.passages[r].sentences) > 1 for s in self.passages[r].sentences]
            sentence_sims = iter(self.sentence_vectors(sentences) @ query.vector if sentences else ())
            background = float((self.background @ query.vector).max()) if len(self.background) else 0.0
            bm25_rank = {pid: r for r, pid in enumerate(lexical)}
            dense_rank = {pid: r for r, pid in enumerate(dense_ids)}
            hits = []
            evidence = self.evidence([self.passages[row] for row in rows], dated=bool(query.periods))
            for pid, row, (terms, dates) in zip(candidates, rows, evidence):
                passage = self.passages[row]
                best = float(sims[row])
                if len(passage.sentences) > 1:
                    # The same language correction as the passage's own cosine got in `dense`.
                    shift = best - float(self.matrix[row] @ query.vector)
                    best = max(float(next(sentence_sims)) for _ in passage.sentences) + shift
                hits.append(
                    Hit(
                        passage=passage, article=self.articles[passage.article],
                        similarity=float(sims[row]), sentence=best, coverage=self.coverage(query, terms),
                        time=time_agreement(query.periods, dates or []),
                        number=-1.0 if query.quantity and not has_number(passage.text) else 0.0,
                        unknown_names=query.unknown_names, background=background,
                        absent_names=self.absent_names(query, self.articles[passage.article]),
                        bm25_rank=bm25_rank.get(pid), dense_rank=dense_rank.get(pid),
                    )
                )
            return query, hits
