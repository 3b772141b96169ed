"""The benchmark harness's own parts: the scale corpus is indexed through the real build path with
composed vectors, and the results table renders (speed itself is measured by benchmarks/, not here)."""

import json
from pathlib import Path

import numpy as np

from benchmarks.bench import table
from benchmarks.corpus import ComposedEmbedder, write_corpus
from newsbot.index import sqlite, store
from newsbot.index.build import background_sentences, build_index

from .conftest import FakeEmbedder


def test_scale_corpus_is_indexed_with_composed_vectors(tmp_path):
    origin = write_corpus(tmp_path / "corpus", 300)
    embedder = ComposedEmbedder(FakeEmbedder(), origin)
    report = build_index(tmp_path / "corpus", tmp_path / "i.db", embedder)
    assert report.articles == 30 and 250 <= report.passages <= 300
    # Nearly every sentence comes from a seed sentence; the rest (and the background) are embedded for real.
    assert embedder.fallbacks <= len(background_sentences()) + report.passages // 10
    db = sqlite.open_index(tmp_path / "i.db")
    texts = [r[0] for r in db.execute("select text from passages")]
    assert len(set(texts)) >= 0.9 * len(texts)  # varied: few passages alike (as wire copy is, now and then)
    sentence = json.loads(db.execute("select sentences from passages where position = 3").fetchone()[0])[0]
    [vector] = sqlite.get_vectors(db, [store.vector_key(embedder.name, sentence)]).values()
    bases = embedder.bases(sentence)
    expected = FakeEmbedder().embed_passages(bases).sum(axis=0)
    assert np.allclose(vector, expected / np.linalg.norm(expected), atol=1e-6)


def test_results_table_renders_ratios():
    results = json.loads((Path(__file__).resolve().parent.parent / "benchmarks" / "results.json").read_text())
    text = table(results)
    assert "| passages | articles | ask median |" in text
    timed = [t for t in results["tiers"] if "timeline_p95_ms" in t]
    assert text.count("\n| ") == 1 + len(results["tiers"]) + 1 + len(timed)
    assert "| passages | /timeline first |" in text
    assert "index throughput:" in text
