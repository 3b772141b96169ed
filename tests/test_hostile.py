"""Hostile input, property-based: arbitrary questions never break retrieval, and arbitrary article or user
text never breaks Telegram HTML or Discord markdown, nor their length limits.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbot.bot.answer import SMALL_TALK_NOTE, Answer, Carriers, Result
from newsbot.bot.commands import TimelineReply, dispatch, parse
from newsbot.bot.config import Settings
from newsbot.bot.core import NewsCore
from newsbot.bot.pages import utf16_len
from newsbot.bot.telegram import pages_for
from newsbot.bot.timeline import Event
from newsbot.index.build import build_index
from newsbot.index.terms import small_talk

from .conftest import FakeEmbedder, write_corpus

FTS_AND_SQL = [
    '"', '""', "*", "^", "NEAR(", "NEAR(a b, 2)", "AND", "OR", "NOT", "a AND OR NOT b", "title:", "passages:x",
    "{text}:", "(", ")", "'; DROP TABLE passages; --", "' OR 1=1 --", "\x00", "\x1b[31m", "\u202e", "\u200f",
    "مرحبا بالعالم", "😀👍🏽", "𝕏", "…", "?!", "-", "+", "%", "_", "\\", "\r\n", "\t", "udang", "ekspor",
]
# The pieces dates are written with, in any order: impossible days and years must not break a question.
DATE_PIECES = ["年", "月", "日", "년 ", "월 ", "일", "-", "/", ".", " de ", "enero", "сентября", " года", "Mei", "may",
               "kemarin", "bulan lalu", "ayer", "去年", "0", "00", "0000", "9999", "10000", "13", "31", "29", "2", "2023"]
QUESTION = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(FTS_AND_SQL) | st.text(max_size=12), max_size=40).map(" ".join),
    st.lists(st.sampled_from(DATE_PIECES) | st.integers(0, 99999).map(str), max_size=12).map("".join),
    st.lists(st.sampled_from(DATE_PIECES), max_size=12).map(" ".join),
    st.builds(lambda piece, n: piece * n, st.text(min_size=1, max_size=50), st.integers(1, 100_000 // 50)),
)


@pytest.fixture(scope="module")
def core(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    corpus = write_corpus(folder / "corpus")
    settings = Settings(index_path=folder / "index.db", corpus=corpus, min_relevance=0.1)
    embedder = FakeEmbedder()
    build_index(corpus, settings.index_path, embedder)
    core = NewsCore(settings, embedder)
    yield core
    core.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=QUESTION)
def test_any_question_gets_an_answer_or_an_abstention(core, question):
    answer = core.ask(question)
    assert isinstance(answer, Answer)
    assert answer.answered == bool(answer.results)
    for r in answer.results:
        assert r.quote and r.quote in r.passage or all(part in r.passage for part in r.quote.split(" ") if part)
    if len(question.strip()) > core.settings.max_question_chars and answer.note:
        # a long message of laughter ("HAHAHA…") is small talk, said so whatever its length
        assert answer.note.startswith("Your question was long; I searched its first ") or (
            small_talk(question) and answer.note == SMALL_TALK_NOTE)
    carriers = core.carriers(question)
    assert isinstance(carriers, Carriers)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=QUESTION)
def test_any_message_parses_and_dispatches(core, text):
    reply = dispatch(core, parse(text, "newsbot_test_bot"))
    for page in pages_for(reply):
        assert utf16_len(page.text) <= 4096


class Balanced(HTMLParser):
    ALLOWED = {"b", "i", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []

    def handle_starttag(self, tag, attrs):
        assert tag in self.ALLOWED and not attrs, tag
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, tag


def check_html(text: str) -> None:
    parser = Balanced()
    parser.feed(text)
    parser.close()
    assert not parser.stack
    assert utf16_len(text) <= 4096


CORPUS_TEXT = st.text(min_size=1, max_size=6000).filter(lambda t: t.strip())


@settings(max_examples=200, deadline=None)
@given(quote=CORPUS_TEXT, passage=st.text(max_size=20000), outlet=st.text(max_size=80),
       also=st.lists(st.text(max_size=40), max_size=50), note=st.none() | st.text(max_size=300))
def test_any_article_text_renders_literally_within_limits(quote, passage, outlet, also, note):
    result = Result(quote=quote, passage=passage + quote, outlet=outlet or None, article="a", published="2023-09-14",
                    score=1.0, also_reported_by=also, wire=outlet[:10] or None)
    answer = Answer("q", True, [result, result], note=note)
    for page in pages_for(answer):
        check_html(page.text)
        if page.full:
            check_html(page.full)
    events = [Event(date="2023-09", precision="month", quote=quote, outlet=outlet, article="a", published=None,
                    also_reported_by=also)] * 7
    for page in pages_for(TimelineReply(topic=outlet or None, events=events)):
        check_html(page.text)


discord = pytest.importorskip("discord")


@settings(max_examples=200, deadline=None)
@given(quote=CORPUS_TEXT, passage=st.text(max_size=20000), outlet=st.text(max_size=80),
       also=st.lists(st.text(max_size=40), max_size=80), note=st.none() | st.text(max_size=300))
def test_any_article_text_fits_discord_and_cannot_add_markdown(quote, passage, outlet, also, note):
    from newsbot.bot.discord import cards_for, size

    result = Result(quote=quote, passage=passage + quote, outlet=outlet or None, article="a", published="2023-09-14",
                    score=1.0, also_reported_by=also)
    for card in cards_for(Answer("q", True, [result], note=note)):
        for full in (False, True):
            text = card.full if full and card.full else card.text
            assert len(text) <= 4096 and size(card, full) <= 6000
        quote_line = card.text.split("\n")[0]
        # Outside our own "> “…”" frame every markdown character arrives escaped.
        body = quote_line[3:-1]
        unescaped = [c for i, c in enumerate(body) if c in "*_~`|[]<>" and (i == 0 or body[i - 1] != "\\")]
        assert unescaped == []
