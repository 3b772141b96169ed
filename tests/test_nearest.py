"""A large SQLite index searched through its nearest-neighbour files (index/ann.py): the same answers as
comparing with every vector, new passages found before the files catch up, removed ones gone, and
the counts the store keeps itself in step with FTS5's. The threshold is lowered so a small corpus
counts as large."""

import sqlite3

import numpy as np
import pytest

from newsbot.bot.config import Settings
from newsbot.bot.core import NewsCore
from newsbot.index import ann, sqlite
from newsbot.index.build import build_index
from newsbot.index.store import open_store

from .conftest import write_corpus

TOPICS = [
    ("Harga beras naik di pasar {place} karena pasokan berkurang.", "id"),
    ("Ekspor udang dari {place} meningkat tajam tahun ini, kata menteri.", "id"),
    ("Gunung berapi di dekat {place} mengeluarkan awan panas pada pagi hari.", "id"),
    ("Rice prices rose in {place} as supplies fell, traders said.", "en"),
    ("The football club from {place} won the cup final on Sunday.", "en"),
]
PLACES = ["Jakarta", "Medan", "Surabaya", "Makassar", "Bandung", "Padang", "Kupang", "Ambon"]
QUESTIONS = ["harga beras naik", "ekspor udang Medan", "awan panas gunung", "rice prices Jakarta",
             "who won the cup final?", "pasokan beras berkurang di Ambon"]


def big_corpus(folder):
    files, toml = {}, []
    for n, place in enumerate(PLACES):
        for t, (text, language) in enumerate(TOPICS):
            name = f"a{n}_{t}.txt"
            files[name] = text.format(place=place) + "\n" + f"Laporan {n} {t} dari {place}.\n"
            toml.append(f'["{name}"]\nlanguage = "{language}"\n')
    corpus = write_corpus(folder, files)
    (corpus / "sources.toml").write_text("".join(toml))
    return corpus


def answers(path, embedder, questions=QUESTIONS):
    core = NewsCore(Settings(index_path=path, min_relevance=0.1), embedder)
    try:
        return [[(r.article, r.quote) for r in core.ask(q).results] for q in questions], core.retriever.current()
    finally:
        core.close()


@pytest.fixture
def lowered(monkeypatch):
    monkeypatch.setattr(ann, "MIN_PASSAGES", 20)


def test_a_large_index_answers_through_its_graphs_as_it_would_comparing_every_vector(tmp_path, fake_embedder,
                                                                                        monkeypatch):
    corpus = big_corpus(tmp_path / "c")
    build_index(corpus, tmp_path / "exact.db", fake_embedder)
    assert not ann.folder_of(tmp_path / "exact.db").exists()  # a small index: no files
    expected, exact = answers(tmp_path / "exact.db", fake_embedder)
    assert exact.complete and exact.mixed_languages

    monkeypatch.setattr(ann, "MIN_PASSAGES", 20)
    build_index(corpus, tmp_path / "big.db", fake_embedder)
    assert ann.stamp(tmp_path / "big.db") == "g1"
    found, corpus_view = answers(tmp_path / "big.db", fake_embedder)
    assert not corpus_view.complete and len(corpus_view.ids) == 0  # every passage is in the graphs
    assert len(corpus_view.sample) == corpus_view.n_passages == 80  # the sample: all of them, here
    assert found == expected and any(found)


def test_passages_read_by_id_are_ranked_less_their_languages_offset(tmp_path, fake_embedder, monkeypatch):
    """Passages a graph-searched corpus does not hold (those of the time a question names, a followed
    topic's new ones) are ranked as a corpus holding every vector ranks them: each less its language's
    offset, read from its article."""
    from newsbot.bot.retrieve import Retriever

    corpus = big_corpus(tmp_path / "c")
    build_index(corpus, tmp_path / "exact.db", fake_embedder)
    monkeypatch.setattr(ann, "MIN_PASSAGES", 20)
    build_index(corpus, tmp_path / "big.db", fake_embedder)
    exact, graphs = Retriever(tmp_path / "exact.db", fake_embedder), Retriever(tmp_path / "big.db", fake_embedder)
    try:
        held, read = exact.current(), graphs.current()
        assert held.complete and not read.complete and len(read.ids) == 0
        languages = read.store.passage_languages([int(i) for i in held.ids] + [10**9])
        assert languages == {int(i): held.language_names[row] for i, row in zip(held.ids, held.language_rows)}
        uncorrected = 0
        for question in QUESTIONS:
            vector = exact.prepare(question).vector
            offsets = held.offsets(vector)
            assert offsets.any() and np.allclose(offsets, read.offsets(vector))
            ids = [int(i) for i in held.ids[::-1]]
            expected = held.nearest_among(vector, ids, 10, offsets=offsets)
            assert read.nearest_among(vector, ids, 10, offsets=offsets, batch=7) == expected
            uncorrected += read.nearest_among(vector, ids, 10, batch=7) != expected
        assert uncorrected  # the correction tells
    finally:
        exact.close()
        graphs.close()


def test_the_vectors_nearest_hands_back_are_not_read_again(tmp_path, fake_embedder, lowered, monkeypatch):
    build_index(big_corpus(tmp_path / "c"), tmp_path / "i.db", fake_embedder)
    core = NewsCore(Settings(index_path=tmp_path / "i.db", min_relevance=0.1), fake_embedder)
    asked: list[int] = []
    read = core.retriever.store.passage_vectors
    monkeypatch.setattr(core.retriever.store, "passage_vectors", lambda ids: asked.extend(ids) or read(ids))
    try:
        query, hits = core.retriever.search("harga beras naik")
        dense = {h.passage.id for h in hits if h.dense_rank is not None}
        lexical = {h.passage.id for h in hits if h.bm25_rank is not None}
        assert dense - lexical and not (dense - lexical) & set(asked)  # their vectors came with them
        assert set(asked) <= lexical  # read before the dense search, while the question was embedded
        again = len(asked)
        core.retriever.search("harga beras naik")
        assert len(asked) == again  # kept for the next question
    finally:
        core.close()


def test_passages_newer_than_the_graphs_are_found_before_the_graphs_catch_up(tmp_path, fake_embedder, lowered,
                                                                             monkeypatch):
    corpus = big_corpus(tmp_path / "c")
    path = tmp_path / "i.db"
    build_index(corpus, path, fake_embedder)
    (corpus / "z_new.txt").write_text("Harimau sumatra terlihat di perkebunan sawit Riau.\n")
    with monkeypatch.context() as m:  # the run stops after its commit, before the graphs are made
        m.setattr(sqlite.SqliteStore, "prepare_search", lambda self, progress=None: None)
        build_index(corpus, path, fake_embedder)
    [[(article, _)]], view = answers(path, fake_embedder, ["harimau sumatra"])
    assert article == "z_new" and [int(i) for i in view.ids] == [81]  # searched exactly beside the graphs
    build_index(corpus, path, fake_embedder)  # the next run brings the graphs up to date
    assert ann.stamp(path) == "g2"
    [[(article, _)]], view = answers(path, fake_embedder, ["harimau sumatra"])
    assert article == "z_new" and len(view.ids) == 0


def test_removed_passages_leave_the_graphs_and_ids_are_never_given_twice(tmp_path, fake_embedder, lowered):
    corpus = big_corpus(tmp_path / "c")
    path = tmp_path / "i.db"
    build_index(corpus, path, fake_embedder)
    last = 80
    for name in ("a7_3.txt", "a7_4.txt"):  # the newest passages (ids 77-80) go
        (corpus / name).unlink()
    build_index(corpus, path, fake_embedder)
    files = ann.VectorFiles.open(path)
    assert files.path.name == "g2" and sum(len(g) for g in files.graphs.values()) == 76
    assert all(int(k) <= 76 for g in files.graphs.values() for k in g.keys)
    assert not [r for q in answers(path, fake_embedder, ["rice prices Kupang"])[0] for r in q if r[0].startswith("a7_3")]
    (corpus / "a7_3.txt").write_text("Rice prices rose in Kupang again.\n")
    build_index(corpus, path, fake_embedder)
    store = open_store(path)
    [new] = store.article_passages(["a7_3"])["a7_3"]
    assert new == last + 1  # not 77, which a removed passage had
    assert new in {int(k) for g in ann.VectorFiles.open(path).graphs.values() for k in g.keys}
    assert sorted(p.name for p in ann.folder_of(path).iterdir()) == ["g2", "g3"]  # older generations go
    store.close()


def test_missing_or_damaged_files_mean_comparing_every_vector(tmp_path, fake_embedder, lowered):
    corpus = big_corpus(tmp_path / "c")
    path = tmp_path / "i.db"
    build_index(corpus, path, fake_embedder)
    expected, _ = answers(path, fake_embedder)
    for graph in (ann.folder_of(path) / "g1").glob("*.usearch"):
        graph.write_bytes(b"not a graph")
    found, view = answers(path, fake_embedder)
    assert view.complete and found == expected
    for file in (ann.folder_of(path) / "g1").iterdir():
        file.unlink()
    found, view = answers(path, fake_embedder)
    assert view.complete and found == expected
    build_index(corpus, path, fake_embedder)  # a run with nothing new still makes them again
    assert not answers(path, fake_embedder)[1].complete


def test_an_index_that_shrinks_below_the_threshold_drops_its_graphs(tmp_path, fake_embedder, lowered):
    corpus = big_corpus(tmp_path / "c")
    path = tmp_path / "i.db"
    build_index(corpus, path, fake_embedder)
    for name in list(corpus.glob("a[1-7]_*.txt")):
        name.unlink()
    build_index(corpus, path, fake_embedder)
    assert not ann.folder_of(path).exists()
    assert answers(path, fake_embedder)[1].complete


def test_sqlite_keeps_term_and_language_counts_in_step(tmp_path, fake_embedder):
    corpus = big_corpus(tmp_path / "c")
    path = tmp_path / "i.db"
    build_index(corpus, path, fake_embedder)
    (corpus / "a1_1.txt").unlink()
    (corpus / "a2_2.txt").write_text("Gunung Merapi kembali mengeluarkan awan panas guguran.\n")
    (corpus / "b_new.txt").write_text("Harga cabai naik di Medan, kata pedagang pasar.\n")
    build_index(corpus, path, fake_embedder)
    db = sqlite3.connect(path)
    fts = dict(db.execute("SELECT term, doc FROM passages_fts_vocab"))
    languages = dict(db.execute("SELECT coalesce(a.language, ''), count(*) FROM passages p "
                                "JOIN articles a ON a.id = p.article GROUP BY 1"))
    db.close()
    store = open_store(path)
    assert store.frequencies() == fts
    assert store.frequencies(["beras", "merapi", "tiada"]) == {t: fts[t] for t in ("beras", "merapi")}
    snapshot = store.snapshot()
    assert dict(zip([n or "" for n in snapshot.language_names], snapshot.language_counts.tolist())) == \
        {k: float(v) for k, v in languages.items()} | {"": float(languages.get("", 0))}
    assert snapshot.passages == sum(languages.values()) == len(snapshot.ids)
    assert np.array_equal(snapshot.ids, np.sort(snapshot.ids))
    store.close()


@pytest.mark.parametrize("articles", ["busy_year", "recalled"])
def test_a_question_naming_a_time_searches_its_words_and_the_graphs_within_that_time(tmp_path, fake_embedder, lowered,
                                                                                     monkeypatch, articles):
    """As in PostgreSQL (test_postgres): the time's best by its words, and the graphs' nearest within it."""
    from newsbot.bot import retrieve

    from . import test_retrieve

    build_index(write_corpus(tmp_path / "c", getattr(test_retrieve, articles)()), tmp_path / "i.db", fake_embedder)
    monkeypatch.setattr(retrieve, "PERIOD_ARTICLES", 5)
    retriever = retrieve.Retriever(tmp_path / "i.db", fake_embedder)
    test_retrieve.assert_each_graph_path_finds_the_time(retriever, monkeypatch)
    retriever.close()


@pytest.mark.parametrize("exact_within, scans", [(ann.EXACT_WITHIN, ann.TIMED_SCANS), (0, ann.TIMED_SCANS), (0, (3,))])
def test_the_graphs_find_the_nearest_passages_of_a_time(tmp_path, fake_embedder, lowered, monkeypatch, exact_within,
                                                        scans):
    """A time of few passages compared exactly; of more, read through the graphs' nearest, or (when those
    reached hold too few of the time) exactly."""
    from .test_postgres import assert_nearest_of_a_time
    from .test_retrieve import TIMED_QUESTION, recalled

    monkeypatch.setattr(ann, "EXACT_WITHIN", exact_within)
    monkeypatch.setattr(ann, "TIMED_SCANS", scans)
    build_index(write_corpus(tmp_path / "c", {**recalled(), "id997.txt": "---\npublished: 2023-02-01\n---\n"
                                              "Harga cabai merah naik di pasar induk.\n"}), tmp_path / "i.db", fake_embedder)
    store = open_store(tmp_path / "i.db")
    assert not store.snapshot().complete
    assert_nearest_of_a_time(store, fake_embedder.embed_query(TIMED_QUESTION))
    store.close()
