"""Pages: fitting replies into a chat platform's message limits without cutting a sentence in half.

Telegram allows 4096 characters per message and Discord 4096 per embed description; a long passage
or a long timeline has to be trimmed or split. Everything here works on plain strings and a length
function, so each front end keeps its own markup (HTML, Markdown) and its own way of counting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..index.passages import split_sentences

ELLIPSIS = "…"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Measure = Callable[[str], int]


@dataclass(frozen=True)
class Page:
    """One message's worth of a reply; `full` is the same page with the whole passage, when it differs.
    `title` and `footer` (plain text) are set only for front ends that show them apart (bot/chat.py)."""

    text: str
    full: str | None = None
    title: str | None = None
    footer: str | None = None
    link: str | None = None  # the quoted article's address, offered as a "Read the article" button


def human_date(iso: str | None) -> str:
    """'2023-09-14' → '14 Sep 2023', '2023-09' → 'Sep 2023', '2023' → '2023', None → 'date unknown'."""
    if not iso:
        return "date unknown"
    parts = iso.split("-")
    try:
        if len(parts) == 3:
            d = date.fromisoformat(iso)
            return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {int(parts[0])}"
    except (ValueError, IndexError):
        pass
    return iso


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji or a rare CJK character counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def trim(text: str, limit: int, measure: Measure = len) -> str:
    """The text, or as many of its whole sentences as fit in `limit` followed by '…'.

    When not even the first sentence fits, it is cut at a word boundary instead.
    """
    if measure(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:max(limit, 0)]
    kept = ""
    for sentence in split_sentences(text):
        candidate = f"{kept} {sentence}".strip()
        if measure(candidate + " " + ELLIPSIS) > limit:
            break
        kept = candidate
    if kept:
        return f"{kept} {ELLIPSIS}"
    cut = text[:limit]
    while cut and (over := measure(cut + ELLIPSIS) - limit) > 0:
        cut = cut[: -max(1, (over + 1) // 2)]  # a character counts 1 or 2: converges in a few steps
    space = cut.rfind(" ")
    if space > len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def trim_escaped(text: str, limit: int, escape: Callable[[str], str], measure: Measure = len) -> str:
    """`escape(trim(text))` that still fits in `limit` once escaped (escaping can lengthen text)."""
    budget = limit
    while True:
        escaped = escape(trim(text, budget, measure))
        over = measure(escaped) - limit
        if over <= 0 or budget <= 1:
            return escaped
        budget -= over


def paginate(blocks: list[str], limit: int, per_page: int, separator: str = "\n\n",
             measure: Measure = len) -> list[list[str]]:
    """Group blocks into pages of at most `per_page` blocks whose joined length stays within `limit`.

    A block longer than the limit on its own gets a page of its own; callers trim blocks first.
    """
    pages: list[list[str]] = []
    current: list[str] = []
    for block in blocks:
        if current and (len(current) >= per_page or measure(separator.join([*current, block])) > limit):
            pages.append(current)
            current = []
        current.append(block)
    if current:
        pages.append(current)
    return pages
