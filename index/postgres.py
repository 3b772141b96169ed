"""The PostgreSQL engine of `index.store.IndexStore`: the index in a PostgreSQL database with pgvector,
named by a URL such as `postgresql://newsbot@db.example/news`. Every line of its SQL is here or in
index/pg_migrations.py; the tables live in their own schema, `newsbot`.

Lexical search: each passage's terms (stems and words, made by index/terms.py exactly as for SQLite:
Sastrawi for Indonesian, Snowball for English, accents folded) are kept as postings (term, passage,
count, length), and BM25 is computed in SQL with FTS5's constants from the postings of the question's
terms only, so both engines rank alike. Vectors are pgvector `vector`s; each passage carries its own, its
article's language and its article's date. From ann.MIN_PASSAGES passages on, `prepare_search` makes an
HNSW index (cosine, m 16, ef_construction 128) that `nearest` searches per language with pgvector's
iterative scan, and a bot holds only a sample of the vectors; below that, bots compare every vector
themselves.

Commits are one transaction and bump a generation counter; a snapshot is read in one REPEATABLE READ
transaction, so a reader sees the index before a commit or after it, never half. Several indexing
processes can share one database: `claim` takes session advisory locks on articles, so each article
is embedded and written by one worker, and a worker that dies (its connection gone) frees its
articles for the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from typing import TypeVar

import numpy as np

from . import ann
from .errors import IndexDamaged, IndexNotFound, IndexUnavailable, IndexUnwritable, NewsbotError
from .model import Article, Follow, Mention, Passage, Post, ShownAnswer, Snapshot, Vote, topic_key
from .pg_migrations import MIGRATION_LOCK, MIGRATIONS
from .store import (ChangedArticle, ChangeSet, FetchMemo, IndexedArticle, passage_key, sentence_texts, vector_key,
                    shown, vector_snapshot, written_article)
from .terms import lexical_tokens, stems

T = TypeVar("T")

POOL_SIZE = 8  # connections per process: the bots' executor threads and the indexer
CONNECT_TIMEOUT = 10  # seconds
K1, B = 1.2, 0.75  # BM25's constants, as FTS5 uses them
COMMIT_LOCK = MIGRATION_LOCK + 1  # an advisory lock id: one commit at a time changes the vocabulary
HNSW_INDEX = "passages_embedding_hnsw"
LEXICAL_DEPTH = 2000  # postings read per term of a question, best first (a rarer term's: all of them)
# The passages of a time: of an article published then (each passage carries its date), or stating a
# date then.
TIME_PASSAGES = ("SELECT id FROM newsbot.passages WHERE published BETWEEN %(since)s AND %(until)s "
                 "UNION SELECT passage FROM newsbot.mentions WHERE date BETWEEN %(since)s AND %(until)s")
# A time of at most this many passages (of an article published then, or stating a date then) is
# compared exactly (about 30 ms for 2,000 on 2 cores): reading the graph until enough of them pass
# would take longer, up to hnsw.max_scan_tuples (150 ms for a day of news among 100,000 passages).
EXACT_WITHIN = 2_000
EF_SEARCH = 200  # HNSW candidates per search (pgvector caps it at 1000): its float graph needs fewer than the int8 files
HNSW_MEMORY_MB = (1024, 4096)  # maintenance_work_mem while the HNSW index is made: at least, at most


def hnsw_memory_mb(passages: int, dim: int) -> int:
    """The maintenance_work_mem (MB) to build the HNSW index in: enough for the whole graph, which builds
    fast in memory and about five times slower once it outgrows it (measured at a million 384-dimension
    vectors: 1 GB held about 520k). About 2 KB a 384-dimension vector, with a quarter to spare; at least
    1 GB, and at most 4 GB so that a modest server is not asked for more than it has (a bigger graph
    builds, only slower)."""
    per_vector = dim * 4 + 512  # the vector and its neighbour lists
    wanted = passages * per_vector * 5 // 4 // 2**20
    low, high = HNSW_MEMORY_MB
    return max(low, min(high, wanted))


def _import_driver():
    try:
        import psycopg
        import psycopg_pool
        from pgvector.psycopg import register_vector
    except ImportError:
        raise NewsbotError("a postgresql:// index needs the PostgreSQL extra: pip install 'newsbot[postgres]'") from None
    return psycopg, psycopg_pool, register_vector


def explain(exc: Exception, location: str) -> NewsbotError:
    """A PostgreSQL error as one line that says what happened and what to do (the password never shown)."""
    message = " ".join(str(exc).split()) or type(exc).__name__
    lowered = message.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return IndexUnavailable(f"PostgreSQL at {location} refused the user name or password ({message}); check "
                                "NEWSBOT_INDEX")
    if "does not exist" in lowered and "database" in lowered:
        return IndexUnavailable(f"PostgreSQL at {location} has no such database ({message}); create it (createdb) "
                                "or fix NEWSBOT_INDEX")
    if "vector" in lowered and ("not available" in lowered or "could not open extension" in lowered):
        return IndexUnavailable(f"PostgreSQL at {location} does not have the pgvector extension installed; install "
                                "pgvector on the server (https://github.com/pgvector/pgvector) or use a managed "
                                "PostgreSQL that offers it")
    if "read-only transaction" in lowered or "recovery is in progress" in lowered:
        return IndexUnwritable(f"PostgreSQL at {location} is read-only here (a replica, or a read-only role): "
                               "it answers questions but cannot keep anything new")
    if "permission denied" in lowered or "must be owner" in lowered:
        return IndexUnwritable(f"PostgreSQL at {location} refused an index change ({message}); the user needs "
                               "CREATE on the database (and an administrator must run CREATE EXTENSION vector once)")
    if "could not connect" in lowered or "connection" in lowered or "timeout" in lowered or "server closed" in lowered:
        return IndexUnavailable(f"cannot reach PostgreSQL at {location} ({message}); check that the server is "
                                "running and NEWSBOT_INDEX is right")
    return IndexDamaged(f"the index in PostgreSQL at {location} could not be used ({message})")


def create_database(server: str, name: str, replace: bool = False) -> str:
    """Make a database on the server the URL names (dropped first with replace); the new database's URL.
    For benchmarks and tests, which give each run an empty index."""
    from urllib.parse import urlsplit, urlunsplit

    psycopg, _, _ = _import_driver()
    quoted = '"' + name.replace('"', '""') + '"'
    with psycopg.connect(server, autocommit=True) as conn:
        if replace:
            conn.execute(f"DROP DATABASE IF EXISTS {quoted}")
        conn.execute(f"CREATE DATABASE {quoted}")
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def set_shared_buffers(server: str, size: str) -> bool:
    """Set the server's buffer cache (e.g. "4GB") for its next start; False when it already has it.
    For benchmarks, which size the bundled server as one serving a large index would be."""
    psycopg, _, _ = _import_driver()
    with psycopg.connect(server, autocommit=True) as conn:
        if conn.execute("SHOW shared_buffers").fetchone()[0] == size:
            return False
        conn.execute(f"ALTER SYSTEM SET shared_buffers = '{size}'")
        return True


def lexemes(terms: list[str]) -> list[str]:
    """The tokens of these terms as the postings hold them, each once."""
    return list(dict.fromkeys(t for term in terms for t in lexical_tokens(term)))


class PostgresStore:
    """`IndexStore` over a PostgreSQL database: a pool of connections; one the server has dropped (a
    restart, a failover) is replaced and the request tried on another (see `_run`)."""

    def __init__(self, url: str, create: bool = False, replace_damaged: bool = False):
        self.psycopg, self._pool_module, self._register = _import_driver()
        self.url = url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url
        self.location = shown(self.url)
        self.replaced: str | None = None  # a PostgreSQL index is never set aside: --rebuild rewrites every article
        self._claims = None  # the connection holding this process's article claims (see claim)
        self._claims_lock = threading.Lock()
        with self._connect() as conn:
            if not self._exists(conn):
                if not create:
                    raise IndexNotFound(f"no newsbot index in the PostgreSQL database {self.location}; build it "
                                        f"with: newsbot index FOLDER --index {self.location}")
            self._migrate(conn)
        # Connections are handed out unchecked (a check is one more round trip before every read: a
        # tenth of a question's time); `_run` deals with the ones the server has dropped.
        self._pool = self._pool_module.ConnectionPool(
            self.url, min_size=1, max_size=POOL_SIZE, open=True, name="newsbot",
            kwargs={"connect_timeout": CONNECT_TIMEOUT, "autocommit": True}, configure=self._register,
        )

    # -- connections -----------------------------------------------------------------------------
    def _connect(self):
        """A connection of its own, outside the pool (migrations, claims)."""
        try:
            return self.psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT, autocommit=True)
        except self.psycopg.Error as exc:
            raise explain(exc, self.location) from None

    def _exists(self, conn) -> bool:
        return conn.execute("SELECT to_regclass('newsbot._migrations')").fetchone()[0] is not None

    def _migrate(self, conn) -> list[str]:
        """Apply the migrations not yet recorded, under an advisory lock: one process migrates a new
        database, the others wait and then find nothing to do."""
        applied = []
        try:
            if self._exists(conn):  # up to date: nothing to write (a replica, a read-only role)
                done = {r[0] for r in conn.execute("SELECT name FROM newsbot._migrations")}
                if all(name in done for name, _ in MIGRATIONS):
                    return []
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
                conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
                conn.execute("CREATE SCHEMA IF NOT EXISTS newsbot")
                conn.execute("CREATE TABLE IF NOT EXISTS newsbot._migrations "
                             "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
                done = {r[0] for r in conn.execute("SELECT name FROM newsbot._migrations")}
                for name, sql in MIGRATIONS:
                    if name not in done:
                        conn.execute(sql)
                        conn.execute("INSERT INTO newsbot._migrations (name) VALUES (%s)", [name])
                        applied.append(name)
        except self.psycopg.Error as exc:
            raise explain(exc, self.location) from None
        return applied

    def _run(self, work: Callable[[object], T], retry: bool = True) -> T:
        """Run work on a pooled connection. One the server has dropped (a restart or a failover drops
        them all) fails at once and the pool discards it; the work then goes to the next one: a read
        whatever failed, a write only when its connection was found dead before it began (a write is
        never repeated behind the user's back)."""
        for attempt in range(POOL_SIZE + 1):
            conn, begun = None, False
            try:
                with self._pool.connection() as conn:
                    if not retry:
                        self._pool_module.ConnectionPool.check_connection(conn)
                    begun = True
                    return work(conn)
            except self._pool_module.PoolTimeout as exc:  # no connection to be had: the pool waited already
                raise explain(exc, self.location) from None
            except self.psycopg.OperationalError as exc:
                lost = conn is not None and conn.broken  # not, say, a query the server cancelled
                if not lost or (begun and not retry) or attempt == POOL_SIZE:
                    raise explain(exc, self.location) from None
            except self.psycopg.Error as exc:
                raise explain(exc, self.location) from None
        raise AssertionError("unreachable")

    @staticmethod
    @contextlib.contextmanager
    def _reading(conn) -> Iterator[object]:
        """One read transaction that sees every table at one version."""
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield conn

    # -- reading -----------------------------------------------------------------------------------
    def version(self) -> Hashable:
        return self.location, self._run(_generation)

    def recorded_embedder(self) -> tuple[str, int] | None:
        return self._run(_recorded_embedder)

    def snapshot(self, complete: bool = False) -> Snapshot:
        """Every passage's vector; with an HNSW index (and not `complete`), only a sample of them, for the
        per-language offsets, and `nearest` searches the index."""
        def read(conn) -> Snapshot:
            with self._reading(conn):
                recorded = _recorded_embedder(conn) or ("", 0)
                counts = dict(conn.execute("SELECT language, count(*) FROM newsbot.passages GROUP BY language").fetchall())
                version = (self.location, _generation(conn))
                background = _background(conn, recorded[1])
                if complete or not _has_hnsw(conn):
                    return vector_snapshot(version, recorded, counts, _vector_rows(conn, ""), True, background)
                share = min(100.0, 100.0 * 2 * ann.SAMPLE / max(sum(counts.values()), 1))
                sample = _vector_rows(conn, f"TABLESAMPLE SYSTEM ({share}) REPEATABLE ({version[1]})", ann.SAMPLE)
                return vector_snapshot(version, recorded, counts, [], False, background, sample=sample)

        return self._run(read)

    def nearest(self, vector: np.ndarray, k: int, language: str | None, since: dt.date | None = None,
                until: dt.date | None = None) -> dict[int, np.ndarray]:
        """Through the HNSW index, the passages of one language nearest the vector (pgvector's iterative
        scan keeps reading the graph until k of them pass the language filter, and the time's), with
        their vectors; none without the index. A time of at most EXACT_WITHIN passages, or of so few
        among the index's that the graph's scan gives up first (`hnsw.max_scan_tuples`), is compared
        exactly, its passages read through the date indexes."""
        def read(conn) -> dict[int, np.ndarray]:
            dim = len(vector)
            timed = since is not None or until is not None
            params = {"language": language, "vector": np.asarray(vector, np.float32), "k": k,
                      "since": since or dt.date.min, "until": until or dt.date.max}
            where = "p.language IS NULL" if language is None else "p.language = %(language)s"
            distance = f"p.embedding::vector({dim}) <=> %(vector)s::vector({dim})"
            # Checked on each passage the graph's scan reaches; or, exactly, the time's passages read first.
            reached = """ AND (p.published BETWEEN %(since)s AND %(until)s OR EXISTS (SELECT 1 FROM newsbot.mentions m
                                 WHERE m.passage = p.id AND m.date BETWEEN %(since)s AND %(until)s))"""
            read_first = f" AND p.id IN ({TIME_PASSAGES})"
            sql = "SELECT p.id, p.embedding FROM newsbot.passages p WHERE {} ORDER BY {} LIMIT %(k)s"
            with conn.transaction():
                if not _has_hnsw(conn):
                    return {}
                conn.execute(f"SET LOCAL hnsw.ef_search = {min(max(EF_SEARCH, k), 1000)}")
                conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                cursor = conn.cursor(binary=True)
                exact = timed and conn.execute(
                    "SELECT (SELECT count(*) FROM newsbot.passages WHERE published BETWEEN %(since)s AND %(until)s) + "
                    "(SELECT count(*) FROM newsbot.mentions WHERE date BETWEEN %(since)s AND %(until)s)",
                    params).fetchone()[0] <= EXACT_WITHIN
                rows = [] if exact else \
                    cursor.execute(sql.format(where + (reached if timed else ""), distance), params).fetchall()
                if timed and len(rows) < k:  # adding 0 keeps the graph out of the ordering
                    rows = cursor.execute(sql.format(where + read_first, f"({distance}) + 0"), params).fetchall()
            return {pid: v.to_numpy().astype(np.float32) for pid, v in rows}

        return self._run(read)

    def prepare_search(self, progress=None) -> None:
        """Make the HNSW index once the index holds ann.MIN_PASSAGES passages (kept up to date by every
        commit from then on); drop it below that."""
        def write(conn) -> None:
            recorded = _recorded_embedder(conn)
            passages = conn.execute("SELECT count(*) FROM newsbot.passages").fetchone()[0]
            if recorded is None or passages < ann.MIN_PASSAGES:
                conn.execute(f"DROP INDEX IF EXISTS newsbot.{HNSW_INDEX}")
                return
            if _has_hnsw(conn):
                return
            if progress:
                progress("graphs", 0, 1)
            with conn.transaction():  # commits wait while it is made; readers do not
                conn.execute(f"SET LOCAL maintenance_work_mem = '{hnsw_memory_mb(passages, recorded[1])}MB'")
                conn.execute(f"CREATE INDEX IF NOT EXISTS {HNSW_INDEX} ON newsbot.passages USING hnsw "
                             f"((embedding::vector({recorded[1]})) vector_cosine_ops) "
                             f"WITH (m = {ann.CONNECTIVITY}, ef_construction = {ann.EXPANSION_ADD})")
            if progress:
                progress("graphs", 1, 1)

        self._run(write, retry=False)

    def articles(self, ids: list[str] | None = None) -> list[Article]:
        return self._run(lambda conn: _articles(conn, ids))

    def passages(self, ids: list[int]) -> dict[int, Passage]:
        rows = self._run(lambda c: c.execute(
            "SELECT id, article, position, text, sentences FROM newsbot.passages WHERE id = ANY(%s)", [list(ids)]).fetchall())
        return {r[0]: Passage(*r) for r in rows}

    def newest_articles(self, limit: int, since: dt.date | None = None, until: dt.date | None = None) -> list[Article]:
        def read(conn) -> list[Article]:
            ids = [r[0] for r in conn.execute(
                """SELECT id FROM newsbot.articles
                   WHERE published IS NOT NULL AND published >= coalesce(%s, '-infinity'::date)
                     AND published <= coalesce(%s, 'infinity'::date)
                   ORDER BY published DESC, id COLLATE "C" LIMIT %s""", [since, until, limit])]
            found = {a.article: a for a in _articles(conn, ids)}
            return [found[i] for i in ids if i in found]
        return self._run(read)

    def article_passages(self, articles: list[str]) -> dict[str, list[int]]:
        rows = self._run(lambda c: c.execute(
            "SELECT article, id FROM newsbot.passages WHERE article = ANY(%s) ORDER BY id", [list(articles)]).fetchall())
        found: dict[str, list[int]] = {}
        for article, pid in rows:
            found.setdefault(article, []).append(pid)
        return found

    def passage_vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        rows = self._run(lambda c: c.cursor(binary=True).execute(
            "SELECT id, embedding FROM newsbot.passages WHERE id = ANY(%s) AND embedding IS NOT NULL",
            [list(ids)]).fetchall())
        return {pid: v.to_numpy().astype(np.float32) for pid, v in rows}

    def passage_languages(self, ids: list[int]) -> dict[int, str | None]:
        return dict(self._run(lambda c: c.execute(
            "SELECT id, language FROM newsbot.passages WHERE id = ANY(%s)", [list(ids)]).fetchall()))

    def mentions(self, passages: list[int] | None = None) -> list[Mention]:
        sql = "SELECT passage, sentence, date, precision FROM newsbot.mentions"
        order = " ORDER BY passage, sentence, ctid"
        rows = self._run(lambda c: c.execute(sql + order).fetchall() if passages is None else
                         c.execute(sql + " WHERE passage = ANY(%s)" + order, [list(passages)]).fetchall())
        return [Mention(*r) for r in rows]

    def passages_within(self, since: dt.date, until: dt.date) -> list[int]:
        rows = self._run(lambda c: c.execute(TIME_PASSAGES + " ORDER BY 1", {"since": since, "until": until}).fetchall())
        return [r[0] for r in rows]

    def frequencies(self, terms: list[str] | None = None) -> dict[str, int]:
        sql = "SELECT term, docs FROM newsbot.vocabulary WHERE docs > 0"
        return dict(self._run(lambda c: c.execute(sql).fetchall() if terms is None else
                              c.execute(sql + " AND term = ANY(%s)", [list(terms)]).fetchall()))

    def lexical(self, terms: list[str], limit: int, since: dt.date | None = None,
                until: dt.date | None = None) -> list[int]:
        """BM25 with FTS5's constants over each term's LEXICAL_DEPTH best postings (all of a rarer term's:
        then it is exactly FTS5's ranking), read best first through the postings' index. With since or
        until, each term's best postings among the passages of an article published then (each passage
        carries its article's date) or stating a date then."""
        tokens = lexemes(terms)
        if not tokens:
            return []
        within = "" if since is None and until is None else """
                    AND (EXISTS (SELECT 1 FROM newsbot.passages p
                                 WHERE p.id = po.passage AND p.published BETWEEN %(since)s AND %(until)s)
                         OR EXISTS (SELECT 1 FROM newsbot.mentions m
                                    WHERE m.passage = po.passage AND m.date BETWEEN %(since)s AND %(until)s))"""
        sql = f"""
            WITH stats AS (
                SELECT greatest((SELECT value::float FROM newsbot.meta WHERE key = 'passages'), 1) AS n,
                       greatest((SELECT value::float FROM newsbot.meta WHERE key = 'tokens'), 1) AS tokens),
            idf AS (
                SELECT v.term, greatest(ln((s.n - v.docs + 0.5) / (v.docs + 0.5)), 1e-6) AS weight
                FROM newsbot.vocabulary v, stats s WHERE v.term = ANY(%(tokens)s)),
            hits AS (
                SELECT i.weight, po.passage, po.tf, po.length FROM idf i CROSS JOIN LATERAL (
                    SELECT po.passage, po.tf, po.length FROM newsbot.postings po WHERE po.term = i.term{within}
                    ORDER BY po.impact DESC LIMIT %(depth)s) po)
            SELECT h.passage FROM hits h CROSS JOIN stats s GROUP BY h.passage
            ORDER BY sum(h.weight * h.tf * {K1 + 1} / (h.tf + {K1} * (1 - {B} + {B} * h.length / (s.tokens / s.n))))
                     DESC, h.passage
            LIMIT %(limit)s"""
        params = {"tokens": tokens, "limit": limit, "depth": LEXICAL_DEPTH,
                  "since": since or dt.date.min, "until": until or dt.date.max}
        rows = self._run(lambda c: c.execute(sql, params).fetchall())
        return [r[0] for r in rows]

    def passage_terms(self, ids: list[int]) -> dict[int, str]:
        return dict(self._run(lambda c: c.execute(
            "SELECT id, terms FROM newsbot.passages WHERE id = ANY(%s)", [list(ids)]).fetchall()))

    def article_terms(self, articles: list[str]) -> dict[str, list[str]]:
        rows = self._run(lambda c: c.execute(
            "SELECT article, terms FROM newsbot.passages WHERE article = ANY(%s)", [list(articles)]).fetchall())
        found: dict[str, list[str]] = {}
        for article, terms in rows:
            found.setdefault(article, []).append(terms or "")
        return found

    def vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        rows = self._run(lambda c: c.cursor(binary=True).execute(
            "SELECT hash, embedding FROM newsbot.vectors WHERE hash = ANY(%s)", [list(keys)]).fetchall())
        return {k: v.to_numpy().astype(np.float32) for k, v in rows}

    def missing_vectors(self, keys: list[str]) -> list[str]:
        wanted = list(dict.fromkeys(keys))
        present = {r[0] for r in self._run(lambda c: c.execute(
            "SELECT hash FROM newsbot.vectors WHERE hash = ANY(%s)", [wanted]).fetchall())}
        return [k for k in wanted if k not in present]

    def indexed(self, ids: list[str] | None = None) -> dict[str, IndexedArticle]:
        select = "SELECT id, content_hash, origin, url, text_hash FROM newsbot.articles"
        rows = self._run(lambda c: (c.execute(select + " WHERE id = ANY(%s)", [list(ids)]) if ids is not None
                                    else c.execute(select)).fetchall())
        return {r[0]: IndexedArticle(*r[1:]) for r in rows}

    def fetch_memos(self, urls: list[str] | None = None) -> dict[str, FetchMemo]:
        select = "SELECT url, etag, last_modified, stamp, article FROM newsbot.fetches"
        rows = self._run(lambda c: (c.execute(select) if urls is None
                                    else c.execute(select + " WHERE url = ANY(%s)", [list(urls)])).fetchall())
        return {r[0]: FetchMemo(*r) for r in rows}

    def background_keys(self) -> dict[str, str]:
        return dict(self._run(lambda c: c.execute("SELECT hash, text FROM newsbot.background").fetchall()))

    def stored(self, ids: list[str]) -> list[ChangedArticle]:
        def read(conn) -> list[ChangedArticle]:
            with self._reading(conn):
                articles = {r[0]: r for r in conn.execute(
                    "SELECT id, path, outlet, outlet_from, published, published_from, wires, title, url, language, "
                    "note, place, content_hash, text_hash, origin FROM newsbot.articles WHERE id = ANY(%s)",
                    [list(ids)]).fetchall()}
                passages: dict[str, list[tuple]] = {}
                for row in conn.execute("SELECT article, position, text, sentences, id FROM newsbot.passages "
                                        "WHERE article = ANY(%s) ORDER BY article, position", [list(articles)]):
                    passages.setdefault(row[0], []).append(row)
                mentions: dict[int, list[tuple]] = {}
                for pid, n, date, precision in conn.execute(
                        "SELECT m.passage, m.sentence, m.date, m.precision FROM newsbot.mentions m JOIN "
                        "newsbot.passages p ON p.id = m.passage WHERE p.article = ANY(%s) ORDER BY m.passage, "
                        "m.sentence, m.ctid", [list(articles)]):
                    mentions.setdefault(pid, []).append((n, date, precision))
                return [written_article(articles[i], passages.get(i, []), mentions) for i in ids if i in articles]

        return self._run(read)

    # -- writing -----------------------------------------------------------------------------------
    def add_vectors(self, keys: list[str], vectors: np.ndarray) -> None:
        def write(conn) -> None:
            with conn.transaction(), conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO newsbot.vectors (hash, embedding) VALUES (%s, %s) ON CONFLICT (hash) DO NOTHING",
                    [(k, np.asarray(v, dtype=np.float32)) for k, v in zip(keys, vectors)])

        self._run(write, retry=False)

    def commit(self, changes: ChangeSet) -> None:
        self._run(lambda conn: _commit(conn, changes), retry=False)

    def claim(self, ids: list[str], limit: int) -> list[str]:
        """Up to `limit` of these articles that no other indexing process is working on, now held by this
        one until `release` (or until this process's connection goes: a killed worker frees its claims)."""
        with self._claims_lock:
            if self._claims is None or self._claims.closed:
                self._claims = self._connect()
            try:
                # The limit stops the scan: no lock is tried past the last one taken.
                return [r[0] for r in self._claims.execute(
                    "SELECT i FROM unnest(%s::text[]) i WHERE pg_try_advisory_lock(hashtextextended('newsbot:' || i, 7)) "
                    "LIMIT %s", [list(ids), limit])]
            except self.psycopg.Error as exc:
                raise explain(exc, self.location) from None

    def release(self, ids: list[str]) -> None:
        """Let other processes have these articles again."""
        with self._claims_lock:
            if self._claims is None or self._claims.closed:
                return
            with contextlib.suppress(self.psycopg.Error):  # a lost connection has released them already
                self._claims.execute("SELECT pg_advisory_unlock(hashtextextended('newsbot:' || i, 7)) "
                                     "FROM unnest(%s::text[]) i", [list(ids)])

    # -- what the bots keep ---------------------------------------------------------------------------
    def last_passage(self) -> int:
        return self._run(lambda c: c.execute("SELECT coalesce(max(id), 0) FROM newsbot.passages").fetchone()[0])

    def passages_after(self, after: int, limit: int) -> list[int]:
        rows = self._run(lambda c: c.execute("SELECT id FROM newsbot.passages WHERE id > %s ORDER BY id DESC LIMIT %s",
                                             [after, limit]).fetchall())
        return sorted(r[0] for r in rows)

    def record_answer(self, question: str, passages: list[int], conversation: str | None = None) -> int:
        return self._run(lambda c: c.execute("INSERT INTO newsbot.answers (question, passages, conversation) "
                                             "VALUES (%s, %s, %s) RETURNING id",
                                             [question, list(passages), conversation]).fetchone()[0], retry=False)

    def last_answer(self, conversation: str, since: dt.datetime) -> ShownAnswer | None:
        row = self._run(lambda c: c.execute(
            "SELECT id, question, passages, shown FROM newsbot.answers WHERE conversation = %s AND shown >= %s "
            "ORDER BY id DESC LIMIT 1", [conversation, since]).fetchone())
        return _shown(row) if row else None

    def shown_answer(self, answer: int) -> ShownAnswer | None:
        row = self._run(lambda c: c.execute("SELECT id, question, passages, shown FROM newsbot.answers WHERE id = %s",
                                            [answer]).fetchone())
        return _shown(row) if row else None

    def vote(self, answer: int, voter: str, result: int, value: int) -> None:
        self._run(lambda c: c.execute(
            "INSERT INTO newsbot.votes (answer, voter, result, value) VALUES (%s, %s, %s, %s) ON CONFLICT (answer, voter) "
            "DO UPDATE SET result = excluded.result, value = excluded.value, at = now()",
            [answer, voter, result, value]), retry=False)

    def votes(self) -> list[Vote]:
        rows = self._run(lambda c: c.execute(
            "SELECT a.id, a.question, a.passages, a.shown, v.voter, v.result, v.value, v.at FROM newsbot.votes v "
            "JOIN newsbot.answers a ON a.id = v.answer ORDER BY v.at, a.id").fetchall())
        return [Vote(_shown(r[:4]), r[4], r[5], r[6], r[7]) for r in rows]

    def answers_shown(self) -> int:
        return self._run(lambda c: c.execute("SELECT count(*) FROM newsbot.answers").fetchone()[0])

    def forget_feedback(self, before: dt.datetime) -> int:
        return self._run(lambda c: c.execute("DELETE FROM newsbot.answers WHERE shown < %s", [before]).rowcount,
                         retry=False)

    def add_follow(self, place: str, topic: str, after: int) -> Follow:
        topic = " ".join(topic.split())

        def write(conn) -> Follow:
            conn.execute("INSERT INTO newsbot.follows (place, topic, key, after) VALUES (%s, %s, %s, %s) "
                         "ON CONFLICT (place, key) DO NOTHING", [place, topic, topic_key(topic), after])
            return Follow(*conn.execute("SELECT id, place, topic, after, created FROM newsbot.follows "
                                        "WHERE place = %s AND key = %s", [place, topic_key(topic)]).fetchone())

        return self._run(write, retry=False)

    def remove_follows(self, place: str, topic: str | None) -> int:
        if topic is None:
            return self._run(lambda c: c.execute("DELETE FROM newsbot.follows WHERE place = %s", [place]).rowcount,
                             retry=False)
        return self._run(lambda c: c.execute("DELETE FROM newsbot.follows WHERE place = %s AND key = %s",
                                             [place, topic_key(topic)]).rowcount, retry=False)

    def follows(self, place: str | None = None) -> list[Follow]:
        sql = "SELECT id, place, topic, after, created FROM newsbot.follows"
        rows = self._run(lambda c: c.execute(sql + " ORDER BY id").fetchall() if place is None else
                         c.execute(sql + " WHERE place = %s ORDER BY id", [place]).fetchall())
        return [Follow(*r) for r in rows]

    def record_posts(self, follow: int, after: int, posts: list[Post]) -> None:
        def write(conn) -> None:
            with conn.transaction(), conn.cursor() as cursor:
                cursor.execute("UPDATE newsbot.follows SET after = greatest(after, %s) WHERE id = %s", [after, follow])
                cursor.executemany("INSERT INTO newsbot.posts (place, topic, passage, quote, at) VALUES (%s, %s, %s, %s, %s)",
                                   [(p.place, p.topic, p.passage, p.quote, p.at) for p in posts])

        self._run(write, retry=False)

    def posts(self, place: str, since: dt.datetime) -> list[Post]:
        rows = self._run(lambda c: c.execute("SELECT place, topic, passage, quote, at FROM newsbot.posts "
                                             "WHERE place = %s AND at >= %s ORDER BY at, id", [place, since]).fetchall())
        return [Post(*r) for r in rows]

    def close(self) -> None:
        with self._claims_lock:
            if self._claims is not None:
                self._claims.close()
                self._claims = None
        self._pool.close()


def impact(tf: int, length: int, average: float) -> float:
    """A term's BM25 weight in a passage, without the term's idf (FTS5's constants)."""
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / max(average, 1e-9)))


def _average_length(cur) -> float | None:
    """The passages' average length in tokens, as the last commit left it (None before the first)."""
    row = cur.execute("SELECT t.value::float / greatest(n.value::float, 1) FROM newsbot.meta t, newsbot.meta n "
                      "WHERE t.key = 'tokens' AND n.key = 'passages'").fetchone()
    return row[0] if row and row[0] else None


def _has_hnsw(conn) -> bool:
    return conn.execute("SELECT to_regclass(%s)", [f"newsbot.{HNSW_INDEX}"]).fetchone()[0] is not None


def _vector_rows(conn, sample: str, limit: int | None = None):
    """The passages' (ids, vectors, languages) as one batch (none when there are none): all of them, or a
    table sample of them."""
    sql = f"SELECT id, language, embedding FROM newsbot.passages {sample} WHERE embedding IS NOT NULL ORDER BY id"
    rows = conn.cursor(binary=True).execute(sql + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
    if not rows:
        return []
    return [(np.array([r[0] for r in rows], np.int64), np.vstack([r[2].to_numpy() for r in rows]).astype(np.float32),
             [r[1] for r in rows])]


def _generation(conn) -> int:
    """The counter every commit that changes what readers see bumps."""
    row = conn.execute("SELECT value FROM newsbot.meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def _recorded_embedder(conn) -> tuple[str, int] | None:
    meta = dict(conn.execute("SELECT key, value FROM newsbot.meta WHERE key IN ('embedder', 'embedder_dim')").fetchall())
    return (meta["embedder"], int(meta["embedder_dim"])) if meta.get("embedder") and meta.get("embedder_dim") else None


def _articles(conn, ids: list[str] | None = None) -> list[Article]:
    rows = conn.execute(
        f"""SELECT a.id, a.outlet, a.published, a.published_from, a.wires, a.title, a.url, a.language, a.note,
                  a.outlet_from, (SELECT count(*) FROM newsbot.passages p WHERE p.article = a.id)
           FROM newsbot.articles a {"" if ids is None else "WHERE a.id = ANY(%s)"}
           ORDER BY coalesce(a.outlet, '~') COLLATE "C", a.published NULLS FIRST, a.id COLLATE "C" """,
        None if ids is None else [list(ids)])
    return [Article(article=r[0], outlet=r[1], published=r[2], published_from=r[3], wires=json.loads(r[4] or "[]"),
                    title=r[5], url=r[6], language=r[7], note=r[8], outlet_from=r[9], passages=r[10])
            for r in rows]


def _background(conn, dim: int) -> np.ndarray:
    rows = conn.cursor(binary=True).execute(
        "SELECT v.embedding FROM newsbot.background b JOIN newsbot.vectors v ON v.hash = b.hash "
        "ORDER BY b.hash COLLATE \"C\"").fetchall()
    return np.vstack([r[0].to_numpy() for r in rows]).astype(np.float32) if rows else np.zeros((0, dim), np.float32)


def _commit(conn, changes: ChangeSet) -> None:
    """Replace the changed articles' rows, drop removed ones, set the background sentences and keep the
    vocabulary and BM25 statistics in step, all in one transaction (the vectors are stored already)."""
    name = changes.embedder
    now = dt.datetime.now(dt.UTC)
    gone = list(dict.fromkeys(changes.removed + [c.article.article for c in changes.changed]))
    with conn.transaction(), conn.cursor() as cur:
        # One commit at a time changes the vocabulary: concurrent workers queue here instead of deadlocking.
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [COMMIT_LOCK])
        old = cur.execute("SELECT hash, sentence_hashes, terms FROM newsbot.passages WHERE article = ANY(%s)",
                          [gone]).fetchall()
        unused = {h for h, sentence_hashes, _ in old for h in [h, *sentence_hashes]}
        unused |= {r[0] for r in cur.execute("SELECT hash FROM newsbot.background").fetchall()}
        counts: Counter[str] = Counter()
        for _, _, terms in old:
            counts.subtract(set(lexical_tokens(terms)))
        cur.execute("DELETE FROM newsbot.articles WHERE id = ANY(%s)", [gone])  # passages and mentions follow
        cur.executemany(
            """INSERT INTO newsbot.articles (id, path, outlet, outlet_from, published, published_from, wires, title,
                   url, language, note, place, content_hash, indexed_at, origin, text_hash)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
            [(a.article, a.source, a.outlet, a.outlet_from, a.published, a.published_from,
              json.dumps(a.wires, ensure_ascii=False), a.title, a.url, a.language, a.note, a.place, a.content_hash,
              now, a.origin, a.text_hash) for a in (c.article for c in changes.changed)])
        if (_recorded_embedder(conn) or (name, changes.dim))[1] != changes.dim:
            cur.execute(f"DROP INDEX IF EXISTS newsbot.{HNSW_INDEX}")  # made for the old dimension
        rows, frequencies = [], {}
        for c in changes.changed:
            for p in c.passages:
                terms = stems(p.text, c.article.language)
                tokens = lexical_tokens(terms)
                counts.update(set(tokens))
                frequencies[c.article.article, p.position] = Counter(tokens), len(tokens)
                rows.append((c.article.article, p.position, p.text, json.dumps(p.sentences, ensure_ascii=False),
                             terms, len(tokens), passage_key(name, p.text),
                             [vector_key(name, t) for t in sentence_texts(p)], c.article.language,
                             c.article.published))
        cur.executemany(
            """INSERT INTO newsbot.passages (article, position, text, sentences, terms, length, hash,
                   sentence_hashes, language, published) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""", rows)
        changed = [c.article.article for c in changes.changed]
        cur.execute("UPDATE newsbot.passages p SET embedding = v.embedding FROM newsbot.vectors v "
                    "WHERE v.hash = p.hash AND p.article = ANY(%s)", [changed])
        ids = {(a, pos): pid for pid, a, pos in cur.execute(
            "SELECT id, article, position FROM newsbot.passages WHERE article = ANY(%s)", [changed]).fetchall()}
        average = _average_length(cur) or (sum(n for _, n in frequencies.values()) / max(len(frequencies), 1))
        cur.executemany(
            "INSERT INTO newsbot.postings (term, passage, tf, length, impact) VALUES (%s, %s, %s, %s, %s)",
            [(term, ids[key], tf, length, impact(tf, length, average)) for key, (tfs, length) in frequencies.items()
             for term, tf in tfs.items()])
        cur.executemany(
            "INSERT INTO newsbot.mentions (passage, sentence, date, precision) VALUES (%s, %s, %s, %s)",
            [(ids[c.article.article, p.position], n, d, precision)
             for c in changes.changed for p, dates in zip(c.passages, c.mentions) for n, d, precision in dates])
        cur.executemany(
            """INSERT INTO newsbot.fetches (url, etag, last_modified, stamp, article, fetched_at)
               VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,
               last_modified = excluded.last_modified, stamp = excluded.stamp, article = excluded.article,
               fetched_at = excluded.fetched_at""",
            [(m.url, m.etag, m.last_modified, m.stamp, m.article, now) for m in changes.fetches])
        cur.execute("DELETE FROM newsbot.background")
        cur.executemany("INSERT INTO newsbot.background (hash, text) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                        [(vector_key(name, t), t) for t in changes.background])
        changed_terms = sorted((t, n) for t, n in counts.items() if n)
        cur.executemany(
            "INSERT INTO newsbot.vocabulary (term, docs) VALUES (%s, %s) "
            "ON CONFLICT (term) DO UPDATE SET docs = newsbot.vocabulary.docs + excluded.docs", changed_terms)
        cur.execute("DELETE FROM newsbot.vocabulary WHERE term = ANY(%s) AND docs <= 0",
                    [[t for t, n in changed_terms if n < 0]])
        # Vectors that only the replaced text referred to (removed passages, another embedder's, old background).
        cur.execute(
            """DELETE FROM newsbot.vectors v WHERE v.hash = ANY(%s)
               AND NOT EXISTS (SELECT 1 FROM newsbot.passages p WHERE p.hash = v.hash)
               AND NOT EXISTS (SELECT 1 FROM newsbot.passages p WHERE p.sentence_hashes @> ARRAY[v.hash])
               AND NOT EXISTS (SELECT 1 FROM newsbot.background b WHERE b.hash = v.hash)""", [sorted(unused)])
        passages, tokens = cur.execute("SELECT count(*), coalesce(sum(length), 0) FROM newsbot.passages").fetchone()
        cur.executemany(
            "INSERT INTO newsbot.meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [("embedder", name), ("embedder_dim", str(changes.dim)), ("passages", str(passages)),
             ("tokens", str(tokens)), ("indexed_at", now.isoformat(timespec="seconds")),
             ("generation", str(_generation(conn) + 1))])


def _shown(row) -> ShownAnswer:
    """An answers row (id, question, passages, shown) as the answer shown."""
    return ShownAnswer(row[0], row[1], list(row[2]), row[3])
