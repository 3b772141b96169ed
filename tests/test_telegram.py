"""The Telegram bot end to end: the real python-telegram-bot Application, polling a fake Bot API server
on 127.0.0.1, answering from the tiny corpus (fake embedder). Assertions are on what would reach Telegram.
What every front end does alike (rate limit, allowlist, errors, tokens, page limits) is tested once for
all in test_front_ends.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from html.parser import HTMLParser

import pytest
from unittest.mock import ANY

from newsbot.bot.answer import Thresholds
from newsbot.bot.config import ConfigError, Settings
from newsbot.bot.core import NewsCore
from newsbot.bot.pages import Page
from newsbot.bot.telegram import EXPIRED, ReplyStore, api_urls, build_application, webhook_options
from newsbot.index.build import build_index

from .conftest import FLOODS, FakeEmbedder, stop_bot, write_corpus
from .fake_telegram import ALICE, BOB, BOT, GROUP, PRIVATE, TOKEN, button, inline, message

SHRIMP = "Berapa kenaikan ekspor udang?"
ANTARA_SHRIMP = ("<blockquote>“Menteri Perikanan mengumumkan pada Senin (2/10) bahwa ekspor udang naik dua puluh "
                 "persen tahun ini.”</blockquote>\n<b>ANTARA</b> · 2 Oct 2023 · via Reuters\n"
                 "<i>Senin (2/10) = 2 Oct 2023; tahun ini = 2023</i>\n"  # relative times, resolved
                 "<i>also reported by TEMPO.CO</i>")
MERAPI = "Gunung Merapi awan panas guguran"


class Tags(HTMLParser):
    """Collects the tags of a Telegram HTML message and checks they nest."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.stack, self.text = [], [], ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data):
        self.text += data


def parse_html(text: str) -> Tags:
    tags = Tags()
    tags.feed(text)
    tags.close()
    assert not tags.stack
    return tags


def buttons(sent: dict) -> list[list[tuple[str, str]]]:
    markup = sent.get("reply_markup") or {"inline_keyboard": []}
    return [[(b["text"], b["callback_data"]) for b in row] for row in markup["inline_keyboard"]]


async def test_startup_registers_the_command_menu(api, start_bot):
    await start_bot()
    [commands] = await api.wait_for("setMyCommands")
    assert [c["command"] for c in commands["commands"]] == ["ask", "timeline", "sources", "follow", "following",
                                                           "unfollow", "help", "start"]


async def test_private_question_gets_quote_outlet_date_and_buttons(api, start_bot):
    await start_bot()
    await api.push(message(SHRIMP))
    [reply] = await api.wait_for("sendMessage")
    assert [c.method for c in api.calls if c.method in ("sendChatAction", "sendMessage")] == \
        ["sendChatAction", "sendMessage"]
    assert api.of("sendChatAction")[0] == {"chat_id": PRIVATE["id"], "action": "typing"}
    assert reply["chat_id"] == PRIVATE["id"]
    assert reply["parse_mode"] == "HTML"
    assert "reply_parameters" not in reply  # private chats are not threaded
    assert reply["text"].startswith(ANTARA_SHRIMP)
    assert parse_html(reply["text"]).tags == ["blockquote", "b", "i", "i"] + (["i"] if "Result 1 of" in reply["text"] else [])


async def test_group_mention_is_answered_in_a_thread(api, start_bot):
    await start_bot()
    await api.push(message(f"@{BOT['username']} {SHRIMP}", chat=GROUP, message_id=41))
    [reply] = await api.wait_for("sendMessage")
    assert reply["chat_id"] == GROUP["id"]
    assert reply["reply_parameters"]["message_id"] == 41
    assert reply["text"].startswith(ANTARA_SHRIMP)


async def test_group_commands_for_us_are_answered_and_other_chatter_ignored(api, start_bot):
    await start_bot()
    await api.push(message("Ada yang tahu soal ekspor udang?", chat=GROUP, message_id=50))  # chatter
    await api.push(message(f"/ask@other_bot {SHRIMP}", chat=GROUP, message_id=51))  # another bot's
    await api.push(message("/weather Jakarta", chat=GROUP, message_id=52))  # a command we don't have
    await api.push(message(f"@someone_else {SHRIMP}", chat=GROUP, message_id=53))  # someone else mentioned
    await api.push(message(f"/ask@{BOT['username']} {SHRIMP}", chat=GROUP, message_id=54))
    await api.push(message(f"/ask {MERAPI}", chat=GROUP, message_id=55))
    replies = await api.wait_for("sendMessage", 2)
    await api.quiet()
    assert len(api.of("sendMessage")) == 2
    assert [r["reply_parameters"]["message_id"] for r in sorted(replies, key=lambda r: r["reply_parameters"]["message_id"])] == [54, 55]
    merapi = next(r for r in replies if r["reply_parameters"]["message_id"] == 55)
    assert merapi["text"] == (
        "<blockquote>“Gunung Merapi kembali meluncurkan awan panas guguran sejauh dua kilometer.”</blockquote>\n"
        "<b>TEMPO.CO</b> · 3 Oct 2023")


async def test_a_reply_to_the_bot_is_a_question(api, start_bot):
    await start_bot()
    earlier = {"message_id": 60, "date": 0, "chat": GROUP, "from": BOT, "text": "an earlier answer"}
    await api.push(message(MERAPI, chat=GROUP, message_id=61, reply_to_message=earlier))
    not_to_us = {**earlier, "message_id": 62, "from": BOB}
    await api.push(message(SHRIMP, chat=GROUP, message_id=63, reply_to_message=not_to_us))
    [reply] = await api.wait_for("sendMessage")
    await api.quiet()
    assert len(api.of("sendMessage")) == 1
    assert reply["reply_parameters"]["message_id"] == 61
    assert "Gunung Merapi" in reply["text"]


async def test_a_short_reply_to_an_answer_is_read_with_its_question(api, start_bot):
    """The answer's vote buttons tell which question it answered; a reply too short to stand alone is
    read with it, and says so."""
    await start_bot()
    await api.push(message(f"/ask {SHRIMP}", chat=GROUP, message_id=80))
    await api.wait_for("sendMessage")
    answer = api.sent[max(api.sent)]
    await api.push(message("siapa yang mengumumkan?", chat=GROUP, message_id=81, reply_to_message=answer))
    followed = (await api.wait_for("sendMessage", 2))[1]
    assert followed["reply_parameters"]["message_id"] == 81
    assert f"Taken as a follow-up to “{SHRIMP}”" in followed["text"]
    assert "ekspor udang" in followed["text"]
    # A message without the buttons (an answer that could not be remembered) tells nothing: asked alone.
    bare = {key: value for key, value in answer.items() if key != "reply_markup"}
    await api.push(message("siapa yang mengumumkan?", chat=GROUP, message_id=82, reply_to_message=bare))
    alone = (await api.wait_for("sendMessage", 3))[2]
    assert alone["reply_parameters"]["message_id"] == 82 and "follow-up" not in alone["text"]


async def test_in_a_private_chat_a_short_question_follows_up_the_last_answer_unreplied(api, start_bot):
    """Only the asker and the bot talk in a private chat; in a group the same message stands alone."""
    await start_bot()
    await api.push(message(SHRIMP))
    await api.wait_for("sendMessage")
    await api.push(message("siapa yang mengumumkan?"))
    followed = (await api.wait_for("sendMessage", 2))[1]
    assert followed["chat_id"] == PRIVATE["id"]
    assert f"Taken as a follow-up to “{SHRIMP}”" in followed["text"] and "ekspor udang" in followed["text"]
    await api.push(message(f"@{BOT['username']} {SHRIMP}", chat=GROUP, message_id=90))
    await api.wait_for("sendMessage", 3)
    await api.push(message(f"@{BOT['username']} siapa yang mengumumkan?", chat=GROUP, message_id=91))
    alone = (await api.wait_for("sendMessage", 4))[3]
    assert alone["reply_parameters"]["message_id"] == 91 and "follow-up" not in alone["text"]


async def test_thanks_in_reply_to_an_answer_gets_a_welcome_not_a_quote(api, start_bot):
    await start_bot()
    earlier = {"message_id": 70, "date": 0, "chat": GROUP, "from": BOT, "text": "an earlier answer"}
    await api.push(message("makasih ya bot!", chat=GROUP, message_id=71, reply_to_message=earlier))
    [reply] = await api.wait_for("sendMessage")
    assert reply["text"].startswith("You're welcome!") and "“" not in reply["text"]


CHILLI = {"e_cabai.txt": (
    "Jakarta (ANTARA) - Harga cabai merah naik tajam di pasar induk Kramat Jati Jakarta pada Senin pagi. Para "
    "pedagang menyebut pasokan dari Jawa Tengah berkurang karena musim kemarau panjang.\n"
    "Harga cabai merah naik juga di pasar Wonokromo Surabaya sepanjang pekan ini. Dinas perdagangan kota memantau "
    "harga bahan pokok setiap hari di semua pasar.\n"
    "Harga cabai merah naik di Medan menurut laporan badan pusat statistik setempat. Pemerintah provinsi menyiapkan "
    "operasi pasar untuk menekan harga dalam waktu dekat.\n")}


def small_core(tmp_path, articles: dict[str, str]) -> NewsCore:
    corpus = write_corpus(tmp_path / "small", articles)
    embedder = FakeEmbedder()
    settings = Settings(index_path=tmp_path / "small.db", corpus=corpus, min_relevance=0.1)
    build_index(corpus, settings.index_path, embedder)
    return NewsCore(settings, embedder)


async def test_more_results_and_full_passage_edit_the_message(api, start_bot, tmp_path):
    core = small_core(tmp_path, CHILLI)
    core.thresholds = Thresholds(min_relevance=-1, secondary_ratio=0.5)  # results to page through
    await start_bot(core)
    await api.push(message("harga cabai merah naik"))
    [reply] = await api.wait_for("sendMessage")
    sent = api.sent[max(api.sent)]
    assert reply["text"] == (
        "<blockquote>“Harga cabai merah naik di Medan menurut laporan badan pusat statistik setempat.”</blockquote>\n"
        "<b>ANTARA</b> · date unknown\n<i>Result 1 of 2</i>")
    assert buttons(sent) == [[("More results »", ANY)], [("Full passage", ANY)], [("👍", ANY), ("👎", ANY)]]

    await api.push(button(buttons(sent)[0][0][1], sent))  # More results
    [edit] = await api.wait_for("editMessageText")
    assert (await api.wait_for("answerCallbackQuery"))[0].get("text") is None
    assert edit["message_id"] == sent["message_id"]
    assert edit["text"].startswith("<blockquote>“Harga cabai merah naik juga di pasar Wonokromo Surabaya")
    assert edit["text"].endswith("<i>Result 2 of 2</i>")
    page2 = api.sent[sent["message_id"]]
    assert [[label for label, _ in row] for row in buttons(page2)] == [["« Previous"], ["Full passage"], ["👍", "👎"]]

    await api.push(button(buttons(page2)[1][0][1], page2))  # Full passage
    edits = await api.wait_for("editMessageText", 2)
    assert edits[1]["text"] == (
        "<blockquote>“Harga cabai merah naik juga di pasar Wonokromo Surabaya sepanjang pekan ini. Dinas "
        "perdagangan kota memantau harga bahan pokok setiap hari di semua pasar.”</blockquote>\n"
        "<b>ANTARA</b> · date unknown\n<i>Result 2 of 2</i>")
    assert [[label for label, _ in row] for row in buttons(api.sent[sent["message_id"]])] == \
        [["« Previous"], ["Quote only"], ["👍", "👎"]]


async def test_an_unknown_or_expired_button_says_so(api, start_bot):
    await start_bot()
    sent = {"message_id": 9, "date": 0, "chat": PRIVATE, "from": BOT, "text": "old"}
    await api.push(button("gone:1:0", sent))
    await api.push(button("garbage", sent))
    answers = await api.wait_for("answerCallbackQuery", 2)
    assert [a["text"] for a in answers] == [EXPIRED, EXPIRED]
    assert api.of("editMessageText") == []


async def test_abstention_says_nothing_answers_and_points_to_sources(api, start_bot):
    await start_bot()
    await api.push(message("Siapa pemenang Piala Dunia sepak bola?"))
    [reply] = await api.wait_for("sendMessage")
    assert reply["text"] == ("I found nothing on that in my sources.\n"
                             "Try other words, or see what I have read with /sources.\n"
                             "<i>Nothing in my sources mentions pemenang, Piala, Dunia, sepak or bola.</i>")
    assert buttons(reply) == [[("👍", ANY), ("👎", ANY)]]  # "you should have found it" is worth knowing


async def test_html_in_the_question_and_in_the_corpus_is_escaped(api, start_bot, tmp_path):
    core = small_core(tmp_path, {"d_hostile.txt": (
        "Jakarta (ANTARA) - Pedagang <b>beras</b> & gula di pasar </blockquote><a href='x'>melaporkan</a> "
        "harga beras naik 5% <3 pada Senin (2/10/2023).\n")})
    await start_bot(core)
    await api.push(message("harga <b>beras</b> & gula </blockquote>"))
    await api.push(message("/timeline <b>harga beras</b> & gula naik", message_id=2))
    first, second = await api.wait_for("sendMessage", 2)
    texts = sorted([first["text"], second["text"]], key=lambda t: t.startswith("<b>Timeline"))
    answer_text, timeline_text = texts
    assert answer_text.startswith(
        "<blockquote>“Pedagang &lt;b&gt;beras&lt;/b&gt; &amp; gula di pasar &lt;/blockquote&gt;&lt;a "
        "href='x'&gt;melaporkan&lt;/a&gt; harga beras naik 5% &lt;3 pada Senin (2/10/2023).”</blockquote>\n"
        "<b>ANTARA</b> · 2 Oct 2023")
    assert timeline_text.startswith("<b>Timeline: &lt;b&gt;harga beras&lt;/b&gt; &amp; gula naik</b>\n\n"
                                    "<b>2 Oct 2023</b> · ANTARA\n<blockquote>“Pedagang &lt;b&gt;beras")
    for text in texts:
        assert set(parse_html(text).tags) <= {"b", "i", "blockquote"}


async def test_a_flood_of_help_in_a_group_does_not_hold_up_other_chats(api, start_bot):
    # The audit's case: after 50 `/help@bot` in a group, another user's private question took 45 s:
    # help skipped the rate limit and every reply waited for the group's flood limit inside its slot.
    import time

    await start_bot(rate_limit=6)
    for n in range(50):
        await api.push(message(f"/help@{BOT['username']}", chat=GROUP, message_id=n + 1))
    started = time.monotonic()
    await api.push(message(SHRIMP, chat={"id": BOB["id"], "type": "private", "first_name": "Bob"}, user=BOB,
                           message_id=99))
    while not any(r["chat_id"] == BOB["id"] for r in api.of("sendMessage")):
        await api.quiet(0.1)
        assert time.monotonic() - started < 10, "Bob waited behind the group's flood"
    await api.quiet(1.0)
    to_group = [r for r in api.of("sendMessage") if r["chat_id"] == GROUP["id"]]
    assert len(to_group) <= 6 * 4 + 1  # Alice's help replies within her budget, and one "slow down"


async def test_button_presses_count_against_the_limit_and_only_work_under_their_message(api, start_bot, tmp_path):
    core = small_core(tmp_path, CHILLI)
    core.thresholds = Thresholds(min_relevance=-1, secondary_ratio=0.5)  # results to page through
    await start_bot(core, rate_limit=1)  # one question a minute, so four light actions
    await api.push(message("harga cabai merah naik"))
    [sent] = await api.wait_for("sendMessage")
    [next_page] = [row[0] for row in buttons(sent) if row[0][0].startswith("More")]
    sent_message = api.sent[max(api.sent)]
    elsewhere = dict(sent_message, message_id=sent_message["message_id"] + 100)
    await api.push(button(next_page[1], elsewhere))  # the same key under another message
    [refused] = await api.wait_for("answerCallbackQuery")
    assert refused["text"] == EXPIRED
    for _ in range(6):
        await api.push(button(next_page[1], sent_message))
    answers = await api.wait_for("answerCallbackQuery", 7)
    await api.quiet()
    assert sum(1 for a in answers if (a.get("text") or "").startswith("You are asking faster")) == 3
    assert len(api.of("editMessageText")) == 3


@pytest.mark.parametrize("status, retry_after", [(429, 1), (500, None), (502, None)])
async def test_a_failed_send_is_retried_until_it_succeeds(api, start_bot, status, retry_after):
    await start_bot()
    api.fail("sendMessage", status, retry_after=retry_after)
    await api.push(message(SHRIMP))
    attempts = await api.wait_for("sendMessage", 2)
    assert attempts[0] == attempts[1]
    assert len(api.sent) == 1  # delivered once
    assert next(iter(api.sent.values()))["text"].startswith(ANTARA_SHRIMP)


async def test_failing_get_updates_recovers_and_answers_once(api, start_bot):
    await start_bot()
    api.fail("getUpdates", 502, times=2)
    api.garble("getUpdates")
    await api.push(message(SHRIMP))
    [reply] = await api.wait_for("sendMessage")
    await api.quiet(1.0)
    assert len(api.of("sendMessage")) == 1
    assert reply["text"].startswith(ANTARA_SHRIMP)


async def test_a_late_or_garbled_send_is_not_sent_twice_and_the_bot_keeps_going(api, start_bot, caplog):
    await start_bot(http_timeout=0.5)
    api.delays["sendMessage"] = [1.5]  # delivered, but the answer comes after PTB gave up: TimedOut
    await api.push(message(SHRIMP))
    await api.wait_for("sendMessage")
    await api.quiet(2.0)
    assert len(api.sent) == 1 and len(api.of("sendMessage")) == 1  # neither retried nor apologised
    api.garble("sendMessage")  # a proxy's HTML page instead of JSON
    await api.push(message(SHRIMP, message_id=2))
    await api.wait_for("sendMessage", 2)
    await api.quiet(1.0)
    assert len(api.of("sendMessage")) == 2
    await api.push(message(SHRIMP, message_id=3))
    replies = await api.wait_for("sendMessage", 3)
    assert replies[2]["text"].startswith(ANTARA_SHRIMP)
    assert "TimedOut" in caplog.text and "Invalid server response" in caplog.text


async def test_help_and_sources_with_a_question(api, start_bot):
    await start_bot()
    await api.push(message("/start"))
    [help_reply] = await api.wait_for("sendMessage")
    assert "<code>/ask &lt;question&gt;</code> — answer with verbatim quotes" in help_reply["text"]
    parse_html(help_reply["text"])
    await api.push(message(f"/sources {SHRIMP}", message_id=2))
    replies = await api.wait_for("sendMessage", 2)
    assert replies[1]["text"] == (
        "<b>2 articles carry the answer</b>\n\n"
        "<b>ANTARA</b> · 2 Oct 2023 · via Reuters\n<blockquote>“Menteri Perikanan mengumumkan pada Senin (2/10) "
        "bahwa ekspor udang naik dua puluh persen tahun ini.”</blockquote>\n\n"
        "<b>TEMPO.CO</b> · 3 Oct 2023\n<blockquote>“Menteri Perikanan mengumumkan bahwa ekspor udang naik dua puluh "
        "persen tahun ini, menurut keterangan pers pada Selasa, 3 Oktober 2023.”</blockquote>")
    await api.push(message("/sources", message_id=3))
    replies = await api.wait_for("sendMessage", 3)
    assert replies[2]["text"].startswith("<b>I have read 3 articles from 3 outlets</b>\n\n<b>ANTARA</b> · 2 Oct 2023")


@pytest.mark.parametrize("configured", ["s3cret_-token-0123", None])
async def test_webhook_mode_checks_the_secret_and_answers(api, fake_core, configured):
    import socket

    import aiohttp

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = dataclasses.replace(
        fake_core.settings, telegram_token=TOKEN, telegram_base_url=api.url, telegram_webhook_port=port,
        telegram_webhook_url="https://bot.example.org/telegram/hook", telegram_webhook_secret=configured)
    options = webhook_options(settings)
    assert options["url_path"] == "telegram/hook" and options["listen"] == "127.0.0.1"
    secret = options["secret_token"]
    if configured is None:  # none set: a random one for this run, never the same twice
        assert len(secret) >= 32 and secret != webhook_options(settings)["secret_token"]
    else:
        assert secret == configured
    app = build_application(settings, fake_core)
    await app.initialize()
    await app.updater.start_webhook(**options)
    await app.start()
    try:
        [hook] = await api.wait_for("setWebhook")
        assert (hook["url"], hook["secret_token"]) == ("https://bot.example.org/telegram/hook", secret)
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/telegram/hook"
            # Forged updates, from users who made them up: without the secret, none is taken.
            for n, headers in enumerate([{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                                         {"X-Telegram-Bot-Api-Secret-Token": ""}]):
                user = {"id": 900 + n, "is_bot": False, "first_name": f"Mallory{n}"}
                forged = {"update_id": 10 + n, **message(SHRIMP, user=user)}
                async with http.post(url, json=forged, headers=headers) as r:
                    assert r.status == 403
            update = {"update_id": 1, **message(SHRIMP)}
            async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}) as r:
                assert r.status == 200
        [reply] = await api.wait_for("sendMessage")
        assert reply["text"].startswith(ANTARA_SHRIMP)
        await api.quiet()
        assert len(api.of("sendMessage")) == 1  # only the real update was answered
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@pytest.mark.parametrize("url, secret, problem", [
    ("http://bot.example.org/hook", None, "must be an https"),
    ("https://bot.example.org/hook", "has spaces but is long", "may only hold"),
    ("https://bot.example.org/hook", "short", "16-256"),
])
def test_webhook_settings_are_checked(fake_settings, url, secret, problem):
    with pytest.raises(ConfigError, match=problem):
        webhook_options(dataclasses.replace(fake_settings, telegram_webhook_url=url, telegram_webhook_secret=secret))


# --- the pieces, without a server --------------------------------------------------------------------


def test_base_url_accepts_a_server_root_or_a_bot_url():
    assert api_urls(None) == ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot")
    assert api_urls("http://localhost:8081") == ("http://localhost:8081/bot", "http://localhost:8081/file/bot")
    assert api_urls("http://localhost:8081/bot/") == ("http://localhost:8081/bot", "http://localhost:8081/file/bot")
    with pytest.raises(ConfigError, match="not an http"):
        api_urls("localhost:8081")


def _kept(store: ReplyStore, pages: list[Page], message: int) -> str:
    """Add a reply and send it as message `message` in chat 1."""
    key = store.add(pages, answer=True)
    store.sent(key, 1, message)
    return key


def test_reply_store_forgets_the_oldest():
    store = ReplyStore(capacity=2)
    keys = [_kept(store, [Page(str(n))], n) for n in range(3)]
    assert store.get(keys[0], 1, 0) is None
    assert [store.get(k, 1, n).pages[0].text for n, k in enumerate(keys) if n] == ["1", "2"]


def test_reply_store_is_bounded_by_what_it_holds_not_only_by_count():
    # The audit's case: one timeline reply held 0.9 MB, and 2000 of them would have been kept.
    store = ReplyStore(capacity=2000, max_chars=2_000_000)
    big = [Page("x" * 4000, full="y" * 4000) for _ in range(110)]  # ~0.9 MB
    keys = [_kept(store, big, n) for n in range(20)]
    assert store.chars <= 2_000_000 and len(store) == 2
    assert store.get(keys[-1], 1, 19) is not None and store.get(keys[0], 1, 0) is None
    huge = _kept(store, [Page("z" * 3_000_000)], 20)  # the newest is kept even when alone too big
    assert store.get(huge, 1, 20) is not None and len(store) == 1


def test_a_reply_key_works_only_under_its_own_message():
    store = ReplyStore()
    key = store.add([Page("1"), Page("2")], answer=True)
    store.sent(key, chat=-100, message=5)
    assert store.get(key, -100, 5) is not None
    assert store.get(key, -100, 6) is None and store.get(key, -200, 5) is None


LINKED = {"e_link.md": ("---\nurl: https://kabar.example/cabai?id=7\n---\n"
                        "Harga cabai merah naik di Medan menurut laporan badan pusat statistik setempat.\n"),
          "f_local.md": ("---\nurl: http://127.0.0.1:8000/banjir\n---\n"
                         "Banjir merendam ratusan rumah di Bekasi setelah hujan deras semalaman.\n")}


async def test_an_article_with_a_url_gets_a_read_the_article_button(api, start_bot, tmp_path):
    await start_bot(small_core(tmp_path, LINKED))
    await api.push(message("harga cabai merah naik"))
    await api.wait_for("sendMessage")
    rows = api.sent[max(api.sent)]["reply_markup"]["inline_keyboard"]
    assert rows[0] == [{"text": "Read the article", "url": "https://kabar.example/cabai?id=7"}]
    assert [b["text"] for b in rows[1]] == ["👍", "👎"]
    # An address Telegram would refuse as a button (an IP, localhost) is left out rather than lose the reply.
    await api.push(message("banjir merendam rumah di Bekasi"))
    [_, reply] = await api.wait_for("sendMessage", 2)
    assert "Banjir merendam" in reply["text"]
    assert buttons(api.sent[max(api.sent)]) == [[("👍", ANY), ("👎", ANY)]]


async def test_link_in_reply_to_an_answer_lists_its_articles_with_their_links(api, start_bot, tmp_path):
    await start_bot(small_core(tmp_path, LINKED))
    await api.push(message("/ask harga cabai merah naik", chat=GROUP, message_id=100))
    await api.wait_for("sendMessage")
    answer = api.sent[max(api.sent)]
    await api.push(message("link artikelnya mana?", chat=GROUP, message_id=101, reply_to_message=answer))
    links = (await api.wait_for("sendMessage", 2))[1]
    assert links["reply_parameters"]["message_id"] == 101
    assert "The articles quoted in answer to “harga cabai merah naik”" in links["text"]
    assert '<a href="https://kabar.example/cabai?id=7">Read the article</a>' in links["text"]
    assert "reply_markup" not in links  # nothing to vote on: it quotes nothing
    # Not in reply to an answer, in a group: which answer's links is not known, and the user is told how.
    await api.push(message(f"@{BOT['username']} link?", chat=GROUP, message_id=102))
    told = (await api.wait_for("sendMessage", 3))[2]
    assert told["text"].startswith("Links to which answer?")


async def test_more_in_a_private_chat_or_in_reply_quotes_the_next_results(api, start_bot, tmp_path):
    """"ada lagi?" right after an answer in a private chat, or replying to one in a group, quotes the results
    after those it showed, never the same again; when there are none left, the bot says so."""
    core = small_core(tmp_path, FLOODS)
    await start_bot(core)
    await api.push(message("banjir di Bekasi"))
    await api.wait_for("sendMessage")
    answer = api.sent[max(api.sent)]
    await api.push(message("ada lagi?", message_id=2))
    more = (await api.wait_for("sendMessage", 2))[1]["text"]
    assert more.endswith("<i>More on “banjir di Bekasi”, after the results shown before.</i>")
    assert more.split("</blockquote>")[0] != answer["text"].split("</blockquote>")[0]
    # in a group, replying to the first answer goes on after it, whatever was shown since
    await api.push(message("more?", chat=GROUP, message_id=3, reply_to_message=answer))
    again = (await api.wait_for("sendMessage", 3))[2]
    assert again["reply_parameters"]["message_id"] == 3 and again["text"] == more
    n = 4
    while not (last := api.sent[max(api.sent)]["text"]).startswith("That is all"):  # on until nothing is left
        await api.push(message("yang lain?", message_id=n))
        await api.wait_for("sendMessage", n)
        n += 1
    assert last == "That is all my sources say on “banjir di Bekasi”. Ask it in other words, or see who reported " \
        "it with /sources and the question."
    # what the private chat was shown, answer by answer (as remembered for votes): each report once
    store = core.retriever.store
    shown = [store.shown_answer(i) for i in range(1, store.answers_shown() + 1)]
    assert len(shown) == 3 and shown[2].passages == shown[1].passages  # the group's reply: the same next page
    private = shown[0].passages + shown[1].passages
    assert len(private) == len(set(private)) == len(FLOODS)


async def test_more_in_a_private_chat_goes_on_after_the_bot_restarts(api, start_bot, tmp_path):
    """A deploy between an answer and "ada lagi?" loses nothing: the store knows the private chat's last
    answer, so the restarted bot gives the next results, not "More of which answer?"."""
    core = small_core(tmp_path, FLOODS)
    app = await start_bot(core)
    await api.push(message("banjir di Bekasi"))
    [answer] = await api.wait_for("sendMessage")
    await stop_bot(app)
    restarted = NewsCore(core.settings, core.embedder)
    await start_bot(restarted)
    await api.push(message("ada lagi?", message_id=2))
    more = (await api.wait_for("sendMessage", 2))[1]["text"]
    assert more.endswith("<i>More on “banjir di Bekasi”, after the results shown before.</i>")
    assert more.split("</blockquote>")[0] != answer["text"].split("</blockquote>")[0]
    store = restarted.retriever.store
    first, second = (store.shown_answer(i) for i in (1, 2))
    assert not set(first.passages) & set(second.passages)  # the next page, not the first again
    restarted.close()


# --- inline mode, votes and follows ----------------------------------------------------------------------


async def test_inline_mode_offers_quotes_to_send_into_any_chat(api, start_bot):
    await start_bot()
    await api.push(inline(SHRIMP))
    [offered] = await api.wait_for("answerInlineQuery")
    assert offered["cache_time"] == 300
    first = offered["results"][0]
    assert (first["type"], first["title"]) == ("article", "ANTARA · 2 Oct 2023")
    assert first["description"].startswith("“Menteri Perikanan mengumumkan pada Senin (2/10)")
    sent = first["input_message_content"]
    assert sent["parse_mode"] == "HTML" and sent["link_preview_options"] == {"is_disabled": True}
    assert sent["message_text"] == ANTARA_SHRIMP  # the answer's own HTML, without "Result 1 of N"
    assert len({r["id"] for r in offered["results"]}) == len(offered["results"])

    await api.push(inline("Siapa pemenang Piala Dunia sepak bola?"))
    await api.wait_for("answerInlineQuery", 2)
    await api.push(inline("   "))
    _, nothing, empty = await api.wait_for("answerInlineQuery", 3)
    [result] = nothing["results"]
    assert result["title"] == "Nothing in my sources"
    assert result["input_message_content"]["message_text"] == (
        "I found nothing on that in my sources. (“Siapa pemenang Piala Dunia sepak bola?”)")
    assert empty["results"] == [] and empty["button"]["text"] == "Type a question to find quotes from the news"


async def test_inline_mode_obeys_the_allowlist_by_user_and_the_rate_limit(api, start_bot, fake_core):
    await start_bot(telegram_allowed_chats=(GROUP["id"], BOB["id"]), rate_limit=1)
    await api.push(inline(SHRIMP))  # Alice is not on the list
    [refused] = await api.wait_for("answerInlineQuery")
    assert refused["results"] == [] and refused["button"]["text"].startswith("Sorry, I only answer in the chats")
    await api.push(inline(SHRIMP, user=BOB))
    await api.push(inline(MERAPI, user=BOB))  # over the limit of one a minute
    _, *later = await api.wait_for("answerInlineQuery", 3)
    slowed, answered = sorted(later, key=lambda a: len(a["results"]))  # the refusal needs no search: it may come first
    assert answered["results"][0]["title"] == "ANTARA · 2 Oct 2023"
    assert slowed["results"] == [] and slowed["button"]["text"].startswith("You are asking faster than I can read")
    assert slowed["cache_time"] == 0 and slowed["is_personal"] == "true"


async def test_votes_from_two_people_one_each_and_changeable(api, start_bot, fake_core):
    from newsbot.bot.feedback import DOWN, FORGED, THANKS, UNKNOWN, UP

    await start_bot()
    await api.push(message(f"/ask {SHRIMP}", chat=GROUP, message_id=70))
    await api.wait_for("sendMessage")
    sent = api.sent[max(api.sent)]
    up, down = [data for _, data in buttons(sent)[-1]]
    for n, (data, user) in enumerate([(up, ALICE), (down, BOB), (down, ALICE)], 1):  # Alice changes her vote
        await api.push(button(data, sent, user=user))
        told = await api.wait_for("answerCallbackQuery", n)
    assert [t["text"] for t in told] == [THANKS[UP], THANKS[DOWN], THANKS[DOWN]]
    votes = fake_core.retriever.store.votes()
    assert len(votes) == 2 and {v.value for v in votes} == {DOWN} and {v.result for v in votes} == {0}
    assert not any(str(ALICE["id"]) in v.voter or str(BOB["id"]) in v.voter for v in votes)
    assert votes[0].answer.question == SHRIMP

    # Forged and stale buttons are refused and change nothing.
    token = up.split(":")[1]
    for data in (f"v:{int(token.split('.')[0]) + 1}.{token.split('.')[1]}:0:u", "v:x", f"v:{token}:7:u",
                 f"v:{token}:0:maybe"):
        await api.push(button(data, sent, user=BOB))
    await api.wait_for("answerCallbackQuery", 7)
    fake_core.feedback.forget(dt.date.today() + dt.timedelta(days=2))  # the answer is forgotten
    await api.push(button(up, sent, user=BOB))
    told = await api.wait_for("answerCallbackQuery", 8)
    assert sorted(t["text"] for t in told[3:]) == sorted([FORGED] * 4 + [UNKNOWN])  # handled concurrently
    assert fake_core.retriever.store.votes() == [] and api.of("editMessageText") == []


TIGER = "Jakarta (ANTARA) - Pada 5 Januari 2024 harimau sumatra terlihat di Riau, kata petugas konservasi.\n"
TIGER_NEWS = ("Bisnis.com, JAKARTA - Seekor harimau sumatra masuk perangkap kamera di Jambi pekan lalu, "
              "kata balai konservasi.\n")


async def test_a_follow_posts_new_reports_and_a_restart_repeats_none(api, start_bot, fake_core, fake_settings,
                                                                      fake_embedder):
    import asyncio

    app = await start_bot(fake_core, follow_every=0.1)
    await api.push(message("/follow harimau sumatra", chat=GROUP, message_id=80))
    [confirmed] = await api.wait_for("sendMessage")
    assert confirmed["text"].startswith("Following “harimau sumatra”: when new articles carry a report on it")

    (fake_settings.corpus / "d_tiger.txt").write_text(TIGER, encoding="utf-8")
    await asyncio.to_thread(build_index, fake_settings.corpus, fake_settings.index_path, fake_embedder)
    _, post = await api.wait_for("sendMessage", 2)
    assert post["chat_id"] == GROUP["id"] and "reply_parameters" not in post
    assert post["text"] == ("<b>New on “harimau sumatra”</b>\n\n<blockquote>“Pada 5 Januari 2024 harimau sumatra "
                            "terlihat di Riau, kata petugas konservasi.”</blockquote>\n<b>ANTARA</b> · date unknown")

    await stop_bot(app)
    restarted = NewsCore(fake_settings, fake_embedder)
    await start_bot(restarted, follow_every=0.1)
    await api.quiet(1.0)
    assert len(api.of("sendMessage")) == 2  # nothing posted twice

    (fake_settings.corpus / "f_tiger.txt").write_text(TIGER_NEWS, encoding="utf-8")
    await asyncio.to_thread(build_index, fake_settings.corpus, fake_settings.index_path, fake_embedder)
    *_, newer = await api.wait_for("sendMessage", 3)
    assert "perangkap kamera di Jambi" in newer["text"]
    await api.quiet(0.5)
    assert len(api.of("sendMessage")) == 3


async def test_only_admins_change_follows_when_the_setting_says_so(api, start_bot):
    from newsbot.bot.telegram import ADMINS_ONLY

    await start_bot(follow_admins_only=True)
    await api.push(message("/follow harimau", chat=GROUP, user=BOB, message_id=90))
    [refused] = await api.wait_for("sendMessage")
    assert refused["text"] == ADMINS_ONLY
    api.admins.add(ALICE["id"])
    await api.push(message("/follow harimau", chat=GROUP, user=ALICE, message_id=91))
    await api.wait_for("sendMessage", 2)
    await api.push(message("/following", chat=GROUP, user=BOB, message_id=92))  # anyone may look
    await api.wait_for("sendMessage", 3)
    await api.push(message("/follow katak", user=BOB))  # in a private chat, anyone
    replies = await api.wait_for("sendMessage", 4)
    texts = [r["text"] for r in replies[1:]]
    assert texts[0].startswith("Following “harimau”") and texts[2].startswith("Following “katak”")
    assert texts[1] == "This chat follows 1 topic:\n• harimau"
    assert [c["user_id"] for c in api.of("getChatMember")] == [BOB["id"], ALICE["id"]]
