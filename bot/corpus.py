"""One version of the index as searches read it. A `Corpus` holds what every question needs (the
vectors a search compares with itself, how each language's passages sit against a question, the
background) and reads the rest from the store by id as questions need it: passages, articles, dates,
term counts. What it has read it keeps, for this version only; when the index changes, the retriever
makes a new corpus and swaps it in whole, so a search that took the old one finishes on it.

A small index's corpus holds every passage's vector and compares a question with all of them. A large
one's (from index/ann.py's MIN_PASSAGES on, in SQLite) asks the store for each language's nearest
passages and holds only the newest passages' vectors (those the store's graphs do not have yet) and
an even sample of the rest, so it starts at once and its memory does not grow with the index.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from ..index import dates as text_dates
from ..index.model import Article, Mention, Passage, Snapshot
from ..index.store import IndexStore
from ..index.terms import (Quantity, borrowed_nouns, demonym_places, holds, loanword_forms, script, stems,
                           variants)

# The shortest Indonesian form an English word the index has may stand for: shorter ones are as often
# other words ("thank" spelled "tank", "face" "fase", "sell" "sel").
MIN_BORROWED = 5
PASSAGE_CACHE = 4096  # passages (with their terms and dates) kept between questions
ARTICLE_CACHE = 4096  # articles kept between questions
PERIOD_CACHE = 64  # times named in questions whose articles' passages are kept
ARTICLE_TERMS_CACHE = 512  # articles whose terms are kept between questions
EXPANSION_CACHE = 10_000  # question words whose close index terms are kept
FREQUENCY_CACHE = 100_000  # terms whose passage counts are kept
VECTOR_CACHE = 4096  # passages whose whole-text vectors (read from the store) are kept between questions
SENTENCE_CACHE = 16_384  # sentence vectors (by content key) kept between questions


class _Cache(OrderedDict):
    """A least-recently-used map of at most as many entries as the named module setting says."""

    def __init__(self, setting: str):
        super().__init__()
        self.setting = setting

    def keep(self, key, value) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > globals()[self.setting]:
            self.popitem(last=False)


def _best(ranked: list[tuple[float, int]], limit: int) -> list[int]:
    """The ids of the `limit` best of these (score, id), each once, best first (ties by id)."""
    ranked = sorted(ranked, key=lambda item: (-item[0], item[1]))
    return list(dict.fromkeys(pid for _, pid in ranked))[:limit]


@dataclass(frozen=True)
class ArticleTerms:
    """An article's passages' terms (stems and words, as stored): whether it holds a term, and how many
    of its passages hold each (made on first use)."""

    passage_terms: tuple[str, ...]

    @property
    def passages(self) -> int:
        return len(self.passage_terms)

    @functools.cached_property
    def _joined(self) -> str:
        return " " + " ".join(self.passage_terms) + " "

    @functools.cached_property
    def _sets(self) -> tuple[frozenset[str], ...]:
        return tuple(frozenset(terms.split()) for terms in self.passage_terms)

    @functools.cached_property
    def counts(self) -> Counter[str]:
        return Counter(term for terms in self._sets for term in terms)

    def __contains__(self, form: str) -> bool:
        """Whether any of its passages holds a term, or each word of a phrase (`holds`)."""
        # terms hold no spaces; a search of one string beats making a set
        return all(f" {term} " in self._joined for term in form.split())

    def holding(self, form: str) -> int:
        """How many of its passages hold a form of a word: a term, or each word of a phrase (`holds`)."""
        if " " not in form:
            return self.counts.get(form, 0)
        return sum(1 for terms in self._sets if holds(terms, form))


class Corpus:
    """An immutable view of one index version (its caches aside, which only ever hold what the
    version's own data gives). Safe to share between threads."""

    def __init__(self, snapshot: Snapshot, store: IndexStore):
        self.version = snapshot.version
        self.embedder = snapshot.embedder
        self.background: np.ndarray = snapshot.background
        self.n_passages = max(snapshot.passages, 1)
        self.complete = snapshot.complete
        self.ids: np.ndarray = snapshot.ids  # the passages compared with every question, ascending
        self.matrix: np.ndarray = snapshot.vectors
        self.language_rows: np.ndarray = snapshot.languages
        self.language_names = snapshot.language_names  # known languages sorted, None (unknown) last
        self.language_sizes: np.ndarray = snapshot.language_counts
        self.sample, self.sample_languages = snapshot.sample, snapshot.sample_languages
        self.store = store
        self._lock = threading.Lock()  # guards the caches below, never a search
        self._passages: _Cache = _Cache("PASSAGE_CACHE")
        self._mentions: _Cache = _Cache("PASSAGE_CACHE")
        self._terms: _Cache = _Cache("PASSAGE_CACHE")
        self._counts: _Cache = _Cache("PASSAGE_CACHE")
        self._times: _Cache = _Cache("PASSAGE_CACHE")
        self._articles: _Cache = _Cache("ARTICLE_CACHE")
        self._periods: _Cache = _Cache("PERIOD_CACHE")
        self._article_terms: _Cache = _Cache("ARTICLE_TERMS_CACHE")
        self._vectors: _Cache = _Cache("VECTOR_CACHE")
        self._sentence_vectors: _Cache = _Cache("SENTENCE_CACHE")
        self._frequencies: dict[str, int] = {}
        self._expansions: dict[str | tuple[str, str], list[str]] = {}
        self._terms_by_start: dict[tuple[str, int], list[str]] | None = None
        self._scripts: frozenset[str] | None = None

    @property
    def dim(self) -> int:
        return self.embedder[1]

    @property
    def mixed_languages(self) -> bool:
        """True when the index holds passages in two or more known languages."""
        return int((self.language_sizes[:-1] > 0).sum()) > 1

    def written_in(self, language: str | None) -> bool:
        """Whether any of its articles is written in this (known) language."""
        return language is not None and any(
            name == language and size > 0 for name, size in zip(self.language_names[:-1], self.language_sizes[:-1]))

    def holds(self, pid: int) -> bool:
        """Whether a passage belongs to this version (as far as can be told without reading it)."""
        if not self.complete:
            return True
        at = int(np.searchsorted(self.ids, pid))
        return at < len(self.ids) and int(self.ids[at]) == pid

    # -- reading by id, kept -------------------------------------------------------------------
    def _cached(self, cache: _Cache, keys: Iterable, read) -> dict:
        with self._lock:
            found = {k: cache[k] for k in keys if k in cache}
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        if missing:
            read_now = read(missing)
            with self._lock:
                for k in missing:
                    if k in read_now:
                        cache.keep(k, read_now[k])
            found.update(read_now)
        return found

    def passages(self, ids: Iterable[int]) -> list[Passage]:
        """These passages in this order (any since removed left out)."""
        ids = list(ids)
        found = self._cached(self._passages, ids, self.store.passages)
        return [found[i] for i in ids if i in found]

    def articles(self, ids: Iterable[str]) -> dict[str, Article]:
        return self._cached(self._articles, list(ids), lambda wanted: {a.article: a for a in self.store.articles(wanted)})

    def article(self, ident: str) -> Article:
        return self.articles([ident])[ident]

    def mentions(self, pids: Iterable[int]) -> dict[int, list[Mention]]:
        def read(wanted: list[int]) -> dict[int, list[Mention]]:
            found: dict[int, list[Mention]] = {p: [] for p in wanted}
            for m in self.store.mentions(wanted):
                found[m.passage].append(m)
            return found

        return self._cached(self._mentions, list(pids), read)

    def dates(self, passage: Passage) -> list[dt.date]:
        """The dates a passage is about: its article's publication date and every date its sentences state."""
        published = self.article(passage.article).published
        return ([published] if published else []) + [m.date for m in self.mentions([passage.id])[passage.id]]

    def states_count(self, passages: list[Passage], asked: Quantity | None = None) -> dict[int, bool]:
        """Whether each passage states a number other than a date (what a "how many" question asks), of
        the kind asked when given (`index.dates.states_count`)."""
        by_id = {p.id: p for p in passages}
        found = self._cached(self._counts, [(asked, pid) for pid in by_id], lambda wanted: {
            (kind, pid): any(text_dates.states_count(s, kind) for s in by_id[pid].sentences) for kind, pid in wanted})
        return {pid: found[(asked, pid)] for pid in by_id}

    def says_when(self, passages: list[Passage]) -> dict[int, bool]:
        """Whether each passage states a time: a date it was indexed with, or one relative to another
        event that resolves to none ("sehari setelah parade", "two days later")."""
        by_id = {p.id: p for p in passages}

        def read(wanted: list[int]) -> dict[int, bool]:
            mentions = self.mentions(wanted)
            return {pid: bool(mentions[pid]) or any(text_dates.states_time(s) for s in by_id[pid].sentences)
                    for pid in wanted}

        return self._cached(self._times, list(by_id), read)

    # -- vectors -------------------------------------------------------------------------------
    def offsets(self, vector: np.ndarray) -> np.ndarray:
        """For each language, how far its passages sit above the index's average cosine with this vector.

        The embedder rates any text in the question's own language closer than text in another: an
        English question is nearer every English passage than most Indonesian ones, answer or not.
        Measuring each passage against the other passages of its language removes that pull; in an
        index of one language it changes nothing. Unknown-language passages stay as they are. Measured
        on every passage in a complete corpus, else on the sample, weighed by each language's size.
        """
        offsets = np.zeros(len(self.language_names), np.float32)
        if not self.mixed_languages or not len(self.sample):
            return offsets
        sims = self.sample @ vector
        counts = np.bincount(self.sample_languages, minlength=len(offsets))
        means = np.bincount(self.sample_languages, weights=sims, minlength=len(offsets)) / np.maximum(counts, 1)
        known = (np.arange(len(offsets)) < len(offsets) - 1) & (counts > 0)
        average = float((means[known] * self.language_sizes[known]).sum() / self.language_sizes[known].sum())
        offsets[known] = means[known] - average
        return offsets

    def nearest(self, vector: np.ndarray, limit: int, offsets: np.ndarray) -> list[int]:
        """The ids of the passages with the highest cosine, less their language's offset."""
        ranked: list[tuple[float, int]] = []
        if len(self.ids):
            sims = self.matrix @ vector - offsets[self.language_rows]
            top = np.argpartition(-sims, min(limit, len(sims)) - 1)[:limit]
            ranked += [(float(sims[i]), int(self.ids[i])) for i in top]
        if not self.complete:
            ranked += self._stored_nearest(vector, limit, offsets)
        return _best(ranked, limit)

    def nearest_of_time(self, vector: np.ndarray, periods: list[text_dates.Period], limit: int,
                        offsets: np.ndarray) -> list[int]:
        """In a corpus searched through the store's graphs, the ids of the passages of these times (of
        an article published then or stating a date then) the store finds nearest, less their
        language's offset; none in a complete corpus, which compares a time's passages itself
        (`passages_of`, `nearest_among`)."""
        if self.complete:
            return []
        return _best([item for period in periods
                      for item in self._stored_nearest(vector, limit, offsets, period.start, period.end)], limit)

    def _stored_nearest(self, vector: np.ndarray, limit: int, offsets: np.ndarray, since: dt.date | None = None,
                        until: dt.date | None = None) -> list[tuple[float, int]]:
        """(cosine less the language's offset, id) of each language's nearest passages the store finds."""
        ranked = []
        for code, language in enumerate(self.language_names):
            if self.language_sizes[code] <= 0:
                continue
            found = self.store.nearest(vector, limit, language, since, until)
            with self._lock:  # the candidates' vectors come with them: kept for `vectors`
                for pid, found_vector in found.items():
                    self._vectors.keep(pid, found_vector)
            ranked += [(float(v @ vector) - float(offsets[code]), pid) for pid, v in found.items()]
        return ranked

    def nearest_among(self, vector: np.ndarray, ids: list[int] | np.ndarray, limit: int, batch: int = 5000,
                      offsets: np.ndarray | None = None) -> list[int]:
        """The ids of the `limit` passages among these with the highest cosine, less their language's
        offset when given (as in `nearest`): from the vectors held when the corpus holds them, else read
        by id, a batch at a time (the passages a followed topic has not yet seen, those of the time a
        question names)."""
        ranked: list[tuple[float, int]] = []
        wanted = np.asarray(ids, np.int64)
        ids = wanted.tolist()
        if len(self.ids) and len(wanted):
            at = np.minimum(np.searchsorted(self.ids, wanted), len(self.ids) - 1)
            held = self.ids[at] == wanted
            rows = at[held]
            sims = self.matrix[rows] @ vector
            if offsets is not None:
                sims = sims - offsets[self.language_rows[rows]]
            if len(sims) > limit:  # only the best need sorting (a whole year's passages may be given)
                top = np.argpartition(-sims, limit - 1)[:limit]
                sims, rows = sims[top], rows[top]
            ranked = sorted(zip(sims.tolist(), self.ids[rows].tolist()), key=lambda item: (-item[0], item[1]))[:limit]
            ids = wanted[~held].tolist()
        for start in range(0, len(ids), batch):
            found = self.store.passage_vectors(ids[start:start + batch])
            shift = self._language_offsets(list(found), offsets)
            ranked += [(float(v @ vector) - shift.get(pid, 0.0), pid) for pid, v in found.items()]
            ranked = sorted(ranked, key=lambda item: (-item[0], item[1]))[:limit]
        return [pid for _, pid in ranked]

    def _language_offsets(self, ids: list[int], offsets: np.ndarray | None) -> dict[int, float]:
        """Each of these (read, not held) passages' language offset, its language read from the store
        (no text); none read when no language has one."""
        if offsets is None or not offsets.any():
            return {}
        code = self._language_code()
        return {pid: float(offsets[code(language)]) for pid, language in self.store.passage_languages(ids).items()}

    def _language_code(self) -> Callable[[str | None], int]:
        """A language's row (an index into `language_names`; unknown ones last)."""
        code = {name: n for n, name in enumerate(self.language_names)}
        return lambda language: code.get(language, len(self.language_names) - 1)

    def passages_of(self, periods: list[text_dates.Period], articles: int | None) -> np.ndarray:
        """The passages of these periods: of the newest `articles` articles published within each; or
        (None) of every article published then and every passage stating a date then. Kept, as an
        array: "pada 2025" is asked again and again."""
        def read(wanted: list[tuple[dt.date, dt.date, int | None]]) -> dict[tuple, np.ndarray]:
            found = {}
            for start, end, limit in wanted:
                if limit is None:
                    ids = self.store.passages_within(start, end)
                else:
                    newest = [a.article for a in self.store.newest_articles(limit, start, end)]
                    by_article = self.store.article_passages(newest)
                    ids = [pid for a in newest for pid in by_article.get(a, [])]
                found[start, end, limit] = np.array([pid for pid in ids if self.holds(pid)], np.int64)
            return found

        spans = [(period.start, period.end, articles) for period in periods]
        found = self._cached(self._periods, spans, read)
        return np.unique(np.concatenate([found[span] for span in spans])) if spans else np.zeros(0, np.int64)

    def vectors(self, passages: list[Passage]) -> tuple[np.ndarray, np.ndarray]:
        """These passages' whole-text vectors, and each one's language offset row (an index into
        `language_names`)."""
        if not passages:
            return np.zeros((0, self.dim), np.float32), np.zeros(0, np.int64)
        ids = np.array([p.id for p in passages], np.int64)
        at = np.minimum(np.searchsorted(self.ids, ids), max(len(self.ids) - 1, 0))
        held = (at < len(self.ids)) & (self.ids[at] == ids) if len(self.ids) else np.zeros(len(ids), bool)
        fetched = self._cached(self._vectors, [int(i) for i in ids[~held]], self.store.passage_vectors) \
            if not held.all() else {}
        vectors = np.vstack([self.matrix[at[n]] if held[n] else fetched[int(ids[n])] for n in range(len(ids))])
        code = self._language_code()
        articles = self.articles(p.article for n, p in enumerate(passages) if not held[n])
        rows = np.array([self.language_rows[at[n]] if held[n] else code(articles[p.article].language)
                         for n, p in enumerate(passages)], np.int64)
        return vectors.astype(np.float32, copy=False), rows

    def stored_vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these content keys (sentences), those the index has."""
        return self._cached(self._sentence_vectors, keys, self.store.vectors)

    # -- words ---------------------------------------------------------------------------------
    def frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        """How many passages hold each term (0 for none), read from the store once per term; for a
        phrase ("korea selatan"), at most as many as its rarest word."""
        asked = list(dict.fromkeys(terms))
        found = self._word_frequencies(list(dict.fromkeys(w for t in asked for w in t.split())))
        return {t: min((found[w] for w in t.split()), default=0) for t in asked}

    def _word_frequencies(self, terms: list[str]) -> dict[str, int]:
        with self._lock:
            missing = [t for t in terms if t not in self._frequencies]
        if missing:
            stored = self.store.frequencies(missing)
            with self._lock:
                if len(self._frequencies) > FREQUENCY_CACHE:
                    self._frequencies.clear()
                self._frequencies.update((t, stored.get(t, 0)) for t in missing)
        with self._lock:
            return {t: self._frequencies.get(t, 0) for t in terms}

    def df(self, term: str) -> int:
        return self.frequencies([term])[term]

    def idf(self, term: str, df: int | None = None) -> float:
        """BM25's idf of a term (of its passage count, when known already)."""
        df = self.df(term) if df is None else df
        return math.log(1 + (self.n_passages - df + 0.5) / (df + 0.5))

    def _by_start(self) -> dict[tuple[str, int], list[str]]:
        """The index's words by their first two letters and length, as close matching looks them up (read
        on the first word that needs a close match)."""
        if self._terms_by_start is None:
            by_start: dict[tuple[str, int], list[str]] = {}
            for term in self.store.frequencies():
                if term.isalpha():
                    by_start.setdefault((term[:2], len(term)), []).append(term)
            self._terms_by_start = by_start
        return self._terms_by_start

    def writes(self, word: str) -> bool:
        """Whether the index holds any word in this word's writing system: a name in another script
        ("Кремль" over Latin-script news) could not be found in it under any spelling."""
        if self._scripts is None:
            self._scripts = frozenset(script(w[0]) for ws in self._by_start().values() for w in ws)
        return script(word) in self._scripts

    def expand(self, word: str, borrowed: bool = False) -> list[str]:
        """The index terms a question word may appear as: its stems and standard forms the index has,
        else the close index terms (typo tolerance) and the noun Indonesian borrows for it as an English
        verb ("confirm" / "konfirmasi"), else the place a people's word names ("Korean" / "Korea"); the
        word itself when there are none.

        `borrowed` (the question is English): a word the index has (from its English news) may also
        stand for the Indonesian word borrowed from it, spelled and ended as Indonesian borrows
        ("Moscow" / "Moskow", "Pacific" / "Pasifik", "confirm" / "konfirmasi"), when the index has
        exactly that form. Not for other questions: Indonesian writes c and -si in words of its own."""
        forms = variants(word)
        counts = self.frequencies(forms)
        known = [v for v in forms if counts[v]]
        if known and borrowed and len(word) >= 4:
            return self._expansion(("borrowed", word), lambda: self._borrowed(word, known))
        if known or len(word) < 4 or word.isdigit():
            return known or [word]
        return self._expansion(word, lambda: self._unknown(word))

    def _expansion(self, key: str | tuple[str, str], make: Callable[[], list[str]]) -> list[str]:
        """An expansion made once per index version (and kept while the cache has room)."""
        cached = self._expansions.get(key)
        if cached is None:
            cached = make()
            with self._lock:
                if len(self._expansions) > EXPANSION_CACHE:
                    self._expansions.clear()
                self._expansions[key] = cached
        return cached

    def _borrowed(self, word: str, known: list[str]) -> list[str]:
        spelled = [f for f in (*loanword_forms(word), *borrowed_nouns(word)) if f != word and len(f) >= MIN_BORROWED]
        counts = self.frequencies(spelled)
        return list(dict.fromkeys(known + [f for f in spelled if counts[f]]))

    def _unknown(self, word: str) -> list[str]:
        nouns = borrowed_nouns(word)  # matched exactly, unlike the close terms
        counts = self.frequencies(nouns)
        found = list(dict.fromkeys([word, *self._close(word), *(n for n in nouns if counts[n])]))
        if len(found) == 1:
            # No word of the index is close: it may be a people's name for a place the index names.
            places = demonym_places(word)
            counts = self.frequencies(places)
            found += [p for p in places if counts[p]] or list(dict.fromkeys(m for p in places for m in self._close(p)))
        return found

    def _close(self, word: str) -> list[str]:
        """Index terms close to a word the index lacks, as it is written or as Indonesian spells and ends a
        word it borrows ("pacific" as "pasifik", "confirmation" as "konfirmasi"). A typo keeps the word's
        first two letters and changes one letter in a word of up to seven, two in a longer one ("peskof"
        / "peskov"); so do cognates ("military" / "militer", "cosmodrome" / "kosmodrom"). Only terms
        within that many letters of its length can match; compare with those alone."""
        if len(word) < 4:
            return []
        found: list[str] = []
        by_start = self._by_start()
        for spelled in dict.fromkeys((word, *loanword_forms(word))):
            edits = 1 if len(spelled) <= 7 else 2
            candidates = [w for n in range(len(spelled) - edits, len(spelled) + edits + 1)
                          for w in by_start.get((spelled[:2], n), ())]
            matches = process.extract(spelled, candidates, scorer=Levenshtein.distance, score_cutoff=edits, limit=3)
            found += [m[0] for m in matches if fuzz.ratio(spelled, m[0]) >= 80]
        return list(dict.fromkeys(found))

    def term_weights(self, content_terms: dict[str, list[str]]) -> dict[str, float]:
        """Each question word's weight in `coverage`: the IDF of its most telling index form, else its own."""
        counts = self.frequencies([term for term, forms in content_terms.items() for term in (term, *forms)])
        return {term: max(self.idf(v, counts[v]) for v in forms) if any(counts[v] for v in forms)
                else self.idf(term, counts[term]) for term, forms in content_terms.items()}

    def neighbourhood_weights(self, content_terms: dict[str, list[str]], articles: list[str]) -> dict[str, float]:
        """Each question word's weight in `coverage`, as BM25's idf among the passages of these articles
        (those of the candidates nearest the question): how well the word tells apart the passages on
        the question's topic, whatever else the index holds.

        The index-wide IDF (`term_weights`) changes with everything beside the topic: with 600 articles
        on other topics indexed beside the seeds, "Kim" went from the seeds' commonest word to one of
        the rarest, and the bonus began to prefer passages that spell his name over those that answer.
        A word counts as in as many passages as its commonest form (a passage holding a word holds its
        stem too)."""
        held = self.article_terms(articles)
        total = sum(a.passages for a in held.values())
        if not total:
            return self.term_weights(content_terms)
        weights = {}
        for term, forms in content_terms.items():
            df = max(sum(a.holding(v) for a in held.values()) for v in forms)  # `expand` gives one at least
            weights[term] = math.log(1 + (total - df + 0.5) / (df + 0.5))
        return weights

    def coverage(self, content_terms: dict[str, list[str]], text: str | frozenset[str],
                 language: str | None = None, weights: dict[str, float] | None = None) -> float:
        """IDF-weighted share of a question's content words (as any of their index terms) in a text
        (or in a set of stems already made); `weights` from `neighbourhood_weights` or `term_weights`,
        when made already (else the index-wide ones)."""
        if not content_terms:
            return 0.0
        present = text if isinstance(text, frozenset) else frozenset(stems(text, language).split())
        weights = weights if weights is not None else self.term_weights(content_terms)
        total = sum(weights.values())
        found = sum(weights[term] for term, forms in content_terms.items() if any(holds(present, v) for v in forms))
        return found / total if total else 0.0

    # -- terms kept between questions ----------------------------------------------------------
    def passage_terms(self, passages: list[Passage]) -> list[frozenset[str]]:
        """The passages' terms as the indexer stored them."""
        found = self._cached(self._terms, [p.id for p in passages], lambda wanted: {
            pid: frozenset((terms or "").split()) for pid, terms in self.store.passage_terms(wanted).items()})
        return [found.get(p.id, frozenset()) for p in passages]

    def article_terms(self, articles: list[str]) -> dict[str, ArticleTerms]:
        """Every term (stem and word) of each article's passages, with how many hold it; the missing
        articles read in one go."""
        def read(wanted: list[str]) -> dict[str, ArticleTerms]:
            stored = self.store.article_terms(wanted)
            return {a: ArticleTerms(tuple(stored.get(a, ()))) for a in wanted}

        return self._cached(self._article_terms, articles, read)

