"""Hybrid retrieval: FTS escaping, fusion, typo tolerance (fake embedder, tiny corpus)."""

import pytest

from bot.retrieve import RRF_K, words


@pytest.fixture
def retriever(fake_core):
    return fake_core.retriever


@pytest.mark.parametrize(
    "hostile",
    ['"', '""udang', "udang*", "udang AND NOT katak", "NEAR(udang katak)", "text:udang", "^udang",
     "udang OR", "'; DROP TABLE passages; --", "(((", "udang\x00katak", "  ", "🦐🐸", "‏مرحبا", "-udang +katak",
     "{text}: udang", "udang NEAR/2 katak", "*"],
)
def test_fts_syntax_in_questions_is_just_text(retriever, hostile):
    query, hits = retriever.search(hostile)
    assert isinstance(hits, list)
    if "udang" in hostile:
        assert retriever.bm25(query)  # the word still finds its passages


def test_words_fold_case_and_diacritics():
    assert words("Café «Ekspor» UDANG-windu!") == ["cafe", "ekspor", "udang", "windu"]


def test_bm25_ranks_the_passage_with_the_rare_words_first(retriever):
    query = retriever.prepare("katak hijau")
    top = retriever.passages[retriever.row_of[retriever.bm25(query)[0]]]
    assert top.text == "Katak itu berwarna hijau terang dan hanya sebesar kuku jari."


def test_typo_finds_the_index_term(retriever):
    query = retriever.prepare("merapy awan")
    assert query.content_terms["merapy"] == ["merapy", "merapi"]
    top = retriever.passages[retriever.row_of[retriever.bm25(query)[0]]]
    assert top.text.startswith("Gunung Merapi")


def test_fusion_is_reciprocal_rank(retriever):
    query, hits = retriever.search("ekspor udang naik")
    for hit in hits:
        expected = sum(1.0 / (RRF_K + r + 1) for r in (hit.bm25_rank, hit.dense_rank) if r is not None)
        assert hit.score == pytest.approx(expected)
    assert hits == sorted(hits, key=lambda h: -h.score)
    assert {h.passage.article for h in hits[:2]} == {"a_antara", "b_tempo"}


def test_retriever_notices_a_rebuilt_index(fake_core, fake_settings, fake_embedder):
    from index.build import build_index

    retriever = fake_core.retriever
    (fake_settings.corpus / "d_new.txt").write_text("Harimau sumatra terlihat di perkebunan sawit.\n")
    build_index(fake_settings.corpus, fake_settings.index_path, fake_embedder)
    query, hits = retriever.search("harimau sumatra")
    assert hits[0].passage.article == "d_new"
