"""The contract every chat front end keeps, one suite run against each of them for the same inputs.

Each front end is driven through its real handling path with its usual double: Telegram is the real
python-telegram-bot Application polling the fake Bot API on 127.0.0.1; Discord is the client's real
message handler, run the way discord.py dispatches an event (errors go to the client's `on_error`),
replying to a recording message double; the CLI is `newsbot chat`'s renderer. A new front end joins
by adding a driver here (and a page limit); its own module keeps only what is its own (buttons,
slash commands, webhooks, paging in place).
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import logging
import re
from types import SimpleNamespace

import pytest

from newsbot.bot.answer import Answer, Carrier, Carriers, QuoteDate, Result
from newsbot.bot.commands import COMMANDS, TimelineReply, dispatch, parse
from newsbot.bot.config import ConfigError
from newsbot.bot.core import ArticleLink, Links
from newsbot.bot.limits import slow_down
from newsbot.bot.logs import REDACTED, scrub_secrets
from newsbot.bot.pages import human_date, utf16_len
from newsbot.bot.render import ERROR_TEXT, LOW_CONFIDENCE, NOT_HERE, NOTHING_FOUND, render
from newsbot.bot.timeline import Event

discord = pytest.importorskip("discord")

from newsbot.bot import discord as discord_front  # noqa: E402
from newsbot.bot import telegram as telegram_front  # noqa: E402

from .fake_telegram import TOKEN as TELEGRAM_TOKEN  # noqa: E402
from .fake_telegram import message  # noqa: E402

SHRIMP = "Berapa kenaikan ekspor udang?"
SHRIMP_QUOTE = "Menteri Perikanan mengumumkan pada Senin (2/10) bahwa ekspor udang naik dua puluh persen tahun ini."
DISCORD_TOKEN = "MTAxMjM0NTY3ODkwMTIzNDU2.GabcdE.abcdefghijklmnopqrstuvwxyz0123456789"


def as_read(text: str) -> str:
    """What a reader sees of a front end's text, markup gone."""
    text = html.unescape(re.sub(r"</?(b|i|code|blockquote)>", "", text))  # Telegram HTML
    text = re.sub(r"\\(.)", r"\1", re.sub(r"(\*\*|(?<!\\)\*|^> |`)", "", text, flags=re.M))  # Discord markdown
    return " ".join(text.split())


# --- how each front end shows a reply (its pages, as text) ---------------------------------------------


def _page_text(page) -> str:
    """A page's text with its title and footer (set apart only for an embed, as Discord shows them)."""
    return " ".join(filter(None, (page.title, page.text, page.footer)))


SHOWN = {
    "cli": lambda reply: [render(reply)],
    "telegram": lambda reply: [p.text for p in telegram_front.pages_for(reply)],
    "discord": lambda reply: [_page_text(p) for p in discord_front.cards_for(reply)],
}

# Each platform's pages for a reply, and whether a page (with its whole-passage view) fits the platform.
PAGES = {
    "telegram": (telegram_front.pages_for, lambda page: utf16_len(page.full or page.text) <= 4096),
    "discord": (discord_front.cards_for,
                lambda page: len(page.full or page.text) <= 4096 and discord_front.size(page, full=True) <= 6000),
}


# --- drivers: one user's message in, what the user is shown out --------------------------------------

USERS = {"alice": 1001, "bob": 1002}
PLACES = {"listed": -100200, "elsewhere": -100300}  # a group (Telegram) or a server (Discord)


class TelegramDriver:
    """The real Application over HTTP against the fake Bot API; a question is `/ask …` in a group."""

    name = "telegram"
    token = TELEGRAM_TOKEN

    def __init__(self, api, start_bot):
        self.api, self.start_bot = api, start_bot
        self.ids = itertools.count(1)

    async def start(self, core, rate_limit: int = 30, allowed: tuple[str, ...] = ()) -> None:
        await self.start_bot(core, rate_limit=rate_limit, telegram_allowed_chats=tuple(PLACES[p] for p in allowed))

    async def say(self, text: str, user: str = "alice", place: str = "listed", expect: int = 1) -> list[str]:
        before = len(self.api.of("sendMessage"))
        chat = {"id": PLACES[place], "type": "supergroup", "title": place}
        sender = {"id": USERS[user], "is_bot": False, "first_name": user.title()}
        await self.api.push(message(f"/ask {text}", chat=chat, user=sender, message_id=next(self.ids)))
        if expect:
            await self.api.wait_for("sendMessage", before + expect)
        await self.api.quiet(0.3)  # nothing more arrives
        return [as_read(m["text"]) for m in self.api.of("sendMessage")[before:]]

    def stop(self) -> None:
        pass  # the start_bot fixture stops the Application


class DiscordMessage(discord.Message):
    """A message that mentions the bot in a server, recording the bot's replies to it."""

    def __init__(self, content: str, author: int, guild: int, me):
        self.content, self.mentions = content, [me]
        self.author = SimpleNamespace(id=author, bot=False)
        self.guild = SimpleNamespace(id=guild)
        self.channel = DiscordChannel()
        self.replies: list[str] = []

    async def reply(self, content=None, **kwargs):
        embed = kwargs.get("embed")
        self.replies.append(as_read(content if embed is None else " ".join(
            filter(None, (embed.title, embed.description, embed.footer.text)))))


class DiscordChannel:
    id = 30

    def typing(self):
        class Typing:
            async def __aenter__(self):
                return None

            async def __aexit__(self, *exc):
                return False

        return Typing()


class DiscordDriver:
    """The client's real message handler, dispatched as discord.py does; a question mentions the bot."""

    name = "discord"
    token = DISCORD_TOKEN
    me = SimpleNamespace(id=777)

    def __init__(self):
        self.client = None

    async def start(self, core, rate_limit: int = 30, allowed: tuple[str, ...] = ()) -> None:
        settings = dataclasses.replace(core.settings, discord_token="x", rate_limit=rate_limit,
                                       discord_allowed_guilds=tuple(PLACES[p] for p in allowed))
        self.client = discord_front.NewsDiscord(settings, core=core)

    async def say(self, text: str, user: str = "alice", place: str = "listed", expect: int = 1) -> list[str]:
        mention = DiscordMessage(f"<@{self.me.id}> {text}", USERS[user], PLACES[place], self.me)
        await self.client._run_event(self.client.handlers.message, "on_message", mention, self.me)
        return mention.replies

    def stop(self) -> None:
        if self.client is not None:
            self.client.handlers.gate.close()


@pytest.fixture(params=["telegram", "discord"])
async def front(request, api, start_bot):
    driver = TelegramDriver(api, start_bot) if request.param == "telegram" else DiscordDriver()
    yield driver
    driver.stop()


# --- the contract ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("shown", SHOWN)
@pytest.mark.parametrize("text", [SHRIMP, "/ask siapa juara piala dunia sepak bola?", "/help", "/sources",
                                  "/timeline", "/timeline ekspor udang", "/ask", "/nonsense"])
def test_every_front_end_shows_the_same_reply(fake_core, shown, text):
    reply = dispatch(fake_core, parse(text))
    seen = as_read(" ".join(SHOWN[shown](reply)))
    facts = []
    if hasattr(reply, "results"):
        if reply.answered:
            first = reply.results[0]
            facts += [first.quote, first.outlet, *first.also_reported_by]
        else:
            facts.append(NOTHING_FOUND)
    elif hasattr(reply, "commands"):
        facts += [c.usage for c in COMMANDS]
    elif hasattr(reply, "articles"):
        facts += [f"I have read {len(reply.articles)} articles"] + [a.outlet for a in reply.articles if a.outlet]
    elif hasattr(reply, "events"):
        facts += [e.quote for e in reply.events] + [e.outlet for e in reply.events]
    else:
        facts.append(reply.message)
    for fact in facts:
        assert " ".join(fact.split()) in seen, (shown, fact)
    if hasattr(reply, "results") and reply.answered and shown != "cli":
        assert human_date(reply.results[0].published) in seen


def arrival(confidence: str) -> Answer:
    """An answer whose quote names a relative day, at the given confidence."""
    result = Result(quote="Kim tiba pada Selasa pagi.", passage="Kim tiba pada Selasa pagi.", outlet="TEMPO.CO",
                    article="001", published="2023-09-14", score=0.1,
                    dates=[QuoteDate("Selasa pagi", "2023-09-12", "day")])
    return Answer("Kapan Kim tiba?", True, [result], confidence=confidence)


@pytest.mark.parametrize("shown", SHOWN)
def test_every_front_end_marks_carriers_that_only_come_closest(shown):
    carrier = Carrier("ANTARA", "a", "2023-10-02", None, "Katak itu berwarna hijau terang.")
    low = as_read(" ".join(SHOWN[shown](Carriers("Berapa banyak katak?", True, [carrier], confidence="low"))))
    high = as_read(" ".join(SHOWN[shown](Carriers("Katak hijau?", True, [carrier], confidence="high"))))
    assert LOW_CONFIDENCE in low and "1 article comes closest" in low and "Katak itu berwarna hijau terang." in low
    assert LOW_CONFIDENCE not in high and "1 article carries the answer" in high


@pytest.mark.parametrize("shown", SHOWN)
def test_every_front_end_marks_a_low_confidence_answer_and_shows_resolved_dates(shown):
    low = as_read(" ".join(SHOWN[shown](arrival("low"))))
    high = as_read(" ".join(SHOWN[shown](arrival("high"))))
    assert low.startswith(LOW_CONFIDENCE.rstrip(":"))
    assert "Kim tiba pada Selasa pagi." in low and "Selasa pagi = 12 Sep 2023" in low
    assert LOW_CONFIDENCE.rstrip(":") not in high and "Selasa pagi = 12 Sep 2023" in high


LINKS = Links("Harga cabai naik?", [
    ArticleLink((1, 3), "e_link", "Kabar", "2023-10-02", "Reuters", "Harga cabai merah naik di Medan",
                "https://kabar.example/cabai?id=7"),
    ArticleLink((2,), "f_local", "Lokal", None, None, "Banjir merendam Bekasi", "http://127.0.0.1:8000/banjir"),
    ArticleLink((4,), "g_file", None, "2023-10-03", None, None, None),
])


@pytest.mark.parametrize("shown", SHOWN)
def test_every_front_end_lists_the_links_of_an_answer(shown):
    raw = " ".join(SHOWN[shown](LINKS))
    seen = as_read(raw)
    assert "The articles quoted in answer to “Harga cabai naik?”" in seen
    for fact in ("Results 1, 3", "Kabar", "Reuters", "Harga cabai merah naik di Medan", "Result 2", "Lokal",
                 "Banjir merendam Bekasi", "Result 4", "unknown outlet", "no link: read from a file"):
        assert fact.lower() in seen.lower(), (shown, fact)
    # a public address is a link; one a chat would refuse to link (an IP address) is written out
    public = {"cli": "https://kabar.example/cabai?id=7",
              "telegram": '<a href="https://kabar.example/cabai?id=7">Read the article</a>',
              "discord": "[Read the article](https://kabar.example/cabai?id=7)"}[shown]
    assert public in raw and "http://127.0.0.1:8000/banjir" in seen
    assert "2 Oct 2023" in seen if shown != "cli" else "2023-10-02" in seen
    nothing = as_read(" ".join(SHOWN[shown](Links("Siapa juara Piala Dunia?", []))))
    assert nothing == "My answer to “Siapa juara Piala Dunia?” quoted no article, so I have no link to give."
    # results whose article the index no longer holds are named, with or without others still linked
    partly = as_read(" ".join(SHOWN[shown](dataclasses.replace(LINKS, gone=(5, 6)))))
    assert "Results 5, 6: their articles are no longer in my sources as quoted" in partly and "Kabar" in partly
    gone = as_read(" ".join(SHOWN[shown](Links("Harga cabai naik?", [], gone=(1,)))))
    assert "Result 1: its article is no longer in my sources as quoted" in gone and "quoted no article" not in gone


@pytest.mark.parametrize("platform", PAGES)
def test_every_page_fits_the_platform_and_a_long_quote_is_not_crowded_out(platform):
    pages_of, fits = PAGES[platform]
    sentence = "Kalimat panjang tentang <ekonomi> & *harga* yang terus berlanjut tanpa henti di pasar. "
    outlets = [f"Outlet {n}" for n in range(300)]
    answer = Answer("q", True, [Result(quote=sentence.strip(), passage=(sentence * 120).strip(), outlet="A & B",
                                        article="x", published="2023-09-14", score=1.0, also_reported_by=outlets)])
    [page] = pages_of(answer)
    assert fits(page)
    shown = as_read(page.full)
    assert shown.count("tanpa henti di pasar.") > 20  # most of the passage, the outlets listed after it
    assert "di pasar. …”" in shown and "A & B · 14 Sep 2023" in shown and "also reported by Outlet 0" in shown

    events = [Event(date=f"2023-09-{d:02d}", precision="day", quote="Peristiwa penting terjadi hari itu. " * 20,
                    outlet="ANTARA", article="a", published="2023-09-30") for d in range(1, 29)]
    pages = pages_of(TimelineReply("Kim", events))
    assert len(pages) > 1 and all(fits(p) for p in pages)
    seen = " ".join(as_read(_page_text(p)) for p in pages)
    assert all(f"{d} Sep 2023" in seen for d in range(1, 29))  # every event, on some page
    assert f"Page {len(pages)} of {len(pages)}" in seen


async def test_a_question_is_answered_with_quote_outlet_and_date(front, fake_core):
    await front.start(fake_core)
    [reply] = await front.say(SHRIMP)
    assert reply.startswith(f"“{SHRIMP_QUOTE}” ANTARA · 2 Oct 2023 · via Reuters")
    assert "also reported by TEMPO.CO" in reply


async def test_the_rate_limit_is_told_once_and_slows_no_one_else(front, fake_core):
    await front.start(fake_core, rate_limit=2)
    assert len(await front.say(SHRIMP)) == len(await front.say(SHRIMP)) == 1
    [slow] = await front.say(SHRIMP)
    assert slow.startswith(slow_down(60)[:40])
    assert await front.say(SHRIMP, expect=0) == []  # told once per run of refusals
    [answer] = await front.say(SHRIMP, user="bob")
    assert answer.startswith(f"“{SHRIMP_QUOTE}”")


async def test_places_off_the_allowlist_are_told_once(front, fake_core):
    await front.start(fake_core, allowed=("listed",))
    assert await front.say(SHRIMP, place="elsewhere") == [NOT_HERE]
    assert await front.say(SHRIMP, place="elsewhere", user="bob", expect=0) == []
    [answer] = await front.say(SHRIMP, place="listed")
    assert answer.startswith(f"“{SHRIMP_QUOTE}”")


async def test_an_error_is_logged_answered_politely_and_the_next_question_works(front, fake_core, monkeypatch,
                                                                                 caplog):
    real_ask, calls = fake_core.ask, []

    def flaky(question, k=None, **kwargs):
        calls.append(question)
        if len(calls) == 1:
            raise RuntimeError("index on fire")
        return real_ask(question, k, **kwargs)

    monkeypatch.setattr(fake_core, "ask", flaky)
    await front.start(fake_core)
    with caplog.at_level(logging.ERROR):
        assert await front.say(SHRIMP) == [ERROR_TEXT]
    assert "RuntimeError: index on fire" in caplog.text
    [answer] = await front.say(SHRIMP)
    assert answer.startswith(f"“{SHRIMP_QUOTE}”")


async def test_the_token_never_reaches_a_log_line(front, fake_core, caplog):
    """Whatever logs it: the platform's library (python-telegram-bot logs request URLs, which hold the
    token, at DEBUG), a traceback, or an error message that lower-cased it."""
    undo = scrub_secrets([front.token])
    try:
        caplog.set_level(logging.DEBUG)
        await front.start(fake_core)
        await front.say(SHRIMP)
        library = logging.getLogger(front.name)
        library.debug("POST /bot%s/sendMessage", front.token)
        try:
            raise RuntimeError(f"bad auth header {front.token.lower()}")
        except RuntimeError:
            library.exception("failed")
    finally:
        undo()
    assert front.token not in caplog.text and front.token.lower() not in caplog.text
    assert caplog.text.count(REDACTED) >= 2
    if front.name == "telegram":
        assert f"{front.api.url}{REDACTED}" in caplog.text  # the library's own request lines were scrubbed


@pytest.mark.parametrize("check, variable", [(telegram_front.check_token, "TELEGRAM_BOT_TOKEN"),
                                             (discord_front.check_token, "DISCORD_BOT_TOKEN")],
                         ids=["telegram", "discord"])
@pytest.mark.parametrize("token, problem", [
    (None, "is not set"), ("", "is not set"), ("abc", "does not look like a bot token"),
    ("123456789:short", "does not look like a bot token"),
    ("123456789:AAH token with spaces in it 0123456789", "does not look like a bot token"),
])
def test_a_missing_or_malformed_token_is_one_clear_message_that_never_repeats_it(check, variable, token, problem):
    with pytest.raises(ConfigError, match=f"{variable} {problem}") as raised:
        check(token)
    assert "\n" not in str(raised.value)
    assert not token or token not in str(raised.value)
