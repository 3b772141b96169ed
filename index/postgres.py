"""The PostgreSQL engine of `index.store.IndexStore`: the index in a PostgreSQL database with pgvector,
named by a URL such as `postgresql://newsbot@db.example/news`. Every line of its SQL is here or in
index/pg_migrations.py; the tables live in their own schema, `newsbot`.

Lexical search is PostgreSQL full text: each passage's terms (stems and words, made by index/terms.py
exactly as for SQLite: Sastrawi for Indonesian, Snowball for English, accents folded) are a tsvector
with positions behind a GIN index, and BM25 is computed in SQL with FTS5's constants, so both engines
rank alike. Vectors are pgvector `vector`s.

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

from .errors import IndexDamaged, IndexNotFound, IndexUnavailable, IndexUnwritable, NewsbotError
from .model import Article, Follow, Mention, Passage, Post, ShownAnswer, Snapshot, Vote, topic_key
from .pg_migrations import MIGRATION_LOCK, MIGRATIONS
from .store import (ChangedArticle, ChangeSet, FetchMemo, IndexedArticle, passage_key, passage_sentences, vector_key,
                    shown, vector_snapshot, written_article)
from .terms import lexical_tokens, stems

T = TypeVar("T")

POOL_SIZE = 8  # connections per process: the bots' executor threads and the indexer
CONNECT_TIMEOUT = 10  # seconds
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
K1, B = 1.2, 0.75  # BM25's constants, as FTS5 uses them
COMMIT_LOCK = MIGRATION_LOCK + 1  # an advisory lock id: one commit at a time changes the vocabulary


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


def tsvector_literal(terms: str) -> tuple[str, int]:
    """A passage's terms as a tsvector literal with positions (the same tokens FTS5 takes), and its length
    in tokens."""
    positions: dict[str, list[int]] = {}
    tokens = lexical_tokens(terms)
    for n, token in enumerate(tokens, start=1):
        positions.setdefault(token, []).append(min(n, MAX_POSITION))
    literal = " ".join(_quoted(t) + ":" + ",".join(map(str, ps[:256])) for t, ps in positions.items())
    return literal, len(tokens)


def lexemes(terms: list[str]) -> list[str]:
    """The tokens of these terms as the passages' tsvectors hold them, each once."""
    return list(dict.fromkeys(t for term in terms for t in lexical_tokens(term)))


def tsquery_literal(tokens: list[str]) -> str:
    """Any of these tokens as a tsquery literal: each a quoted lexeme, never operator syntax."""
    return " | ".join(_quoted(t) for t in tokens)


def _quoted(token: str) -> str:
    """A lexeme quoted for a tsvector or tsquery literal."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


class PostgresStore:
    """`IndexStore` over a PostgreSQL database: a pool of connections, each checked before use, so a
    dropped connection (a server restart, a failover) is replaced and the request tried once more."""

    def __init__(self, url: str, create: bool = False, replace_damaged: bool = False):
        self.psycopg, pool_module, self._register = _import_driver()
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
        self._pool = pool_module.ConnectionPool(
            self.url, min_size=1, max_size=POOL_SIZE, open=True, name="newsbot",
            kwargs={"connect_timeout": CONNECT_TIMEOUT, "autocommit": True},
            configure=self._register, check=pool_module.ConnectionPool.check_connection,
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
        """Run work on a pooled connection; a connection lost on the way is replaced and the work tried
        once more (reads only: a write is never repeated behind the user's back)."""
        for attempt in range(2):
            try:
                with self._pool.connection() as conn:
                    return work(conn)
            except self.psycopg.OperationalError as exc:  # also the pool's timeout handing one out
                if attempt or not retry:
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
        """Every passage's vector, always (this store has no `nearest` of its own yet)."""
        def read(conn) -> Snapshot:
            with self._reading(conn):
                recorded = _recorded_embedder(conn) or ("", 0)
                counts = dict(conn.execute(
                    "SELECT a.language, count(*) FROM newsbot.passages p JOIN newsbot.articles a ON a.id = p.article "
                    "GROUP BY a.language").fetchall())
                ids, vectors, languages = [], [], []
                for pid, language, embedding in conn.cursor(binary=True).execute(
                        "SELECT p.id, a.language, v.embedding FROM newsbot.passages p JOIN newsbot.articles a "
                        "ON a.id = p.article JOIN newsbot.vectors v ON v.hash = p.hash ORDER BY p.id"):
                    ids.append(pid)
                    languages.append(language)
                    vectors.append(embedding.to_numpy())
                rows = [(np.array(ids, np.int64), np.vstack(vectors).astype(np.float32, copy=False), languages)] \
                    if ids else []
                return vector_snapshot((self.location, _generation(conn)), recorded, counts, rows, True,
                                       _background(conn, recorded[1]))

        return self._run(read)

    def nearest(self, vector: np.ndarray, k: int, language: str | None) -> list[int]:
        return []  # the snapshot holds every vector

    def prepare_search(self, progress=None) -> None:
        pass  # nothing is kept apart from the commits

    def articles(self, ids: list[str] | None = None) -> list[Article]:
        return self._run(lambda conn: _articles(conn, ids))

    def passages(self, ids: list[int]) -> dict[int, Passage]:
        rows = self._run(lambda c: c.execute(
            "SELECT id, article, position, text, sentences FROM newsbot.passages WHERE id = ANY(%s)", [list(ids)]).fetchall())
        return {r[0]: Passage(*r) for r in rows}

    def article_passages(self, articles: list[str]) -> dict[str, list[int]]:
        rows = self._run(lambda c: c.execute(
            "SELECT article, id FROM newsbot.passages WHERE article = ANY(%s) ORDER BY id", [list(articles)]).fetchall())
        found: dict[str, list[int]] = {}
        for article, pid in rows:
            found.setdefault(article, []).append(pid)
        return found

    def passage_vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        rows = self._run(lambda c: c.cursor(binary=True).execute(
            "SELECT p.id, v.embedding FROM newsbot.passages p JOIN newsbot.vectors v ON v.hash = p.hash "
            "WHERE p.id = ANY(%s)", [list(ids)]).fetchall())
        return {pid: v.to_numpy().astype(np.float32) for pid, v in rows}

    def mentions(self, passages: list[int] | None = None) -> list[Mention]:
        sql = "SELECT passage, sentence, date, precision FROM newsbot.mentions"
        order = " ORDER BY passage, sentence, ctid"
        rows = self._run(lambda c: c.execute(sql + order).fetchall() if passages is None else
                         c.execute(sql + " WHERE passage = ANY(%s)" + order, [list(passages)]).fetchall())
        return [Mention(*r) for r in rows]

    def frequencies(self, terms: list[str] | None = None) -> dict[str, int]:
        sql = "SELECT term, docs FROM newsbot.vocabulary WHERE docs > 0"
        return dict(self._run(lambda c: c.execute(sql).fetchall() if terms is None else
                              c.execute(sql + " AND term = ANY(%s)", [list(terms)]).fetchall()))

    def lexical(self, terms: list[str], limit: int) -> list[int]:
        tokens = lexemes(terms)
        if not tokens:
            return []
        sql = f"""
            WITH stats AS (
                SELECT greatest((SELECT value::float FROM newsbot.meta WHERE key = 'passages'), 1) AS n,
                       greatest((SELECT value::float FROM newsbot.meta WHERE key = 'tokens'), 1) AS tokens),
            idf AS (
                SELECT v.term, greatest(ln((s.n - v.docs + 0.5) / (v.docs + 0.5)), 1e-6) AS weight
                FROM newsbot.vocabulary v, stats s WHERE v.term = ANY(%(tokens)s))
            SELECT p.id FROM newsbot.passages p CROSS JOIN stats s
            CROSS JOIN LATERAL (
                SELECT sum(i.weight * cardinality(u.positions) * {K1 + 1}
                           / (cardinality(u.positions) + {K1} * (1 - {B} + {B} * p.length / (s.tokens / s.n))))
                       AS score
                FROM unnest(p.tsv) u JOIN idf i ON i.term = u.lexeme) bm25
            WHERE p.tsv @@ %(query)s::tsquery
            ORDER BY bm25.score DESC, p.id LIMIT %(limit)s"""
        rows = self._run(lambda c: c.execute(sql, {"tokens": tokens, "query": tsquery_literal(tokens),
                                                   "limit": limit}).fetchall())
        return [r[0] for r in rows]

    def passage_terms(self, ids: list[int]) -> dict[int, str]:
        return dict(self._run(lambda c: c.execute(
            "SELECT id, terms FROM newsbot.passages WHERE id = ANY(%s)", [list(ids)]).fetchall()))

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

    def record_answer(self, question: str, passages: list[int]) -> int:
        return self._run(lambda c: c.execute("INSERT INTO newsbot.answers (question, passages) VALUES (%s, %s) "
                                             "RETURNING id", [question, list(passages)]).fetchone()[0], retry=False)

    def shown_answer(self, answer: int) -> ShownAnswer | None:
        row = self._run(lambda c: c.execute("SELECT id, question, passages, shown FROM newsbot.answers WHERE id = %s",
                                            [answer]).fetchone())
        return ShownAnswer(row[0], row[1], list(row[2]), row[3]) if row else None

    def vote(self, answer: int, voter: str, result: int, value: int) -> None:
        self._run(lambda c: c.execute(
            "INSERT INTO newsbot.votes (answer, voter, result, value) VALUES (%s, %s, %s, %s) ON CONFLICT (answer, voter) "
            "DO UPDATE SET result = excluded.result, value = excluded.value, at = now()",
            [answer, voter, result, value]), retry=False)

    def votes(self) -> list[Vote]:
        rows = self._run(lambda c: c.execute(
            "SELECT a.id, a.question, a.passages, a.shown, v.voter, v.result, v.value, v.at FROM newsbot.votes v "
            "JOIN newsbot.answers a ON a.id = v.answer ORDER BY v.at, a.id").fetchall())
        return [Vote(ShownAnswer(r[0], r[1], list(r[2]), r[3]), r[4], r[5], r[6], r[7]) for r in rows]

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
        rows = []
        for c in changes.changed:
            for p in c.passages:
                terms = stems(p.text, c.article.language)
                counts.update(set(lexical_tokens(terms)))
                literal, length = tsvector_literal(terms)
                rows.append((c.article.article, p.position, p.text, json.dumps(p.sentences, ensure_ascii=False),
                             terms, length, literal, passage_key(name, p.text),
                             [vector_key(name, t) for t in passage_sentences(p)]))
        cur.executemany(
            """INSERT INTO newsbot.passages (article, position, text, sentences, terms, length, tsv, hash,
                   sentence_hashes) VALUES (%s, %s, %s, %s, %s, %s, %s::tsvector, %s, %s)""", rows)
        ids = {(a, pos): pid for pid, a, pos in cur.execute(
            "SELECT id, article, position FROM newsbot.passages WHERE article = ANY(%s)",
            [[c.article.article for c in changes.changed]]).fetchall()}
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

