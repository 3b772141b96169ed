"""Fitting replies into message limits: trimming between sentences, paging, dates for people."""

import html

import pytest

from newsbot.bot.pages import human_date, paginate, trim, trim_escaped, utf16_len

TEXT = "Satu dua tiga. Empat lima enam tujuh. Delapan sembilan sepuluh sebelas dua belas."


@pytest.mark.parametrize("limit, expected", [
    (200, TEXT),
    (40, "Satu dua tiga. Empat lima enam tujuh. …"),
    (20, "Satu dua tiga. …"),
    (10, "Satu dua…"),  # not even one sentence fits: cut between words
])
def test_trim_keeps_whole_sentences(limit, expected):
    assert trim(TEXT, limit) == expected
    assert len(trim(TEXT, limit)) <= limit


def test_trim_counts_like_telegram():
    emoji = "😀" * 50
    assert utf16_len(emoji) == 100
    trimmed = trim(emoji, 21, utf16_len)
    assert trimmed == "😀" * 10 + "…"
    assert utf16_len(trimmed) == 21


def test_trim_escaped_fits_after_escaping():
    text = "a<b " * 30
    out = trim_escaped(text, 40, lambda t: html.escape(t, quote=False))
    assert len(out) <= 40
    assert out == "a&lt;b a&lt;b a&lt;b a&lt;b…"


def test_paginate_respects_count_and_length():
    assert paginate(["aaaa", "bbbb", "cccc", "dd"], limit=10, per_page=5, separator="\n") == \
        [["aaaa", "bbbb"], ["cccc", "dd"]]
    assert paginate(["a", "b", "c"], limit=100, per_page=2) == [["a", "b"], ["c"]]
    assert paginate(["x" * 50], limit=10, per_page=3) == [["x" * 50]]  # an oversized block gets its own page
    assert paginate([], limit=10, per_page=3) == []


@pytest.mark.parametrize("iso, shown", [
    ("2023-09-14", "14 Sep 2023"), ("2023-09", "Sep 2023"), ("2023", "2023"), (None, "date unknown"),
    ("2023-13-40", "2023-13-40"),
])
def test_human_date_keeps_precision(iso, shown):
    assert human_date(iso) == shown
