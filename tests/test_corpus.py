"""One version of the index: searches run on the version they took, without a lock, while a re-index
swaps a new one in whole; what a version reads by id later is what exists then, never half of it."""

import threading

from newsbot.bot import corpus as corpus_module
from newsbot.index.build import build_index


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
