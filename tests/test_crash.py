"""Crash safety: `newsbot index` killed with SIGKILL mid-embedding leaves the previous index intact and
usable, and the next run keeps the vectors already made; questions asked during re-indexing never fail.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from newsbot.bot.core import NewsCore
from newsbot.index.build import EMBED_BATCH, build_index

from .conftest import SEEDS, FakeEmbedder

QUESTION = "Di mana Kim dan Putin bertemu?"


def many_articles(folder, count: int) -> None:
    """`count` distinct Indonesian articles of ten paragraphs, from the seeds' sentences recombined."""
    sentences = []
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            sentences += [s.strip() + "." for s in line.split(". ") if len(s.split()) > 6]
    for n in range(count):
        paragraphs = []
        for p in range(10):
            picked = [sentences[(n * 31 + p * 7 + i * 13) % len(sentences)] for i in range(3)]
            paragraphs.append(f"Laporan {n}-{p}: " + " ".join(picked))
        (folder / f"extra_{n:03d}.txt").write_text(
            f"Jakarta (ANTARA) - Berita tambahan nomor {n} pada Senin (2/10/2023).\n" + "\n".join(paragraphs) + "\n",
            encoding="utf-8")


def counts(path) -> tuple[int, int, int]:
    db = sqlite3.connect(path)
    try:
        return tuple(db.execute(f"select count(*) from {t}").fetchone()[0] for t in ("articles", "passages", "vectors"))
    finally:
        db.close()


@pytest.mark.model
def test_kill_9_mid_embedding_keeps_the_previous_index(seed_settings, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(seed_settings.corpus, corpus)
    index = tmp_path / "index.db"
    shutil.copy(seed_settings.index_path, index)
    articles, passages, vectors = counts(index)
    with NewsCore(seed_settings.__class__(index_path=index, corpus=corpus)) as core:
        before = core.ask(QUESTION)

    many_articles(corpus, 15)
    env = {**os.environ, "NEWSBOT_INDEX": str(index)}
    process = subprocess.Popen([sys.executable, "-m", "newsbot.bot", "index", str(corpus)], cwd=tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while counts(index)[2] <= vectors:  # wait until the first batch of new vectors is committed
            assert process.poll() is None, "the indexer finished before it could be killed: make the corpus bigger"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    committed = counts(index)
    assert committed[:2] == (articles, passages)  # readers still see exactly the old corpus
    assert committed[2] > vectors  # …and the batches made so far were kept

    with NewsCore(seed_settings.__class__(index_path=index, corpus=corpus)) as core:
        assert core.ask(QUESTION) == before
        assert len(core.articles()) == articles

    done = subprocess.run([sys.executable, "-m", "newsbot.bot", "index", str(corpus)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = done.stdout + done.stderr
    assert "20 articles" in report
    reused = int(report.split(" reused")[0].rsplit(" ", 1)[1])
    assert reused >= EMBED_BATCH  # the passages of the killed run's committed batches were not embedded again


def test_questions_during_reindexing_never_fail(tmp_path, tiny_corpus):
    embedder = FakeEmbedder()
    index = tmp_path / "index.db"
    build_index(tiny_corpus, index, embedder)
    from newsbot.bot.config import Settings

    core = NewsCore(Settings(index_path=index, corpus=tiny_corpus, min_relevance=0.1), embedder)
    errors, answers = [], []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                answers.append(core.ask("Berapa kenaikan ekspor udang?").answered)
                core.timeline()
                core.articles()
            except Exception as exc:  # noqa: BLE001 - the point is that nothing at all escapes
                errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for n in range(15):
            (tiny_corpus / f"new_{n}.txt").write_text(f"Berita ekspor udang nomor {n} dari Surabaya.\n")
            if n % 3 == 2:
                (tiny_corpus / f"new_{n - 1}.txt").unlink()
            build_index(tiny_corpus, index, embedder, rebuild=n % 5 == 4)
    finally:
        stop.set()
        for t in threads:
            t.join()
    core.close()
    assert errors == []
    assert answers and all(answers)


RACER = """
import sys, time
from pathlib import Path
from newsbot.index.build import build_index
from tests.conftest import FakeEmbedder
corpus, index, go = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
while not go.exists():
    time.sleep(0.001)
build_index(corpus, index, FakeEmbedder())
"""


def test_indexers_racing_on_a_new_index_all_finish(tmp_path, tiny_corpus):
    # The audit's case: two `newsbot index` runs on a new index crashed in the migrations ("database is
    # locked") in 2 of 3 rounds. Now one migrates while the others wait for it.
    from newsbot.index import sqlite

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for round_ in range(3):
        index, go = tmp_path / f"race{round_}.db", tmp_path / f"go{round_}"
        racers = [subprocess.Popen([sys.executable, "-c", RACER, str(tiny_corpus), str(index), str(go)], cwd=root,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
        time.sleep(1.0)  # every racer imported and waiting
        go.touch()
        for racer in racers:
            out, err = racer.communicate(timeout=120)
            assert racer.returncode == 0, err
        db = sqlite.open_index(index)
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
        db.close()
