"""The core every front end calls: opening (and first-use building), asking, listing what was read."""

import pytest

from newsbot.bot.config import Settings
from newsbot.bot.core import NewsCore, ensure_index, open_core
from newsbot.index.errors import CorpusError


def test_open_core_builds_the_index_on_first_use_only(tmp_path, tiny_corpus, fake_embedder):
    settings = Settings(index_path=tmp_path / "i.db", corpus=tiny_corpus)
    core, report = open_core(settings, fake_embedder)
    assert report is not None and sorted(report.added) == ["a_antara", "b_tempo", "c_unknown"]
    core.close()
    core, report = open_core(settings, fake_embedder)
    assert report is None
    assert core.ask("ekspor udang naik").answered
    core.close()


def test_no_index_and_no_corpus_is_one_clear_error(tmp_path, fake_embedder):
    settings = Settings(index_path=tmp_path / "i.db", corpus=tmp_path / "nowhere")
    with pytest.raises(CorpusError, match="no index at .* and no corpus folder .*run: newsbot index FOLDER"):
        ensure_index(settings, fake_embedder)


def test_articles_are_listed_once_by_outlet_then_date_with_a_title(fake_core):
    infos = fake_core.articles()
    assert [(i.outlet, i.published, i.article) for i in infos] == [
        ("ANTARA", "2023-10-02", "a_antara"), ("TEMPO.CO", "2023-10-03", "b_tempo"), (None, None, "c_unknown")]
    antara = infos[0]
    assert antara.wire == "Reuters" and antara.passages == 2
    assert antara.title.startswith("Menteri Perikanan mengumumkan")  # no title: its first sentence


def test_the_core_is_a_context_manager(fake_core, fake_settings, fake_embedder):
    with NewsCore(fake_settings, fake_embedder) as core:  # fake_core built the index
        assert core.carriers("ekspor udang naik dua puluh persen").answered


def test_a_bot_keeps_the_whole_timeline_ready_for_each_index_version(fake_core, fake_settings, fake_embedder,
                                                                       monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from newsbot.bot import timeline as timeline_module
    from newsbot.index.build import build_index

    worked = []
    real = timeline_module._ordered
    monkeypatch.setattr(timeline_module, "_ordered", lambda *args: worked.append(len(worked) + 1) or real(*args))
    pool = ThreadPoolExecutor(max_workers=1)
    fake_core.keep_timeline_ready(pool)
    pool.submit(lambda: None).result()  # what was queued before this has run
    assert worked == [1] and fake_core.retriever.current() in timeline_module._cache
    (fake_settings.corpus / "d_new.txt").write_text("Pada 5 Januari 2024 harimau sumatra terlihat di Riau.\n")
    build_index(fake_settings.corpus, fake_settings.index_path, fake_embedder)
    fake_core.ask("harimau sumatra")  # the first question after the change loads the new version
    pool.submit(lambda: None).result()
    assert len(worked) == 2 and fake_core.retriever.current() in timeline_module._cache
    assert any(e.date == "2024-01-05" for e in fake_core.timeline()) and len(worked) == 2  # ready: not worked again
    pool.shutdown()
    fake_core.retriever.reload()  # a stopped bot's executor refuses work: the reload still succeeds


def test_a_follow_up_too_short_to_stand_alone_is_read_with_the_question_it_replies_to(fake_core):
    """"siapa yang mengumumkan?" replying to the answer on shrimp exports asks who announced them; on its
    own it asks nothing the sources can tell. A question of its own is asked as it is."""
    from newsbot.bot.answer import follow_up_note

    shrimp = "Berapa kenaikan ekspor udang?"
    alone, followed = fake_core.ask("siapa yang mengumumkan?"), fake_core.ask("siapa yang mengumumkan?", earlier=shrimp)
    assert not alone.answered and alone.note is None
    assert followed.answered and "ekspor udang" in followed.results[0].quote
    assert followed.note.startswith(follow_up_note(shrimp)) and followed.note == "Taken as a follow-up to " \
        "“Berapa kenaikan ekspor udang?”."
    # asked with its own "siapa", not the earlier "Berapa"
    assert followed.question == "kenaikan ekspor udang? siapa yang mengumumkan?"
    frog = "Spesies apa yang ditemukan di Kalimantan?"
    assert not fake_core.ask("kalau yang hijau?").answered
    assert "katak" in fake_core.ask("kalau yang hijau?", earlier=frog).results[0].quote
    own = fake_core.ask("Gunung Merapi awan panas guguran", earlier=shrimp)
    assert own.question == "Gunung Merapi awan panas guguran" and own.note is None
    assert "Merapi" in own.results[0].quote


def test_links_name_the_articles_the_answer_quoted_as_shown_even_after_the_index_changed(
        fake_core, fake_settings, fake_embedder):
    """"link?" after an answer lists the articles its results quoted, as remembered when it was shown: not
    those of the question answered again on an index changed since (or a day later, for "kemarin"). A
    quoted passage the index no longer holds is said to be gone, with nothing linked for it."""
    from newsbot.bot.render import render_links
    from newsbot.index.build import build_index

    shrimp = "Berapa kenaikan ekspor udang?"
    shown = fake_core.ask(shrimp)
    assert shown.answered and shown.passages and {r.article for r in shown.results} == {"a_antara"}
    links = fake_core.links(shrimp, shown.passages)
    assert [(a.article, a.results) for a in links.articles] == [("a_antara", (1,))] and links.gone == ()
    assert links == fake_core.links(shrimp)  # the index unchanged: answering again gives the same
    # the passages decide, not the question: those of another answer give its articles
    frog = fake_core.ask("Spesies apa yang ditemukan di Kalimantan?")
    assert {a.article for a in fake_core.links(shrimp, frog.passages).articles} == {r.article for r in frog.results}
    # the quoted article removed and the index rebuilt: nothing to link for that result, and it says so
    (fake_settings.corpus / "a_antara.txt").unlink()
    build_index(fake_settings.corpus, fake_settings.index_path, fake_embedder)
    after = fake_core.links(shrimp, shown.passages)
    assert after.articles == [] and after.gone == (1,)
    assert "Result 1: its article is no longer in my sources as quoted" in render_links(after)
    assert "quoted no article" not in render_links(after)
    assert all(a.article != "a_antara" for a in fake_core.links(shrimp).articles)  # answered again: today's
