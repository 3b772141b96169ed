"""The shared command layer: parsing, what counts as work, and where the bots run commands."""

import asyncio
import threading
from dataclasses import replace

from newsbot.bot.answer import Answer
from newsbot.bot.commands import (ASK_ME, COMMANDS, NO_ANSWER_FOR_MORE, NO_ANSWER_TO_LINK, HelpReply, SourcesReply, TimelineReply,
                                  UsageReply, Workers, dispatch, no_more, nothing_in_full, parse, searches,
                                  whole_corpus)
from newsbot.bot.core import ArticleLink, Links


def test_what_counts_as_work_and_what_reads_the_whole_corpus():
    assert [searches(parse(t)) for t in ("/help", "/ask", "/ask kim", "kim", "/timeline", "/sources")] == \
        [False, False, True, True, True, True]
    assert [whole_corpus(parse(t)) for t in ("/timeline", "/timeline kim", "/sources", "/sources kim", "kim")] == \
        [True, True, True, False, False]
    assert [searches(parse(t)) for t in ("makasih ya", "halo bot", "/ask ok", "Kim bilang makasih ke Putin?")] == \
        [False, False, False, True]


def test_small_talk_gets_a_chat_reply_not_a_quote(fake_core):
    """Searched, "makasih ya" got the quote of Kim thanking Putin, as "closest I found"."""
    assert dispatch(fake_core, parse("makasih ya")) == UsageReply("You're welcome! " + ASK_ME)
    assert dispatch(fake_core, parse("ok sip")) == UsageReply(ASK_ME)
    assert dispatch(fake_core, parse("wkwkwk")) == UsageReply(ASK_ME)
    for greeting in ("halo bot", "Selamat pagi kak", "siapa kamu?", "What can you do?", "/ask help", "apa kabar?",
                     "hi, how are you?"):
        assert dispatch(fake_core, parse(greeting)) == HelpReply(COMMANDS)
    # a question that thanks someone is a question
    reply = dispatch(fake_core, parse("Ekspor udang naik berapa persen, makasih?"))
    assert isinstance(reply, Answer) and reply.answered
    # asking where the news comes from lists the sources, read off the event loop as /sources is; after an
    # answer, it asks where that answer comes from: the outlets that carry it, as /sources with its question
    for asked in ("kamu tau dari mana?", "Sumbernya apa, kak?", "what are your sources?", "/ask where do you get your news?"):
        command = parse(asked)
        assert (searches(command), whole_corpus(command)) == (True, True)
        assert isinstance(dispatch(fake_core, command), SourcesReply)
        after = replace(command, earlier="Berapa kenaikan ekspor udang?")
        assert (searches(after), whole_corpus(after)) == (True, False)
        assert dispatch(fake_core, after) == fake_core.carriers("Berapa kenaikan ekspor udang?")
    for question in ("Kim tahu dari mana soal itu?", "Siapa sumber KCNA?", "how do you know that Kim met Putin?"):
        assert parse(question).name == "ask"
    # the core itself quotes nothing for small talk (newsbot ask, --json)
    assert not fake_core.ask("makasih ya").answered and fake_core.ask("makasih ya").results == []


def test_asking_for_the_link_lists_the_articles_of_the_answer_it_follows(fake_core):
    question = "Berapa kenaikan ekspor udang?"
    shown = dispatch(fake_core, parse(question))
    assert shown.answered
    command = replace(parse("link artikelnya mana?"), earlier=question)
    assert searches(command)  # the question is answered again, off the event loop, within the rate limit
    links = dispatch(fake_core, command)
    assert isinstance(links, Links) and links.question == question
    # each article once, in the order the answer quotes them, with the results it gives
    assert [a.article for a in links.articles] == list(dict.fromkeys(r.article for r in shown.results))
    assert sorted(n for a in links.articles for n in a.results) == list(range(1, len(shown.results) + 1))
    first = links.articles[0]
    assert first == ArticleLink(results=first.results, article="a_antara", outlet="ANTARA", published="2023-10-02",
                                wire="Reuters", url=None, title=first.title)
    assert first.title.startswith("Menteri Perikanan mengumumkan")  # untitled: named by its first sentence
    # an answer that quoted nothing has no link; with no answer to follow, the user is told how to ask
    assert dispatch(fake_core, replace(command, earlier="Siapa juara Piala Dunia?")) == Links("Siapa juara Piala Dunia?", [])
    assert dispatch(fake_core, parse("link?")) == UsageReply(NO_ANSWER_TO_LINK)


def test_asking_for_more_gives_the_next_results_of_the_answer_it_follows(tmp_path, fake_embedder):
    """"ada lagi?" after an answer quotes the results that come after those it showed, page by page, until
    there are none: then it says so. Not after an answer, it says how to ask."""
    from newsbot.bot.answer import answer_groups, more_note
    from newsbot.bot.config import Settings
    from newsbot.bot.core import NewsCore
    from newsbot.index.build import build_index

    from .conftest import FLOODS, write_corpus

    settings = Settings(index_path=tmp_path / "index.db", corpus=write_corpus(tmp_path / "corpus", FLOODS),
                        min_relevance=0.1, k=2)
    build_index(settings.corpus, settings.index_path, fake_embedder)
    with NewsCore(settings, fake_embedder) as core:
        question = "banjir merendam rumah di Bekasi"
        first = dispatch(core, parse(question))
        assert first.answered and len(first.results) == 2
        ask_more = replace(parse("ada lagi?"), earlier=question, quoted=first.passages)
        assert searches(ask_more)
        shown, page = list(first.passages), first
        while isinstance(page, Answer):
            page = dispatch(core, replace(ask_more, quoted=page.passages))
            if isinstance(page, Answer):
                assert page.answered and page.note.startswith(more_note(question))
                assert not set(page.passages) & set(shown)  # nothing shown twice
                shown += page.passages
        assert page == UsageReply(no_more(question)) and "That is all my sources say on" in page.message
        # every relevant report once, in the order of relevance: each page goes on where the one before stopped
        _, relevant, _ = answer_groups(core.retriever, question, len(FLOODS), core.thresholds, after=(-1,))
        assert shown == [lead.passage.id for lead, _ in relevant] and len(shown) >= 4
        # after a refusal there is nothing more; without an answer to follow, the user is told how to ask
        assert dispatch(core, replace(ask_more, earlier="Siapa juara Piala Dunia?", quoted=())) == \
            UsageReply(no_more("Siapa juara Piala Dunia?"))
        assert dispatch(core, parse("ada lagi?")) == UsageReply(NO_ANSWER_FOR_MORE)
        # remembered only by its question (no passages known), the answer is worked out again
        assert dispatch(core, replace(ask_more, quoted=None)).passages == \
            dispatch(core, replace(ask_more, quoted=first.passages)).passages


def test_asking_for_the_story_so_far_gets_the_timeline(fake_core):
    """Searched, "rangkum dong beritanya" got a quote about a news agency ("kantor berita") with
    confidence: the bot writes no summary, but its timeline is the story in the articles' words."""
    whole = dispatch(fake_core, parse("rangkum dong beritanya"))
    assert whole == TimelineReply(None, fake_core.timeline()) and whole.events
    assert whole_corpus(parse("tl;dr")) and searches(parse("tl;dr"))  # on the corpus worker, as /timeline
    assert dispatch(fake_core, parse("kronologi soal ekspor udang dong")) == \
        TimelineReply("ekspor udang", fake_core.timeline("ekspor udang"))
    # after an answer, the story of what it answered
    question = "Berapa kenaikan ekspor udang?"
    followed = dispatch(fake_core, replace(parse("kronologinya gimana?"), earlier=question))
    assert followed == TimelineReply(question, fake_core.timeline(question)) and followed.events
    assert isinstance(dispatch(fake_core, parse("siapa yang bikin ringkasan?")), Answer)  # a question
    # asked of the core alone (newsbot ask, inline mode), it points to the timeline rather than search
    bare = fake_core.ask("kronologi soal ekspor udang dong")
    assert (bare.answered, bare.note) == (False, "That asks for the story so far, which the timeline tells in the "
                                                 "articles' words: /timeline ekspor udang")


def test_asking_which_outlets_carry_a_story_gets_its_sources(fake_core):
    """Searched, "outlet mana aja yang memberitakan …?" got quotes; /sources with the question names them."""
    reply = dispatch(fake_core, parse("media mana aja yang memberitakan kenaikan ekspor udang?"))
    assert reply == fake_core.carriers("kenaikan ekspor udang")
    assert reply.answered and "ANTARA" in {c.outlet for c in reply.carriers}
    # after an answer, the outlets carrying what it answered; with nothing to follow, every source
    question = "Berapa kenaikan ekspor udang?"
    assert dispatch(fake_core, replace(parse("who else covered this?"), earlier=question)) == fake_core.carriers(question)
    assert isinstance(dispatch(fake_core, parse("who else covered this?")), SourcesReply)
    assert whole_corpus(parse("who else covered this?"))  # it may list every article
    assert isinstance(dispatch(fake_core, parse("siapa yang melaporkan kenaikan ekspor udang?")), Answer)  # a question


def test_doubting_an_answer_gets_who_reported_it(fake_core):
    """"beneran?" or "is that true?" after an answer was read as its follow-up and got the same quotes again;
    the evidence a news bot has is who reported it: the outlets carrying that answer, each with its sentence."""
    question = "Berapa kenaikan ekspor udang?"
    for doubt in ("beneran?", "masa sih?", "kata siapa?", "is that true?", "¿En serio?"):
        command = replace(parse(doubt), earlier=question)
        assert searches(command) and dispatch(fake_core, command) == fake_core.carriers(question)
    carried = dispatch(fake_core, replace(parse("beneran?"), earlier=question))
    assert carried.answered and {c.outlet for c in carried.carriers} >= {"ANTARA"}
    assert dispatch(fake_core, parse("beneran?")) == UsageReply(ASK_ME)  # nothing to doubt yet
    assert isinstance(dispatch(fake_core, replace(parse("Apa benar ekspor udang naik?"), earlier=question)), Answer)


def test_asking_what_an_answer_means_gets_its_whole_paragraphs(fake_core, fake_settings, fake_embedder):
    """"maksudnya?" after an answer was read as its follow-up and got the same quotes again; the bot explains
    nothing in its own words, so it shows the whole paragraphs those quotes come from, in the same order."""
    from newsbot.index.build import build_index

    (fake_settings.corpus / "d_banjir.txt").write_text(
        "Banjir merendam ratusan rumah di Bekasi setelah hujan deras semalaman. Warga mengungsi ke masjid "
        "terdekat, dan pemerintah kota membuka dapur umum.\n", encoding="utf-8")
    build_index(fake_settings.corpus, fake_settings.index_path, fake_embedder)
    question = "Berapa rumah yang terendam banjir di Bekasi?"
    shown = fake_core.ask(question)
    assert shown.answered and any(r.quote != r.passage for r in shown.results)  # a sentence of its paragraph
    for asking in ("maksudnya?", "jelasin dong", "what do you mean?", "¿Qué significa?"):
        command = replace(parse(asking), earlier=question, quoted=shown.passages)
        assert searches(command)
        whole = dispatch(fake_core, command)
        assert whole.answered and whole.passages == shown.passages
        assert [r.quote for r in whole.results] == [r.passage for r in shown.results]
        assert [(r.outlet, r.published) for r in whole.results] == [(r.outlet, r.published) for r in shown.results]
        assert whole.note == f"The whole paragraphs the answer to “{question}” quoted from."
    assert dispatch(fake_core, replace(parse("maksudnya?"), earlier=question)).passages == shown.passages
    assert dispatch(fake_core, parse("maksudnya?")) == UsageReply(ASK_ME)  # nothing to explain yet
    # a question of its own is searched as ever; an answer whose paragraphs are gone has nothing to show
    assert dispatch(fake_core, replace(parse("apa maksud banjir di Bekasi?"), earlier=question)).question != question
    (fake_settings.corpus / "d_banjir.txt").unlink()
    build_index(fake_settings.corpus, fake_settings.index_path, fake_embedder)
    assert dispatch(fake_core, replace(parse("maksudnya?"), earlier=question, quoted=shown.passages)) == \
        UsageReply(nothing_in_full(question))


async def test_a_question_is_not_kept_waiting_by_timelines(fake_core):
    # The audit's case: timelines within the rate limit made another user's question wait 16 s.
    workers = Workers(questions=2)
    release = threading.Event()
    try:
        busy = workers.corpus.submit(release.wait, 30)  # a long timeline holds the corpus worker
        reply = await asyncio.wait_for(workers.reply(fake_core, parse("ekspor udang naik")), timeout=5)
        assert reply.answered
        help_reply = await asyncio.wait_for(workers.reply(fake_core, parse("/help")), timeout=1)
        assert help_reply.__class__.__name__ == "HelpReply"
    finally:
        release.set()
        busy.result()
        workers.shutdown()
