"""The index on disk: migrations, incremental re-indexing, embedder mismatch, atomic visibility."""

import json
import sqlite3

import pytest

from newsbot.bot.retrieve import Retriever
from newsbot.index import readers, sqlite, store
from newsbot.index.build import build_index
from newsbot.index.errors import EmbedderMismatch, IndexNotFound
from newsbot.index.migrations import MIGRATIONS, migrate

from .conftest import FakeEmbedder


def test_migrations_apply_in_order_once(tmp_path):
    db = sqlite.open_index(tmp_path / "i.db", create=True)
    assert [r["name"] for r in db["_migrations"].rows] == [m.__name__ for m in MIGRATIONS]
    assert [m.__name__ for m in MIGRATIONS] == ["m001_create_tables", "m002_add_fts", "m003_add_background",
                                                 "m004_add_sentence_hashes", "m005_stemmed_fts", "m006_mentions",
                                                     "m007_origins_and_fetches", "m008_term_and_language_counts",
                                                     "m009_feedback_and_follows", "m010_articles_by_date",
                                                     "m011_mentions_by_date", "m012_answers_by_conversation"]
    assert migrate(db) == []
    assert {"articles", "passages", "vectors", "meta", "passages_fts", "background", "mentions"} <= set(db.table_names())


def test_missing_or_foreign_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexNotFound, match="newsbot index FOLDER"):
        sqlite.open_index(tmp_path / "none.db")
    sqlite3.connect(tmp_path / "other.db").execute("create table x(y)").connection.commit()
    with pytest.raises(IndexNotFound, match="not a newsbot index"):
        sqlite.open_index(tmp_path / "other.db")


def test_first_build_records_everything(tmp_path, tiny_corpus, fake_embedder):
    report = build_index(tiny_corpus, tmp_path / "i.db", fake_embedder)
    assert (report.added, report.updated, report.removed, report.unchanged) == (
        ["a_antara", "b_tempo", "c_unknown"], [], [], 0)
    assert (report.articles, report.passages, report.embedded, report.reused) == (3, 6, 6, 0)
    assert report.unknown_outlet == ["c_unknown"]
    assert report.unknown_date == ["c_unknown"]
    db = sqlite.open_index(tmp_path / "i.db")
    assert sqlite.recorded_embedder(db) == ("fake/hash-256", 256)
    blob = db.execute("select embedding from vectors limit 1").fetchone()[0]
    assert len(blob) == 256 * 4  # float32


def test_unchanged_corpus_embeds_nothing(tmp_path, tiny_corpus, fake_embedder):
    build_index(tiny_corpus, tmp_path / "i.db", fake_embedder)
    fake_embedder.calls.clear()
    report = build_index(tiny_corpus, tmp_path / "i.db", fake_embedder)
    assert (report.added, report.updated, report.removed, report.unchanged, report.embedded) == ([], [], [], 3, 0)
    assert fake_embedder.calls == []


def test_changed_article_updates_only_its_rows_and_reuses_vectors(tmp_path, tiny_corpus, fake_embedder):
    path = tmp_path / "i.db"
    build_index(tiny_corpus, path, fake_embedder)
    db = sqlite.open_index(path)
    before = {r[0]: r[1] for r in db.execute("select id, indexed_at from articles")}
    text = (tiny_corpus / "b_tempo.txt").read_text()
    (tiny_corpus / "b_tempo.txt").write_text(text + "Sebuah paragraf baru tentang udang windu.\n")
    fake_embedder.calls.clear()
    report = build_index(tiny_corpus, path, fake_embedder)
    assert (report.updated, report.unchanged, report.embedded, report.reused) == (["b_tempo"], 2, 1, 2)
    assert fake_embedder.calls == [1]
    rows = [r[0] for r in db.execute("select text from passages where article='b_tempo' order by position")]
    assert rows[-1] == "Sebuah paragraf baru tentang udang windu."
    assert db.execute("select count(*) from passages_fts where passages_fts match 'windu'").fetchone()[0] == 1
    assert before["a_antara"] == db.execute("select indexed_at from articles where id='a_antara'").fetchone()[0]


def test_removed_article_leaves_the_index_and_its_vectors_go(tmp_path, tiny_corpus, fake_embedder):
    path = tmp_path / "i.db"
    build_index(tiny_corpus, path, fake_embedder)
    (tiny_corpus / "c_unknown.txt").unlink()
    report = build_index(tiny_corpus, path, fake_embedder)
    assert report.removed == ["c_unknown"] and report.articles == 2
    db = sqlite.open_index(path)
    assert db.execute("select count(*) from passages where article='c_unknown'").fetchone()[0] == 0
    assert db.execute("select count(*) from passages_fts where passages_fts match 'katak'").fetchone()[0] == 0
    orphans = db.execute("select count(*) from vectors where hash not in (select hash from passages) "
                         "and hash not in (select hash from background) "
                         "and hash not in (select j.value from passages p, json_each(p.sentence_hashes) j)"
                         ).fetchone()[0]
    assert orphans == 0
    assert "katak" not in " ".join(t for (t,) in db.execute("select text from passages"))


def test_unreadable_file_keeps_its_previous_version(tmp_path, tiny_corpus, fake_embedder):
    path = tmp_path / "i.db"
    build_index(tiny_corpus, path, fake_embedder)
    (tiny_corpus / "b_tempo.txt").write_bytes(b"Ekspor \xff rusak")
    report = build_index(tiny_corpus, path, fake_embedder)
    assert report.skipped == [("b_tempo.txt", report.skipped[0][1])] and report.skipped[0][1].startswith("not UTF-8")
    assert report.removed == [] and report.articles == 3


def test_duplicate_article_under_another_name_is_indexed_once(tmp_path, tiny_corpus, fake_embedder):
    (tiny_corpus / "z_copy.txt").write_text((tiny_corpus / "a_antara.txt").read_text())
    report = build_index(tiny_corpus, tmp_path / "i.db", fake_embedder)
    assert report.skipped == [("z_copy.txt", "same text as a_antara; not indexed twice")]
    assert report.articles == 3


def test_other_embedder_is_refused_for_querying_and_indexing(tmp_path, tiny_corpus, fake_embedder):
    path = tmp_path / "i.db"
    build_index(tiny_corpus, path, fake_embedder)
    other = FakeEmbedder(name="fake/other-128", dim=128)
    with pytest.raises(EmbedderMismatch, match=r"built with fake/hash-256 \(256 dimensions\).*newsbot index --rebuild"):
        Retriever(path, other)
    with pytest.raises(EmbedderMismatch):
        build_index(tiny_corpus, path, other)
    report = build_index(tiny_corpus, path, other, rebuild=True)
    assert report.embedded == 6 and report.articles == 3
    assert Retriever(path, other).current().matrix.shape == (6, 128)
    with pytest.raises(EmbedderMismatch):
        Retriever(path, fake_embedder)


def test_readers_see_the_old_index_until_the_new_one_is_committed(tmp_path, tiny_corpus, fake_embedder):
    path = tmp_path / "i.db"
    build_index(tiny_corpus, path, fake_embedder)
    retriever = Retriever(path, fake_embedder)
    seen = []

    class Watching(FakeEmbedder):
        def embed_passages(self, texts):
            # Mid-embedding, a reader still sees exactly the old index.
            seen.append(retriever.current().n_passages)
            return super().embed_passages(texts)

    (tiny_corpus / "d_new.txt").write_text("Berita baru tentang udang dan katak.\n")
    build_index(tiny_corpus, path, Watching())
    assert seen == [6]
    assert retriever.current().n_passages == len(retriever.current().ids) == 7


def test_a_rebuild_with_another_embedder_embeds_everything_before_readers_see_it(tmp_path, tiny_corpus, fake_embedder):
    path = tmp_path / "i.db"
    build_index(tiny_corpus, path, fake_embedder)
    db = sqlite.open_index(path)
    seen = []

    class Other(FakeEmbedder):
        def embed_passages(self, texts):
            seen.append(sqlite.recorded_embedder(db))  # what a reader sees while this embeds
            return super().embed_passages(texts)

    build_index(tiny_corpus, path, Other(name="fake/other-128", dim=128), rebuild=True)
    assert seen and set(seen) == {("fake/hash-256", 256)}
    background = sqlite.load_background(db)
    assert background.shape == (len(sqlite.background_keys(db)), 128)


def test_a_corpus_of_bad_luck_indexes_everything_good_with_one_message_per_bad_file(tmp_path, tiny_corpus, fake_embedder):
    (tiny_corpus / "latin1.txt").write_bytes("Harga kopi di Café Batavia naik, kata pemilik.".encode("latin-1"))
    (tiny_corpus / "empty.txt").write_text("  \n\n")
    (tiny_corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    with open(tiny_corpus / "huge.txt", "wb") as f:  # 50 MB, sparse: refused by size before it is read
        f.truncate(50 * 2**20)
    (tiny_corpus / "copy_of_a.txt").write_text((tiny_corpus / "a_antara.txt").read_text())

    vanishing = tiny_corpus / "vanishing.txt"
    vanishing.write_text("Berita yang akan hilang sebelum dibaca.\n")
    real_read = readers.read_text

    def read_after_deleting(path):
        if path.name == "vanishing.txt" and path.exists():
            path.unlink()  # the file goes between listing the folder and reading it
        return real_read(path)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(readers, "read_text", read_after_deleting)
        report = build_index(tiny_corpus, tmp_path / "i.db", fake_embedder)

    reasons = dict(report.skipped)
    assert sorted(report.added) == ["a_antara", "b_tempo", "c_unknown"]
    assert sorted(reasons) == ["copy_of_a.txt", "empty.txt", "huge.txt", "image.txt", "latin1.txt", "vanishing.txt"]
    assert "not UTF-8" in reasons["latin1.txt"] and "iconv" in reasons["latin1.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["image.txt"]
    assert "50.0 MB is larger than the 5 MB limit" in reasons["huge.txt"]
    assert reasons["copy_of_a.txt"] == "same text as a_antara; not indexed twice"
    assert "disappeared" in reasons["vanishing.txt"]


def test_passages_store_their_whole_text_vector_and_their_sentences(tmp_path, tiny_corpus, fake_embedder):
    (tiny_corpus / "d_two.txt").write_text("Harga cabai naik di Jakarta. Pedagang menyebut pasokan berkurang.\n")
    path = tmp_path / "i.db"
    build_index(tiny_corpus, path, fake_embedder)
    db = sqlite.open_index(path)
    text, sentences, key, terms = db.execute(
        "select text, sentences, hash, terms from passages where article = 'd_two'").fetchone()
    sentences = json.loads(sentences)
    assert sentences == ["Harga cabai naik di Jakarta.", "Pedagang menyebut pasokan berkurang."]
    assert terms == "harga cabai naik di jakarta dagang pedagang sebut menyebut pasok pasokan kurang berkurang"
    stored = sqlite.get_vectors(db, [key] + [store.vector_key(fake_embedder.name, s) for s in sentences])
    assert len(stored) == 3
    assert stored[key] == pytest.approx(fake_embedder.embed_passages([text])[0], abs=1e-6)
    # Re-indexing after an edit embeds only the new passage text and the sentence that is new.
    fake_embedder.calls.clear()
    (tiny_corpus / "d_two.txt").write_text("Harga cabai naik di Jakarta. Operasi pasar digelar besok.\n")
    build_index(tiny_corpus, path, fake_embedder)
    assert fake_embedder.calls == [2]


def test_a_one_line_article_of_repeated_sentences_keeps_the_index_small(tmp_path, fake_embedder):
    # The audit's case: 0.28 MB on one line made a 70 MB index (passages stretched back to the first copy).
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    line = " ".join(["Harga beras naik lagi di pasar induk pada pekan ini, kata pedagang."] * 4000)
    (corpus / "long.txt").write_text(line + "\n", encoding="utf-8")
    build_index(corpus, tmp_path / "i.db", fake_embedder)
    db = sqlite.open_index(tmp_path / "i.db")
    texts = [r[0] for r in db.execute("SELECT text FROM passages")]
    assert max(map(len, texts)) <= 700 and sum(map(len, texts)) <= len(line)
    db.close()
    assert (tmp_path / "i.db").stat().st_size < 10 * len(line.encode())


def test_links_out_of_the_corpus_folder_are_not_indexed_and_leave_the_index(tmp_path, tiny_corpus, fake_embedder):
    from newsbot.bot.config import Settings
    from newsbot.bot.core import NewsCore
    from newsbot.index.errors import MetadataError

    secret = tmp_path / ".env"
    secret.write_text("TELEGRAM_BOT_TOKEN=123456:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ is the token of the bot.\n")
    (tiny_corpus / "inside.txt").symlink_to(tiny_corpus / "a_antara.txt")  # a link within the folder is fine
    (tiny_corpus / "notes.txt").write_text("Catatan rapat redaksi tentang harga cabai di Jakarta.\n")
    report = build_index(tiny_corpus, tmp_path / "i.db", fake_embedder)
    assert "notes" in report.added
    # The file is swapped for a link to the secrets: the next run drops it rather than keep its old text.
    (tiny_corpus / "notes.txt").unlink()
    (tiny_corpus / "notes.txt").symlink_to(secret)
    (tiny_corpus / "sub").mkdir()
    (tiny_corpus / "sub" / "env.md").symlink_to(secret)
    (tiny_corpus / "loop.txt").symlink_to(tiny_corpus / "loop.txt")
    report = build_index(tiny_corpus, tmp_path / "i.db", fake_embedder)
    reasons = dict(report.skipped)
    assert reasons["notes.txt"] == reasons["sub/env.md"] == "a link to a file outside the corpus folder; not indexed"
    assert "notes" in report.removed
    settings = Settings(index_path=tmp_path / "i.db", corpus=tiny_corpus)
    core = NewsCore(settings, fake_embedder)
    answer = core.ask("TELEGRAM_BOT_TOKEN")
    assert all("AAbbCC" not in r.passage for r in answer.results)
    db = sqlite.open_index(tmp_path / "i.db")
    assert not [r for r in db.execute("SELECT text FROM passages WHERE text LIKE '%AAbbCC%'")]
    db.close()
    core.retriever.close()
    (tiny_corpus / "sources.toml").symlink_to(secret)
    with pytest.raises(MetadataError, match="outside the corpus folder"):
        build_index(tiny_corpus, tmp_path / "i.db", fake_embedder)


# --- the store interface ----------------------------------------------------------------------------


def test_an_index_is_named_by_a_path_or_a_url(tmp_path, tiny_corpus, fake_embedder):
    path = tmp_path / "i.db"
    build_index(tiny_corpus, f"sqlite://{path}", fake_embedder)  # sqlite:///tmp/…/i.db
    assert path.exists() and store.index_exists(path) and store.index_exists(f"sqlite://{path}")
    by_url, by_path = store.open_store(f"sqlite://{path}"), store.open_store(path)
    assert by_url.version() == by_path.version() and by_url.articles() == by_path.articles()
    by_url.close(), by_path.close()
    assert store.parse_location(f"sqlite://{path}") == f"sqlite://{path}"
    assert store.parse_location(str(path)) == path
    with pytest.raises(IndexNotFound, match=r"no index engine for mongodb://.*NEWSBOT_INDEX"):
        store.open_store("mongodb://db.example/news")
    assert not store.index_exists(tmp_path / "none.db")


def test_another_engine_plugs_in_without_touching_retrieval_answers_or_timeline(tmp_path, tiny_corpus, fake_embedder,
                                                                              monkeypatch):
    from newsbot.bot.config import Settings
    from newsbot.bot.core import NewsCore

    from .memory_store import MemoryStore

    monkeypatch.setitem(store.ENGINES, "memory", lambda location, create, replace: MemoryStore(location, create))
    in_memory = Settings(index_path="memory://news", corpus=tiny_corpus, min_relevance=0.1)
    on_disk = Settings(index_path=tmp_path / "i.db", corpus=tiny_corpus, min_relevance=0.1)
    report = build_index(tiny_corpus, "memory://news", fake_embedder)
    assert (report.articles, report.passages) == (3, 6)
    build_index(tiny_corpus, on_disk.index_path, fake_embedder)
    with NewsCore(in_memory, fake_embedder) as memory, NewsCore(on_disk, fake_embedder) as sqlite_core:
        for question in ("ekspor udang naik berapa persen?", "katak hijau di Kalimantan"):
            assert [r.passage for r in memory.ask(question).results] == \
                   [r.passage for r in sqlite_core.ask(question).results]
        assert memory.timeline() == sqlite_core.timeline()
        assert memory.articles() == sqlite_core.articles()
        assert memory.ask("Apa berita terbaru?") == sqlite_core.ask("Apa berita terbaru?")
        # An edit reaches the running core through the engine's version, as with a file.
        (tiny_corpus / "d_new.txt").write_text("Pada 5 Januari 2024 harimau sumatra terlihat di Riau.\n")
        build_index(tiny_corpus, "memory://news", fake_embedder)
        assert memory.ask("harimau sumatra").results[0].article == "d_new"
        assert any(e.date == "2024-01-05" for e in memory.timeline())


def test_the_newest_articles_are_the_dated_ones_newest_first(tmp_path, tiny_corpus, fake_embedder):
    import datetime as dt

    build_index(tiny_corpus, tmp_path / "i.db", fake_embedder)
    index = store.open_store(tmp_path / "i.db")
    try:
        newest = index.newest_articles
        assert [a.article for a in newest(5)] == ["b_tempo", "a_antara"]  # c_unknown has no date
        assert [a.article for a in newest(1)] == ["b_tempo"]
        assert newest(1)[0].outlet == "TEMPO.CO" and newest(1)[0].published == dt.date(2023, 10, 3)
        october_2 = dt.date(2023, 10, 2)
        assert [a.article for a in newest(5, since=october_2, until=october_2)] == ["a_antara"]
        assert [a.article for a in newest(5, since=october_2)] == ["b_tempo", "a_antara"]
        assert [a.article for a in newest(5, until=october_2)] == ["a_antara"]
        assert newest(5, since=dt.date(2024, 1, 1)) == []
    finally:
        index.close()


def test_no_sql_outside_the_store_engines():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sql = re.compile(r"\b(SELECT|INSERT INTO|DELETE FROM|UPDATE \w+ SET|CREATE TABLE|PRAGMA)\b|\.execute\(|"
                     r"import sqlite3|sqlite_utils")
    allowed = {"index/sqlite.py", "index/migrations.py", "index/postgres.py", "index/pg_migrations.py"}
    offenders = [str(p.relative_to(root)) for folder in ("bot", "index", "benchmarks") for p in (root / folder).rglob("*.py")
                 if str(p.relative_to(root)) not in allowed and sql.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_an_index_from_before_stored_dates_gets_them_on_opening(tmp_path, tiny_corpus, fake_embedder):
    path = tmp_path / "i.db"
    build_index(tiny_corpus, path, fake_embedder)
    db = sqlite.open_index(path)
    before = sqlite.mentions_of(db)
    assert before  # "pada Senin (2/10)", "3 Oktober 2023", "tahun ini"
    db.execute("DROP TABLE mentions")  # as an index built before the mentions were stored
    db.execute("DELETE FROM _migrations WHERE name = 'm006_mentions'")
    db.conn.commit()
    db.close()
    reopened = store.open_store(path)
    assert reopened.mentions() == before
    reopened.close()
