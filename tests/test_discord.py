"""The Discord bot: the real CommandTree and command callbacks, run against recording interaction doubles
over the tiny corpus (fake embedder); syncing only on change. What every front end does alike (rate
limit, allowlist, errors, tokens, page limits) is tested once for all in test_front_ends.py.
"""

from __future__ import annotations

import dataclasses
import logging
from types import SimpleNamespace

import pytest

discord = pytest.importorskip("discord")

from newsbot.bot.answer import Thresholds  # noqa: E402
from newsbot.bot.config import ConfigError  # noqa: E402
from newsbot.bot.discord import NewsDiscord, Pager, esc, sync_commands  # noqa: E402
from newsbot.bot.render import ERROR_TEXT, NOT_HERE  # noqa: E402
from newsbot.bot.limits import slow_down  # noqa: E402
from newsbot.index.build import build_index  # noqa: E402

from .test_telegram import CHILLI, LINKED, SHRIMP, small_core  # noqa: E402

ANTARA_SHRIMP = ("> “Menteri Perikanan mengumumkan pada Senin \\(2/10\\) bahwa ekspor udang naik dua puluh persen "
                 "tahun ini.”\n**ANTARA** · 2 Oct 2023 · via Reuters\n*Senin \\(2/10\\) = 2 Oct 2023; tahun ini = 2023*\n"
                 "*also reported by TEMPO.CO*")


# --- doubles ------------------------------------------------------------------------------------------


class Response:
    def __init__(self, log):
        self.log, self.done = log, False

    def is_done(self):
        return self.done

    async def defer(self, **kwargs):
        assert not self.done, "responded twice"
        self.done = True
        self.log.append(("defer", kwargs))

    async def send_message(self, content=None, **kwargs):
        assert not self.done, "responded twice"
        self.done = True
        self.log.append(("send_message", content, kwargs))

    async def edit_message(self, **kwargs):
        assert not self.done, "responded twice"
        self.done = True
        self.log.append(("edit_message", kwargs))


class Followup:
    def __init__(self, log, response):
        self.log, self.response = log, response

    async def send(self, content=None, **kwargs):
        assert self.response.done, "a follow-up needs a deferred or answered interaction"
        self.log.append(("followup", content, kwargs))
        return SimpleNamespace(id=99, edit=None)


class Interaction:
    """Records what a command does with its interaction, in order."""

    def __init__(self, user_id=1, log=None, guild_id=None, channel_id=30, permissions=None, client=None,
                 context=None):
        self.log = [] if log is None else log
        self.guild_id = guild_id
        self.context = context or discord.app_commands.AppCommandContext()
        self.channel_id = channel_id
        self.permissions = permissions or discord.Permissions.none()
        self.client = client
        self.user = SimpleNamespace(id=user_id)
        self.response = Response(self.log)
        self.followup = Followup(self.log, self.response)
        self.command = None


@pytest.fixture
def client(fake_core):
    client = NewsDiscord(dataclasses.replace(fake_core.settings, discord_token="x"), core=fake_core)
    yield client
    client.handlers.gate.workers.shutdown(wait=False)


async def run(client, name, interaction=None, **options):
    interaction = interaction or Interaction()
    await client.tree.get_command(name).callback(interaction, **options)
    return interaction.log


def labels(view) -> list[str]:
    """The labels of a view's buttons (a vote button is a dynamic item around one)."""
    return [getattr(b, "item", b).label for b in view.children]


def embed_of(entry) -> discord.Embed:
    return entry[-1]["embed"]


# --- the command tree ---------------------------------------------------------------------------------


def test_the_command_tree_has_the_documented_commands(client):
    shapes = {
        c["name"]: (c["description"], [(o["name"], o["required"], o.get("min_length"), o.get("max_length"))
                                       for o in c["options"]])
        for c in (command.to_dict(client.tree) for command in client.tree.get_commands())
    }
    assert shapes == {
        "ask": ("Answer with verbatim quotes from the news, with outlet and date", [("question", True, 1, 1000)]),
        "timeline": ("The events in date order, each with its sentence and outlet", [("topic", False, 0, 200)]),
        "sources": ("The outlets and articles I have read, or which carry an answer", [("question", False, 0, 1000)]),
        "follow": ("Post new reports on a topic here as articles arrive", [("topic", True, 1, 200)]),
        "following": ("The topics this chat follows", []),
        "unfollow": ("Stop following a topic here (or all of them)", [("topic", True, 1, 200)]),
        "help": ("What I can do", []),
    }
    assert [p.description for c in client.tree.get_commands() for p in c.parameters] == [
        "What you want to know, in any language",
        "Only the events about this (leave empty for everything)",
        "Which outlets carry the answer to this question",
        "A few words, e.g. Kim Putin",
        "The topic, as /following lists it, or all",
    ]


# --- commands against the double ----------------------------------------------------------------------


async def test_ask_defers_then_follows_up_with_the_quote_embed(client):
    log = await run(client, "ask", question=SHRIMP)
    assert [entry[0] for entry in log] == ["defer", "followup"]
    assert log[0][1] == {"thinking": True}
    embed = embed_of(log[1])
    assert embed.description == ANTARA_SHRIMP
    assert labels(log[1][2]["view"]) == ["👍", "👎"]  # one result, one sentence: nothing to page, only votes


async def test_abstention_is_an_honest_embed(client):
    log = await run(client, "ask", question="Siapa pemenang Piala Dunia sepak bola?")
    assert embed_of(log[1]).description == ("I found nothing on that in my sources.\n"
                                            "Try other words, or see what I have read with /sources.")


async def test_help_answers_at_once_and_privately(client):
    log = await run(client, "help")
    assert [entry[0] for entry in log] == ["send_message"]
    assert log[0][2]["ephemeral"] is True
    assert "`/ask <question>` — answer with verbatim quotes" in embed_of(log[0]).description


async def test_slash_ask_where_the_news_comes_from_lists_the_sources(client):
    log = await run(client, "ask", question="kamu tau dari mana?")
    assert [entry[0] for entry in log] == ["defer", "followup"]
    assert embed_of(log[1]).title == "I have read 3 articles from 3 outlets"


async def test_sources_and_timeline_commands(client):
    log = await run(client, "sources", question=None)
    embed = embed_of(log[1])
    assert embed.title == "I have read 3 articles from 3 outlets"
    assert embed.description.startswith("**ANTARA** · 2 Oct 2023 · via Reuters\nMenteri Perikanan")
    log = await run(client, "sources", question=SHRIMP)
    assert embed_of(log[1]).title == "2 articles carry the answer"
    log = await run(client, "timeline", topic=None)
    assert embed_of(log[1]).title == "Timeline"
    assert embed_of(log[1]).description.startswith("**2023** · ANTARA *(also reported by TEMPO.CO)*\n> “Menteri")


async def test_rate_limit_refuses_without_deferring(fake_core):
    client = NewsDiscord(dataclasses.replace(fake_core.settings, rate_limit=1), core=fake_core)
    first = await run(client, "ask", question=SHRIMP)
    second = await run(client, "ask", question=SHRIMP)
    assert [e[0] for e in first] == ["defer", "followup"]
    assert second[0][0] == "send_message" and second[0][1].startswith(slow_down(60)[:40])
    assert second[0][2] == {"ephemeral": True}


async def test_markdown_in_corpus_and_question_cannot_break_the_embed(client, tmp_path):
    core = small_core(tmp_path, {"d_md.txt": (
        "Jakarta (ANTARA) - Pedagang **beras** dan _gula_ di [pasar](http://x.y) <@123> @everyone `kode` "
        "||rahasia|| melaporkan harga beras naik pada Senin (2/10/2023).\n")})
    client.handlers.core = core
    log = await run(client, "ask", question="pedagang **beras** dan gula melaporkan harga beras naik")
    assert embed_of(log[1]).description == (
        "> “Pedagang \\*\\*beras\\*\\* dan \\_gula\\_ di \\[pasar\\]\\(http\\://x.y\\) \\<\\@123\\> \\@everyone "
        "\\`kode\\` \\|\\|rahasia\\|\\| melaporkan harga beras naik pada Senin \\(2/10/2023\\).”\n"
        "**ANTARA** · 2 Oct 2023")
    log = await run(client, "timeline", topic="**harga** beras")
    assert embed_of(log[1]).title == "Timeline: **harga** beras"  # titles are plain text in Discord


async def test_more_results_and_full_passage_page_in_place(client, tmp_path):
    core = small_core(tmp_path, CHILLI)
    core.thresholds = Thresholds(min_relevance=-1, secondary_ratio=0.5)
    client.handlers.core = core
    log = await run(client, "ask", question="harga cabai merah naik")
    pager = log[1][2]["view"]
    assert isinstance(pager, Pager)
    assert labels(pager) == ["More results »", "Full passage", "👍", "👎"]
    assert embed_of(log[1]).footer.text == "Result 1 of 2"

    press = Interaction()
    await pager.next.callback(press)
    [(kind, edit)] = press.log
    assert kind == "edit_message"
    assert edit["embed"].description.startswith("> “Harga cabai merah naik juga di pasar Wonokromo Surabaya")
    assert edit["embed"].footer.text == "Result 2 of 2"
    assert labels(pager) == ["« Previous", "Full passage", "👍", "👎"]

    press = Interaction()
    await pager.toggle.callback(press)
    assert press.log[0][1]["embed"].description == (
        "> “Harga cabai merah naik juga di pasar Wonokromo Surabaya sepanjang pekan ini. Dinas perdagangan kota "
        "memantau harga bahan pokok setiap hari di semua pasar.”\n**ANTARA** · date unknown")
    assert labels(pager) == ["« Previous", "Quote only", "👍", "👎"]


async def test_an_error_is_logged_and_answered_politely(client, caplog):
    interaction = Interaction()
    await interaction.response.defer(thinking=True)
    try:
        raise RuntimeError("index on fire")
    except RuntimeError as exc:
        error = discord.app_commands.CommandInvokeError(client.tree.get_command("ask"), exc)
    with caplog.at_level(logging.ERROR):
        await client.handlers.on_command_error(interaction, error)
    assert interaction.log[-1] == ("followup", ERROR_TEXT, {"ephemeral": True})
    assert "RuntimeError: index on fire" in caplog.text
    fresh = Interaction()
    await client.handlers.on_command_error(fresh, error)
    assert fresh.log == [("send_message", ERROR_TEXT, {"ephemeral": True})]


# --- mentions and direct messages ---------------------------------------------------------------------


class Channel:
    def __init__(self, direct=False, channel_id=10):
        self.typed = 0
        self.id = channel_id
        self.direct = direct

    def typing(self):
        channel = self

        class Typing:
            async def __aenter__(self):
                channel.typed += 1

            async def __aexit__(self, *exc):
                return False

        return Typing()


class Message:
    def __init__(self, content, mentions=(), bot=False, channel=None, guild_id=None):
        self.content, self.mentions = content, list(mentions)
        self.guild = SimpleNamespace(id=guild_id) if guild_id else None
        self.author = SimpleNamespace(id=5, bot=bot)
        self.channel = channel or Channel()
        self.replies = []

    async def reply(self, content=None, **kwargs):
        self.replies.append((content, kwargs))


async def test_a_mention_is_answered_and_other_messages_ignored(client):
    me = SimpleNamespace(id=777)
    mention = Message(f"<@777> {SHRIMP}", mentions=[me])
    await client.handlers.message(mention, me)
    [(content, kwargs)] = mention.replies
    assert content is None and kwargs["embed"].description == ANTARA_SHRIMP
    assert kwargs["mention_author"] is False
    assert mention.channel.typed == 1
    chatter = Message(SHRIMP)
    from_a_bot = Message(f"<@777> {SHRIMP}", mentions=[me], bot=True)
    for m in (chatter, from_a_bot):
        await client.handlers.message(m, me)
        assert m.replies == []


async def test_a_short_reply_to_an_answer_is_read_with_its_question(client):
    me = SimpleNamespace(id=777)
    asked = Message(f"<@777> {SHRIMP}", mentions=[me])
    await client.handlers.message(asked, me)
    [(_, sent)] = asked.replies
    ids = [getattr(item, "custom_id", None) for item in sent["view"].children]
    assert any(i and i.startswith("nbv:") for i in ids)  # the answer's vote buttons, as Discord shows them
    answer = SimpleNamespace(author=me, components=[SimpleNamespace(children=[SimpleNamespace(custom_id=i) for i in ids])])
    followed = Message("<@777> siapa yang mengumumkan?", mentions=[me])  # a reply mentions whom it replies to
    followed.reference = SimpleNamespace(resolved=answer)
    await client.handlers.message(followed, me)
    [(_, kwargs)] = followed.replies
    shown = str((kwargs.get("embed") or kwargs["view"].embed()).to_dict())
    assert f"Taken as a follow-up to “{SHRIMP}”" in shown and "ekspor udang" in shown
    # Mentioning the bot in reply to someone else's message: asked on its own.
    elsewhere = Message("<@777> siapa yang mengumumkan?", mentions=[me])
    elsewhere.reference = SimpleNamespace(resolved=SimpleNamespace(author=SimpleNamespace(id=5), components=[
        SimpleNamespace(children=[SimpleNamespace(custom_id=i) for i in ids])]))
    await client.handlers.message(elsewhere, me)
    [(_, kwargs)] = elsewhere.replies
    assert "follow-up" not in str((kwargs.get("embed") or kwargs["view"].embed()).to_dict())


class DirectChannel(discord.DMChannel):
    """A direct message channel as the handler sees it (no gateway state behind it)."""

    def __init__(self, channel_id=20):
        self.id, self.typed = channel_id, 0

    typing = Channel.typing


async def test_in_a_direct_message_a_short_question_follows_up_the_last_answer_unreplied(client):
    me = SimpleNamespace(id=777)
    direct = DirectChannel()
    for text in (SHRIMP, "siapa yang mengumumkan?"):
        asked = Message(text, channel=direct)
        await client.handlers.message(asked, me)
    [(_, kwargs)] = asked.replies
    shown = str((kwargs.get("embed") or kwargs["view"].embed()).to_dict())
    assert f"Taken as a follow-up to “{SHRIMP}”" in shown and "ekspor udang" in shown
    # In a server channel, mentioning the bot without replying: asked on its own.
    for text in (f"<@777> {SHRIMP}", "<@777> siapa yang mengumumkan?"):
        asked = Message(text, mentions=[me])
        await client.handlers.message(asked, me)
    [(_, kwargs)] = asked.replies
    assert "follow-up" not in str((kwargs.get("embed") or kwargs["view"].embed()).to_dict())


def direct_interaction(context: int) -> discord.Interaction:
    """A real discord.py Interaction parsed from the payload of a slash command in a DM channel."""
    state = discord.Client(intents=discord.Intents.default())._connection
    return discord.Interaction(state=state, data={
        "id": "1", "application_id": "2", "type": 2, "token": "t", "version": 1, "context": context,
        "data": {"id": "3", "name": "ask", "type": 1}, "channel": {"id": "20", "type": 1},
        "user": {"id": "5", "username": "u", "discriminator": "0", "avatar": None},
        "app_permissions": "0", "locale": "en-US", "entitlements": [], "attachment_size_limit": 1000})


def test_only_a_direct_message_with_the_bot_is_a_private_conversation():
    from newsbot.bot.discord import with_the_bot_alone

    assert with_the_bot_alone(direct_interaction(1))  # BOT_DM
    assert not with_the_bot_alone(direct_interaction(2))  # a DM between people, through a user-installed app


async def test_slash_ask_in_a_direct_message_follows_up_the_last_answer_there(client):
    alone = discord.app_commands.AppCommandContext(dm_channel=True)
    await run(client, "ask", Interaction(channel_id=20, context=alone), question=SHRIMP)
    log = await run(client, "ask", Interaction(channel_id=20, context=alone), question="siapa yang mengumumkan?")
    shown = str(embed_of(log[1]).to_dict())
    assert f"Taken as a follow-up to “{SHRIMP}”" in shown and "ekspor udang" in shown
    # A message in the same direct message follows the slash command's answer too.
    asked = Message("kalau tahun 2024?", channel=DirectChannel(20))
    await client.handlers.message(asked, SimpleNamespace(id=777))
    [(_, kwargs)] = asked.replies
    assert "follow-up" in str((kwargs.get("embed") or kwargs["view"].embed()).to_dict())
    # Between people (a user-installed app in their DM) and in a server: asked on its own.
    among = discord.app_commands.AppCommandContext(private_channel=True)
    for interaction in (lambda: Interaction(channel_id=21, context=among),
                        lambda: Interaction(channel_id=22, guild_id=40, context=discord.app_commands.AppCommandContext(guild=True))):
        await run(client, "ask", interaction(), question=SHRIMP)
        log = await run(client, "ask", interaction(), question="siapa yang mengumumkan?")
        assert "follow-up" not in str(embed_of(log[1]).to_dict())


async def test_allowlist_admits_listed_servers_only(fake_core):
    client = NewsDiscord(dataclasses.replace(fake_core.settings, discord_allowed_guilds=(500,)), core=fake_core)
    outside = Interaction(guild_id=600)
    await client.tree.get_command("ask").callback(outside, question=SHRIMP)
    assert outside.log == [("send_message", NOT_HERE, {"ephemeral": True})]
    inside = Interaction(guild_id=500)
    await client.tree.get_command("ask").callback(inside, question=SHRIMP)
    assert [e[0] for e in inside.log] == ["defer", "followup"]
    me = SimpleNamespace(id=777)
    first, second = (Message(f"<@777> {SHRIMP}", mentions=[me], guild_id=600) for _ in range(2))
    await client.handlers.message(first, me)
    await client.handlers.message(second, me)
    assert first.replies == [(NOT_HERE, {"mention_author": False})] and second.replies == []


# --- rendering limits ---------------------------------------------------------------------------------


def test_escaping_keeps_text_readable_once_rendered():
    assert esc("a*b_c [x](y) <@1> 1-2: #tag") == "a\\*b\\_c \\[x\\]\\(y\\) \\<\\@1\\> 1\\-2\\: \\#tag"


# --- syncing --------------------------------------------------------------------------------------------


async def test_commands_sync_only_when_they_change(client, tmp_path, monkeypatch):
    synced = []

    async def fake_sync(*, guild=None):
        synced.append(guild.id if guild else None)
        return client.tree.get_commands(guild=guild)

    monkeypatch.setattr(client.tree, "sync", fake_sync)
    state = tmp_path / "discord-commands.json"
    assert await sync_commands(client.tree, state, 42, None) is True
    assert await sync_commands(client.tree, state, 42, None) is False
    assert await sync_commands(client.tree, state, 42, None, force=True) is True
    assert await sync_commands(client.tree, state, 42, 1234) is True  # another scope: a server
    assert await sync_commands(client.tree, state, 42, 1234) is False

    @client.tree.command(name="extra", description="A new command")
    async def extra(interaction: discord.Interaction) -> None:
        pass

    assert await sync_commands(client.tree, state, 42, None) is True
    assert synced == [None, None, 1234, None]


def test_a_token_discord_rejects_is_one_line(fake_core, monkeypatch):
    """`run` against a local stand-in for Discord's API that answers 401 to the login."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from newsbot.bot.discord import run as run_bot

    class Refuse(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'{"message": "401: Unauthorized", "code": 0}'
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{server.server_port}/api/v10")
    token = "MTAxMjM0NTY3ODkwMTIzNDU2.GabcdE.abcdefghijklmnopqrstuvwxyz0123456789"
    try:
        with pytest.raises(ConfigError, match="Discord rejected DISCORD_BOT_TOKEN"):
            run_bot(dataclasses.replace(fake_core.settings, discord_token=token))
    finally:
        server.shutdown()


async def test_only_the_asker_pages_their_reply(client, tmp_path):
    from newsbot.bot.discord import NOT_YOURS

    core = small_core(tmp_path, CHILLI)
    core.thresholds = Thresholds(min_relevance=-1, secondary_ratio=0.5)
    client.handlers.core = core
    log = await run(client, "ask", question="harga cabai merah naik")  # asked by user 1
    pager = log[1][2]["view"]
    stranger = Interaction(user_id=2)
    assert await pager.interaction_check(stranger) is False
    assert stranger.log == [("send_message", NOT_YOURS, {"ephemeral": True})]
    assert pager.page == 0
    asker = Interaction(user_id=1)
    assert await pager.interaction_check(asker) is True and asker.log == []


async def test_help_answers_even_while_the_workers_are_busy(client):
    # The audit's case: /help went through the executor and missed Discord's 3 s while timelines ran.
    import asyncio
    import threading
    import time

    release = threading.Event()
    workers = client.handlers.gate.workers
    busy = [pool.submit(release.wait, 30) for pool in (workers.questions, workers.corpus) for _ in range(4)]
    try:
        started = time.monotonic()
        log = await asyncio.wait_for(run(client, "help"), timeout=3)
        assert log[0][0] == "send_message" and time.monotonic() - started < 3
    finally:
        release.set()
        for future in busy:
            future.result()


async def test_help_counts_against_a_generous_limit(fake_core):
    client = NewsDiscord(dataclasses.replace(fake_core.settings, rate_limit=1), core=fake_core)
    logs = [await run(client, "help") for _ in range(5)]
    assert [log[0][0] for log in logs] == ["send_message"] * 5
    assert [bool(log[0][1]) for log in logs] == [False] * 4 + [True]  # the fifth is "slow down" text
    assert logs[4][0][1].startswith("You are asking faster")
    client.handlers.gate.workers.shutdown(wait=False)


async def test_an_article_with_a_url_gets_a_link_button_that_outlives_the_pager(client, tmp_path):
    client.handlers.core = small_core(tmp_path, LINKED)
    log = await run(client, "ask", question="harga cabai merah naik")
    pager = log[1][2]["view"]
    link, *votes = pager.children
    assert (link.label, link.url, link.style) == ("Read the article", "https://kabar.example/cabai?id=7",
                                                  discord.ButtonStyle.link)
    assert labels(pager)[1:] == ["👍", "👎"]
    edits = []

    class Sent:
        async def edit(self, **kwargs):
            edits.append(kwargs)

    pager.message = Sent()
    await pager.on_timeout()
    # The link and the votes outlive the pager (votes are handled by the client, by their custom id).
    assert [getattr(b, "url", None) for b in edits[0]["view"].children] == ["https://kabar.example/cabai?id=7", None, None]
    assert labels(edits[0]["view"]) == ["Read the article", "👍", "👎"]


# --- votes and follows ------------------------------------------------------------------------------------


async def test_anyone_votes_once_per_answer_and_votes_survive_the_pager(client):
    from newsbot.bot.discord import VoteButton
    from newsbot.bot.feedback import DOWN, FORGED, THANKS, UP

    log = await run(client, "ask", question=SHRIMP)  # asked by user 1
    pager = log[1][2]["view"]
    up, down = pager.children
    assert isinstance(up, VoteButton) and up.item.custom_id.startswith("nbv:") and up.item.custom_id.endswith(":0:u")
    stranger = Interaction(user_id=2, client=client)  # paging is the asker's, votes are anyone's
    await down.callback(stranger)
    asker = Interaction(user_id=1, client=client)
    await up.callback(asker)
    # After the pager times out (or the bot restarts) the client rebuilds the button from its custom id.
    import re

    match = re.fullmatch(VoteButton.__discord_ui_compiled_template__, down.item.custom_id)
    rebuilt = await VoteButton.from_custom_id(asker, down.item, match)
    again = Interaction(user_id=1, client=client)
    await rebuilt.callback(again)  # the asker changes to 👎
    assert [i.log[0][1] for i in (stranger, asker, again)] == [THANKS[DOWN], THANKS[UP], THANKS[DOWN]]
    assert all(i.log[0][2] == {"ephemeral": True} for i in (stranger, asker, again))
    votes = client.handlers.core.retriever.store.votes()
    assert sorted(v.value for v in votes) == [DOWN, DOWN]
    forged = VoteButton(up.token.split(".")[0] + ".AAAAAAAAAA", 0, "u")
    bad = Interaction(user_id=3, client=client)
    await forged.callback(bad)
    assert bad.log[0][1] == FORGED and len(client.handlers.core.retriever.store.votes()) == 2


async def test_follow_in_a_channel_posts_new_reports_there(client, fake_settings, fake_embedder):
    from .test_follow import TIGER, TIGER_NEWS

    log = await run(client, "follow", Interaction(channel_id=444), topic="harimau sumatra")
    assert embed_of(log[1]).description.startswith("Following “harimau sumatra”")
    assert [f.place for f in client.handlers.core.retriever.store.follows()] == ["discord:444"]
    (fake_settings.corpus / "d_tiger.txt").write_text(TIGER, encoding="utf-8")
    build_index(fake_settings.corpus, fake_settings.index_path, fake_embedder)

    sent = []

    class Posted:
        id = 444

        async def send(self, **kwargs):
            sent.append(kwargs["embed"])

    client.get_channel = lambda channel_id: Posted() if channel_id == 444 else None
    assert await client.post_follows() is True
    [embed] = sent
    assert embed.title == "New on “harimau sumatra”"
    assert embed.description.startswith("> “Pada 5 Januari 2024 harimau sumatra terlihat di Riau")
    assert await client.post_follows() is True and len(sent) == 1  # never twice

    # A channel the bot can no longer post in forgets its follows.
    await run(client, "follow", Interaction(channel_id=445), topic="harimau sumatra")
    (fake_settings.corpus / "f_tiger.txt").write_text(TIGER_NEWS, encoding="utf-8")
    build_index(fake_settings.corpus, fake_settings.index_path, fake_embedder)

    async def gone(channel_id):
        raise discord.NotFound(SimpleNamespace(status=404, reason="Not Found"), "Unknown Channel")

    client.fetch_channel = gone
    assert await client.post_follows() is True
    assert [f.place for f in client.handlers.core.retriever.store.follows()] == ["discord:444"]
    assert len(sent) == 2 and "perangkap kamera di Jambi" in sent[1].description


async def test_only_server_managers_change_follows_when_the_setting_says_so(fake_core):
    from newsbot.bot.discord import ADMINS_ONLY

    client = NewsDiscord(dataclasses.replace(fake_core.settings, discord_token="x", follow_admins_only=True),
                         core=fake_core)
    member = await run(client, "follow", Interaction(guild_id=9), topic="harimau")
    assert member == [("send_message", ADMINS_ONLY, {"ephemeral": True})]
    manager = await run(client, "follow", Interaction(guild_id=9, permissions=discord.Permissions(manage_guild=True)),
                        topic="harimau")
    assert embed_of(manager[1]).description.startswith("Following “harimau”")
    direct = await run(client, "follow", Interaction(channel_id=31), topic="katak")  # a direct message
    assert embed_of(direct[1]).description.startswith("Following “katak”")
    looked = await run(client, "following", Interaction(guild_id=9))  # anyone may look
    assert embed_of(looked[0]).description == "This chat follows 1 topic\\:\n• harimau"
    client.handlers.gate.workers.shutdown(wait=False)
