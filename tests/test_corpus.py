"""One version of the index: searches run on the version they took, without a lock, while a re-index
swaps a new one in whole; what a version reads by id later is what exists then, never half of it. And
the word weights it measures among a question's articles."""

import math
import threading

import pytest

from newsbot.bot import corpus as corpus_module
from newsbot.index.build import build_index

from .conftest import write_corpus


def test_a_search_finishes_on_the_version_it_took_while_the_index_changes(fake_core, fake_settings, fake_embedder):
    retriever = fake_core.retriever
    before = retriever.current()
    assert retriever.current() is before  # unchanged index: the same object, nothing reloaded
    query = retriever.prepare("ekspor udang naik", corpus=before)
    _, hits = retriever.search(query)
    assert any(h.article.article == "a_antara" for h in hits)
    (fake_settings.corpus / "a_antara.txt").unlink()
    build_index(fake_settings.corpus, fake_settings.index_path, fake_embedder)
    # Prepared on the old version, it finishes on it: its vectors, counts and what it had read. What
    # it reads now is what exists now; each hit is whole (a passage with its article), nothing raised.
    _, hits = retriever.search(query)
    assert hits and all(h.article.article == h.passage.article for h in hits)
    after = retriever.current()
    assert after is not before and after.version != before.version
    _, hits = retriever.search(retriever.prepare("ekspor udang naik", corpus=after))
    assert hits and all(h.article.article != "a_antara" for h in hits)
    _, hits = retriever.search("ekspor udang naik")
    assert hits and all(h.article.article != "a_antara" for h in hits)


def test_many_askers_at_once_each_get_a_whole_answer(fake_core, fake_settings, fake_embedder):
    errors, answers = [], []

    def ask():
        try:
            for _ in range(5):
                answers.append(fake_core.ask("ekspor udang naik berapa persen?"))
        except Exception as exc:  # noqa: BLE001 - any error fails the test below
            errors.append(exc)

    askers = [threading.Thread(target=ask) for _ in range(4)]
    for t in askers:
        t.start()
    (fake_settings.corpus / "d_new.txt").write_text("Ekspor udang naik lagi pada 2024, kata menteri.\n")
    build_index(fake_settings.corpus, fake_settings.index_path, fake_embedder)
    for t in askers:
        t.join()
    assert errors == [] and len(answers) == 20 and all(a.answered for a in answers)


def test_the_caches_of_a_version_stay_bounded(fake_core, monkeypatch):
    monkeypatch.setattr(corpus_module, "PASSAGE_CACHE", 2)
    monkeypatch.setattr(corpus_module, "ARTICLE_CACHE", 1)
    monkeypatch.setattr(corpus_module, "ARTICLE_TERMS_CACHE", 1)
    corpus = fake_core.retriever.current()
    passages = corpus.passages(corpus.ids.tolist())
    assert len(passages) == len(corpus.ids) > 2 and len(corpus._passages) == 2
    corpus.passage_terms(passages)
    assert len(corpus._terms) == 2
    articles = [a.article for a in fake_core.retriever.store.articles()]
    assert corpus.articles(articles).keys() == set(articles) and len(corpus._articles) == 1
    for article in articles:
        corpus.article_terms([article])
    assert len(corpus._article_terms) == 1
    # What a cache holds is what the store gives: the same terms asked again.
    [first] = corpus.passage_terms(passages[:1])
    assert first == frozenset(fake_core.retriever.store.passage_terms([passages[0].id])[passages[0].id].split())


TOPIC = {
    "k_satu.txt": ("Kim bertemu Putin di kosmodrom Vostochny pada Rabu.\n"
                   "Kim tiba dengan kereta lapis baja, kata kantor berita.\n"
                   "Putin menyambut Kim di pintu masuk.\n"),
    "k_dua.txt": "Kim dan Putin membahas kerja sama militer.\nKim mengundang Putin ke Pyongyang.\n",
}
ELSEWHERE = {f"o_{i}.txt": f"Harga beras naik lagi di pasar kota {i}.\nPetani memanen padi lebih awal tahun ini.\n"
             for i in range(12)}


def _weights(tmp_path, embedder, articles: dict[str, str]):
    from newsbot.bot.retrieve import Retriever

    folder = tmp_path / f"corpus{len(articles)}"
    write_corpus(folder, articles)
    build_index(folder, tmp_path / f"index{len(articles)}.db", embedder)
    retriever = Retriever(tmp_path / f"index{len(articles)}.db", embedder)
    query = retriever.prepare("Kim kosmodrom kantor berita")
    corpus = query.corpus
    found = (corpus.neighbourhood_weights(query.content_terms, ["k_satu", "k_dua"]), corpus.term_weights(query.content_terms))
    retriever.close()
    return found


def test_coverage_weighs_a_word_among_the_candidates_articles_whatever_else_is_indexed(tmp_path, fake_embedder):
    """A question word's weight in the coverage bonus is its idf among the passages of the articles its
    candidates come from. Articles on other topics indexed beside them leave it as it was, where the
    index-wide idf moves: "Kim", in every passage of the topic, stays the word that tells least."""
    alone, alone_index_wide = _weights(tmp_path, fake_embedder, TOPIC)
    mixed, mixed_index_wide = _weights(tmp_path, fake_embedder, {**TOPIC, **ELSEWHERE})
    assert mixed == pytest.approx(alone)
    assert alone["kim"] < alone["kantor"] == alone["berita"] == alone["kosmodrom"]
    # five passages: "kim" in all five, the others in one (BM25's idf)
    assert alone["kim"] == pytest.approx(math.log(1 + 0.5 / 5.5))
    assert alone["kosmodrom"] == pytest.approx(math.log(1 + 4.5 / 1.5))
    assert mixed_index_wide["kim"] > alone_index_wide["kim"] + 1


def test_a_word_counts_in_as_many_passages_as_its_commonest_form(fake_core):
    corpus = fake_core.retriever.current()
    weights = corpus.neighbourhood_weights({"udang": ["udang"], "ekspor": ["ekspor", "katak"]}, ["a_antara", "c_unknown"])
    held = corpus.article_terms(["a_antara", "c_unknown"])
    total = sum(a.passages for a in held.values())
    assert total == 4
    # "ekspor" is in one passage; its other form "katak" in two: it counts as in two
    assert weights["ekspor"] == pytest.approx(math.log(1 + (total - 2 + 0.5) / 2.5))
    assert weights["udang"] == pytest.approx(math.log(1 + (total - 1 + 0.5) / 1.5))


PHRASES = {
    "p_satu.txt": ("Korea Utara mengirim pasukan ke Rusia, kata kantor berita.\n"
                   "Kementerian Luar Negeri Korea Selatan menyatakan keprihatinan mendalam.\n"
                   "Roket itu membawa pesawat luar angkasa dari kosmodrom di utara negeri itu.\n"),
}


def test_an_informal_word_for_a_phrase_is_held_only_where_all_its_words_are(tmp_path, fake_embedder):
    """"korsel" is "Korea Selatan" and "kemlu" "Kementerian Luar Negeri": a passage on North Korea holds
    "korea" and one on outer space "luar" and "negeri", and neither is what was asked about."""
    from newsbot.bot.retrieve import Retriever

    write_corpus(tmp_path / "corpus", PHRASES)
    build_index(tmp_path / "corpus", tmp_path / "index.db", fake_embedder)
    retriever = Retriever(tmp_path / "index.db", fake_embedder)
    try:
        query = retriever.prepare("korsel sama kemlu bilang apa")
        corpus = query.corpus
        assert query.content_terms["korsel"] == ["korea selatan"]
        north, south, space = corpus.passages(corpus.ids.tolist())
        coverage = {p.text: corpus.coverage({"korsel": ["korea selatan"], "kemlu": ["kementerian luar negeri"]},
                                            p.text, "id") for p in (north, south, space)}
        assert coverage[south.text] == 1.0
        assert coverage[north.text] == coverage[space.text] == 0.0
        # a phrase is in as many passages as hold all its words, whatever each word alone is in
        assert corpus.frequencies(["korea", "korea selatan", "luar negeri"]) == {
            "korea": 2, "korea selatan": 1, "luar negeri": 2}  # at most as many as its rarest word
        held = corpus.article_terms(["p_satu"])["p_satu"]
        assert (held.holding("korea"), held.holding("korea selatan"), held.holding("luar negeri"),
                held.holding("kementerian luar negeri")) == (2, 1, 2, 1)
        assert "korea selatan" in held and "korea barat" not in held
        # the lexical search looks for the phrase's words
        assert {"korea", "selatan", "kementerian", "luar", "negeri"} <= set(retriever.match_terms(query, corpus))
    finally:
        retriever.close()
