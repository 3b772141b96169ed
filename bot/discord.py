"""Discord front end: slash commands (discord.py 2.x app_commands) over the same core as the CLI.

`/ask`, `/timeline`, `/sources`, `/follow`, `/following`, `/unfollow` and `/help` run the shared command
dispatch off the event loop and answer with embeds: the quote as a blockquote with Discord markdown
escaped, the outlet and date, "also reported by", buttons that page through further results, and 👍 / 👎
(dynamic items: they outlive the pager and a restart). Messages that mention the bot (and direct
messages) are answered too; Discord delivers their text without the privileged message-content intent.
A loop posts new reports on the channels' followed topics.

Rendering (`cards_for`) is pure: it turns the core's typed replies into `Card`s that respect Discord's
limits, so it is tested without Discord.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import inspect
import json
import logging
import re
import signal
from pathlib import Path

import discord
from discord import app_commands

from .answer import Answer
from .chat import Gate, Markup, delivery_pages, pages_for
from .commands import COMMANDS, FOLLOWING, Command, CommandSpec, Reply, parse, searches
from .config import ConfigError, Settings
from .core import NewsCore, open_core
from .feedback import DOWN, UP
from .pages import Page, trim_escaped
from .render import ERROR_TEXT, READ_ARTICLE, quoted

log = logging.getLogger(__name__)

TOKEN_FORMAT = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
DESCRIPTION = 4096  # embed description
TITLE = 256  # embed title
TOTAL = 6000  # everything in one embed
LIST_PAGE_ENTRIES = 6
ENTRY = 1500  # one list entry at most, so a page always holds a few
COLOUR = 0x2B6CB0
PAGER_TIMEOUT = 15 * 60  # seconds a reply's buttons keep working
NOT_YOURS = "Only the person who asked can page through this reply; ask me yourself with /ask."
ADMINS_ONLY = "In this server, only those who can manage it can change what a channel follows."
_MARKDOWN = re.compile(r"([\\*_~`|\[\]()<>#@:-])")


# --- rendering: typed replies → cards (pure data that becomes embeds) ---------------------------------


def esc(text: str) -> str:
    """Escape Discord markdown (and mention/timestamp/emoji syntax) so text shows exactly as written."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def blockquote(text: str, limit: int) -> str:
    """A quotation as a markdown blockquote line, trimmed between sentences to fit `limit`."""
    return f"> {quoted(trim_escaped(' '.join(text.split()), limit - 4, esc))}"


MARKDOWN = Markup(
    escape=esc, bold=lambda t: f"**{t}**", italic=lambda t: f"*{t}*", code=lambda t: f"`{t.replace('`', chr(0x2CB))}`",
    blockquote=blockquote, measure=len, room=DESCRIPTION, entry=ENTRY, entries=LIST_PAGE_ENTRIES, framed=False,
    help_hint="You can also mention me with a question, or send me a direct message.",
    link=lambda text, url: f"[{text}]({url.replace('(', '%28').replace(')', '%29')})",
)


def cards_for(reply: Reply) -> list[Page]:
    """Render any reply as pages of Discord markdown, each one embed (title and footer apart)."""
    return pages_for(reply, MARKDOWN)


def size(page: Page, full: bool = False) -> int:
    """Characters Discord counts toward the 6000 limit of an embed."""
    text = page.full if full and page.full else page.text
    return len(text) + len(page.title or "") + len(page.footer or "")


def to_embed(page: Page, full: bool = False) -> discord.Embed:
    """The discord.Embed for a page (embed titles show verbatim, so they are plain text)."""
    embed = discord.Embed(description=page.full if full and page.full else page.text, colour=COLOUR,
                          title=page.title[:TITLE] if page.title else None)
    if page.footer:
        embed.set_footer(text=page.footer)
    return embed


# --- paging -------------------------------------------------------------------------------------------


def read_button(url: str) -> discord.ui.Button:
    return discord.ui.Button(style=discord.ButtonStyle.link, label=READ_ARTICLE, url=url)


VOTE_ID = r"nbv:(?P<token>[0-9]{1,15}\.[A-Za-z0-9_-]{10}):(?P<result>[0-9]{1,3}):(?P<value>[ud])"


def with_the_bot_alone(interaction: discord.Interaction) -> bool:
    """A slash command used in a direct message with the bot (Discord's interaction context 1,
    BOT_DM). A user-installed app used in a direct message between people (context 2) is in a DM
    channel too, but there others talk in between, as in a server."""
    return interaction.guild_id is None and interaction.context.dm_channel


def replied_to_us(message, me) -> bool:
    """Whether a message replies to one of the bot's own."""
    replied = getattr(message.reference, "resolved", None) if getattr(message, "reference", None) else None
    return getattr(getattr(replied, "author", None), "id", None) == me.id


def vote_token(message) -> str | None:
    """The signed token on a message's 👍 / 👎 buttons (`VoteButton`): which answer the message shows."""
    for row in getattr(message, "components", None) or ():
        for item in getattr(row, "children", ()):
            if match := re.fullmatch(VOTE_ID, getattr(item, "custom_id", None) or ""):
                return match["token"]
    return None


class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=VOTE_ID):
    """👍 or 👎 on the result shown. The client dispatches it by its custom id's form, never through the
    pager (so anyone may vote, not only the asker: once per answer, changeable), and it keeps working after
    the pager times out and after a restart."""

    def __init__(self, token: str, result: int, value: str):
        super().__init__(discord.ui.Button(label="👍" if value == "u" else "👎", style=discord.ButtonStyle.secondary,
                                           custom_id=f"nbv:{token}:{result}:{value}"))
        self.token, self.result, self.value = token, result, value

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match) -> VoteButton:
        return cls(match["token"], int(match["result"]), match["value"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.client.handlers.vote(interaction, self.token, self.result, UP if self.value == "u" else DOWN)


def vote_buttons(token: str | None, result: int) -> list[VoteButton]:
    return [VoteButton(token, result, value) for value in ("u", "d")] if token else []


class Pager(discord.ui.View):
    """Buttons under a reply: « Previous, More results » (Next » for lists), Full passage / Quote only,
    and Read the article (a link) when the article has a URL."""

    def __init__(self, cards: list[Page], answer: bool, owner: int | None = None, timeout: float = PAGER_TIMEOUT,
                 vote: str | None = None):
        super().__init__(timeout=timeout)
        self.cards = cards
        self.answer = answer
        self.vote = vote  # the answer's token for its vote buttons
        self.owner = owner  # who asked: only they page their reply (None: anyone)
        self.page = 0
        self.full = False
        self.message: discord.Message | discord.WebhookMessage | None = None
        self.next.label = "More results »" if answer else "Next »"
        self.refresh()

    @classmethod
    def needed(cls, cards: list[Page], vote: str | None = None) -> bool:
        return len(cards) > 1 or bool(cards[0].full) or bool(cards[0].link) or bool(vote)

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
        if self.cards[self.page].link:
            self.add_item(read_button(self.cards[self.page].link))
        for button in vote_buttons(self.vote, self.page):
            self.add_item(button)

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
            # A link button needs no bot behind it, and votes are the client's own: both stay.
            link = self.cards[self.page].link
            kept = ([read_button(link)] if link else []) + vote_buttons(self.vote, self.page)
            view = discord.ui.View(timeout=None)
            for item in kept:
                view.add_item(item)
            try:
                await self.message.edit(view=view if kept else None)
            except discord.HTTPException:
                pass  # the message was deleted, or Discord is away: the buttons simply stop working


# --- the bot ------------------------------------------------------------------------------------------


class Handlers:
    """What the commands and mentions do, given the core (set once it is loaded in setup_hook)."""

    def __init__(self, settings: Settings, core: NewsCore | None = None):
        self.settings = settings
        self.gate = Gate(core, settings.rate_limit, settings.discord_allowed_guilds, platform="discord")

    @property
    def core(self) -> NewsCore | None:
        return self.gate.core

    @core.setter
    def core(self, core: NewsCore) -> None:
        self.gate.core = core

    async def interaction(self, interaction: discord.Interaction, command: Command) -> None:
        """Answer a slash command: refuse politely (privately) when not allowed or over the rate limit,
        else defer, work, follow up. In a direct message with the bot, `/ask` follows up the last answer
        there as a message does (`Gate.earlier`)."""
        verdict = self.gate.admit(interaction.user.id, interaction.guild_id, command, always_tell=True)
        if not verdict.go:  # an interaction must be answered
            await interaction.response.send_message(verdict.tell, ephemeral=True)
            return
        if command.name in FOLLOWING:
            if command.name != "following" and not self.may_change_follows(interaction.guild_id, interaction.permissions):
                await interaction.response.send_message(ADMINS_ONLY, ephemeral=True)
                return
            command = dataclasses.replace(command, place=place_of(interaction.channel_id))
        if not searches(command):  # help and usage at once, within Discord's 3 seconds
            cards = cards_for(await self.gate.reply(command))
            await interaction.response.send_message(embed=to_embed(cards[0]), ephemeral=True)
            return
        conversation = interaction.channel_id if with_the_bot_alone(interaction) else None
        command = await self.gate.follow_up(command, None, conversation)
        await interaction.response.defer(thinking=True)
        reply = await self.gate.reply(command)
        cards = cards_for(reply)
        vote = await self.gate.remember(reply, conversation)
        if Pager.needed(cards, vote):
            pager = Pager(cards, answer=isinstance(reply, Answer), owner=interaction.user.id, vote=vote)
            pager.message = await interaction.followup.send(embed=pager.embed(), view=pager, wait=True)
        else:
            await interaction.followup.send(embed=to_embed(cards[0]))

    def may_change_follows(self, guild: int | None, permissions: discord.Permissions | None) -> bool:
        """Anyone in a direct message, and in a server anyone unless NEWSBOT_FOLLOW_ADMINS_ONLY is set,
        then only those who may manage the server."""
        if guild is None or not self.settings.follow_admins_only:
            return True
        return permissions is not None and (permissions.manage_guild or permissions.administrator)

    async def vote(self, interaction: discord.Interaction, token: str, result: int, value: int) -> None:
        """A vote button pressed: recorded, and the voter told privately."""
        verdict = self.gate.admit(interaction.user.id, interaction.guild_id, None, always_tell=True)
        if not verdict.go:
            await interaction.response.send_message(verdict.tell, ephemeral=True)
            return
        await interaction.response.send_message(await self.gate.vote("discord", interaction.user.id, token, result,
                                                                     value), ephemeral=True)

    async def message(self, message: discord.Message, me: discord.abc.User) -> None:
        """Answer a message that mentions the bot (a reply to it does, unless its ping is turned off:
        without the Message Content intent Discord sends no text of other messages), or a direct
        message. A question replying to one of its answers (in a direct message, following one shortly:
        `Gate.earlier`) is read with that answer's question when too short to stand alone ("kalau tahun
        2025?")."""
        if message.author.bot:
            return
        direct = isinstance(message.channel, discord.DMChannel)
        if not direct and me not in message.mentions:
            return
        replying = replied_to_us(message, me)
        text = re.sub(rf"<@!?{me.id}>", " ", message.content or "").strip()
        command = parse(text)
        guild = message.guild.id if message.guild else None
        verdict = self.gate.admit(message.author.id, guild, command)
        if not verdict.go:
            if verdict.tell:
                await message.reply(verdict.tell, mention_author=False)
            return
        if command.name in FOLLOWING:
            permissions = getattr(message.author, "guild_permissions", None)
            if command.name != "following" and not self.may_change_follows(guild, permissions):
                await message.reply(ADMINS_ONLY, mention_author=False)
                return
            command = dataclasses.replace(command, place=place_of(message.channel.id))
        conversation = message.channel.id if direct else None
        command = await self.gate.follow_up(command, vote_token(message.reference.resolved) if replying else None,
                                            conversation)
        async with message.channel.typing():
            reply = await self.gate.reply(command)
        cards = cards_for(reply)
        vote = await self.gate.remember(reply, conversation)
        if Pager.needed(cards, vote):
            pager = Pager(cards, answer=isinstance(reply, Answer), owner=message.author.id, vote=vote)
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


def slash_command(spec: CommandSpec, handlers: Handlers) -> app_commands.Command:
    """The slash command for one entry of the command list: its name, menu text and argument."""

    async def callback(interaction: discord.Interaction, **options: str | None) -> None:
        await handlers.interaction(interaction, Command(spec.name, (options.get(spec.arg or "") or "").strip()))

    # The signature Discord sees: the interaction, then the command's argument under its own name.
    parameters = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    annotation=discord.Interaction)]
    if spec.arg is not None:
        kind = app_commands.Range[str, 1 if spec.arg_required else 0, spec.arg_max]
        parameters.append(inspect.Parameter(
            spec.arg, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=kind if spec.arg_required else kind | None,
            default=inspect.Parameter.empty if spec.arg_required else None))
        callback = app_commands.describe(**{spec.arg: spec.arg_description})(callback)
    callback.__signature__ = inspect.Signature(parameters, return_annotation=None)
    return app_commands.Command(name=spec.name, description=spec.menu, callback=callback)


def build_tree(client: discord.Client, handlers: Handlers) -> app_commands.CommandTree:
    """The slash commands, one per entry of the command list, registered on a CommandTree for `client`."""
    tree = app_commands.CommandTree(client)
    for spec in COMMANDS:
        tree.add_command(slash_command(spec, handlers))
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
        self.follows: asyncio.Task | None = None  # the loop posting new reports on followed topics

    async def setup_hook(self) -> None:
        if self.handlers.core is None:
            loop = asyncio.get_running_loop()
            self.handlers.core = (await loop.run_in_executor(None, open_core, self.settings))[0]
        self.handlers.core.keep_timeline_ready(self.handlers.gate.workers.corpus)
        self.add_dynamic_items(VoteButton)
        self.follows = asyncio.get_running_loop().create_task(
            self.handlers.gate.keep_following(self.settings.follow_every, self.post_follows), name="newsbot-follows")
        state = self.handlers.core.state_folder / "discord-commands.json"
        await sync_commands(self.tree, state, self.application_id, self.settings.discord_guild_id, self.force_sync)

    async def post_follows(self) -> bool:
        """Post what is due; False when a post failed for now."""
        gate, following = self.handlers.gate, self.handlers.core.following
        ok = True
        for delivery in await gate.workers.run(following.due, None, "discord"):
            channel_id = delivery.place.partition(":")[2]
            try:
                channel = self.get_channel(int(channel_id)) or await self.fetch_channel(int(channel_id))
                for page in delivery_pages(delivery, MARKDOWN):
                    await channel.send(embed=to_embed(page))
            except (discord.Forbidden, discord.NotFound):
                log.info("cannot post in channel %s any more: its follows are forgotten", channel_id)
                await gate.workers.run(following.gone, delivery.place)
                continue
            except discord.HTTPException as exc:
                log.warning("could not post in channel %s (%s); trying again later", channel_id, exc)
                ok = False
                continue
            await gate.workers.run(following.delivered, delivery)
        return ok

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
        if self.follows is not None:
            self.follows.cancel()
        await super().close()
        self.handlers.gate.close()
        if self.handlers.core is not None:
            self.handlers.core.close()
        log.info("Discord bot stopped")


def place_of(channel: int | None) -> str:
    """A Discord channel as follows name it."""
    return f"discord:{channel}"


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
