"""The one chat flow every front end shares (bot/chat.py): the gate and the renderer over a markup
strategy. The contract each front end keeps through it is tests/test_front_ends.py."""

import datetime as dt
import sqlite3

import pytest

from newsbot.bot.chat import Gate, pages_for
from newsbot.bot.commands import COMMANDS, Command, dispatch
from newsbot.bot.limits import slow_down
from newsbot.bot.render import NOT_HERE

pytest.importorskip("discord")

from newsbot.bot import discord as discord_front  # noqa: E402
from newsbot.bot import telegram as telegram_front  # noqa: E402


def test_pages_follow_the_markup_limits(fake_core):
    reply = dispatch(fake_core, Command("sources"))
    for markup in (telegram_front.HTML, discord_front.MARKDOWN):
        for page in pages_for(reply, markup):
            assert markup.measure(page.text) <= markup.room
    # Telegram writes the title into the message, Discord keeps it for the embed's title.
    [telegram] = pages_for(reply, telegram_front.HTML)
    [discord] = pages_for(reply, discord_front.MARKDOWN)
    assert telegram.text.startswith("<b>I have read 3 articles") and telegram.title is None
    assert discord.title.startswith("I have read 3 articles") and not discord.text.startswith("**I have read")


def test_the_gate_refuses_places_off_the_allowlist_once_and_counts_work_and_light_actions(fake_core):
    gate = Gate(fake_core, rate_limit=2, allowed=(10,))
    ask = Command("ask", "ekspor udang")
    assert gate.admit(1, 99, ask).tell == NOT_HERE
    assert gate.admit(1, 99, ask) == gate.admit(2, 99, ask) and not gate.admit(1, 99, ask).tell  # told once
    assert gate.admit(1, 99, ask, always_tell=True).tell == NOT_HERE  # where every request needs an answer
    assert gate.admit(1, 10, ask).go and gate.admit(1, 10, ask).go
    refused = gate.admit(1, 10, ask)
    assert not refused.go and refused.tell.startswith(slow_down(60)[:40])
    assert gate.admit(1, 10, ask).tell is None  # told once per run of refusals
    assert all(gate.admit(1, 10, Command("help")).go for _ in range(8))  # help: four times the budget
    assert not gate.admit(1, 10, Command("help")).go
    gate.close()
    assert Gate(fake_core, rate_limit=1).admit(5, None, ask).go  # no allowlist: direct messages too


async def test_help_is_answered_at_once_and_questions_off_the_event_loop(fake_core):
    gate = Gate(fake_core, rate_limit=0)
    help_reply = await gate.reply(Command("help"))
    answer = await gate.reply(Command("ask", "ekspor udang naik"))
    assert help_reply.commands == COMMANDS and answer.answered
    gate.close()


async def test_in_a_private_conversation_a_question_may_follow_up_the_last_answer_for_a_while(fake_core):
    """Only the asker and the bot talk there, so the last answer is what a short question follows up
    (as in `newsbot chat`), for FOLLOW_UP_SECONDS; a reply's own answer comes first."""
    from newsbot.bot.chat import FOLLOW_UP_SECONDS

    later = [dt.timedelta(0)]  # how far the bot's clock runs ahead of the store's
    gate = Gate(fake_core, rate_limit=0, now=lambda: dt.datetime.now(dt.UTC) + later[0])
    first = await gate.reply(Command("ask", "ekspor udang naik"))
    token = await gate.remember(first, conversation=7)
    other = await gate.remember(await gate.reply(Command("ask", "Gunung Merapi awan panas")))  # not private
    assert token and other
    assert (await gate.earlier(None, 7)).question == "ekspor udang naik"
    assert (await gate.earlier(None, 7)).passages == list(first.passages)
    # only a question follows up: the command carries the question it may be read with, and what it quoted
    followed = await gate.follow_up(Command("ask", "siapa?"), None, 7)
    assert (followed.earlier, followed.quoted) == ("ekspor udang naik", first.passages)
    assert await gate.follow_up(Command("timeline", "udang"), None, 7) == Command("timeline", "udang")
    assert await gate.earlier(None, 8) is None and await gate.earlier(None) is None  # elsewhere, or in a group
    assert (await gate.earlier(other, 7)).question == "Gunung Merapi awan panas"  # the answer replied to
    later[0] = dt.timedelta(seconds=FOLLOW_UP_SECONDS - 1)
    assert (await gate.earlier(None, 7)).question == "ekspor udang naik"
    later[0] = dt.timedelta(seconds=FOLLOW_UP_SECONDS)
    assert await gate.earlier(None, 7) is None  # a new conversation now; a reply still follows up
    assert (await gate.earlier(token, 7)).question == "ekspor udang naik"
    gate.close()


async def test_a_restarted_bot_still_knows_the_last_answer_of_a_private_conversation(fake_core):
    """The store remembers which private conversation an answer was shown in (as a keyed hash), so a
    bot started again over the same index reads "ada lagi?" or "siapa?" there with the answer before;
    a conversation on another platform with the same id is another conversation."""
    before = Gate(fake_core, rate_limit=0, platform="telegram")
    first = await before.reply(Command("ask", "ekspor udang naik"))
    assert await before.remember(first, conversation=7)
    before.close()

    restarted = Gate(fake_core, rate_limit=0, platform="telegram")
    shown = await restarted.earlier(None, 7)
    assert (shown.question, shown.passages) == ("ekspor udang naik", list(first.passages))
    followed = await restarted.follow_up(Command("ask", "ada lagi?"), None, 7)
    assert (followed.earlier, followed.quoted) == ("ekspor udang naik", first.passages)
    assert await restarted.earlier(None, 8) is None and await restarted.earlier(None) is None
    assert await Gate(fake_core, rate_limit=0, platform="discord").earlier(None, 7) is None
    # The chat's id is not what is stored.
    conversations = [row[0] for row in sqlite3.connect(fake_core.settings.index_path).execute(
        "SELECT conversation FROM answers WHERE conversation IS NOT NULL")]
    assert conversations and all("7" != c and "telegram" not in c for c in conversations)
    restarted.close()


def test_link_buttons_carry_only_addresses_a_chat_accepts():
    from newsbot.bot.chat import button_link

    assert button_link("https://kabar.example/a?id=1") == "https://kabar.example/a?id=1"
    for url in (None, "", "kabar.example/a", "ftp://kabar.example/a", "http://127.0.0.1/a", "http://[::1]/a",
                "http://localhost:8000/a", "http://printer.local/a", "javascript:alert(1)"):
        assert button_link(url) is None, url
