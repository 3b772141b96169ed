"""Plain-text rendering (the CLI and `newsbot chat`): answers, confidence, dates, sources, timelines, help."""

from newsbot.bot.answer import Answer, QuoteDate, Result
from newsbot.bot.commands import TimelineReply
from newsbot.bot.render import (LOW_CONFIDENCE, NOTHING_FOUND, NOTHING_HINT, attribution, no_events, quoted,
                                render, render_answer)

RESULT = Result(quote="Kim tiba pada Selasa pagi.", passage="Kim tiba pada Selasa pagi dengan kereta khusus.",
                outlet="TEMPO.CO", article="001", published="2023-09-14", score=0.1, wire="Reuters",
                also_reported_by=["ANTARA"],
                dates=[QuoteDate(text="Selasa pagi", date="2023-09-12", precision="day")])


def test_an_answer_shows_quote_dates_attribution_and_who_else_reported_it():
    text = render_answer(Answer("q", True, [RESULT], confidence="high"))
    assert text.splitlines() == [
        "1. “Kim tiba pada Selasa pagi.”",
        "   (Selasa pagi = 12 Sep 2023)",
        "   — TEMPO.CO, 2023-09-14 (via Reuters)",
        "   also reported by ANTARA",
    ]
    assert render_answer(Answer("q", True, [RESULT], confidence="high"), full=True).startswith(
        "1. “Kim tiba pada Selasa pagi dengan kereta khusus.”")


def test_an_article_url_is_shown_under_its_quote():
    import dataclasses

    linked = dataclasses.replace(RESULT, url="https://tempo.example/kim-tiba")
    lines = render_answer(Answer("q", True, [linked], confidence="high")).splitlines()
    assert lines[2:4] == ["   — TEMPO.CO, 2023-09-14 (via Reuters)", "   https://tempo.example/kim-tiba"]


def test_low_confidence_is_said_first_and_abstention_says_what_to_try():
    assert render_answer(Answer("q", True, [RESULT], confidence="low")).splitlines()[0] == LOW_CONFIDENCE
    assert render_answer(Answer("q", False, [], note="question cut")) == \
        f"{NOTHING_FOUND}\n{NOTHING_HINT}\n(question cut)"


def test_small_pieces():
    assert quoted("“Sudah dikutip.”") == "“Sudah dikutip.”" and quoted("Belum.") == "“Belum.”"
    unknown = Result(quote="x", passage="x", outlet=None, article="a", published=None, score=0)
    assert attribution(unknown) == "unknown outlet, date unknown"
    assert no_events("Kim") == "I found no dated events about Kim in my sources."
    assert render(TimelineReply(None, [])) == "I found no dated events in my sources."
