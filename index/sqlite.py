"""The SQLite engine of `index.store.IndexStore`: the index as one file written through sqlite-utils.
Every line of SQL in the program is here or in index/migrations.py.

Tables: `articles`, `passages` (with an FTS5 index kept in step by triggers), `vectors` (float32 blobs
keyed by a hash of embedder name + passage text), `mentions` (the dates each passage's sentences
state), `vocabulary` (how many passages hold each term), `background` and `meta` (which embedder
built the index, a generation counter that changes on every commit that changes what readers see,
the passages per language, the last passage id given out). An index of index/ann.py's MIN_PASSAGES
or more also has nearest-neighbour files beside it (`<file>.ann/`), which `prepare_search` writes.

Writes that readers can see happen in one transaction, and the file runs in WAL mode, so a bot
reading the index while it is rebuilt sees either the old index or the new one, never half of each.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import shutil
import datetime as dt
import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Hashable, Iterator
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from . import ann
from .errors import IndexDamaged, IndexNotFound, IndexUnwritable, NewsbotError
from .migrations import migrate, writing
from .model import Article, Follow, Mention, Passage, Post, ShownAnswer, Snapshot, Vote, topic_key
from .store import (ChangedArticle, ChangeSet, FetchMemo, IndexedArticle, passage_key, sentence_texts, vector_key,
                    vector_snapshot, written_article)
from .terms import lexical_tokens, stems


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(blob: bytes, dim: int) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4", count=dim)


def explain(exc: sqlite3.DatabaseError, path: Path | str) -> NewsbotError:
    """A SQLite error as one line that says what happened to the index and what to do."""
    message = str(exc)
    lowered = message.lower()
    if any(s in lowered for s in ("not a database", "malformed", "file is encrypted", "corrupt")):
        return IndexDamaged(f"the index at {path} is damaged or is not a newsbot index ({message}); rebuild it "
                            "with: newsbot index --rebuild FOLDER (the damaged file is kept beside it)")
    if "disk is full" in lowered or "disk i/o" in lowered:
        return IndexUnwritable(f"could not write the index at {path} ({message}); free some disk space and run "
                               "newsbot index again: the index is as it was before this run")
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered:
        return IndexUnwritable(f"cannot write the index at {path} ({message}); check the permissions of the "
                               "file and its folder")
    if "locked" in lowered or "busy" in lowered:
        return IndexUnwritable(f"the index at {path} is busy: another newsbot is writing it; try again when it "
                               "has finished")
    return IndexDamaged(f"the index at {path} could not be used ({message})")


@contextlib.contextmanager
def sqlite_errors(path: Path | str) -> Iterator[None]:
    """Raise SQLite's errors as the one-line domain errors of `explain`."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise explain(exc, path) from None


def check_integrity(db: Database, path: Path | str) -> None:
    """Raise IndexDamaged unless SQLite's quick check finds the file sound (reads every page)."""
    with sqlite_errors(path):
        result = db.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise IndexDamaged(f"the index at {path} is damaged ({result}); rebuild it with: newsbot index --rebuild "
                           "FOLDER (the damaged file is kept beside it)")


def file_identity(path: Path | str) -> tuple[int, int] | None:
    """Which file is at the path now (device, inode), None when there is none: a connection opened
    on a file that was since deleted or replaced keeps reading the old one."""
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def open_to_write(path: Path | str, replace_damaged: bool = False) -> tuple[Database, Path | None]:
    """Open (or create) the index for writing; with replace_damaged, a file that fails SQLite's quick
    check or is not a newsbot index is first moved aside (returned: where it went) and a new one made."""
    try:
        db = open_index(path, create=True)
        if replace_damaged:
            try:
                check_integrity(db, path)
            except IndexDamaged:
                db.close()
                raise
        return db, None
    except IndexDamaged:
        if not replace_damaged:
            raise
        aside = set_aside(path)  # kept, not deleted: it may hold what someone wants back
        return open_index(path, create=True), aside


def set_aside(path: Path | str) -> Path:
    """Move a damaged index file (and its WAL/SHM companions) aside, so a new one can be built; return
    where it went. Nothing is deleted."""
    path = Path(path)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(target.with_name(target.name + suffix))
    return target


def open_index(path: Path | str, create: bool = False) -> Database:
    """Open (and migrate) the index; without create, a missing file is IndexNotFound. A file that is
    not a usable index is IndexDamaged; one that cannot be written, IndexUnwritable."""
    path = Path(path)
    if not path.exists() and not create:
        raise IndexNotFound(f"no index at {path}; build it with: newsbot index FOLDER")
    if path.exists() and not path.is_file():
        raise IndexDamaged(f"the index path {path} is not a file; point NEWSBOT_INDEX at a file")
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite_errors(path):
        db = Database(path)
        try:
            db.conn.execute("PRAGMA busy_timeout = 10000")
            tables = db.table_names()
            if tables and "_migrations" not in tables:  # another program's database: never write into it
                if create:
                    raise IndexDamaged(f"{path} is a database of something else, not a newsbot index; choose another "
                                       "NEWSBOT_INDEX, or replace it with: newsbot index --rebuild FOLDER (the file "
                                       "is kept beside it)")
                raise IndexNotFound(f"{path} is not a newsbot index; build one with: newsbot index FOLDER")
            if create:
                db.enable_wal()
            elif not tables:
                raise IndexNotFound(f"{path} is not a newsbot index; build one with: newsbot index FOLDER")
            migrate(db)
        except BaseException:
            db.close()
            raise
    return db


def get_meta(db: Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(db: Database, **values: object) -> None:
    db["meta"].upsert_all([{"key": k, "value": str(v)} for k, v in values.items()], pk="key")


def generation(db: Database) -> int:
    """A counter bumped by every commit that changes what readers see."""
    return int(get_meta(db, "generation") or 0)


def recorded_embedder(db: Database) -> tuple[str, int] | None:
    name, dim = get_meta(db, "embedder"), get_meta(db, "embedder_dim")
    return (name, int(dim)) if name and dim else None


def indexed(db: Database, ids: list[str] | None = None) -> dict[str, IndexedArticle]:
    select = "SELECT id, content_hash, origin, url, text_hash FROM articles"
    rows = db.execute(select) if ids is None else _rows_in(db, select, "id", ids)
    return {r[0]: IndexedArticle(r[1], r[2], r[3], r[4]) for r in rows}


def fetch_memos(db: Database, urls: list[str] | None = None) -> dict[str, FetchMemo]:
    select = "SELECT url, etag, last_modified, stamp, article FROM fetches"
    return {r[0]: FetchMemo(*r) for r in (db.execute(select) if urls is None else _rows_in(db, select, "url", urls))}


def stored_articles(db: Database, ids: list[str]) -> list[ChangedArticle]:
    """These articles as written: metadata, passages and each passage's dates."""
    articles = {r[0]: r for r in _rows_in(
        db, "SELECT id, path, outlet, outlet_from, published, published_from, wires, title, url, language, note, "
            "place, content_hash, text_hash, origin FROM articles", "id", ids)}
    passages: dict[str, list[tuple]] = {}
    for row in _rows_in(db, "SELECT article, position, text, sentences, id FROM passages", "article", list(articles)):
        passages.setdefault(row[0], []).append(row)
    mentions: dict[int, list[tuple]] = {}
    for pid, n, date, precision in _rows_in(db, "SELECT passage, sentence, date, precision FROM mentions", "passage",
                                            [r[4] for rows in passages.values() for r in rows]):
        mentions.setdefault(pid, []).append((n, dt.date.fromisoformat(date), precision))
    return [written_article(articles[i], sorted(passages.get(i, []), key=lambda r: r[1]), mentions)
            for i in ids if i in articles]


def _rows_in(db: Database, select: str, column: str, keys: list, also: str = "", params: list = ()):
    """Rows of `select` whose `column` is one of these keys (and that meet the condition `also`, with its
    `params`), queried in chunks that stay under SQLite's parameter limit."""
    wanted = list(dict.fromkeys(keys))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        where = f"{also} AND " if also else ""
        yield from db.execute(f"{select} WHERE {where}{column} IN ({','.join('?' * len(chunk))})", [*params, *chunk])


def _vector_rows(db: Database, columns: str, keys: list[str]):
    """Rows of `vectors` for these keys."""
    return _rows_in(db, f"SELECT {columns} FROM vectors", "hash", keys)


def missing_vectors(db: Database, keys: list[str]) -> list[str]:
    """The keys among these that have no stored vector yet (order kept, duplicates dropped)."""
    present = {r[0] for r in _vector_rows(db, "hash", keys)}
    return [k for k in dict.fromkeys(keys) if k not in present]


def get_vectors(db: Database, keys: list[str]) -> dict[str, np.ndarray]:
    """The stored vectors for these keys (missing ones are left out); a blob's length is its dimension."""
    return {key: from_blob(blob, len(blob) // 4) for key, blob in _vector_rows(db, "hash, embedding", keys)}


def add_vectors(db: Database, keys: list[str], vectors: np.ndarray) -> None:
    """Store a batch of vectors in its own transaction; readers cannot see them until passages refer to them."""
    with writing(db):
        db["vectors"].insert_all(
            ({"hash": k, "embedding": to_blob(v)} for k, v in zip(keys, vectors)), pk="hash", replace=True
        )


def commit_changes(db: Database, changes: ChangeSet) -> None:
    """Replace the changed articles' rows, drop removed ones and set the background sentences, keeping
    the term and language counts in step, all in one transaction (their vectors must already be stored)."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    name = changes.embedder
    with writing(db):
        gone = changes.removed + [c.article.article for c in changes.changed]
        docs: Counter[str] = Counter()
        languages = Counter(json.loads(get_meta(db, "languages") or "{}"))
        for terms, language in _rows_in(db, "SELECT p.terms, a.language FROM passages p JOIN articles a "
                                            "ON a.id = p.article", "p.article", gone):
            docs.subtract(set(lexical_tokens(terms or "")))
            languages[language or ""] -= 1
        # New passages get ids above any given out before, even to passages since removed.
        top = max(int(get_meta(db, "last_passage") or 0), db.execute("SELECT coalesce(max(id), 0) FROM passages").fetchone()[0])
        for start in range(0, len(gone), 500):
            chunk = gone[start:start + 500]
            marks = ",".join("?" * len(chunk))
            db.execute(f"DELETE FROM mentions WHERE passage IN (SELECT id FROM passages WHERE article IN ({marks}))",
                       chunk)
            db.execute(f"DELETE FROM passages WHERE article IN ({marks})", chunk)
            db.execute(f"DELETE FROM articles WHERE id IN ({marks})", chunk)
        db["articles"].insert_all(
            (
                {
                    "id": a.article, "path": a.source, "outlet": a.outlet, "outlet_from": a.outlet_from,
                    "published": a.published.isoformat() if a.published else None,
                    "published_from": a.published_from, "wires": json.dumps(a.wires, ensure_ascii=False),
                    "title": a.title, "url": a.url, "language": a.language, "note": a.note, "place": a.place,
                    "content_hash": a.content_hash, "indexed_at": now, "origin": a.origin,
                    "text_hash": a.text_hash,
                }
                for a in (c.article for c in changes.changed)
            ),
            pk="id",
        )
        rows, ids = [], {}
        for c in changes.changed:
            languages[c.article.language or ""] += len(c.passages)
            for p in c.passages:
                top += 1
                ids[c.article.article, p.position] = top
                terms = stems(p.text, c.article.language)
                docs.update(set(lexical_tokens(terms)))
                rows.append({
                    "id": top, "article": c.article.article, "position": p.position, "text": p.text,
                    "sentences": json.dumps(p.sentences, ensure_ascii=False), "terms": terms,
                    "hash": passage_key(name, p.text),
                    "sentence_hashes": json.dumps([vector_key(name, t) for t in sentence_texts(p)]),
                })
        db["passages"].insert_all(rows, pk="id")
        changed_terms = [(t, n) for t, n in docs.items() if n]
        db.conn.executemany("INSERT INTO vocabulary (term, docs) VALUES (?, ?) "
                            "ON CONFLICT (term) DO UPDATE SET docs = docs + excluded.docs", changed_terms)
        db.conn.executemany("DELETE FROM vocabulary WHERE term = ? AND docs <= 0", [(t,) for t, n in changed_terms if n < 0])
        mentions = (
            {"passage": ids[c.article.article, p.position], "sentence": n, "date": d.isoformat(), "precision": precision}
            for c in changes.changed
            for p, dates in zip(c.passages, c.mentions)
            for n, d, precision in dates
        )
        db["mentions"].insert_all(mentions, batch_size=1000)
        db["fetches"].upsert_all(({**m.__dict__, "fetched_at": now} for m in changes.fetches), pk="url")
        db.execute("DELETE FROM background")
        db["background"].insert_all(({"hash": vector_key(name, t), "text": t} for t in changes.background), pk="hash")
        # Vectors nothing refers to any more (removed text, or another embedder's).
        db.execute("DELETE FROM vectors WHERE hash NOT IN (SELECT hash FROM passages) "
                   "AND hash NOT IN (SELECT hash FROM background) "
                   "AND hash NOT IN (SELECT j.value FROM passages p, json_each(p.sentence_hashes) j)")
        set_meta(db, embedder=name, embedder_dim=changes.dim, generation=generation(db) + 1, indexed_at=now,
                 last_passage=top, languages=json.dumps({k: n for k, n in languages.items() if n > 0}))


def background_keys(db: Database) -> dict[str, str]:
    return {r[0]: r[1] for r in db.execute("SELECT hash, text FROM background")}


def load_background(db: Database) -> np.ndarray:
    """The background sentences' vectors as an (n, dim) matrix (empty when the index has none)."""
    recorded = recorded_embedder(db)
    dim = recorded[1] if recorded else 0
    rows = db.execute("SELECT v.embedding FROM background b JOIN vectors v ON v.hash = b.hash ORDER BY b.hash")
    vectors = [from_blob(r[0], dim) for r in rows]
    return np.vstack(vectors) if vectors else np.zeros((0, dim), dtype=np.float32)


def load_articles(db: Database, ids: list[str] | None = None) -> list[Article]:
    """Every article (or these) with its passage count, ordered by outlet then date."""
    select = """SELECT a.id, a.outlet, a.published, a.published_from, a.wires, a.title, a.url, a.language, a.note,
                       a.outlet_from, (SELECT count(*) FROM passages p WHERE p.article = a.id) FROM articles a"""
    rows = db.execute(select) if ids is None else _rows_in(db, select, "a.id", ids)
    found = [
        Article(
            article=r[0], outlet=r[1], published=dt.date.fromisoformat(r[2]) if r[2] else None,
            published_from=r[3], wires=json.loads(r[4] or "[]"), title=r[5], url=r[6], language=r[7],
            note=r[8], outlet_from=r[9], passages=r[10],
        )
        for r in rows
    ]
    return sorted(found, key=lambda a: (a.outlet or "~", a.published or dt.date.min, a.article))


def passages_by_id(db: Database, ids: list[int]) -> dict[int, Passage]:
    return {r[0]: Passage(*r) for r in _rows_in(db, "SELECT id, article, position, text, sentences FROM passages", "id", ids)}


def newest_articles(db: Database, limit: int, since: dt.date | None, until: dt.date | None) -> list[Article]:
    """The dated articles (published from since to until when given), newest first, at most limit."""
    where, params = ["published IS NOT NULL"], []
    for bound, test in ((since, "published >= ?"), (until, "published <= ?")):
        if bound is not None:
            where.append(test)
            params.append(bound.isoformat())
    ids = [r[0] for r in db.execute(
        f"SELECT id FROM articles WHERE {' AND '.join(where)} ORDER BY published DESC, id LIMIT ?", [*params, limit])]
    found = {a.article: a for a in load_articles(db, ids)}
    return [found[i] for i in ids if i in found]


def article_passages(db: Database, articles: list[str]) -> dict[str, list[int]]:
    """Each article's passage ids, in order."""
    found: dict[str, list[int]] = {}
    for article, pid in _rows_in(db, "SELECT article, id FROM passages", "article", articles):
        found.setdefault(article, []).append(pid)
    return {a: sorted(ids) for a, ids in found.items()}


def passage_vectors(db: Database, ids: list[int]) -> dict[int, np.ndarray]:
    rows = _rows_in(db, "SELECT p.id, v.embedding FROM passages p JOIN vectors v ON v.hash = p.hash", "p.id", ids)
    return {pid: from_blob(blob, len(blob) // 4) for pid, blob in rows}


def passage_languages(db: Database, ids: list[int]) -> dict[int, str | None]:
    select = "SELECT p.id, a.language FROM passages p JOIN articles a ON a.id = p.article"
    return dict(_rows_in(db, select, "p.id", ids))


def vector_rows(db: Database, after: int = 0, ids: list[int] | None = None, batch: int = 50_000):
    """(ids, vectors, languages) in batches: the passages with an id above `after` (or these ids), by id."""
    dim = (recorded_embedder(db) or ("", 0))[1]
    select = ("SELECT p.id, a.language, v.embedding FROM passages p JOIN articles a ON a.id = p.article "
              "JOIN vectors v ON v.hash = p.hash")
    rows = db.execute(f"{select} WHERE p.id > ? ORDER BY p.id", [after]) if ids is None \
        else iter(sorted(_rows_in(db, select, "p.id", ids)))
    while chunk := list(itertools.islice(rows, batch)):
        buffer = b"".join(r[2] for r in chunk)
        yield (np.fromiter((r[0] for r in chunk), np.int64, len(chunk)),
               np.frombuffer(buffer, dtype="<f4").reshape(len(chunk), dim), [r[1] for r in chunk])


def passage_terms(db: Database, ids: list[int]) -> dict[int, str]:
    """The stored lexical terms (stems and words) of these passages."""
    return dict(_rows_in(db, "SELECT id, terms FROM passages", "id", ids))


def article_terms(db: Database, articles: list[str]) -> dict[str, list[str]]:
    """Each article's passages' stored lexical terms, one string a passage."""
    found: dict[str, list[str]] = {}
    for article, terms in _rows_in(db, "SELECT article, terms FROM passages", "article", articles):
        found.setdefault(article, []).append(terms or "")
    return found


def frequencies(db: Database, terms: list[str] | None = None) -> dict[str, int]:
    """How many passages contain each of these terms (every term, when None); absent terms left out."""
    select = "SELECT term, docs FROM vocabulary"
    return dict(db.execute(select) if terms is None else _rows_in(db, select, "term", terms))


def mentions_of(db: Database, passages: list[int] | None = None) -> list[Mention]:
    """The stored date mentions (of these passages), by passage then sentence."""
    select = "SELECT passage, sentence, date, precision, rowid FROM mentions"
    rows = db.execute(select) if passages is None else _rows_in(db, select, "passage", passages)
    return [Mention(r[0], r[1], dt.date.fromisoformat(r[2]), r[3]) for r in sorted(rows, key=lambda r: (r[0], r[1], r[4]))]


# A passage `p` (of article `a`) of a time: of an article published then, or stating a date then. Its
# parameters: the time's first and last day, twice (`_time_params`).
_OF_TIME = ("(a.published BETWEEN ? AND ? OR EXISTS (SELECT 1 FROM mentions m WHERE m.passage = p.id "
            "AND m.date BETWEEN ? AND ?))")


def _time_params(since: dt.date, until: dt.date) -> list[str]:
    return [since.isoformat(), until.isoformat()] * 2


def passages_within(db: Database, since: dt.date, until: dt.date) -> list[int]:
    """The passages of an article published from since to until or stating a date then, ascending."""
    return [r[0] for r in db.execute(
        "SELECT p.id FROM passages p JOIN articles a ON a.id = p.article WHERE a.published BETWEEN ? AND ? "
        "UNION SELECT passage FROM mentions WHERE date BETWEEN ? AND ? ORDER BY 1", _time_params(since, until))]


def nearest_within(db: Database, files: ann.VectorFiles, vector: np.ndarray, k: int, language: str | None,
                   since: dt.date, until: dt.date) -> dict[int, np.ndarray]:
    """Passages of this language in the graphs near the vector among those of an article published from
    since to until or stating a date then, with their vectors: every one of a time of at most
    `ann.EXACT_WITHIN` passages (the caller compares them exactly); of a larger time, the k the graph
    finds nearest, read ever further (`ann.TIMED_SCANS`) until k of those reached are of that time, as
    pgvector's iterative scan does, or every one when too few among them are."""
    params = _time_params(since, until)
    size = db.execute("SELECT (SELECT count(*) FROM passages p JOIN articles a ON a.id = p.article "
                      "WHERE a.published BETWEEN ? AND ?) + (SELECT count(*) FROM mentions WHERE date BETWEEN ? AND ?)",
                      params).fetchone()[0]
    scans = ann.TIMED_SCANS if size > ann.EXACT_WITHIN else ()
    for scan in (max(scan, k) for scan in scans):
        reached = files.nearest(vector, scan, language)
        timed = {r[0] for r in _rows_in(db, "SELECT p.id FROM passages p JOIN articles a ON a.id = p.article", "p.id",
                                        reached, _OF_TIME, params)}
        found = [pid for pid in reached if pid in timed]
        if len(found) >= k or len(reached) < scan:  # enough, or the graph has no more
            return passage_vectors(db, found[:k])
    return passage_vectors(db, files.holding(passages_within(db, since, until), language))


def language_counts(db: Database) -> dict[str | None, int]:
    return {k or None: n for k, n in json.loads(get_meta(db, "languages") or "{}").items()}


def lexical(db: Database, terms: list[str], limit: int, since: dt.date | None = None,
            until: dt.date | None = None) -> list[int]:
    """Passage ids ranked by FTS5 BM25 for any of the terms, each quoted: never FTS5 syntax. With since
    or until, only those of an article published then or stating a date then: each passage the terms
    match is looked up by id, so the search costs what the unbounded one does."""
    if not terms:
        return []
    match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
    if since is None and until is None:
        rows = db.execute("SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? ORDER BY bm25(passages_fts) "
                          "LIMIT ?", [match, limit])
        return [r[0] for r in rows]
    rows = db.execute(
        "SELECT f.rowid FROM passages_fts f JOIN passages p ON p.id = f.rowid JOIN articles a ON a.id = p.article "
        f"WHERE passages_fts MATCH ? AND {_OF_TIME} ORDER BY bm25(passages_fts) LIMIT ?",
        [match, *_time_params(since or dt.date.min, until or dt.date.max), limit])
    return [r[0] for r in rows]


class SqliteStore:
    """`IndexStore` over one SQLite file. Each thread gets its own connection; a connection to a file
    since deleted or replaced (a rebuild elsewhere, a restored backup) is closed and opened anew."""

    def __init__(self, path: Path | str, create: bool = False, replace_damaged: bool = False):
        self.path = Path(path)
        self.location = str(path)
        self.replaced: str | None = None
        self._local = threading.local()
        self._connections: list[Database] = []
        self._lock = threading.Lock()
        self._files: tuple[str | None, ann.VectorFiles | None] | None = None  # (stamp, files) last opened
        if create:
            db, aside = open_to_write(self.path, replace_damaged=replace_damaged)
            self.replaced = str(aside) if aside else None
            self._adopt(db)
        else:
            self._db()  # a missing or foreign file is an error now, not at the first question

    def _adopt(self, db: Database) -> Database:
        self._local.db, self._local.identity = db, file_identity(self.path)
        with self._lock:
            self._connections.append(db)
        return db

    def _db(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is not None and self._local.identity != file_identity(self.path):
            db.close()
            with self._lock:
                self._connections.remove(db)
            db = None
        return db if db is not None else self._adopt(open_index(self.path))

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Database]:
        with sqlite_errors(self.path):
            yield self._db()

    def version(self) -> Hashable:
        with self._reading() as db:
            return self._local.identity, generation(db), ann.stamp(self.path)

    def recorded_embedder(self) -> tuple[str, int] | None:
        with self._reading() as db:
            return recorded_embedder(db)

    def _graphs(self, embedder: tuple[str, int]) -> ann.VectorFiles | None:
        """The newest nearest-neighbour files for this embedder (opened once per generation)."""
        current = ann.stamp(self.path)
        with self._lock:
            if self._files is None or self._files[0] != current:
                self._files = current, ann.VectorFiles.open(self.path) if current else None
            files = self._files[1]
        return files if files is not None and files.embedder == tuple(embedder) else None

    def snapshot(self, complete: bool = False) -> Snapshot:
        with self._reading() as db, db.atomic():  # one read transaction: every table at one version
            embedder = recorded_embedder(db) or ("", 0)
            counts = language_counts(db)
            version = (self._local.identity, generation(db), ann.stamp(self.path))
            files = self._graphs(embedder) if sum(counts.values()) >= ann.MIN_PASSAGES and not complete else None
            if files is None:
                return vector_snapshot(version, embedder, counts, vector_rows(db), True, load_background(db))
            last = int(get_meta(db, "last_passage") or 0)
            picks = random.Random(last).sample(range(1, last + 1), min(last, ann.SAMPLE))
            return vector_snapshot(version, embedder, counts, vector_rows(db, after=files.covered), False,
                                   load_background(db), sample=vector_rows(db, ids=picks))

    def nearest(self, vector: np.ndarray, k: int, language: str | None, since: dt.date | None = None,
                until: dt.date | None = None) -> dict[int, np.ndarray]:
        with self._reading() as db:
            files = self._graphs(recorded_embedder(db) or ("", 0))
            wanted = k * ann.RESCORED
            if files is None:
                vectors = {}
            elif since is None and until is None:
                vectors = passage_vectors(db, files.nearest(vector, wanted, language))
            else:
                vectors = nearest_within(db, files, vector, wanted, language, since or dt.date.min,
                                         until or dt.date.max)
        # The graphs compare int8 vectors: their candidates are ranked again by exact cosine.
        best = sorted(vectors, key=lambda pid: (-float(vectors[pid] @ vector), pid))[:k]
        return {pid: vectors[pid] for pid in best}

    def prepare_search(self, progress: ann.Progress | None = None) -> None:
        """Bring the nearest-neighbour files up to date with the index (a large one), or remove them
        (a small one, searched without them)."""
        with self._reading() as db, db.atomic():
            embedder = recorded_embedder(db)
            if embedder is None or sum(language_counts(db).values()) < ann.MIN_PASSAGES:
                shutil.rmtree(ann.folder_of(self.path), ignore_errors=True)
                return
            files = self._graphs(embedder)
            last = db.execute("SELECT coalesce(max(id), 0) FROM passages").fetchone()[0]
            if files is not None and files.covered >= last and not self._removed_since(db, files):
                return
            current = np.fromiter((r[0] for r in db.execute("SELECT id FROM passages ORDER BY id")), np.int64)
            ann.update(self.path, embedder, lambda after: vector_rows(db, after=after), current, progress)

    @staticmethod
    def _removed_since(db: Database, files: ann.VectorFiles) -> bool:
        """Whether passages the files hold have gone since they were written."""
        held = sum(len(g) for g in files.graphs.values())
        return held != db.execute("SELECT count(*) FROM passages WHERE id <= ?", [files.covered]).fetchone()[0]

    def articles(self, ids: list[str] | None = None) -> list[Article]:
        with self._reading() as db:
            return load_articles(db, ids)

    def passages(self, ids: list[int]) -> dict[int, Passage]:
        with self._reading() as db:
            return passages_by_id(db, ids)

    def newest_articles(self, limit: int, since: dt.date | None = None, until: dt.date | None = None) -> list[Article]:
        with self._reading() as db:
            return newest_articles(db, limit, since, until)

    def article_passages(self, articles: list[str]) -> dict[str, list[int]]:
        with self._reading() as db:
            return article_passages(db, articles)

    def passage_vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        with self._reading() as db:
            return passage_vectors(db, ids)

    def passage_languages(self, ids: list[int]) -> dict[int, str | None]:
        with self._reading() as db:
            return passage_languages(db, ids)

    def mentions(self, passages: list[int] | None = None) -> list[Mention]:
        with self._reading() as db:
            return mentions_of(db, passages)

    def passages_within(self, since: dt.date, until: dt.date) -> list[int]:
        with self._reading() as db:
            return passages_within(db, since, until)

    def frequencies(self, terms: list[str] | None = None) -> dict[str, int]:
        with self._reading() as db:
            return frequencies(db, terms)

    def lexical(self, terms: list[str], limit: int, since: dt.date | None = None,
                until: dt.date | None = None) -> list[int]:
        with self._reading() as db:
            return lexical(db, terms, limit, since, until)

    def passage_terms(self, ids: list[int]) -> dict[int, str]:
        with self._reading() as db:
            return passage_terms(db, ids)

    def article_terms(self, articles: list[str]) -> dict[str, list[str]]:
        with self._reading() as db:
            return article_terms(db, articles)

    def vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        with self._reading() as db:
            return get_vectors(db, keys)

    def missing_vectors(self, keys: list[str]) -> list[str]:
        with self._reading() as db:
            return missing_vectors(db, keys)

    def add_vectors(self, keys: list[str], vectors: np.ndarray) -> None:
        with self._reading() as db:
            add_vectors(db, keys, vectors)

    def indexed(self, ids: list[str] | None = None) -> dict[str, IndexedArticle]:
        with self._reading() as db:
            return indexed(db, ids)

    def fetch_memos(self, urls: list[str] | None = None) -> dict[str, FetchMemo]:
        with self._reading() as db:
            return fetch_memos(db, urls)

    def background_keys(self) -> dict[str, str]:
        with self._reading() as db:
            return background_keys(db)

    def stored(self, ids: list[str]) -> list[ChangedArticle]:
        with self._reading() as db:
            return stored_articles(db, ids)

    def commit(self, changes: ChangeSet) -> None:
        with self._reading() as db:
            commit_changes(db, changes)

    def claim(self, ids: list[str], limit: int) -> list[str]:
        """All of them: one SQLite file has one writer at a time, so there is no work to share."""
        return list(ids)

    def release(self, ids: list[str]) -> None:
        pass

    # -- what the bots keep ---------------------------------------------------------------------------
    def last_passage(self) -> int:
        with self._reading() as db:
            return max(int(get_meta(db, "last_passage") or 0),
                       db.execute("SELECT coalesce(max(id), 0) FROM passages").fetchone()[0])

    def passages_after(self, after: int, limit: int) -> list[int]:
        with self._reading() as db:
            rows = db.execute("SELECT id FROM passages WHERE id > ? ORDER BY id DESC LIMIT ?", [after, limit])
            return sorted(r[0] for r in rows)

    def record_answer(self, question: str, passages: list[int], conversation: str | None = None) -> int:
        with self._reading() as db, writing(db):
            cursor = db.execute("INSERT INTO answers (question, passages, shown, conversation) VALUES (?, ?, ?, ?)",
                                [question, json.dumps(passages), _now(), conversation])
            return cursor.lastrowid

    def last_answer(self, conversation: str, since: dt.datetime) -> ShownAnswer | None:
        with self._reading() as db:
            row = db.execute("SELECT id, question, passages, shown FROM answers WHERE conversation = ? AND shown >= ? "
                             "ORDER BY id DESC LIMIT 1", [conversation, _utc(since)]).fetchone()
        return _shown(row) if row else None

    def shown_answer(self, answer: int) -> ShownAnswer | None:
        with self._reading() as db:
            row = db.execute("SELECT id, question, passages, shown FROM answers WHERE id = ?", [answer]).fetchone()
        return _shown(row) if row else None

    def vote(self, answer: int, voter: str, result: int, value: int) -> None:
        with self._reading() as db, writing(db):
            db.execute("INSERT INTO votes (answer, voter, result, value, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT "
                       "(answer, voter) DO UPDATE SET result = excluded.result, value = excluded.value, at = excluded.at",
                       [answer, voter, result, value, _now()])

    def votes(self) -> list[Vote]:
        with self._reading() as db:
            rows = db.execute("SELECT a.id, a.question, a.passages, a.shown, v.voter, v.result, v.value, v.at "
                              "FROM votes v JOIN answers a ON a.id = v.answer ORDER BY v.at, a.id").fetchall()
        return [Vote(_shown(r[:4]), r[4], r[5], r[6], dt.datetime.fromisoformat(r[7])) for r in rows]

    def answers_shown(self) -> int:
        with self._reading() as db:
            return db.execute("SELECT count(*) FROM answers").fetchone()[0]

    def forget_feedback(self, before: dt.datetime) -> int:
        with self._reading() as db, writing(db):
            cutoff = _utc(before)
            db.execute("DELETE FROM votes WHERE answer IN (SELECT id FROM answers WHERE shown < ?)", [cutoff])
            return db.execute("DELETE FROM answers WHERE shown < ?", [cutoff]).rowcount

    def add_follow(self, place: str, topic: str, after: int) -> Follow:
        topic = " ".join(topic.split())
        with self._reading() as db, writing(db):
            db.execute("INSERT INTO follows (place, topic, key, after, created) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT (place, key) DO NOTHING", [place, topic, topic_key(topic), after, _now()])
            row = db.execute("SELECT id, place, topic, after, created FROM follows WHERE place = ? AND key = ?",
                             [place, topic_key(topic)]).fetchone()
        return _follow(row)

    def remove_follows(self, place: str, topic: str | None) -> int:
        with self._reading() as db, writing(db):
            if topic is None:
                return db.execute("DELETE FROM follows WHERE place = ?", [place]).rowcount
            return db.execute("DELETE FROM follows WHERE place = ? AND key = ?", [place, topic_key(topic)]).rowcount

    def follows(self, place: str | None = None) -> list[Follow]:
        sql = "SELECT id, place, topic, after, created FROM follows"
        with self._reading() as db:
            rows = db.execute(sql + " ORDER BY id") if place is None else \
                db.execute(sql + " WHERE place = ? ORDER BY id", [place])
            return [_follow(r) for r in rows]

    def record_posts(self, follow: int, after: int, posts: list[Post]) -> None:
        with self._reading() as db, writing(db):
            db.execute("UPDATE follows SET after = max(after, ?) WHERE id = ?", [after, follow])
            db.conn.executemany("INSERT INTO posts (place, topic, passage, quote, at) VALUES (?, ?, ?, ?, ?)",
                           [(p.place, p.topic, p.passage, p.quote, _utc(p.at)) for p in posts])

    def posts(self, place: str, since: dt.datetime) -> list[Post]:
        with self._reading() as db:
            rows = db.execute("SELECT place, topic, passage, quote, at FROM posts WHERE place = ? AND at >= ? "
                              "ORDER BY at, id", [place, _utc(since)]).fetchall()
        return [Post(*r[:4], dt.datetime.fromisoformat(r[4])) for r in rows]

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            connections, self._connections = self._connections, []
        for db in connections:
            with contextlib.suppress(sqlite3.ProgrammingError):  # another thread's: it goes with that thread
                db.close()
        self._local = threading.local()


def _utc(moment: dt.datetime) -> str:
    """A time as stored: UTC, ISO 8601 (so text order is time order)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _now() -> str:
    return _utc(dt.datetime.now(dt.UTC))


def _shown(row) -> ShownAnswer:
    return ShownAnswer(row[0], row[1], json.loads(row[2]), dt.datetime.fromisoformat(row[3]))


def _follow(row) -> Follow:
    return Follow(row[0], row[1], row[2], row[3], dt.datetime.fromisoformat(row[4]))
