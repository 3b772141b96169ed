"""Hybrid retrieval: FTS escaping, stems, candidates and their evidence, typo tolerance (fake embedder, tiny corpus)."""

import numpy as np
import pytest

from newsbot.bot import retrieve as retrieve_module
from newsbot.index.store import vector_key


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


def test_bm25_ranks_the_passage_with_the_rare_words_first(retriever):
    query = retriever.prepare("katak hijau")
    [top] = query.corpus.passages(retriever.bm25(query)[:1])
    assert top.text == "Katak itu berwarna hijau terang dan hanya sebesar kuku jari."


def test_a_pasted_link_is_searched_as_the_words_of_its_slug(retriever):
    query = retriever.prepare("@budi https://www.example.com/berita/2023/09/katak-hijau.html ini bener?")
    assert query.text == "berita katak hijau ini bener?"
    [top] = query.corpus.passages(retriever.bm25(query)[:1])
    assert top.text == "Katak itu berwarna hijau terang dan hanya sebesar kuku jari."


def test_typo_finds_the_index_term(retriever):
    query = retriever.prepare("merapy awan")
    assert "merapi" in query.content_terms["merapy"]
    [top] = query.corpus.passages(retriever.bm25(query)[:1])
    assert top.text.startswith("Gunung Merapi")


def test_candidates_are_both_searches_best_with_their_evidence(retriever):
    query, hits = retriever.search("ekspor udang naik")
    lexical, dense = retriever.bm25(query), retriever.dense(query)
    assert [h.passage.id for h in hits] == list(dict.fromkeys(dense + lexical))
    corpus = query.corpus
    sims = corpus.matrix @ query.vector  # one language: no offsets
    for hit in hits:
        row = int(np.searchsorted(corpus.ids, hit.passage.id))
        assert hit.similarity == pytest.approx(float(sims[row]))
        sentence_sims = retriever.sentence_vectors(hit.passage.sentences) @ query.vector
        assert hit.sentence == pytest.approx(float(sentence_sims.max()))
        assert hit.coverage == pytest.approx(
            query.corpus.coverage(query.content_terms, hit.passage.text, hit.article.language, query.weights))
        assert hit.time == 0.0 and hit.number == 0.0


def test_coverage_weighs_the_words_in_the_articles_nearest_the_question(retriever, monkeypatch):
    """The weights come from the articles of the NEIGHBOURHOOD candidates with the best sentence cosine,
    not from every candidate's article."""
    monkeypatch.setattr(retrieve_module, "NEIGHBOURHOOD", 1)
    query, hits = retriever.search("katak hijau terang")
    nearest = max(hits, key=lambda h: h.sentence)
    corpus = query.corpus
    assert query.weights == corpus.neighbourhood_weights(query.content_terms, [nearest.passage.article])
    every = list(dict.fromkeys(h.passage.article for h in hits))
    assert len(every) > 1 and query.weights != corpus.neighbourhood_weights(query.content_terms, every)
    for hit in hits:
        assert hit.coverage == pytest.approx(corpus.coverage(query.content_terms, hit.passage.text,
                                                             hit.article.language, query.weights))


def test_the_lexical_candidates_are_read_while_the_question_is_embedded(retriever, monkeypatch):
    """Reading the lexical side's passages waits for no embedding: the embedder here returns only once
    they have been read (or gives up after 5 s, and the test fails)."""
    import threading

    read = threading.Event()
    store, embedder = retriever.store, retriever.embedder
    passages, embed_query = store.passages, embedder.embed_query
    monkeypatch.setattr(store, "passages", lambda ids: (read.set(), passages(ids))[1])
    waited: list[bool] = []
    monkeypatch.setattr(embedder, "embed_query", lambda text: (waited.append(read.wait(5)), embed_query(text))[1])
    query, hits = retriever.search("katak hijau terang")
    lexical = set(retriever.bm25(query))
    assert waited == [True] and lexical <= {h.passage.id for h in hits}
    for hit in hits:  # the same evidence as read after
        if hit.passage.id in lexical:
            assert hit.coverage == pytest.approx(
                query.corpus.coverage(query.content_terms, hit.passage.text, hit.article.language, query.weights))


@pytest.mark.parametrize("word, expected, refused", [
    ("merapy", "merapi", None),  # one letter changed
    ("menterri", "menteri", None),  # one letter too many
    ("udanng", "udang", None),
    ("kukku", "kuku", None),
    ("awam", None, "awan"),  # a four-letter word with a letter changed is another word as often as a typo
    ("jkarta", None, "jakarta"),  # the first two letters stay ("typos keep the start")
    ("dunung", None, "gunung"),
    ("calimantan", "kalimantan", None),  # a first c before a is k
    ("export", "ekspor", None),  # a borrowed word, spelled as Indonesian spells it: x is ks
    ("percent", "persen", None),  # c before e is s
])
def test_close_matches_are_typos_not_other_words(retriever, word, expected, refused):
    forms = retriever.prepare(f"{word} itu").content_terms[word]
    if expected:
        assert expected in forms
    if refused:
        assert refused not in forms


def test_a_when_question_marks_passages_that_state_no_time(retriever):
    _, hits = retriever.search("Kapan ekspor udang naik?")
    stated = {h.passage.text.split()[0]: h.when for h in hits}
    assert {h.when for h in hits if "pada Senin (2/10)" in h.passage.text} == {0.0}
    assert stated["Kenaikan"] == -1.0 and stated["Katak"] == -1.0  # no time in them
    _, hits = retriever.search("Berapa ekspor udang naik?")
    assert {h.when for h in hits} == {0.0}
    # Chat spellings ask the same: "kpn" is "kapan", "brp" is "berapa".
    assert {h.passage.id: h.when for h in retriever.search("kpn ekspor udang naik?")[1]} == {
        h.passage.id: h.when for h in retriever.search("Kapan ekspor udang naik?")[1]}


def test_a_time_relative_to_another_event_says_when(tmp_path, fake_embedder):
    """"sehari setelah parade" resolves to no date, but it answers "when"; a duration does not."""
    retriever = mixed_retriever(tmp_path, fake_embedder, {
        "id1.txt": "Pertemuan itu berlangsung sehari setelah parade militer di Beijing.\n"
                   "Kedua pemimpin bertemu untuk pertama kalinya dalam lebih dari empat tahun.\n",
    })
    _, hits = retriever.search("Kapan pertemuan kedua pemimpin itu?")
    assert {h.passage.text.split()[0]: h.when for h in hits} == {"Pertemuan": 0.0, "Kedua": -1.0}
    retriever.close()


def test_a_how_many_question_marks_passages_that_state_no_count(tmp_path, fake_embedder):
    """A date is no count: a passage whose only numbers are its dates cannot say how many."""
    retriever = mixed_retriever(tmp_path, fake_embedder, {
        "id1.txt": "Pyongyang ingin satelit canggih, kata pejabat AS pada Kamis, 14 September 2023.\n"
                   "New York Times melaporkan keinginan satelit itu pada 4 September.\n"
                   "Rusia akan membangun tiga satelit untuk Pyongyang, kata pejabat itu.\n"
                   "Pejabat itu tidak menyebut jenis satelitnya.\n",
    })
    _, hits = retriever.search("Berapa satelit yang dibangun Rusia?")
    number = {h.passage.text.split()[0]: h.number for h in hits}
    assert number == {"Pyongyang": -1.0, "New": -1.0, "Rusia": 0.0, "Pejabat": -1.0}
    _, hits = retriever.search("Satelit apa yang dibangun Rusia?")
    assert {h.number for h in hits} == {0.0}
    retriever.close()


def test_a_where_question_reads_a_sentence_without_who_reported_it(tmp_path, fake_embedder):
    """The place a where question asks for weighs less in a sentence that closes by naming its source at
    length; such a sentence is also compared without that (its vector stored by the indexer), only for
    a question asking where."""
    retriever = mixed_retriever(tmp_path, fake_embedder, {
        "id1.txt": "Kedua pemimpin bertemu di Beijing, sebut laporan media pemerintah Korea Utara pada Kamis pagi.\n"
                   "Kedua pemimpin bertemu dan membahas kerja sama militer.\n",
    })
    store = retriever.store
    reading = "Kedua pemimpin bertemu di Beijing"
    assert store.missing_vectors([vector_key(fake_embedder.name, reading)]) == []
    calls = len(fake_embedder.calls)

    _, hits = retriever.search("Di mana kedua pemimpin bertemu?")
    assert len(fake_embedder.calls) == calls  # the reading's vector was read from the index, not embedded now
    first = {h.passage.text.split()[3]: h for h in hits}
    query = fake_embedder.embed_query("Di mana kedua pemimpin bertemu?")
    assert first["di"].sentence == pytest.approx(float(fake_embedder.embed_passages([reading])[0] @ query))
    assert first["di"].sentence > first["dan"].sentence
    assert first["di"].sentence > float(fake_embedder.embed_passages([first["di"].passage.text])[0] @ query)

    _, hits = retriever.search("Kapan kedua pemimpin bertemu?")  # asks no place: the sentence as written
    query = fake_embedder.embed_query("Kapan kedua pemimpin bertemu?")
    first = {h.passage.text.split()[3]: h for h in hits}
    as_written = fake_embedder.embed_passages([first["di"].passage.text])[0]
    assert first["di"].sentence == pytest.approx(float(as_written @ query))
    retriever.close()


def test_a_big_index_searches_the_rarest_words_within_a_budget(retriever, monkeypatch):
    import newsbot.bot.retrieve as retrieve

    query = retriever.prepare("udang katak hijau")
    corpus = query.corpus
    counts = corpus.frequencies(["udang", "katak", "hijau"])
    assert counts == {"udang": 2, "katak": 2, "hijau": 1}
    assert set(retriever.match_terms(query, corpus)) >= {"udang", "katak", "hijau"}
    monkeypatch.setattr(retrieve, "LEXICAL_POSTINGS", 4)
    assert set(retriever.match_terms(query, corpus)) == {"udang", "hijau"}  # rarest first, then the first of a tie
    monkeypatch.setattr(retrieve, "LEXICAL_POSTINGS", counts["hijau"])
    assert retriever.match_terms(query, corpus) == ["hijau"]
    # Every word too common: nothing for the lexical search; the dense search still answers.
    monkeypatch.setattr(retrieve, "COMMON_DOCS", 0)
    monkeypatch.setattr(retrieve, "LEXICAL_POSTINGS", 1)
    common = retriever.prepare("Menteri Perikanan")
    assert retriever.match_terms(common, common.corpus) == [] and retriever.bm25(common) == []
    assert retriever.search("Menteri Perikanan")[1]


def test_stems_match_other_forms_of_a_word(retriever):
    # "mengumumkan" is in the passages; "pengumuman" shares its root "umum".
    query = retriever.prepare("pengumuman menteri perikanan")
    assert "umum" in query.content_terms["pengumuman"]
    assert retriever.bm25(query)


def test_a_year_in_the_question_marks_passages_that_agree_or_not(retriever):
    _, hits = retriever.search("ekspor udang pada 2023")
    assert {h.time for h in hits if h.article.published} == {1.0}
    _, hits = retriever.search("ekspor udang pada 2019")
    assert {h.time for h in hits if h.article.published} == {-1.0}


def test_the_words_naming_the_questions_time_are_left_to_the_time_agreement(retriever):
    """"pada 2023" and "bulan lalu" are matched against the dates the passages state, not as words: a
    passage that happens to spell the year gets no coverage from it, and the others' is not diluted."""
    timed, untimed = retriever.prepare("ekspor udang pada 2023"), retriever.prepare("ekspor udang")
    assert timed.periods and timed.content_terms == untimed.content_terms
    assert set(retriever.prepare("udang bulan lalu").content_terms) == {"udang"}
    # in chat spelling too: "bln lalu" names last month as "bulan lalu" does
    chat = retriever.prepare("udang bln lalu")
    assert [p.text for p in chat.periods] == ["bulan lalu"] and set(chat.content_terms) == {"udang"}
    # A question that is nothing but a time keeps its words: something must be searched.
    assert "2023" in retriever.prepare("2023?").content_terms


def test_the_question_is_embedded_without_the_time_it_names_when_it_has_a_topic_besides(retriever, monkeypatch):
    """The time agreement matches "pada 2023" against the dates passages state; in the embedded text the
    year would draw the question to any passage spelling it. A question about nothing but its time
    keeps it: the passage stating that date is its answer."""
    embedded = []
    embed_query = retriever.embedder.embed_query
    monkeypatch.setattr(retriever.embedder, "embed_query", lambda text: embedded.append(text) or embed_query(text))
    for question in ("Ekspor udang pada 2023 naik berapa?", "What did Kim say in 2023 about Russia?",
                     "udang kapal bln lalu", "What happened on 13 September 2023?", "2023?", "ekspor udang"):
        retriever.search(question)
    assert embedded == ["Ekspor udang naik berapa?", "What did Kim say about Russia?", "udang kapal",
                        "What happened on 13 September 2023?", "2023?", "ekspor udang"]


def test_english_contractions_leave_no_letters_behind_as_content_words(retriever):
    """"Korea's", "what's", "don't": the letter after the apostrophe is no word of the question."""
    query = retriever.prepare("What's the ministry's plan? They don't say, I'd think we'll see")
    assert not {"s", "t", "d", "ll"} & set(query.content_terms)
    assert {"ministry", "plan"} <= set(query.content_terms)


def test_waktu_is_a_conjunction_like_saat_and_ketika(retriever):
    """Chat Indonesian says "waktu ketemu" or "pas ketemu" for "when they met": "waktu" and "pas" are no
    topic of the question, any more than their synonyms "saat" and "ketika" are."""
    for question in ("ekspor udang waktu pameran", "ekspor udang saat pameran", "ekspor udang ketika pameran",
                     "ekspor udang pas pameran"):
        assert set(retriever.prepare(question).content_terms) == {"ekspor", "udang", "pameran"}


def test_retriever_notices_a_rebuilt_index(fake_core, fake_settings, fake_embedder):
    from newsbot.index.build import build_index

    retriever = fake_core.retriever
    (fake_settings.corpus / "d_new.txt").write_text("Harimau sumatra terlihat di perkebunan sawit.\n")
    build_index(fake_settings.corpus, fake_settings.index_path, fake_embedder)
    query, hits = retriever.search("harimau sumatra")
    assert hits[0].passage.article == "d_new"


def mixed_retriever(tmp_path, embedder, articles: dict[str, str]):
    """A retriever over articles named id*.txt (Indonesian) and en*.txt (English), languages set in sources.toml."""
    from newsbot.bot.retrieve import Retriever
    from newsbot.index.build import build_index

    from .conftest import write_corpus

    folder = write_corpus(tmp_path / "mixed", articles)
    (folder / "sources.toml").write_text("".join(f'["{name}"]\nlanguage = "{name[:2]}"\n' for name in articles))
    build_index(folder, tmp_path / "m.db", embedder)
    return Retriever(tmp_path / "m.db", embedder)


def test_in_a_mixed_index_each_language_is_measured_against_its_own_mean(tmp_path, fake_embedder):
    retriever = mixed_retriever(tmp_path, fake_embedder, {
        "id1.txt": "Harga cabai merah naik di pasar induk Jakarta.\nPedagang menyebut pasokan berkurang.\n",
        "en1.txt": "Chili prices rose at the main market in Jakarta.\nTraders said supply had fallen.\n",
        "en2.txt": "The weather was sunny in London this week.\n",
    })
    corpus = retriever.current()
    assert corpus.mixed_languages
    query = retriever.prepare("chili prices in Jakarta")
    raw = corpus.matrix @ query.vector
    sims = raw - corpus.offsets(query.vector)[corpus.language_rows]
    rows = corpus.language_rows
    for group in set(rows.tolist()):
        assert float(sims[rows == group].mean()) == pytest.approx(float(raw.mean()), abs=1e-5)
    assert not np.allclose(sims, raw)
    # The dense ranking is by the corrected cosine, and a search's hits carry it.
    assert retriever.dense(query) == [int(corpus.ids[i]) for i in np.argsort(-sims, kind="stable")]
    _, hits = retriever.search(query)
    for hit in hits:
        assert hit.similarity == pytest.approx(float(sims[int(np.searchsorted(corpus.ids, hit.passage.id))]))
    retriever.close()


def test_the_passages_of_a_time_are_ranked_as_the_nearest_are(tmp_path, fake_embedder):
    """Among given passages (those of the time a question names), each language against its own mean too."""
    retriever = mixed_retriever(tmp_path, fake_embedder, {
        "id1.txt": "Harga cabai merah naik di pasar induk Jakarta.\nPedagang menyebut pasokan berkurang.\n",
        "id2.txt": "Banjir melanda Jakarta Utara.\n",
        "en1.txt": "Chili prices rose at the main market in Jakarta.\nTraders said supply had fallen.\n",
        "en2.txt": "The weather was sunny in London this week.\n",
        "en3.txt": "Prices in the market were steady this week.\n",
    })
    corpus = retriever.current()
    query = retriever.prepare("chili prices in Jakarta")
    given = [int(i) for i in corpus.ids[::-1]]
    offsets = corpus.offsets(query.vector)
    assert corpus.nearest_among(query.vector, given, len(given), offsets=offsets) == retriever.dense(query)
    assert corpus.nearest_among(query.vector, given, len(given)) != retriever.dense(query)  # the correction tells
    retriever.close()


def test_coverage_is_measured_against_the_candidates_of_the_passages_language(tmp_path, fake_embedder):
    retriever = mixed_retriever(tmp_path, fake_embedder, {
        "id1.txt": "Harga cabai merah naik di pasar induk Jakarta.\n"
                   "Pedagang menyebut pasokan dari Jawa Tengah berkurang karena hujan.\n",
        "en1.txt": "Chili prices rose in Mexico this year.\nAgents said buyers want more chili than farms grow.\n",
        "en2.txt": "Chili and rice prices are watched in Mexico.\nThe weather was sunny in London this week.\n",
    })
    query, hits = retriever.search("why did chili prices rise in Jakarta")
    corpus = query.corpus
    raw = {h.passage.text: corpus.coverage(query.content_terms, corpus.passage_terms([h.passage])[0],
                                           weights=query.weights) for h in hits}
    got = {h.passage.text: h.coverage for h in hits}
    languages = {h.passage.text: h.article.language for h in hits}
    assert set(languages.values()) == {"id", "en"}
    overall = sum(raw.values()) / len(raw)
    for language in ("id", "en"):
        texts = [t for t in raw if languages[t] == language]
        # Each language's mean is moved to the mean of all; within a language the differences stay.
        assert sum(got[t] for t in texts) / len(texts) == pytest.approx(overall)
        assert {round(got[t] - raw[t], 9) for t in texts} == {round(got[texts[0]] - raw[texts[0]], 9)}
    # The English passage holds the question's English words ("chili", "prices"), the Indonesian answer
    # only its name ("Jakarta"): raw coverage prefers the passage about Mexico, the language-fair one does not.
    answer, mexico = "Harga cabai merah naik di pasar induk Jakarta.", "Chili prices rose in Mexico this year."
    assert raw[mexico] > raw[answer] and got[answer] > got[mexico]
    retriever.close()


def test_coverage_in_one_known_language_is_left_as_it_is():
    from newsbot.bot.retrieve import centred_by_language

    values = np.array([0.5, 0.1, 0.0, 0.4])
    assert centred_by_language(values, ["id", "id", "id", "id"]) is values
    assert centred_by_language(values, ["id", None, "id", None]) is values  # unknown is not a language
    assert centred_by_language(np.array([]), []).size == 0
    # Known: mean 0.2 over "id" (0.5) and "en" (0.1, 0.0); the unknown passage keeps its 0.4.
    assert centred_by_language(values, ["id", "en", "en", None]) == pytest.approx([0.2, 0.25, 0.15, 0.4])


def test_names_an_article_never_mentions_are_counted_in_the_questions_language(retriever):
    query, hits = retriever.search("Apa kata Menteri Perikanan tentang Kalimantan?")
    assert query.language == "id" and set(query.known_names) == {"menteri", "perikanan", "kalimantan"}
    absent = {h.passage.article: h.absent_names for h in hits}
    assert absent["a_antara"] == 1  # names the minister, never Kalimantan
    assert absent["c_unknown"] == 2  # names Kalimantan, never the minister
    # Across languages a name may be written otherwise ("Fisheries Minister"): nothing is counted.
    query, hits = retriever.search("What did the Fisheries Minister say about Kalimantan?")
    assert query.language == "en" and {h.absent_names for h in hits} == {0}
    # A name the index never mentions is an unknown name, not an absent one.
    query, hits = retriever.search("Apa kata Menteri tentang Sulawesi?")
    assert "sulawesi" not in query.known_names and query.unknown_names == 0.5


def test_a_questions_language_is_read_from_its_standard_words(retriever):
    """Chat Indonesian with no standard function word ("Brp lama … ama …?") is Indonesian once its
    informal words are read ("berapa", "dengan"); "AS" is Amerika Serikat there, not English "as"."""
    assert retriever.prepare("Brp lama Putin salaman ama Kim?").language == "id"
    assert retriever.prepare("sanksi AS korut rusia").language is None  # keywords: no function word either way
    assert retriever.prepare("What did Putin say as Kim arrived?").language == "en"
    # a chat particle only Indonesian uses tells, where its standard form has no function word
    assert retriever.prepare("resep nasi goreng dong").language == "id"
    assert retriever.prepare("¿Ya se reunieron Kim y Putin?").language is None  # "ya" is Spanish too


def test_a_month_or_weekday_is_a_time_not_a_name(retriever):
    """"Sept" and "Wednesday" are capitalised, but a translation changes them ("Rabu"): an article that
    never writes them as asked has not failed to mention a name, and the question's answer is not capped
    at "closest I found" for them."""
    for question in ("What was said about Kalimantan on Wednesday?", "Apa kata Menteri pada Rabu?",
                     "Apa kata Menteri pas Sept 2023?", "What did the minister say on Sept. 13, 2023?"):
        query = retriever.prepare(question)
        assert query.unmentioned == () and query.unknown_names == 0.0, question
        assert not {"wednesday", "rabu", "sept"} & set(query.known_names), question
    # A name beside them still counts.
    assert retriever.prepare("Apa kata Menteri tentang Sulawesi pada Rabu?").unmentioned == ("sulawesi",)


def test_a_peoples_word_is_known_through_the_place_the_index_names(retriever):
    # The corpus says "Amerika Serikat"; an English question says "American".
    query = retriever.prepare("What did American buyers want?")
    assert query.known_names == {"american": ["amerika"]} and query.unknown_names == 0.0
    assert "amerika" in query.content_terms["american"]
    # A people of no place the index names stays unknown.
    assert retriever.prepare("What did Martian buyers want?").unknown_names == 1.0


def test_a_name_in_a_script_the_index_never_uses_is_not_unknown(tmp_path, fake_embedder):
    from newsbot.bot.retrieve import Retriever
    from newsbot.index.build import build_index

    from .conftest import write_corpus

    corpus = write_corpus(tmp_path / "latin", {"a.txt": "Kremlin menyebut pembicaraan itu rahasia.\n"})
    build_index(corpus, tmp_path / "l.db", fake_embedder)
    retriever = Retriever(tmp_path / "l.db", fake_embedder)
    # "Кремль" could not be found in Latin-script news under any spelling: no evidence either way.
    assert retriever.prepare("Что сказал Кремль?").unknown_names == 0.0
    assert retriever.prepare("Apa kata Kremlin dan Sulawesi?").unknown_names == 0.5
    retriever.close()
    # Once the index holds Cyrillic text, a Cyrillic name it never mentions counts again.
    (corpus / "b.txt").write_text("Песков сказал, что визит не планируется.\n")
    build_index(corpus, tmp_path / "l.db", fake_embedder)
    retriever = Retriever(tmp_path / "l.db", fake_embedder)
    assert retriever.prepare("Что сказал Кремль?").unknown_names == 1.0
    assert retriever.prepare("Что сказал Песков?").unknown_names == 0.0
    retriever.close()


def test_retriever_notices_an_index_deleted_and_built_anew(fake_core, fake_settings, fake_embedder):
    # The audit's case: the bot kept serving the deleted file (it watched a counter in the unlinked file).
    from newsbot.index.build import build_index

    retriever = fake_core.retriever
    assert retriever.search("harimau sumatra")[1][0].passage.article != "d_new"
    for name in ("", "-wal", "-shm"):
        fake_settings.index_path.with_name(fake_settings.index_path.name + name).unlink(missing_ok=True)
    (fake_settings.corpus / "a_antara.txt").unlink()
    (fake_settings.corpus / "d_new.txt").write_text("Harimau sumatra terlihat di perkebunan sawit.\n")
    build_index(fake_settings.corpus, fake_settings.index_path, fake_embedder)
    _, hits = retriever.search("harimau sumatra")
    assert hits[0].passage.article == "d_new"
    assert "a_antara" not in retriever.current().articles(["a_antara"])


def test_numpy_products_run_on_one_thread_once_a_retriever_exists(retriever):
    """OpenBLAS's second thread spins after each product over the passage vectors, taking the core an
    embedding or another asker needs (benchmarks/: fewer answers a second with it)."""
    from threadpoolctl import threadpool_info

    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


def test_an_english_word_finds_the_indonesian_word_borrowed_from_it(tmp_path, fake_embedder):
    """"confirmation" is "konfirmasi" in Indonesian news: the borrowed word's spelling and its ending
    (-tion as -si) find it, whether the index lacks the English word or, holding English news too, has it."""
    indonesian = {"id.txt": "Belum ada konfirmasi dari Kremlin soal kunjungan itu, kata juru bicara kepada wartawan.\n"}
    english = {"en.txt": "There was no confirmation from the Kremlin of the visit, a spokesman told reporters.\n"}
    for name, articles in (("id", indonesian), ("both", {**indonesian, **english})):
        retriever = mixed_retriever(tmp_path / name, fake_embedder, articles)
        try:
            forms = retriever.prepare("Was there any confirmation from the Kremlin?").content_terms["confirmation"]
            assert "konfirmasi" in forms
            if name == "both":
                assert "confirmation" in forms
                # An Indonesian question's words are not read as borrowed: Indonesian writes its own c.
                indonesian_forms = retriever.prepare("Ada confirmation dari Kremlin?").content_terms["confirmation"]
                assert "konfirmasi" not in indonesian_forms
        finally:
            retriever.close()


def test_an_english_verb_finds_the_noun_indonesian_borrowed_for_it(tmp_path, fake_embedder):
    """"confirm" is "mengonfirmasi" in Indonesian news, "discussed" "mendiskusikan": the verb's borrowed
    noun is the stem of both. Only the exact noun counts: "sell" is not "Selasa", one letter off its "selasi"."""
    articles = {"a.txt": "Pejabat itu belum mengonfirmasi kunjungan tersebut kepada wartawan.\n",
                "b.txt": "Para menteri mendiskusikan anggaran kesehatan di Jakarta.\n",
                "c.txt": "Gunung Merapi meluncurkan awan panas pada Selasa pagi.\n"}
    retriever = mixed_retriever(tmp_path / "id", fake_embedder, articles)
    try:
        def found(question: str) -> set[str]:
            query = retriever.prepare(question)
            return {p.article for p in query.corpus.passages(retriever.bm25(query))}

        assert found("Did they confirm it?") == {"a"}
        assert found("What was discussed?") == {"b"}
        assert found("Who will sell it?") == set()
    finally:
        retriever.close()


def test_a_name_written_the_french_way_is_the_name_the_index_knows(tmp_path, fake_embedder):
    """French writes the u of a name as "ou" (as English did the words Indonesian borrows: "group" is
    "grup"): "Poutine" is Putin, so a French question names no one the index does not know."""
    articles = {"a.txt": "Presiden Rusia Vladimir Putin menerima Kim Jong Un di Vostochny.\n"}
    retriever = mixed_retriever(tmp_path / "id", fake_embedder, articles)
    try:
        query = retriever.prepare("Où Kim et Poutine se sont-ils rencontrés ?")
        assert "putin" in query.content_terms["poutine"]
        assert query.unknown_names == 0.0
    finally:
        retriever.close()


def test_the_latest_prefers_the_newest_report_of_what_the_question_names(tmp_path, fake_embedder):
    """"terbaru" asks for the newest report: the newest article near the question that names what it
    names is +1, older ones and a newer one about something else -1."""
    from newsbot.bot.answer import Thresholds, rank
    from newsbot.index.build import build_index

    from .conftest import write_corpus

    folder = write_corpus(tmp_path / "corpus", {
        "old.txt": "Jakarta (ANTARA) - Pada Senin, 2 Oktober 2023, Menteri Perikanan mengumumkan ekspor udang naik.\n",
        "new.txt": "Jakarta (ANTARA) - Pada Kamis, 4 September 2025, Menteri Perikanan mengumumkan ekspor udang turun.\n",
        "other.txt": "Jakarta (ANTARA) - Pada Senin, 6 Oktober 2025, Gunung Merapi meluncurkan awan panas.\n",
    })
    build_index(folder, tmp_path / "index.db", fake_embedder)
    retriever = retrieve_module.Retriever(tmp_path / "index.db", fake_embedder)
    try:
        query, hits = retriever.search("Berita terbaru soal ekspor udang dari Menteri Perikanan?")
        assert query.latest
        assert {h.article.article: h.time for h in hits} == {"new": 1.0, "old": -1.0, "other": -1.0}
        assert rank(hits, Thresholds.tuned())[0].article.article == "new"
        # without "terbaru", no time is preferred
        _, hits = retriever.search("Berita soal ekspor udang dari Menteri Perikanan?")
        assert {h.time for h in hits} == {0.0}
        # a time the question names wins over "terbaru"
        query, hits = retriever.search("ekspor udang terbaru pada 2023")
        assert not query.latest and {h.article.article: h.time for h in hits}["old"] == 1.0
    finally:
        retriever.close()


def test_the_last_meeting_is_the_latest_and_terakhir_is_no_word_to_match(tmp_path, fake_embedder):
    """"pertemuan terakhir" (the last meeting) asks for the newest one; before, "terakhir" was a content
    word matching "akhir" and the older report of what happened at the end of a meeting came first."""
    from newsbot.bot.answer import Thresholds, rank
    from newsbot.index.build import build_index

    from .conftest import write_corpus

    folder = write_corpus(tmp_path / "corpus", {
        "old.txt": "Jakarta (ANTARA) - Pada akhir pertemuan Senin, 2 Oktober 2023, Menteri Perikanan menemui nelayan "
                   "di pelabuhan Cilacap.\n",
        "new.txt": "Jakarta (ANTARA) - Pada Kamis, 4 September 2025, Menteri Perikanan menemui nelayan di pelabuhan Bitung.\n",
    })
    build_index(folder, tmp_path / "index.db", fake_embedder)
    retriever = retrieve_module.Retriever(tmp_path / "index.db", fake_embedder)
    try:
        for question in ("Di pelabuhan mana pertemuan terakhir Menteri Perikanan dengan nelayan?",
                         "Where did the Menteri Perikanan last meet nelayan?"):
            query, hits = retriever.search(question)
            assert query.latest and not {"terakhir", "last"} & set(query.content_terms)
            assert rank(hits, Thresholds.tuned())[0].article.article == "new"
    finally:
        retriever.close()


TIMED_QUESTION = "Menteri perikanan bertemu nelayan di pelabuhan mana pada 2023?"


def years_apart() -> dict[str, str]:
    """More articles of 2024 nearer `TIMED_QUESTION` than the dense and the lexical search take, and one
    of 2023 that answers it."""
    later = {f"id{n:03}.txt": f"---\npublished: 2024-03-{n % 28 + 1:02}\n---\n"
             f"Menteri perikanan bertemu nelayan di pelabuhan {n} dan membahas harga ikan.\n"
             for n in range(2 * retrieve_module.CANDIDATES + 10)}
    return {**later, "id999.txt": "---\npublished: 2023-05-02\n---\nMenteri perikanan bertemu nelayan di dermaga Ambon.\n"}


def busy_year() -> dict[str, str]:
    """`years_apart`, with more articles of 2023 on other topics, all newer than the one answering
    `TIMED_QUESTION`, than a time's newest articles searched when PERIOD_ARTICLES is 5."""
    other = {f"id5{n:02}.txt": f"---\npublished: 2023-11-{n + 1:02}\n---\nHarga cabai merah naik di pasar induk {n}.\n"
             for n in range(10)}
    return {**years_apart(), **other}


def recalled() -> dict[str, str]:
    """`years_apart`, with the 2023 meeting told only by a report of 2025 that recalls it."""
    articles = {name: text for name, text in years_apart().items() if name != "id999.txt"}
    return {**articles, "id998.txt": "---\npublished: 2025-01-10\n---\n"
            "Menteri perikanan bertemu nelayan di Ambon pada Mei 2023.\n"}


def assert_each_graph_path_finds_the_time(retriever, monkeypatch) -> None:
    """For an index searched through its graphs (SQLite's files, PostgreSQL's HNSW index) whose time's
    newest articles (PERIOD_ARTICLES, lowered) miss the answer: the passages its words match best within
    the time (PERIOD_LEXICAL) and the passages the graphs find nearest within it
    (`Corpus.nearest_of_time`) each find it; without both it is missed."""
    from newsbot.bot.answer import Thresholds, rank
    from newsbot.bot.corpus import Corpus

    def times() -> list[float]:
        return [h.time for h in rank(retriever.search(TIMED_QUESTION)[1], Thresholds()) if "Ambon" in h.passage.text]

    assert not retriever.current().complete
    assert times() == [1.0]
    for words, graphs in ((False, True), (True, False), (False, False)):
        with monkeypatch.context() as m:
            if not words:
                m.setattr(retrieve_module, "PERIOD_LEXICAL", 0)
            if not graphs:
                m.setattr(Corpus, "nearest_of_time", lambda *args: [])
            assert times() == ([1.0] if words or graphs else []), (words, graphs)


@pytest.mark.parametrize("articles, first", [(busy_year, True), (recalled, False)])
def test_a_corpus_holding_every_vector_compares_every_passage_of_the_time_named(tmp_path, fake_embedder, monkeypatch,
                                                                                articles, first):
    """Not only the newest articles of the time a question names (PERIOD_ARTICLES), nor only the
    passages its words match: every passage of an article published then (the older article of a busy
    2023) and every one stating a date then (a report of 2025 recalling May 2023). An index searched
    through its graphs reads the newest, the words' best and its graphs' nearest within the time
    instead: see test_nearest and test_postgres. (The recalling
    sentence is further from the question than the fake embedder lets the time make up.)"""
    from newsbot.bot.answer import Thresholds, rank

    monkeypatch.setattr(retrieve_module, "PERIOD_ARTICLES", 5)
    monkeypatch.setattr(retrieve_module, "PERIOD_LEXICAL", 0)
    retriever = mixed_retriever(tmp_path, fake_embedder, articles())
    assert retriever.current().complete
    hits = rank(retriever.search(TIMED_QUESTION)[1], Thresholds())
    ambon = [h for h in hits if "Ambon" in h.passage.text]
    assert ambon and ambon[0].time == 1.0 and ("Ambon" in hits[0].passage.text) == first
    retriever.close()


def test_a_question_naming_a_time_searches_that_times_articles_too(tmp_path, fake_embedder):
    """In an index of many years, every passage nearest a question can be of another year than the one
    it names: the nearest of the articles published then are candidates too, so the time can decide."""
    from newsbot.bot.answer import Thresholds, rank

    retriever = mixed_retriever(tmp_path, fake_embedder, years_apart())
    assert not any("Ambon" in h.passage.text for h in retriever.search(TIMED_QUESTION.replace(" pada 2023", ""))[1])
    _, hits = retriever.search(TIMED_QUESTION)
    ambon = [h for h in hits if "Ambon" in h.passage.text]
    assert ambon and ambon[0].time == 1.0 and {h.time for h in hits if h is not ambon[0]} == {-1.0}
    assert "Ambon" in rank(hits, Thresholds())[0].passage.text
    # Asked again, that time's passages are not read again.
    store, calls = retriever.current().store, []
    real = store.newest_articles
    store.newest_articles = lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs)
    assert [h.passage.id for h in retriever.search(TIMED_QUESTION)[1]] == [h.passage.id for h in hits]
    assert calls == []
    # Asked of a year no article is from, nothing of another year is added.
    assert len(retriever.search(TIMED_QUESTION.replace("2023", "2022"))[1]) == len(hits) - 1
    retriever.close()


@pytest.mark.parametrize("question, earlier, read", [
    ("kalau tahun 2025?", "Di mana Kim dan Putin bertemu pada 2023?", "Di mana Kim dan Putin bertemu? kalau tahun 2025?"),
    ("and in 2025?", "Where did Kim and Putin meet?", "Where did Kim and Putin meet? and in 2025?"),
    ("berapa lama?", "Kim ketemu Putin di Vostochny", "Kim bertemu Putin di Vostochny berapa lama?"),
    # a follow-up asking its own question leaves out the words the earlier one asked with
    ("what did he say?", "Who attended the talks?", "attended the talks? what did he say?"),
    ("siapa aja yang hadir?", "Kapan Kim ketemu Putin di Vostochny?", "Kim bertemu Putin di Vostochny? siapa aja yang hadir?"),
    ("and who was there?", "When did Kim and Putin meet?", "did Kim and Putin meet? and who was there?"),
    ("Und wann?", "Wo haben sich Kim und Putin getroffen?", "haben sich Kim und Putin getroffen? Und wann?"),
    # "was" asks in German only, "come" in Italian only
    ("who else?", "When was Kim invited to come to Moscow?", "was Kim invited to come to Moscow? who else?"),
    # a name of several words is one word of its own; another language's function words are none
    ("and South Korea?", "What did the US say about the summit?", "What did the US say about the summit? and South Korea?"),
    ("dan Korea Selatan?", "Apa kata AS soal pertemuan itu?", "Apa kata amerika serikat soal pertemuan itu? dan Korea Selatan?"),
    ("¿y cuánto duró?", "¿Dónde se reunieron Kim y Putin en 2023?", "se reunieron Kim y Putin en 2023? ¿y cuánto duró?"),
    ("Et quand ?", "Qui a invité Poutine en Corée du Nord ?", "a invité Poutine en Corée du Nord? Et quand ?"),
    # the earlier question's time left out leaves no word hanging
    ("kalau yg 2023?", "Kim sama Putin ngobrolin apa di tahun 2025?", "Kim dengan Putin membicarakan apa? kalau yg 2023?"),
    ("kapan?", None, "kapan?"),
    ("Siapa yang mengundang Putin?", "Di mana Kim dan Putin bertemu?", "Siapa yang mengundang Putin?"),
    ("Who invited Putin in 2023?", "Where did Kim and Putin meet?", "Who invited Putin in 2023?"),
])
def test_a_reply_too_short_to_stand_alone_is_read_after_the_question_it_follows(question, earlier, read):
    import datetime as dt

    assert retrieve_module.read_with(question, earlier, dt.date(2026, 11, 23)) == read


def test_a_long_earlier_question_is_cut_so_the_follow_up_is_searched_whole():
    import datetime as dt

    earlier = "Di mana Kim dan Putin bertemu " + "dan membahas kerja sama militer " * 20 + "?"
    read = retrieve_module.read_with("kalau tahun 2025?", earlier, dt.date(2026, 11, 23), limit=120)
    assert len(read) <= 120 and read.startswith("Di mana Kim dan Putin bertemu") and read.endswith(" kalau tahun 2025?")
