"""One chat flow for every chat front end: the gate a message passes (allowlist, rate limit, where the
work runs) and one renderer that turns the core's typed replies into pages, over a small markup
strategy. Telegram and Discord keep only their `Markup` and their sending and paging code; a new
front end needs the same two things.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from ..index.model import ShownAnswer

from .answer import Answer, Carriers, Result
from .commands import Command, HelpReply, Reply, SourcesReply, TimelineReply, UsageReply, Workers, searches
from .core import Links, NewsCore
from .follow import Delivery, FollowReply
from .limits import RateLimit, slow_down
from .pages import Measure, Page, human_date, paginate, trim_escaped
from .render import (AFTER_AN_ANSWER, HELP_INTRO, LOW_CONFIDENCE, NO_ARTICLES, NO_LINK, NOT_HERE, NOTHING_FOUND,
                     NOTHING_HINT, READ_ARTICLE, SOURCES_HINT, carriers_title, dates_line, links_empty, links_gone,
                     links_title, low_confidence, no_events, result_numbers, sources_title)

log = logging.getLogger(__name__)

LIGHT_ACTIONS = 4  # help, usage and paging a user may do per question the rate limit allows
# In a private conversation (only the asker and the bot), a question within this many seconds of an
# answer may follow it up without replying to it, as in `newsbot chat`; later, only a reply does.
FOLLOW_UP_SECONDS = 15 * 60
MAX_SHOWN_URL = 500  # characters of an article's address written out where a chat will not link it


# --- the gate -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """Whether a message goes on to the core; if not, what (if anything) to tell the user."""

    go: bool
    tell: str | None = None


class Gate:
    """Who may ask, how often, and where the work runs: one policy for every front end.

    A place (chat, server) not on a non-empty allowlist is refused, told once; a user over the rate
    limit waits, told once per run of refusals. Commands that make the core work count against
    `rate_limit` per minute; help, usage and paging against LIGHT_ACTIONS times as many.
    """

    def __init__(self, core: NewsCore | None, rate_limit: int, allowed: tuple[int, ...] | set[int] = (),
                 clock: Callable[[], float] = time.monotonic, platform: str = "chat",
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)):
        self.core = core
        self.rate = RateLimit(rate_limit, clock)
        self.light = RateLimit(rate_limit * LIGHT_ACTIONS, clock)
        self.allowed = set(allowed)
        self.refused: set[int | None] = set()  # places told once that they are not allowed
        self.workers = Workers()
        self.clock = clock
        self.now = now  # the time answers are remembered at (a private conversation's last one, `earlier`)
        self.platform = platform  # whose conversations these are ("telegram", "discord")

    def admits(self, place: int | None) -> bool:
        """True unless an allowlist is set and this place (None: a direct message) is not on it."""
        return not self.allowed or place in self.allowed

    def admit(self, user: int, place: int | None, command: Command | None, always_tell: bool = False) -> Verdict:
        """The verdict on one message (or, with no command, one button press). `always_tell` for
        platforms where every request must be answered (Discord interactions)."""
        if not self.admits(place):
            if always_tell:
                return Verdict(False, NOT_HERE)
            first = place not in self.refused
            self.refused.add(place)
            return Verdict(False, NOT_HERE if first else None)
        limit = self.rate if command is not None and searches(command) else self.light
        wait = limit.wait(user)
        if wait:
            return Verdict(False, slow_down(wait) if limit.first_refusal(user) or always_tell else None)
        return Verdict(True)

    async def reply(self, command: Command) -> Reply:
        """The core's reply, worked out off the event loop (help and usage at once)."""
        return await self.workers.reply(self.core, command)

    async def remember(self, reply: Reply, conversation: int | None = None) -> str | None:
        """An answer (or a refusal) about to be shown, remembered for votes: the token its 👍/👎 buttons
        carry (None for anything else, and when it cannot be remembered). Shown in a private
        `conversation`, it is the answer a next question there may follow up (`earlier`)."""
        if not isinstance(reply, Answer) or self.core is None:
            return None
        return await self.workers.run(self.core.feedback.shown, reply, self._conversation(conversation))

    async def earlier(self, token: str | None, conversation: int | None = None) -> ShownAnswer | None:
        """The answer a new message may follow up: the one whose vote buttons carry `token` (the answer
        it replies to); without one, in a private `conversation`, the last answer shown there within
        FOLLOW_UP_SECONDS, as the store remembers it (so also one shown before this bot started). None when
        there is none."""
        if self.core is None:
            return None
        if token:
            return await self.workers.run(self.core.feedback.answer_shown, token)
        if conversation is None:
            return None
        since = self.now() - dt.timedelta(seconds=FOLLOW_UP_SECONDS)
        return await self.workers.run(self.core.feedback.last_shown, self._conversation(conversation), since)

    def _conversation(self, conversation: int | None) -> str | None:
        """A private conversation as the store keeps it (a keyed hash with the platform), or None."""
        if conversation is None or self.core is None:
            return None
        return self.core.feedback.conversation(self.platform, conversation)

    async def follow_up(self, command: Command, token: str | None, conversation: int | None) -> Command:
        """A question with the answer it may follow up (`earlier`: the answer it replies to, whose vote
        buttons carry `token`, or the last answer in a private `conversation`): that answer's question,
        and the passages it quoted; any other command as it is."""
        if command.name != "ask":
            return command
        shown = await self.earlier(token, conversation)
        return replace(command, earlier=shown.question, quoted=tuple(shown.passages)) if shown else command

    async def vote(self, platform: str, user: int, token: str, result: int, value: int) -> str:
        """Record a vote from a button; what to tell the voter."""
        feedback = self.core.feedback
        return await self.workers.run(feedback.vote, token, feedback.voter(platform, user), result, value)

    async def keep_following(self, every: float, post: Callable[[], Awaitable[bool]]) -> None:
        """Until cancelled: every `every` seconds, if the index has changed (a `newsbot watch` beside
        the bot, `newsbot index` run by hand), `post` what is new on the followed topics. A look whose
        posts did not all go out (`post` returned False) is made again at the next one."""
        seen = None
        while True:
            try:
                version = await self.workers.run(self.core.retriever.store.version)
                if version != seen:
                    seen = version if await post() else None
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("looking for new reports on followed topics failed; trying again later")
            await asyncio.sleep(every)

    def close(self) -> None:
        self.workers.shutdown()


# --- the renderer -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Markup:
    """How one front end writes: escaping, emphasis, quotation blocks, how it counts, and its limits.

    `bold` and `italic` take text already escaped; `code` takes raw text (code spans show it as it
    is); `blockquote(text, room)` takes raw text and trims it between sentences to fit `room`. With `framed`, a page's title and footer are written
    into its text (a chat message); without, they stay apart in `Page.title`/`Page.footer` as plain
    text (an embed's own fields).
    """

    escape: Callable[[str], str]
    bold: Callable[[str], str]
    italic: Callable[[str], str]
    code: Callable[[str], str]
    blockquote: Callable[[str, int], str]
    measure: Measure
    room: int  # one page's text at most
    entry: int  # one list entry at most, so a page always holds a few
    entries: int = 6  # list entries per page
    framed: bool = True
    help_hint: str = ""  # how to reach the bot on this platform, ending the help
    link: Callable[[str, str], str] | None = None  # (escaped text, URL) -> a link in the text


def credit(m: Markup, outlet: str | None, published: str | None, wire: str | None) -> str:
    """'**ANTARA** · 14 Sep 2023 · via Kyodo-OANA' in the front end's markup."""
    parts = [m.bold(m.escape(outlet or "unknown outlet")), m.escape(human_date(published))]
    if wire:
        parts.append(f"via {m.escape(wire)}")
    return " · ".join(parts)


def _page(m: Markup, body: str, full: str | None = None, title: str | None = None,
          footer: list[str] | None = None, link: str | None = None) -> Page:
    """A page: title and footer written into the text when the markup is framed, else kept apart."""
    footer = [f for f in footer or [] if f]
    if not m.framed:
        return Page(body, full, title=title, footer=" · ".join(footer) or None, link=link)

    def frame(text: str) -> str:
        head = f"{m.bold(m.escape(title))}\n\n" if title else ""
        tail = "".join(f"\n{m.italic(m.escape(f))}" for f in footer)
        return f"{head}{text}{chr(10) if title and tail else ''}{tail}"  # a list's page number stands apart

    return Page(frame(body), frame(full) if full else None, link=link)


def button_link(url: str | None) -> str | None:
    """An article's URL when a chat's link button can carry it: http(s) to a named public host (Telegram
    and Discord refuse the whole message over a button to an IP address, localhost or a bare word)."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or "." not in host or host.endswith((".local", ".localhost")):
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return url
    return None


def _frame_size(m: Markup, title: str | None, footer: list[str]) -> int:
    if not m.framed:
        return 0
    return m.measure(_page(m, "", title=title, footer=footer).text)


def attribution(m: Markup, result: Result, room: int) -> list[str]:
    """The lines under a quote: outlet, date and wire; its relative times resolved; the other outlets
    carrying it, trimmed to a quarter of `room` (hundreds of them must not crowd out the quote)."""
    lines = [credit(m, result.outlet, result.published, result.wire)]
    if when := dates_line(result):
        lines.append(m.italic(m.escape(when)))
    if result.also_reported_by:
        also = "also reported by " + ", ".join(result.also_reported_by)
        lines.append(m.italic(trim_escaped(also, room // 4, m.escape, m.measure)))
    return lines


def answer_pages(answer: Answer, m: Markup) -> list[Page]:
    """One page per result: the quote (or the whole passage) with its outlet, date, resolved times and
    other outlets."""
    note = [answer.note] if answer.note else []
    if not answer.answered:
        return [_page(m, f"{m.escape(NOTHING_FOUND)}\n{m.escape(NOTHING_HINT)}", footer=note)]
    pages = []
    total = len(answer.results)
    head = f"{m.italic(m.escape(LOW_CONFIDENCE))}\n" if low_confidence(answer) else ""
    for n, result in enumerate(answer.results, 1):
        footer = ([f"Result {n} of {total}"] if total > 1 else []) + note
        lines = "\n".join(attribution(m, result, m.room))
        room = m.room - m.measure(lines) - m.measure(head) - _frame_size(m, None, footer) - 1
        full = None
        if result.passage.strip() != result.quote.strip():
            full = f"{head}{m.blockquote(result.passage, room)}\n{lines}"
        pages.append(_page(m, f"{head}{m.blockquote(result.quote, room)}\n{lines}", full, footer=footer,
                           link=button_link(result.url)))
    return pages


def list_pages(m: Markup, title: str, blocks: list[str], empty: str, head: str = "") -> list[Page]:
    """A titled list split into pages that each fit, numbered when there are several; `head` (in the
    markup) opens each page."""
    title = title[:200]
    if not blocks:
        return [_page(m, m.escape(empty), title=title)]
    room = m.room - _frame_size(m, title, ["Page 99 of 99"]) - m.measure(head)
    groups = paginate(blocks, room, m.entries, "\n\n", m.measure)
    return [_page(m, head + "\n\n".join(group), title=title,
                  footer=[f"Page {n} of {len(groups)}"] if len(groups) > 1 else [])
            for n, group in enumerate(groups, 1)]


def carriers_pages(reply: Carriers, m: Markup) -> list[Page]:
    if not reply.answered:
        return [_page(m, f"{m.escape(NOTHING_FOUND)}\n{m.escape(SOURCES_HINT)}", footer=[reply.note] if reply.note else [])]
    blocks = []
    for c in reply.carriers:
        head = credit(m, c.outlet, c.published, c.wire)
        blocks.append(f"{head}\n{m.blockquote(c.quote, m.entry - m.measure(head))}")
    head = f"{m.italic(m.escape(LOW_CONFIDENCE))}\n" if low_confidence(reply) else ""  # as on an answer
    return list_pages(m, carriers_title(reply), blocks, NOTHING_FOUND, head)


def sources_pages(reply: SourcesReply, m: Markup) -> list[Page]:
    blocks = []
    for a in reply.articles:
        title = trim_escaped(" ".join((a.title or a.article).split()), 300, m.escape, m.measure)
        blocks.append(f"{credit(m, a.outlet, a.published, a.wire)}\n{title} {m.italic(f'({a.passages} passages)')}")
    return list_pages(m, sources_title(reply), blocks, NO_ARTICLES)


def links_pages(reply: Links, m: Markup) -> list[Page]:
    """The articles an answer quoted, each with its title and link (a link in the text where the markup
    writes them, else the address itself)."""
    if not reply.articles and not reply.gone:
        return [_page(m, m.escape(links_empty(reply)))]
    blocks = []
    for a in reply.articles:
        lines = [f"{m.escape(result_numbers(a.results))} · {credit(m, a.outlet, a.published, a.wire)}"]
        if a.title:
            lines.append(trim_escaped(a.title, 300, m.escape, m.measure))
        if not a.url:
            lines.append(m.italic(m.escape(NO_LINK)))
        elif m.link and button_link(a.url):
            lines.append(m.link(m.escape(READ_ARTICLE), a.url))
        else:  # an address a chat would not link (a bare host, an IP address): shown as it is
            lines.append(m.code(a.url if len(a.url) <= MAX_SHOWN_URL else a.url[:MAX_SHOWN_URL - 1] + "…"))
        blocks.append("\n".join(lines))
    if reply.gone:
        blocks.append(m.italic(m.escape(links_gone(reply))))
    return list_pages(m, links_title(reply), blocks, NOTHING_FOUND)


def timeline_pages(reply: TimelineReply, m: Markup) -> list[Page]:
    blocks = []
    for e in reply.events:
        head = f"{m.bold(m.escape(human_date(e.date)))} · {m.escape(e.outlet or 'unknown outlet')}"
        if e.also_reported_by:
            head += " " + m.italic(f"(also reported by {m.escape(', '.join(e.also_reported_by))})")
        blocks.append(f"{head}\n{m.blockquote(e.quote, m.entry - m.measure(head))}")
    title = f"Timeline: {' '.join(reply.topic.split())}" if reply.topic else "Timeline"
    return list_pages(m, title, blocks, no_events(reply.topic))


def help_pages(reply: HelpReply, m: Markup) -> list[Page]:
    lines = [m.escape(HELP_INTRO), ""]
    lines += [f"{m.code(c.usage)} — {m.escape(c.description)}" for c in reply.commands]
    lines += ["", m.escape(AFTER_AN_ANSWER)]
    if m.help_hint:
        lines += ["", m.escape(m.help_hint)]
    return [_page(m, "\n".join(lines))]


def follow_pages(reply: FollowReply, m: Markup) -> list[Page]:
    lines = [m.escape(reply.message)] + [f"• {m.escape(t)}" for t in reply.topics]
    return [_page(m, "\n".join(lines))]


def delivery_pages(delivery: Delivery, m: Markup) -> list[Page]:
    """New reports on a followed topic, as one post (pages only when they do not fit in one)."""
    blocks = []
    for result in delivery.results:
        tail = attribution(m, result, m.entry)
        if m.link and (url := button_link(result.url)):
            tail.append(m.link(m.escape(READ_ARTICLE), url))
        lines = "\n".join(tail)
        blocks.append(f"{m.blockquote(result.quote, m.entry - m.measure(lines) - 1)}\n{lines}")
    return list_pages(m, f"New on “{' '.join(delivery.topic.split())}”", blocks, NOTHING_FOUND)


def pages_for(reply: Reply, m: Markup) -> list[Page]:
    """Any reply as pages in a front end's markup."""
    if isinstance(reply, Answer):
        return answer_pages(reply, m)
    if isinstance(reply, Carriers):
        return carriers_pages(reply, m)
    if isinstance(reply, SourcesReply):
        return sources_pages(reply, m)
    if isinstance(reply, TimelineReply):
        return timeline_pages(reply, m)
    if isinstance(reply, HelpReply):
        return help_pages(reply, m)
    if isinstance(reply, UsageReply):
        return [_page(m, m.escape(reply.message))]
    if isinstance(reply, FollowReply):
        return follow_pages(reply, m)
    if isinstance(reply, Links):
        return links_pages(reply, m)
    raise TypeError(f"cannot render {type(reply).__name__}")
