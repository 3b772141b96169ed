"""The index's schema as numbered migrations, applied in order and recorded in `_migrations`.

Add a change as a new `mNNN_…` function at the end; never edit one that has shipped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterator

from sqlite_utils import Database

MIGRATIONS: list[Callable[[Database], None]] = []


def migration(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_create_tables(db: Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["articles"].create(
        {
            "id": str, "path": str, "outlet": str, "outlet_from": str, "published": str,
            "published_from": str, "wires": str, "title": str, "url": str, "language": str, "note": str,
            "place": str, "content_hash": str, "indexed_at": str,
        },
        pk="id",
    )
    db["passages"].create(
        {"id": int, "article": str, "position": int, "text": str, "sentences": str, "hash": str},
        pk="id",
        foreign_keys=[("article", "articles", "id")],
    )
    db["passages"].create_index(["article", "position"], unique=True)
    db["passages"].create_index(["hash"])
    # One vector per (embedder, passage text): the key is a hash of both, so a re-index reuses it.
    db["vectors"].create({"hash": str, "embedding": bytes}, pk="hash")


@migration
def m002_add_fts(db: Database) -> None:
    db["passages"].enable_fts(["text"], fts_version="FTS5", create_triggers=True,
                              tokenize="unicode61 remove_diacritics 2")
    db.execute("CREATE VIRTUAL TABLE passages_fts_vocab USING fts5vocab(passages_fts, 'row')")


@migration
def m003_add_background(db: Database) -> None:
    # Generic sentences whose vectors are the background an answer must beat (see bot/answer.py).
    db["background"].create({"hash": str, "text": str}, pk="hash")


@migration
def m004_add_sentence_hashes(db: Database) -> None:
    # Each passage's sentences' vector keys (JSON list): a passage's vector is the mean of its sentences',
    # and the answer's quote is chosen by the stored sentence vectors, with no embedding at question time.
    db["passages"].add_column("sentence_hashes", str)


@migration
def m005_stemmed_fts(db: Database) -> None:
    # Lexical search matches stems (index/terms.py): each passage keeps its text's stems in `terms`, and
    # the FTS index covers that column instead of the raw text. Existing rows get their stems here, so
    # an old index searches correctly before it is re-indexed.
    from .terms import stems

    db["passages"].add_column("terms", str)
    languages = {r[0]: r[1] for r in db.execute("SELECT id, language FROM articles")}
    rows = db.execute("SELECT id, article, text FROM passages").fetchall()
    for pid, article, text in rows:
        db.execute("UPDATE passages SET terms = ? WHERE id = ?", [stems(text, languages.get(article)), pid])
    db.execute("DROP TABLE IF EXISTS passages_fts_vocab")
    db["passages"].disable_fts()
    db["passages"].enable_fts(["terms"], fts_version="FTS5", create_triggers=True,
                              tokenize="unicode61 remove_diacritics 2")
    db.execute("CREATE VIRTUAL TABLE passages_fts_vocab USING fts5vocab(passages_fts, 'row')")


@migration
def m006_mentions(db: Database) -> None:
    # The dates each passage's sentences state, worked out at index time for the timeline and for
    # questions that name a time. Existing passages get theirs here, so an old index needs no re-index.
    from .dates import sentence_dates

    db["mentions"].create({"passage": int, "sentence": int, "date": str, "precision": str},
                          foreign_keys=[("passage", "passages", "id")])
    db["mentions"].create_index(["passage"])
    published = {r[0]: dt.date.fromisoformat(r[1]) if r[1] else None
                 for r in db.execute("SELECT id, published FROM articles")}
    rows = db.execute("SELECT id, article, sentences FROM passages").fetchall()
    db["mentions"].insert_all(
        ({"passage": pid, "sentence": n, "date": date.isoformat(), "precision": precision}
         for pid, article, sentences in rows
         for n, date, precision in sentence_dates(json.loads(sentences or "[]"), published.get(article))),
        batch_size=1000,
    )


@migration
def m007_origins_and_fetches(db: Database) -> None:
    # Articles come from folders, URLs and feeds: each keeps where it came from (a folder's run removes
    # only folder articles that are gone) and a hash of its words (the same story from two sources is
    # one article). `fetches` keeps each fetched URL's validators for conditional GETs. Old rows get
    # their text hash when the pipeline version makes the next run read them again.
    db["articles"].add_column("origin", str)
    db["articles"].add_column("text_hash", str)
    db["articles"].create_index(["url"])
    db["articles"].create_index(["text_hash"])
    db["fetches"].create({"url": str, "etag": str, "last_modified": str, "stamp": str, "article": str,
                          "fetched_at": str}, pk="url")


@migration
def m008_term_and_language_counts(db: Database) -> None:
    # A search reads the document frequencies of its words, and the passages per language, without
    # scanning: FTS5's vocabulary table counts them by reading every document list (13 s a million
    # passages). Both are kept by each commit from now on; passage ids are never given out twice
    # (`last_passage`), so the nearest-neighbour files (index/ann.py) can tell new passages by id.
    db["vocabulary"].create({"term": str, "docs": int}, pk="term")
    db.execute("INSERT INTO vocabulary (term, docs) SELECT term, doc FROM passages_fts_vocab")
    counts = {language or "": n for language, n in db.execute(
        "SELECT a.language, count(*) FROM passages p JOIN articles a ON a.id = p.article GROUP BY a.language")}
    top = db.execute("SELECT coalesce(max(id), 0) FROM passages").fetchone()[0]
    db["meta"].upsert_all([{"key": "languages", "value": json.dumps(counts)},
                           {"key": "last_passage", "value": str(top)}], pk="key")



@migration
def m009_feedback_and_follows(db: Database) -> None:
    # What the bots keep beside the index, untouched by indexing: the answers they showed and the votes
    # on them (a keyed hash stands for the voter), the topics chats follow and the quotes posted for
    # them. Times are UTC ISO strings.
    db["answers"].create({"id": int, "question": str, "passages": str, "shown": str}, pk="id")
    db["answers"].create_index(["shown"])
    db["votes"].create({"answer": int, "voter": str, "result": int, "value": int, "at": str},
                       pk=("answer", "voter"))
    db["follows"].create({"id": int, "place": str, "topic": str, "key": str, "after": int, "created": str}, pk="id")
    db["follows"].create_index(["place", "key"], unique=True)
    db["posts"].create({"id": int, "place": str, "topic": str, "passage": int, "quote": str, "at": str}, pk="id")
    db["posts"].create_index(["place", "at"])


@migration
def m010_articles_by_date(db: Database) -> None:
    # The newest articles, for a question that asks only for the news ("Apa berita terbaru?").
    db["articles"].create_index(["published"], if_not_exists=True)


@migration
def m011_mentions_by_date(db: Database) -> None:
    # The passages stating a date within a time a question names (`passages_within`).
    db["mentions"].create_index(["date", "passage"], if_not_exists=True)


@migration
def m012_answers_by_conversation(db: Database) -> None:
    # The private conversation an answer was shown in (a keyed hash), so a bot restarted finds the
    # answer a next message there follows up (`last_answer`).
    db["answers"].add_column("conversation", str)
    db["answers"].create_index(["conversation", "id"], if_not_exists=True)


def _done(db: Database) -> set[str]:
    if "_migrations" not in db.table_names():
        return set()
    return {row["name"] for row in db["_migrations"].rows}


def migrate(db: Database) -> list[str]:
    """Apply every migration not yet recorded; return the names applied.

    Under an immediate (write) lock taken before looking: when several processes open a new index at
    once, one migrates and the others wait for it (the busy timeout), then find nothing left to do.
    """
    if all(fn.__name__ in _done(db) for fn in MIGRATIONS):
        return []
    applied = []
    with writing(db):
        if "_migrations" not in db.table_names():
            db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
        done = _done(db)
        for fn in MIGRATIONS:
            if fn.__name__ in done:
                continue
            with db.atomic():  # a savepoint inside the lock's transaction
                fn(db)
                db["_migrations"].insert({"name": fn.__name__, "applied_at": dt.datetime.now(dt.UTC).isoformat()})
            applied.append(fn.__name__)
    return applied


@contextlib.contextmanager
def writing(db: Database) -> Iterator[Database]:
    """A write transaction that takes SQLite's write lock when it begins (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes cannot wait for another writer: SQLite fails
    it at once with "database is locked". Taking the lock first makes it wait (the busy timeout)
    like any other. Inside a transaction already, it is a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")
