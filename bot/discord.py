"""Discord front end: slash commands (discord.py 2.x app_commands) over the same core as the CLI.

`/ask`, `/timeline`, `/sources` and `/help` run the shared command dispatch off the event loop and
answer with embeds: the quote as a blockquote with Discord markdown escaped, the outlet and date, "also
reported by", and buttons that page through further results. Messages that mention the bot (and direct
messages) are answered too; Discord delivers their text without the privileged message-content intent.

Rendering (`cards_for`) is pure: it turns the core's typed replies into `Card`s that respect Discord's
limits, so it is tested without Discord.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import signal
from dataclasses import dataclass
from pathlib import Path

import discord
from discord import app_commands

from .answer import Answer, Carriers
from .commands import (Command, HelpReply, Reply, SourcesReply, TimelineReply, UsageReply, Workers, parse,
                       searches)
from .config import ConfigError, Settings
from .core import NewsCore, open_core
from .limits import RateLimit, slow_down
from .pages import human_date, paginate, trim_escaped
from .render import (HELP_INTRO, LOW_CONFIDENCE, NO_ARTICLES, NOTHING_FOUND, NOTHING_HINT, SOURCES_HINT, dates_line,
                     low_confidence, no_events, quoted)

log = logging.getLogger(__name__)

TOKEN_FORMAT = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
DESCRIPTION = 4096  # embed description
FIELD = 1024  # embed field value
TITLE = 256  # embed title
TOTAL = 6000  # everything in one embed
LIST_PAGE_ENTRIES = 6
COLOUR = 0x2B6CB0
PAGER_TIMEOUT = 15 * 60  # seconds a reply's buttons keep working
ERROR_TEXT = "Sorry, something went wrong on my side while answering. Please try again in a moment."
NOT_HERE = "Sorry, I only answer in the servers I was set up for."
NOT_YOURS = "Only the person who asked can page through this reply; ask me yourself with /ask."
LIGHT_ACTIONS = 4  # help and usage replies a user may get per question the rate limit allows
_MARKDOWN = re.compile(r"([\\*_~`|\[\]()<>#@:-])")


# --- rendering: typed replies → cards (pure data that becomes embeds) ---------------------------------


def esc(text: str) -> str:
    """Escape Discord markdown (and mention/timestamp/emoji syntax) so text shows exactly as written."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


@dataclass(frozen=True)
class Card:
    """One embed's worth of a reply. `full` is the description with the whole passage, when it differs."""

    description: str
    title: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    footer: str | None = None
    full: str | None = None

    def size(self, full: bool = False) -> int:
        """Characters Discord counts toward the 6000 limit of an embed."""
        text = self.full if full and self.full else self.description
        return len(text) + len(self.title or "") + len(self.footer or "") + sum(len(n) + len(v) for n, v in self.fields)


def credit(outlet: str | None, published: str | None, wire: str | None) -> str:
    parts = [f"**{esc(outlet or 'unknown outlet')}**", esc(human_date(published))]
    if wire:
        parts.append(f"via {esc(wire)}")
    return " · ".join(parts)


def blockquote(text: str, limit: int) -> str:
    """A quotation as a markdown blockquote line, trimmed between sentences to fit `limit`."""
    return f"> {quoted(trim_escaped(' '.join(text.split()), limit - 4, esc))}"


def answer_cards(answer: Answer) -> list[Card]:
    note = answer.note or None
    if not answer.answered:
        return [Card(f"{esc(NOTHING_FOUND)}\n{esc(NOTHING_HINT)}", footer=note)]
    cards = []
    total = len(answer.results)
    head = f"*{esc(LOW_CONFIDENCE)}*\n" if low_confidence(answer) else ""
    for n, r in enumerate(answer.results, 1):
        line = credit(r.outlet, r.published, r.wire)
        if when := dates_line(r):
            line = f"{line}\n*{esc(when)}*"
        fields = ()
        if r.also_reported_by:
            fields = (("Also reported by", trim_escaped(", ".join(r.also_reported_by), FIELD, esc)),)
        footer = " · ".join(x for x in (f"Result {n} of {total}" if total > 1 else None, note) if x) or None
        room = DESCRIPTION - len(line) - len(head) - 1
        full = None
        if r.passage.strip() != r.quote.strip():
            full = f"{head}{blockquote(r.passage, room)}\n{line}"
        cards.append(Card(f"{head}{blockquote(r.quote, room)}\n{line}", fields=fields, footer=footer, full=full))
    return cards


def list_cards(title: str, blocks: list[str], empty: str) -> list[Card]:
    if not blocks:
        return [Card(empty, title=title[:TITLE])]
    groups = paginate(blocks, DESCRIPTION, LIST_PAGE_ENTRIES, "\n\n")
    return [
        Card("\n\n".join(group), title=title[:TITLE], footer=f"Page {n} of {len(groups)}" if len(groups) > 1 else None)
        for n, group in enumerate(groups, 1)
    ]


ENTRY = 1500  # one list entry at most, so a page always holds a few


def carriers_cards(reply: Carriers) -> list[Card]:
    if not reply.answered:
        return [Card(f"{esc(NOTHING_FOUND)}\n{esc(SOURCES_HINT)}")]
    blocks = []
    for c in reply.carriers:
        head = credit(c.outlet, c.published, c.wire)
        blocks.append(f"{head}\n{blockquote(c.quote, ENTRY - len(head))}")
    n = len(reply.carriers)
    return list_cards(f"{n} {'article carries' if n == 1 else 'articles carry'} the answer", blocks, esc(NOTHING_FOUND))


def sources_cards(reply: SourcesReply) -> list[Card]:
    blocks = []
    for a in reply.articles:
        title = trim_escaped((a.title or a.article).strip(), 300, esc)
        blocks.append(f"{credit(a.outlet, a.published, a.wire)}\n{title} *({a.passages} passages)*")
    outlets = len({a.outlet for a in reply.articles})
    return list_cards(f"I have read {len(reply.articles)} articles from {outlets} outlets", blocks,
                      esc(NO_ARTICLES))


def timeline_cards(reply: TimelineReply) -> list[Card]:
    blocks = []
    for e in reply.events:
        head = f"**{esc(human_date(e.date))}** · {esc(e.outlet or 'unknown outlet')}"
        if e.also_reported_by:
            head += f" *(also reported by {esc(', '.join(e.also_reported_by))})*"
        blocks.append(f"{head}\n{blockquote(e.quote, ENTRY - len(head))}")
    title = f"Timeline: {' '.join(reply.topic.split())}" if reply.topic else "Timeline"
    return list_cards(title, blocks, esc(no_events(reply.topic)))


def help_card(reply: HelpReply) -> Card:
    lines = [esc(HELP_INTRO), ""]
    lines += [f"`{c.usage}` {esc(c.description)}" for c in reply.commands]
    lines += ["", "You can also mention me with a question, or send me a direct message."]
    return Card("\n".join(lines), title="newsbot")


def cards_for(reply: Reply) -> list[Card]:
    """Render any reply as Discord cards."""
    if isinstance(reply, Answer):
        return answer_cards(reply)
    if isinstance(reply, Carriers):
        return carriers_cards(reply)
    if isinstance(reply, SourcesReply):
        return sources_cards(reply)
    if isinstance(reply, TimelineReply):
        return timeline_cards(reply)
    if isinstance(reply, HelpReply):
        return [help_card(reply)]
    if isinstance(reply, UsageReply):
        return [Card(esc(reply.message))]
    raise TypeError(f"cannot render {type(reply).__name__}")


def to_embed(card: Card, full: bool = False) -> discord.Embed:
    """The discord.Embed for a card (embed titles show verbatim, so they are plain text)."""
    embed = discord.Embed(description=card.full if full and card.full else card.description, colour=COLOUR,
                          title=card.title)
    for name, value in card.fields:
        embed.add_field(name=name, value=value, inline=False)
    if card.footer:
        embed.set_footer(text=card.footer)
    return embed


# --- paging -------------------------------------------------------------------------------------------


class Pager(discord.ui.View):
    """Buttons under a reply: « Previous, More results » (Next » for lists) and Full passage / Quote only."""

    def __init__(self, cards: list[Card], answer: bool, owner: int | None = None, timeout: float = PAGER_TIMEOUT):
        super().__init__(timeout=timeout)
        self.cards = cards
        self.answer = answer
        self.owner = owner  # who asked: only they page their reply (None: anyone)
        self.page = 0
        self.full = False
        self.message: discord.Message | discord.WebhookMessage | None = None
        self.next.label = "More results »" if answer else "Next »"
        self.refresh()

    @classmethod
    def needed(cls, cards: list[Card]) -> bool:
        return len(cards) > 1 or bool(cards[0].full)

    def refresh(self) -> None:
        """Show only the buttons that do something on this page."""
        self.clear_items()
        if self.page > 0:
            self.add_item(self.previous)
        if self.page < len(self.cards) - 1:
            self.add_item(self.next)
        if self.cards[self.page].full:
            self.toggle.label = "Quote only" if self.full else "Full passage"
            self.add_item(self.toggle)

    def embed(self) -> discord.Embed:
        return to_embed(self.cards[self.page], self.full)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only the person who asked pages the reply; anyone else is told so, privately."""
        if self.owner is None or interaction.user.id == self.owner:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True)
        return False

    async def show(self, interaction: discord.Interaction) -> None:
        self.refresh()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="« Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.page, self.full = max(self.page - 1, 0), False
        await self.show(interaction)

    @discord.ui.button(label="More results »", style=discord.ButtonStyle.primary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.page, self.full = min(self.page + 1, len(self.cards) - 1), False
        await self.show(interaction)

    @discord.ui.button(label="Full passage", style=discord.ButtonStyle.secondary)
    async def toggle(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.full = not self.full
        await self.show(interaction)

    async def on_timeout(self) -> None:
        if self.message is not None:
            try:
                await self.message.edit(view=None)
            except discord.HTTPException:
                pass  # the message was deleted, or Discord is away: the buttons simply stop working


# --- the bot ------------------------------------------------------------------------------------------


class Handlers:
    """What the commands and mentions do, given the core (set once it is loaded in setup_hook)."""

    def __init__(self, settings: Settings, core: NewsCore | None = None):
        self.settings = settings
        self.core = core
        self.rate = RateLimit(settings.rate_limit)  # what makes the core work
        self.light = RateLimit(settings.rate_limit * LIGHT_ACTIONS)  # help and usage: more, not unbounded
        self.allowed = set(settings.discord_allowed_guilds)
        self.refused: set[int] = set()  # channels told once (mentions) that they are not allowed
        self.workers = Workers()

    def admits(self, guild_id: int | None) -> bool:
        """True unless an allowlist is set and this server (or a DM, which has none) is not on it."""
        return not self.allowed or guild_id in self.allowed

    async def reply_to(self, command: Command) -> Reply:
        """The reply to a command: core work off the event loop; help and usage at once (no core work,
        never behind busy workers, so a slash command answers within Discord's 3 seconds)."""
        return await self.workers.reply(self.core, command)

    async def interaction(self, interaction: discord.Interaction, command: Command) -> None:
        """Answer a slash command: refuse politely over the rate limit, else defer, work, follow up."""
        if not self.admits(interaction.guild_id):
            await interaction.response.send_message(NOT_HERE, ephemeral=True)  # an interaction must be answered
            return
        costly = searches(command)
        wait = (self.rate if costly else self.light).wait(interaction.user.id)
        if wait:
            await interaction.response.send_message(slow_down(wait), ephemeral=True)
            return
        if not costly:
            cards = cards_for(await self.reply_to(command))
            await interaction.response.send_message(embed=to_embed(cards[0]), ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        reply = await self.reply_to(command)
        cards = cards_for(reply)
        if Pager.needed(cards):
            pager = Pager(cards, answer=isinstance(reply, Answer), owner=interaction.user.id)
            pager.message = await interaction.followup.send(embed=pager.embed(), view=pager, wait=True)
        else:
            await interaction.followup.send(embed=to_embed(cards[0]))

    async def message(self, message: discord.Message, me: discord.abc.User) -> None:
        """Answer a message that mentions the bot, or a direct message."""
        if message.author.bot:
            return
        direct = isinstance(message.channel, discord.DMChannel)
        if not direct and me not in message.mentions:
            return
        if not self.admits(message.guild.id if message.guild else None):
            if message.channel.id not in self.refused:
                self.refused.add(message.channel.id)
                await message.reply(NOT_HERE, mention_author=False)
            return
        text = re.sub(rf"<@!?{me.id}>", " ", message.content or "").strip()
        command = parse(text)
        limit = self.rate if searches(command) else self.light
        wait = limit.wait(message.author.id)
        if wait:
            if limit.first_refusal(message.author.id):
                await message.reply(slow_down(wait), mention_author=False)
            return
        async with message.channel.typing():
            reply = await self.reply_to(command)
        cards = cards_for(reply)
        if Pager.needed(cards):
            pager = Pager(cards, answer=isinstance(reply, Answer), owner=message.author.id)
            pager.message = await message.reply(embed=pager.embed(), view=pager, mention_author=False)
        else:
            await message.reply(embed=to_embed(cards[0]), mention_author=False)

    async def on_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """The one error handler for commands: log with the traceback, tell the user, keep running."""
        log.error("error in /%s", getattr(interaction.command, "name", "?"), exc_info=error)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(ERROR_TEXT, ephemeral=True)
            else:
                await interaction.response.send_message(ERROR_TEXT, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell the user about the error")


def build_tree(client: discord.Client, handlers: Handlers) -> app_commands.CommandTree:
    """The slash commands, registered on a CommandTree for `client`."""
    tree = app_commands.CommandTree(client)

    @tree.command(name="ask", description="Answer with verbatim quotes from the news, with outlet and date")
    @app_commands.describe(question="What you want to know, in any language")
    async def ask(interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]) -> None:
        await handlers.interaction(interaction, Command("ask", question.strip()))

    @tree.command(name="timeline", description="The events in date order, each with its sentence and outlet")
    @app_commands.describe(topic="Only the events about this (leave empty for everything)")
    async def timeline(interaction: discord.Interaction, topic: app_commands.Range[str, 0, 200] | None = None) -> None:
        await handlers.interaction(interaction, Command("timeline", (topic or "").strip()))

    @tree.command(name="sources", description="The outlets and articles I have read, or which carry an answer")
    @app_commands.describe(question="Which outlets carry the answer to this question")
    async def sources(interaction: discord.Interaction, question: app_commands.Range[str, 0, 1000] | None = None) -> None:
        await handlers.interaction(interaction, Command("sources", (question or "").strip()))

    @tree.command(name="help", description="What I can do")
    async def help_(interaction: discord.Interaction) -> None:
        await handlers.interaction(interaction, Command("help"))

    tree.on_error = handlers.on_command_error
    return tree


def commands_digest(tree: app_commands.CommandTree) -> str:
    """A fingerprint of the command set as Discord would receive it."""
    payload = sorted((c.to_dict(tree) for c in tree.get_commands()), key=lambda c: c["name"])
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


async def sync_commands(tree: app_commands.CommandTree, state_file: Path, application_id: int | None,
                        guild_id: int | None, force: bool = False) -> bool:
    """Sync the commands to Discord when they changed since the last sync (or when forced); True if synced."""
    scope = f"{application_id}:{guild_id or 'global'}"
    digest = commands_digest(tree)
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    if not force and state.get(scope) == digest:
        log.info("slash commands unchanged since the last sync; not syncing (newsbot discord --sync forces it)")
        return False
    guild = discord.Object(id=guild_id) if guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    synced = await tree.sync(guild=guild)
    log.info("synced %d slash commands %s", len(synced), f"to server {guild_id}" if guild else "globally")
    state[scope] = digest
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(state, indent=2), encoding="utf-8")
    return True


class NewsDiscord(discord.Client):
    """The Discord client: loads the core in setup_hook, syncs commands when they changed, answers."""

    def __init__(self, settings: Settings, force_sync: bool = False, core: NewsCore | None = None):
        intents = discord.Intents.default()  # no privileged intents: mentions and DMs carry their text anyway
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions.none())
        self.settings = settings
        self.force_sync = force_sync
        self.handlers = Handlers(settings, core)
        self.tree = build_tree(self, self.handlers)

    async def setup_hook(self) -> None:
        if self.handlers.core is None:
            loop = asyncio.get_running_loop()
            self.handlers.core = (await loop.run_in_executor(None, open_core, self.settings))[0]
        state = self.handlers.core.state_folder / "discord-commands.json"
        await sync_commands(self.tree, state, self.application_id, self.settings.discord_guild_id, self.force_sync)

    async def on_ready(self) -> None:
        log.info("Discord bot %s ready in %d servers: %d articles", self.user, len(self.guilds),
                 len(self.handlers.core.articles()))

    async def on_message(self, message: discord.Message) -> None:
        if self.user is not None:
            await self.handlers.message(message, self.user)

    async def on_error(self, event: str, *args, **kwargs) -> None:
        log.exception("error in %s", event)
        message = args[0] if args and isinstance(args[0], discord.Message) else None
        if message is not None:
            try:
                await message.reply(ERROR_TEXT, mention_author=False)
            except discord.HTTPException:
                pass

    async def close(self) -> None:
        await super().close()
        self.handlers.workers.shutdown()
        if self.handlers.core is not None:
            self.handlers.core.close()
        log.info("Discord bot stopped")


def check_token(token: str | None) -> str:
    """The token, or a ConfigError saying what is wrong with it (never repeating it)."""
    if not token:
        raise ConfigError("DISCORD_BOT_TOKEN is not set: create an application at "
                          "https://discord.com/developers/applications, add a bot, and put its token in the "
                          "environment or in .env")
    if not TOKEN_FORMAT.match(token.strip()):
        raise ConfigError("DISCORD_BOT_TOKEN does not look like a bot token (three dot-separated parts, as the "
                          "developer portal's Reset Token shows it)")
    return token.strip()


def run(settings: Settings, force_sync: bool = False) -> None:
    """Run until SIGINT/SIGTERM, then close the connection and the core."""
    token = check_token(settings.discord_token)
    client = NewsDiscord(settings, force_sync)

    async def main() -> None:
        async with client:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, lambda: asyncio.ensure_future(client.close()))
            await client.start(token)

    try:
        asyncio.run(main())
    except discord.LoginFailure:
        raise ConfigError("Discord rejected DISCORD_BOT_TOKEN (reset or mistyped?); copy the current one from "
                          "the developer portal") from None
    except discord.PrivilegedIntentsRequired:
        raise ConfigError("Discord refused an intent this bot asked for; enable it in the developer portal") from None
