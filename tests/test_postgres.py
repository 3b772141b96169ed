"""The PostgreSQL store on a real PostgreSQL with pgvector: the same index, searches and answers as SQLite,
atomic visibility, several indexing processes sharing one database, and its faults as clear messages."""

import datetime as dt
import os
import shutil
from pathlib import Path
from contextlib import closing
import signal
import subprocess
import sys
import textwrap
import threading
import time

from urllib.parse import urlsplit, urlunsplit

import numpy as np
import psycopg
import pytest
from click.testing import CliRunner

from newsbot.bot import cli as cli_module
from newsbot.bot import core as core_module
from newsbot.bot.cli import cli
from newsbot.bot.config import Settings
from newsbot.bot.core import NewsCore
from newsbot.index import postgres
from newsbot.index.build import build_index, copy_index, remove_articles
from newsbot.index.errors import IndexNotFound, IndexUnavailable, IndexUnwritable, NewsbotError
from newsbot.index.pg_migrations import MIGRATIONS
from newsbot.index.store import open_store
from newsbot.index.terms import stems

from .conftest import SEEDS, FakeEmbedder, write_corpus


def tables(url):
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'newsbot'")}


def scalar(url, sql, params=()):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchone()[0]


def test_migrations_apply_once_in_their_own_schema(pg_url):
    with pytest.raises(IndexNotFound, match="newsbot index FOLDER --index postgresql://"):
        open_store(pg_url)
    open_store(pg_url, create=True).close()
    assert {"meta", "articles", "passages", "vectors", "vocabulary", "mentions", "background", "fetches",
            "_migrations"} <= tables(pg_url)
    assert scalar(pg_url, "SELECT count(*) FROM newsbot._migrations") == len(MIGRATIONS)
    with closing(open_store(pg_url)) as store, psycopg.connect(pg_url, autocommit=True) as conn:
        assert store._migrate(conn) == []  # a second opening finds nothing to do


def contents(store) -> tuple:
    """Everything a store holds that readers see, without its ids (each engine numbers passages itself)."""
    snapshot = store.snapshot()
    passages = store.passages(snapshot.ids.tolist())
    position = {pid: (p.article, p.position) for pid, p in passages.items()}
    return (
        sorted((p.article, p.position, p.text, tuple(p.sentences)) for p in passages.values()),
        [(position[int(i)], snapshot.language_names[code], tuple(np.round(v, 5)))
         for i, code, v in zip(snapshot.ids, snapshot.languages, snapshot.vectors)],
        tuple(snapshot.language_counts), snapshot.passages, snapshot.embedder, snapshot.complete,
        tuple(map(tuple, np.round(snapshot.background, 5))), store.articles(), store.frequencies(),
        [(position[m.passage], m.sentence, m.date, m.precision) for m in store.mentions()],
        store.newest_articles(5), store.newest_articles(1, dt.date(2023, 10, 2), dt.date(2023, 10, 2)),
        store.newest_articles(5, since=dt.date(2024, 1, 1)),
    )


def test_same_index_as_sqlite(pg_url, tmp_path, tiny_corpus, fake_embedder):
    report = build_index(tiny_corpus, pg_url, fake_embedder)
    assert (report.added, report.articles, report.passages, report.embedded) == (
        ["a_antara", "b_tempo", "c_unknown"], 3, 6, 6)
    build_index(tiny_corpus, tmp_path / "i.db", FakeEmbedder())
    pg, lite = open_store(pg_url), open_store(tmp_path / "i.db")
    a, b = contents(pg), contents(lite)
    assert a == b
    rank = {p.id: (p.article, p.position) for p in pg.passages(pg.snapshot().ids.tolist()).values()}
    rank_lite = {p.id: (p.article, p.position) for p in lite.passages(lite.snapshot().ids.tolist()).values()}
    for question in ["ekspor udang naik", "katak hijau Kalimantan", "menteri", "gunung merapi awan panas"]:
        terms = stems(question, "id").split()
        assert [rank[i] for i in pg.lexical(terms, 5)] == [rank_lite[i] for i in lite.lexical(terms, 5)]
    # The user's words are never tsquery syntax.
    assert pg.lexical(["'", "&", "!", "udang:*", "a|b"], 5) == pg.lexical(["udang"], 5)
    wanted = ["a_antara", "c_unknown", "no_such_article"]
    terms = {a: sorted(t) for a, t in pg.article_terms(wanted).items()}
    assert terms == {a: sorted(t) for a, t in lite.article_terms(wanted).items()}
    assert set(terms) == {"a_antara", "c_unknown"} and len(terms["c_unknown"]) == 2
    assert all("katak" in t.split() for t in terms["c_unknown"])
    pg.close(), lite.close()


def test_incremental_runs_and_removal(pg_url, tiny_corpus, fake_embedder):
    build_index(tiny_corpus, pg_url, fake_embedder)
    fake_embedder.calls.clear()
    assert build_index(tiny_corpus, pg_url, fake_embedder).unchanged == 3 and fake_embedder.calls == []
    (tiny_corpus / "b_tempo.txt").write_text((tiny_corpus / "b_tempo.txt").read_text() + "Paragraf baru tentang windu.\n")
    report = build_index(tiny_corpus, pg_url, fake_embedder)
    assert (report.updated, report.embedded, report.reused) == (["b_tempo"], 1, 2)
    assert scalar(pg_url, "SELECT docs FROM newsbot.vocabulary WHERE term = 'windu'") == 1
    vectors = scalar(pg_url, "SELECT count(*) FROM newsbot.vectors")
    (tiny_corpus / "c_unknown.txt").unlink()
    assert build_index(tiny_corpus, pg_url, fake_embedder).removed == ["c_unknown"]
    assert scalar(pg_url, "SELECT count(*) FROM newsbot.passages WHERE article = 'c_unknown'") == 0
    assert scalar(pg_url, "SELECT count(*) FROM newsbot.vocabulary WHERE term = 'katak'") == 0
    assert scalar(pg_url, "SELECT count(*) FROM newsbot.vectors") < vectors  # its vectors went with it
    assert remove_articles(["b_tempo"], pg_url) == (["b_tempo"], [])
    with closing(open_store(pg_url)) as store:
        assert [a.article for a in store.articles()] == ["a_antara"]


def test_answers_timeline_and_sources_match_sqlite(pg_url, tmp_path, tiny_corpus):
    build_index(tiny_corpus, tmp_path / "i.db", FakeEmbedder())
    lite = NewsCore(Settings(index_path=tmp_path / "i.db", corpus=tiny_corpus, min_relevance=0.1), FakeEmbedder())
    build_index(tiny_corpus, pg_url, FakeEmbedder())
    pg = NewsCore(Settings(index_path=pg_url, corpus=tiny_corpus, min_relevance=0.1), FakeEmbedder())
    try:
        for question in ["Berapa kenaikan ekspor udang?", "katak baru di Kalimantan", "Who won the football?"]:
            a, b = pg.ask(question), lite.ask(question)
            assert [(r.article, r.quote, r.outlet, r.published) for r in a.results] == \
                [(r.article, r.quote, r.outlet, r.published) for r in b.results]
            assert (a.answered, a.confidence) == (b.answered, b.confidence)
        assert [(e.date, e.article) for e in pg.timeline()] == [(e.date, e.article) for e in lite.timeline()]
        assert pg.articles() == lite.articles()
        assert pg.carriers("ekspor udang") == lite.carriers("ekspor udang")
    finally:
        pg.close(), lite.close()


def test_a_reader_never_sees_half_a_commit(pg_url, tiny_corpus, fake_embedder, monkeypatch):
    build_index(tiny_corpus, pg_url, fake_embedder)
    store = open_store(pg_url)
    read_background = postgres._background

    def commit_in_between(conn, dim):  # another process removes an article while this snapshot is being read
        monkeypatch.setattr(postgres, "_background", read_background)
        (tiny_corpus / "c_unknown.txt").unlink()
        build_index(tiny_corpus, pg_url, fake_embedder)
        return read_background(conn, dim)

    monkeypatch.setattr(postgres, "_background", commit_in_between)
    snapshot = store.snapshot()
    assert len(snapshot.ids) == snapshot.passages == 6  # read before the commit, all of it
    assert store.version() != snapshot.version and store.snapshot().passages == 4
    store.close()


def test_lost_connections_are_replaced_for_reads_and_writes(pg_url, tiny_corpus, fake_embedder):
    build_index(tiny_corpus, pg_url, fake_embedder)
    core = NewsCore(Settings(index_path=pg_url, corpus=tiny_corpus, min_relevance=0.1), fake_embedder)
    store = core.retriever.store

    def drop_every_connection() -> None:
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()")

    def busy(n: int) -> None:  # n connections in the pool at once, so several are dropped
        barrier = threading.Barrier(n)
        threads = [threading.Thread(target=lambda: store._run(lambda conn: (barrier.wait(5), conn.execute("SELECT 1"))))
                   for _ in range(n)]
        [t.start() for t in threads]
        [t.join() for t in threads]

    try:
        assert core.ask("ekspor udang").results
        busy(4)
        drop_every_connection()
        assert core.ask("ekspor udang").results[0].article in {"a_antara", "b_tempo"}
        busy(4)
        drop_every_connection()
        answer = store.record_answer("ekspor udang?", [1])  # a write, on a live connection
        assert store.shown_answer(answer).question == "ekspor udang?"

        tries = []

        def cancelled(conn):  # the server cancels the query: the connection is fine, nothing is tried again
            tries.append(1)
            conn.execute("SET statement_timeout = 50")
            conn.execute("SELECT pg_sleep(2)")

        with pytest.raises(NewsbotError, match="statement timeout"):
            store._run(cancelled)
        assert len(tries) == 1
    finally:
        core.close()


def test_bad_urls_are_clear_messages(pg_server, pg_url):
    missing = urlunsplit(urlsplit(pg_url)._replace(path="/no_such_database"))
    with pytest.raises(IndexUnavailable, match="no such database"):
        open_store(missing, create=True)
    with pytest.raises(IndexUnavailable, match="cannot reach PostgreSQL"):
        open_store("postgresql://newsbot:hunter2@127.0.0.1:9/news", create=True)
    try:
        open_store("postgresql://newsbot:hunter2@127.0.0.1:9/news")
    except IndexUnavailable as exc:
        assert "hunter2" not in str(exc) and "newsbot:***@127.0.0.1:9" in str(exc)
    if pg_server.data is None:
        pytest.skip("pgvector's absence is staged on the bundled server only")
    # A server without pgvector: the extension's files are not where the server looks.
    no_vector = pg_url + ("&" if "?" in pg_url else "?") + "options=-cextension_control_path%3D%2Fnonexistent"
    with pytest.raises(IndexUnavailable, match="does not have the pgvector extension"):
        open_store(no_vector, create=True)


def test_a_wrong_password_is_a_clear_message(pg_server, pg_url):
    if pg_server.data is None:
        pytest.skip("password authentication is staged on the bundled server only")
    hba = pg_server.data / "pg_hba.conf"
    original = hba.read_text()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS guarded")
        conn.execute("CREATE ROLE guarded LOGIN PASSWORD 'right'")
        hba.write_text("local all guarded scram-sha-256\n" + original)
        reloaded(pg_url, lambda: conn.execute("SELECT pg_reload_conf()"))
    try:
        wrong = pg_url.replace("postgres:@", "guarded:wrong@")
        with pytest.raises(IndexUnavailable, match="refused the user name or password") as info:
            open_store(wrong, create=True)
        assert "wrong" not in str(info.value).replace("wrong@", "")  # the password itself is never shown
    finally:
        hba.write_text(original)
        with psycopg.connect(pg_url, autocommit=True) as conn:
            reloaded(pg_url, lambda: conn.execute("SELECT pg_reload_conf()"))


def reloaded(url: str, reload) -> None:
    """Reload the server's configuration and wait until new connections get it (the postmaster rereads
    it after the call returns: on a busy machine the next connection can still come in under the old)."""
    def loaded_at():
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute("SELECT pg_conf_load_time()").fetchone()[0]

    before = loaded_at()
    reload()
    deadline = time.monotonic() + 30
    while loaded_at() <= before:
        assert time.monotonic() < deadline, "the server did not reload its configuration"
        time.sleep(0.05)


class SlowEmbedder(FakeEmbedder):
    """The fake embedder, slow enough that two workers overlap, recording what it embedded."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []

    def embed_passages(self, texts):
        time.sleep(0.05)
        self.texts += texts
        return super().embed_passages(texts)


def many_articles(folder, n=40):
    return write_corpus(folder, {f"art_{i:03}.txt": f"Berita nomor {i} tentang topik {i * 7} di kota {i}.\n"
                                                     f"Paragraf kedua berita {i} menyebut angka {i * 13}.\n"
                                 for i in range(n)})


def test_two_workers_split_the_articles_without_doing_any_twice(pg_url, tmp_path):
    corpus = many_articles(tmp_path / "many")
    build_index(write_corpus(tmp_path / "one", {"x.txt": "Satu berita lain.\n"}), pg_url, FakeEmbedder())
    embedders = [SlowEmbedder(), SlowEmbedder()]
    reports = [None, None]

    def work(n):
        reports[n] = build_index(corpus, pg_url, embedders[n])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first, second = (set(e.texts) for e in embedders)
    assert first and second and not first & second  # both worked, nothing embedded twice
    done = [set(r.added) for r in reports]
    assert not done[0] & done[1] and len(done[0] | done[1]) == 40
    assert sorted(set(reports[0].by_others) | set(reports[1].by_others)) == sorted(done[0] | done[1])
    assert reports[0].removed == reports[1].removed == ["x"]
    assert scalar(pg_url, "SELECT count(*) FROM newsbot.articles") == 40
    assert scalar(pg_url, "SELECT count(*) FROM newsbot.passages") == 80


WORKER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from tests.conftest import FakeEmbedder
    from newsbot.index.build import build_index

    class Stuck(FakeEmbedder):
        def embed_passages(self, texts):
            out = super().embed_passages(texts)
            if len(self.calls) == 3:  # background and one batch stored, then it hangs holding its claims
                print("stuck", flush=True)
                time.sleep(600)
            return out

    build_index({corpus!r}, {url!r}, Stuck())
""")


def test_a_killed_workers_articles_are_picked_up(pg_url, tmp_path):
    corpus = many_articles(tmp_path / "many", 20)
    open_store(pg_url, create=True).close()
    root = str(SEEDS.parent)
    worker = subprocess.Popen([sys.executable, "-c", WORKER.format(root=root, corpus=str(corpus), url=pg_url)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout.readline().strip() == "stuck"
        stored = scalar(pg_url, "SELECT count(*) FROM newsbot.vectors")
        assert stored > 0
        finisher = threading.Thread(target=lambda: reports.append(build_index(corpus, pg_url, embedder)))
        reports, embedder = [], SlowEmbedder()
        finisher.start()
        time.sleep(1.0)
        assert finisher.is_alive()  # waiting for the stuck worker's articles
        os.kill(worker.pid, signal.SIGKILL)
        finisher.join(30)
    finally:
        worker.kill()
        worker.wait()
    report = reports[0]
    assert len(report.added) == 20 and report.by_others == []
    assert report.reused > 0  # what the killed worker had stored was not embedded again
    assert scalar(pg_url, "SELECT count(*) FROM newsbot.articles") == 20


def test_copy_an_sqlite_index_into_postgresql_without_embedding(pg_url, tmp_path, tiny_corpus, fake_embedder):
    build_index(tiny_corpus, tmp_path / "i.db", fake_embedder)
    report = copy_index(tmp_path / "i.db", pg_url)
    assert (report.articles, report.passages) == (3, 6)
    with pytest.raises(IndexUnwritable, match="already holds articles; copy into an empty one"):
        copy_index(tmp_path / "i.db", pg_url)  # never merged into an index that has articles
    fake_embedder.calls.clear()
    again = build_index(tiny_corpus, pg_url, fake_embedder)  # the copy is a complete index: nothing to redo
    assert again.unchanged == 3 and fake_embedder.calls == []
    with closing(open_store(pg_url)) as pg, closing(open_store(tmp_path / "i.db")) as lite:
        assert contents(pg) == contents(lite)


def test_every_command_takes_a_postgresql_index(pg_url, tmp_path, monkeypatch):
    embedder = FakeEmbedder()
    monkeypatch.setattr(cli_module, "make_embedder", lambda settings: embedder)
    monkeypatch.setattr(core_module, "make_embedder", lambda settings: embedder)
    monkeypatch.setenv("NEWSBOT_MIN_RELEVANCE", "0.1")
    corpus = write_corpus(tmp_path / "c")
    runner = CliRunner()

    def main(args):
        return runner.invoke(cli, ["--env-file", str(tmp_path / "no.env"), *args])

    result = main(["--index", pg_url, "index", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "postgresql://" in result.output
    for args in (["ask", "ekspor udang"], ["sources"], ["timeline"], ["ask", "--json", "katak Kalimantan"]):
        result = main(["--index", pg_url, *args])
        assert result.exit_code == 0, result.output
    assert "ANTARA" in main(["--index", pg_url, "sources"]).output
    monkeypatch.setenv("NEWSBOT_INDEX", pg_url)
    assert "katak" in main(["ask", "katak hijau"]).output.lower()


def test_a_large_index_is_searched_through_its_hnsw_index(pg_url, tmp_path, fake_embedder, monkeypatch):
    from newsbot.index import ann

    from .test_nearest import answers, big_corpus

    corpus = big_corpus(tmp_path / "c")
    build_index(corpus, tmp_path / "exact.db", fake_embedder)
    build_index(corpus, pg_url, fake_embedder)
    store = open_store(pg_url)
    assert store.snapshot().complete and store.nearest(np.ones(256, np.float32), 5, "id") == {}  # small: no index

    monkeypatch.setattr(ann, "MIN_PASSAGES", 20)
    store.prepare_search()
    snapshot = store.snapshot()
    assert not snapshot.complete and len(snapshot.ids) == 0 and 0 < len(snapshot.sample) <= snapshot.passages
    assert store.snapshot(complete=True).complete
    exact, _ = answers(tmp_path / "exact.db", fake_embedder)
    through_index, corpus_version = answers(pg_url, fake_embedder)
    assert not corpus_version.complete and through_index == exact

    # Every language is searched apart, and the index keeps up with commits.
    vector = fake_embedder.embed_query("rice prices Jakarta")
    english = store.nearest(vector, 4, "en")
    found = store.passages(english)
    assert all(np.allclose(v, store.passage_vectors([pid])[pid]) for pid, v in english.items())  # their own vectors
    assert len(english) == 4 and {store.articles([found[i].article])[0].language for i in english} == {"en"}
    assert store.passage_languages([*english, 10**9]) == {pid: "en" for pid in english}
    (corpus / "z_new.txt").write_text("Harga cabai rawit melonjak di pasar Kupang menjelang hari raya.\n")
    (corpus / "sources.toml").write_text((corpus / "sources.toml").read_text() + '["z_new.txt"]\nlanguage = "id"\n')
    build_index(corpus, pg_url, fake_embedder)
    [newest] = store.passages_after(store.last_passage() - 1, 1)
    assert store.nearest(fake_embedder.embed_query("Harga cabai rawit melonjak di pasar Kupang"), 1, "id").keys() == {newest}
    assert answers(pg_url, fake_embedder, ["cabai rawit Kupang"])[0][0][0][0] == "z_new"

    monkeypatch.setattr(ann, "MIN_PASSAGES", 10_000)  # shrunk below the threshold: the index goes
    store.prepare_search()
    assert store.snapshot().complete and store.nearest(vector, 4, "en") == {}
    store.close()


def test_a_question_naming_a_time_searches_that_times_articles_beside_the_hnsw_index(pg_url, tmp_path, fake_embedder,
                                                                                   monkeypatch):
    """Searched through its HNSW index, the passages of the time a question names are read by id."""
    from newsbot.bot.answer import Thresholds, rank
    from newsbot.bot.retrieve import Retriever
    from newsbot.index import ann

    from .test_retrieve import TIMED_QUESTION, years_apart

    build_index(write_corpus(tmp_path / "c", years_apart()), pg_url, fake_embedder)
    monkeypatch.setattr(ann, "MIN_PASSAGES", 20)
    store = open_store(pg_url)
    store.prepare_search()
    retriever = Retriever(store, fake_embedder)
    assert not retriever.current().complete
    assert "Ambon" in rank(retriever.search(TIMED_QUESTION)[1], Thresholds())[0].passage.text
    retriever.close()


@pytest.mark.parametrize("articles", ["busy_year", "recalled"])
def test_a_question_naming_a_time_searches_its_words_and_its_graph_within_that_time_in_postgresql(
        pg_url, tmp_path, fake_embedder, monkeypatch, articles):
    """Searched through its HNSW index, a time a question names is searched by its words (PostgreSQL's
    lexical search within a time) and by the index's nearest within that time: either finds an older
    article of a busy time and a later report recalling it."""
    from newsbot.bot import retrieve
    from newsbot.index import ann

    from . import test_retrieve

    build_index(write_corpus(tmp_path / "c", getattr(test_retrieve, articles)()), pg_url, fake_embedder)
    monkeypatch.setattr(ann, "MIN_PASSAGES", 20)
    monkeypatch.setattr(retrieve, "PERIOD_ARTICLES", 5)
    store = open_store(pg_url)
    store.prepare_search()
    retriever = retrieve.Retriever(store, fake_embedder)
    test_retrieve.assert_each_graph_path_finds_the_time(retriever, monkeypatch)
    retriever.close()


@pytest.mark.parametrize("exact_within", [None, 0])
def test_the_hnsw_index_finds_the_nearest_passages_of_a_time(pg_url, tmp_path, fake_embedder, monkeypatch,
                                                             exact_within):
    """`nearest` within a time: only passages of an article published then or stating a date then, the
    nearest of them; a time holding fewer than asked gives those it holds. Compared exactly (a time of
    few passages), or through the HNSW index and then exactly (it finds fewer than asked)."""
    from newsbot.index import ann, postgres

    from .test_retrieve import TIMED_QUESTION, recalled

    if exact_within is not None:
        monkeypatch.setattr(postgres, "EXACT_WITHIN", exact_within)

    build_index(write_corpus(tmp_path / "c", {**recalled(), "id997.txt": "---\npublished: 2023-02-01\n---\n"
                                              "Harga cabai merah naik di pasar induk.\n"}), pg_url, fake_embedder)
    monkeypatch.setattr(ann, "MIN_PASSAGES", 20)
    store = open_store(pg_url)
    store.prepare_search()
    assert_nearest_of_a_time(store, fake_embedder.embed_query(TIMED_QUESTION))
    store.close()


def assert_nearest_of_a_time(store, vector) -> None:
    """The store's nearest passages within 2023 (`recalled` and one more article of 2023) are those of
    2023 by exact cosine, read through its graphs; a whole year holding more, and none outside."""
    import datetime as dt

    [language] = {a.language for a in store.articles()}
    year = store.passages_within(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    vectors = store.passage_vectors(year)
    exact = sorted(year, key=lambda pid: -float(vectors[pid] @ vector))
    assert len(exact) == 2
    found = store.nearest(vector, 5, language, dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert sorted(found, key=lambda pid: -float(found[pid] @ vector)) == exact  # fewer than asked: all it holds
    assert list(store.nearest(vector, 1, language, dt.date(2023, 1, 1), dt.date(2023, 12, 31))) == exact[:1]
    assert store.nearest(vector, 5, language, dt.date(2022, 1, 1), dt.date(2022, 12, 31)) == {}
    assert len(store.nearest(vector, 5, language)) == 5  # without a time: any


def test_the_hnsw_build_gets_memory_for_the_whole_graph_within_bounds():
    from newsbot.index.postgres import HNSW_MEMORY_MB, hnsw_memory_mb

    low, high = HNSW_MEMORY_MB
    assert hnsw_memory_mb(200_000, 384) == low  # small: the floor
    # Measured: 1 GB held about 520k 384-dimension vectors before the build slowed; a million need more.
    assert hnsw_memory_mb(520_000, 384) > 1024 and 2048 < hnsw_memory_mb(1_000_000, 384) < high
    assert hnsw_memory_mb(1_000_000, 768) > hnsw_memory_mb(1_000_000, 384)
    assert hnsw_memory_mb(10_000_000, 384) == high


def test_lexical_search_reads_postings_and_survives_quotes_and_operators(pg_url, tmp_path, tiny_corpus, fake_embedder):
    build_index(tiny_corpus, pg_url, fake_embedder)
    build_index(tiny_corpus, tmp_path / "i.db", fake_embedder)
    pg, lite = open_store(pg_url), open_store(tmp_path / "i.db")
    for terms in (["udang"], ["ekspor", "udang", "naik"], ["katak", "hijau"], ["o'brien", "a&b", "!x", "c:*", "|"]):
        assert pg.lexical(terms, 10) == lite.lexical(terms, 10)
    assert pg.lexical(["o'brien", "a&b", "!x", "c:*", "|"], 10) == []
    # Within a time: passages of an article published then or stating a date then.
    for since, until in ((dt.date(2023, 10, 3), dt.date(2023, 10, 3)), (dt.date(2023, 10, 2), None),
                         (None, dt.date(2023, 10, 2)), (dt.date(2024, 1, 1), None)):
        assert pg.lexical(["udang", "menteri", "katak"], 10, since, until) == lite.lexical(
            ["udang", "menteri", "katak"], 10, since, until)
    assert lite.lexical(["udang"], 10, dt.date(2023, 10, 3), dt.date(2023, 10, 3))
    assert lite.lexical(["udang"], 10, dt.date(2024, 1, 1)) == []
    for since, until in ((dt.date(2023, 10, 3), dt.date(2023, 10, 3)), (dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
                         (dt.date(2024, 1, 1), dt.date(2024, 12, 31))):
        assert pg.passages_within(since, until) == lite.passages_within(since, until)
    assert lite.passages_within(dt.date(2023, 10, 3), dt.date(2023, 10, 3)) and not lite.passages_within(
        dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    pg.close()
    lite.close()


def test_an_index_from_before_postings_is_brought_up_to_date_on_opening(pg_url):
    from newsbot.index.pg_migrations import MIGRATIONS as ALL

    with psycopg.connect(pg_url, autocommit=True) as conn:  # the schema as the first two migrations left it
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute("CREATE SCHEMA newsbot")
        conn.execute("CREATE TABLE newsbot._migrations (name text PRIMARY KEY, applied_at timestamptz DEFAULT now())")
        for name, sql in ALL[:2]:
            conn.execute(sql)
            conn.execute("INSERT INTO newsbot._migrations (name) VALUES (%s)", [name])
        conn.execute("INSERT INTO newsbot.articles (id, language, published) VALUES ('a', 'id', '2023-09-13')")
        conn.execute("INSERT INTO newsbot.vectors (hash, embedding) VALUES ('h1', '[1,0,0]'), ('h2', '[0,1,0]')")
        conn.execute("INSERT INTO newsbot.passages (article, position, text, sentences, terms, length, tsv, hash, "
                     "sentence_hashes) VALUES ('a', 0, 'udang udang naik', '[]', 'udang udang naik', 3, "
                     "'udang:1,2 naik:3', 'h1', '{}'), ('a', 1, 'harga beras', '[]', 'harga beras', 2, "
                     "'harga:1 beras:2', 'h2', '{}')")
        conn.execute("INSERT INTO newsbot.vocabulary (term, docs) VALUES ('udang', 1), ('naik', 1), ('harga', 1), "
                     "('beras', 1)")
        conn.execute("INSERT INTO newsbot.meta (key, value) VALUES ('passages', '2'), ('tokens', '5')")
    store = open_store(pg_url)
    ids = sorted(store.passages_after(0, 10))
    assert scalar(pg_url, "SELECT count(*) FROM newsbot._migrations") == len(ALL)
    assert store.passage_vectors(ids)[ids[0]].tolist() == [1.0, 0.0, 0.0]
    assert scalar(pg_url, "SELECT array_agg(language) FROM newsbot.passages") == ["id", "id"]
    assert scalar(pg_url, "SELECT tf FROM newsbot.postings WHERE term = 'udang'") == 2
    assert store.lexical(["beras"], 5) == [ids[1]] and store.lexical(["udang", "naik"], 5) == [ids[0]]
    # Each passage carries its article's date, for a search within a time.
    assert scalar(pg_url, "SELECT array_agg(published) FROM newsbot.passages") == [dt.date(2023, 9, 13)] * 2
    assert store.lexical(["beras"], 5, dt.date(2023, 9, 13), dt.date(2023, 9, 13)) == [ids[1]]
    assert store.lexical(["beras"], 5, dt.date(2023, 9, 14)) == []
    assert "tsv" not in [r[0] for r in psycopg.connect(pg_url).execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'passages'").fetchall()]
    store.close()


def test_postings_made_by_the_first_m003_are_repaired_on_opening(pg_url, tiny_corpus, fake_embedder):
    """m003 first made postings without their BM25 weight (and keyed by term and passage); m004 adds it."""
    build_index(tiny_corpus, pg_url, fake_embedder)
    store = open_store(pg_url)
    expected = {terms: store.lexical(list(terms), 5) for terms in [("udang",), ("katak", "hijau"), ("merapi", "awan")]}
    store.close()
    assert all(expected.values())
    with psycopg.connect(pg_url, autocommit=True) as conn:  # the postings as the first m003 left them
        conn.execute("ALTER TABLE newsbot.postings DROP COLUMN impact")
        conn.execute("ALTER TABLE newsbot.postings ADD PRIMARY KEY (term, passage)")
        conn.execute("DELETE FROM newsbot._migrations WHERE name = 'm004_postings_impact'")
    store = open_store(pg_url)
    assert {terms: store.lexical(list(terms), 5) for terms in expected} == expected
    assert scalar(pg_url, "SELECT count(*) FROM newsbot.postings WHERE impact IS NULL") == 0
    store.close()


def test_a_bot_answers_from_a_read_replica_and_sees_new_articles(pg_server, pg_url, tiny_corpus, fake_embedder):
    """A streaming replica of the bundled server (pg_basebackup, hot standby): the bot answers from it,
    catches up with what is indexed on the primary, and offers no vote buttons (it cannot write)."""
    import pwd
    import tempfile

    if pg_server.data is None:
        pytest.skip("the replica test makes its replica of the bundled server; NEWSBOT_TEST_PG_URL names another")
    import pgserver
    from pgserver import _commands as pg

    from newsbot.bot.commands import Command, dispatch
    from newsbot.bot.config import Settings
    from newsbot.bot.core import NewsCore

    user = pgserver.get_server(pg_server.data).system_user
    build_index(tiny_corpus, pg_url, fake_embedder)
    replica = Path(tempfile.mkdtemp(prefix="newsbot-replica-"))
    run_as = {}
    if user is not None:  # as root, pgserver runs PostgreSQL as a user of its own
        os.chown(replica, pwd.getpwnam(user).pw_uid, -1)
        run_as = {"user": user}
    replica.chmod(0o700)
    primary_socket = dict(p.split("=", 1) for p in urlsplit(pg_url).query.split("&"))["host"]
    pg.pg_basebackup(["-D", str(replica), "-R", "-X", "stream", "--checkpoint=fast", "-h", primary_socket, "-U", "postgres"],
                     timeout=120, **run_as)
    for lock in replica.glob(".s.PGSQL.*"):  # the primary's socket lock, copied with its data folder
        lock.unlink()
    pg.pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {replica}", "-l", str(replica / "replica.log"), "start"], pgdata=replica,
              timeout=60, **run_as)
    try:
        parts = urlsplit(pg_url)
        replica_url = urlunsplit(parts._replace(query=f"host={replica}"))
        with NewsCore(Settings(index_path=replica_url, min_relevance=0.1), fake_embedder) as core:
            answer = core.ask("ekspor udang naik berapa persen?")
            assert answer.answered and core.feedback.shown(answer) is None  # read-only: no buttons, still an answer
            refused = dispatch(core, Command("follow", "harimau", place="telegram:1"))
            assert "my index is read-only" in refused.message
            (tiny_corpus / "d_new.txt").write_text("Pada 5 Januari 2024 harimau sumatra terlihat di Riau.\n")
            build_index(tiny_corpus, pg_url, fake_embedder)  # on the primary
            deadline = time.monotonic() + 20
            while core.ask("harimau sumatra").results[:1] == [] or \
                    core.ask("harimau sumatra").results[0].article != "d_new":
                assert time.monotonic() < deadline, "the replica never caught up"
                time.sleep(0.2)
    finally:
        pg.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=replica, timeout=60, **run_as)
        shutil.rmtree(replica, ignore_errors=True)
