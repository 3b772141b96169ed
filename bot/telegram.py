"""Telegram front end: python-telegram-bot v22 over the same core as the CLI.

It decides which messages are meant for the bot (anything in a private chat; in groups: commands,
mentions and replies to the bot), runs the shared command dispatch off the event loop, and renders
the typed replies as Telegram HTML: quotes in blockquotes, outlet in bold, everything from the corpus
or the user escaped, never over Telegram's 4096 characters. Long replies are pages behind inline
buttons ("More results", "Full passage") that edit the message in place; 👍 / 👎 under every answer
record a vote (bot/feedback.py). Inline queries (`@bot question` in any chat) offer the quotes as
results to send, and a loop posts new reports on the chats' followed topics (bot/follow.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import html
import logging
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatMemberStatus, ChatType, MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    InlineQueryHandler,
    Defaults,
    MessageHandler,
    filters,
)

from ..index.errors import NewsbotError

from .answer import Answer
from .chat import Gate, Markup, delivery_pages
from .chat import pages_for as render_pages
from .commands import COMMANDS, FOLLOWING, Command, Reply, parse, searches
from .config import ConfigError, Settings
from .core import NewsCore
from .logs import redact
from .feedback import DOWN, FORGED, UP
from .pages import Page, human_date, trim_escaped, utf16_len
from .render import ERROR_TEXT, NOTHING_FOUND, READ_ARTICLE, low_confidence, quoted

log = logging.getLogger(__name__)

TOKEN_FORMAT = re.compile(r"^[0-9]{3,20}:[A-Za-z0-9_-]{30,80}$")
OFFICIAL_API = "https://api.telegram.org"
LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096, counted after the HTML is parsed; we count the HTML itself
LIST_PAGE_ENTRIES = 6  # sources, carriers and timeline entries per page
ENTRY_ROOM = LIMIT - 400  # one list entry at most: a page always holds one with its title and footer
STORED_REPLIES = 2000  # replies whose pages stay reachable from their buttons
STORED_CHARS = 8_000_000  # …and the characters they may hold together
PENDING_PER_CHAT = 5  # replies waiting for Telegram's flood limit in one chat; more are not sent
EXPIRED = "This reply is too old to page through; please ask again."
INLINE_HINT = "Type a question to find quotes from the news"
ADMINS_ONLY = "In this group, only its administrators can change what it follows."
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]


# --- settings --------------------------------------------------------------------------------


def check_token(token: str | None) -> str:
    """The token, or a ConfigError saying what is wrong with it (the message never repeats it)."""
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token "
                          "in the environment or in .env")
    if not TOKEN_FORMAT.match(token.strip()):
        raise ConfigError("TELEGRAM_BOT_TOKEN does not look like a bot token (BotFather gives the form "
                          "123456789:AAH…); check for a missing part or stray characters")
    return token.strip()


def api_urls(base_url: str | None) -> tuple[str, str]:
    """PTB's `base_url` and `base_file_url` for TELEGRAM_BASE_URL (a server root or a …/bot URL)."""
    base = (base_url or OFFICIAL_API).strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"TELEGRAM_BASE_URL={base_url!r} is not an http(s) URL of a Bot API server")
    if "{token}" in base:
        return base, base.replace("/bot{token}", "/file/bot{token}")
    root = base[: -len("/bot")] if base.endswith("/bot") else base
    return root + "/bot", root + "/file/bot"


# --- rendering: typed replies → pages of Telegram HTML (bot/chat.py does the rendering) ---------------


def esc(text: str) -> str:
    """Escape text for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def blockquote(text: str, limit: int) -> str:
    """A quotation in a blockquote, trimmed at a sentence boundary to fit `limit` with its tags."""
    room = limit - utf16_len("<blockquote></blockquote>") - 2  # the quotation marks
    return f"<blockquote>{quoted(trim_escaped(text, room, esc, utf16_len))}</blockquote>"


HTML = Markup(
    escape=esc, bold=lambda t: f"<b>{t}</b>", italic=lambda t: f"<i>{t}</i>", code=lambda t: f"<code>{esc(t)}</code>",
    blockquote=blockquote, measure=utf16_len, room=LIMIT, entry=ENTRY_ROOM, entries=LIST_PAGE_ENTRIES,
    help_hint="In a private chat, just type a question. In a group, use /ask, mention me, or reply to me. "
              "In any chat, type my @username and a question to share a quote.",
    link=lambda text, url: f'<a href="{html.escape(url, quote=True)}">{text}</a>',
)


def pages_for(reply: Reply) -> list[Page]:
    """Render any reply as Telegram HTML pages."""
    return render_pages(reply, HTML)


def keyboard(key: str, pages: list[Page], page: int, full: bool, answer: bool,
             vote: str | None = None) -> InlineKeyboardMarkup | None:
    """Buttons under a page: previous/next (More results for answers), Full passage / Quote only,
    Read the article when the article has a URL, and 👍 / 👎 on the result shown (`vote`: the answer's
    signed token)."""
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("« Previous", callback_data=f"{key}:{page - 1}:0"))
    if page < len(pages) - 1:
        nav.append(InlineKeyboardButton("More results »" if answer else "Next »", callback_data=f"{key}:{page + 1}:0"))
    rows = [nav] if nav else []
    if pages[page].full:
        label = "Quote only" if full else "Full passage"
        rows.append([InlineKeyboardButton(label, callback_data=f"{key}:{page}:{0 if full else 1}")])
    if pages[page].link:
        rows.append([InlineKeyboardButton(READ_ARTICLE, url=pages[page].link)])
    if vote:
        rows.append([InlineKeyboardButton(label, callback_data=f"v:{vote}:{page}:{value}")
                     for label, value in (("👍", "u"), ("👎", "d"))])
    return InlineKeyboardMarkup(rows) if rows else None


def vote_data(data: str) -> tuple[str, int, str] | None:
    """A 👍 / 👎 button's callback data (`keyboard`) as (the answer's signed token, the result, "u" or
    "d"); None for any other data."""
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != "v" or parts[3] not in ("u", "d") or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2]), parts[3]


def vote_token(message: Message) -> str | None:
    """The signed token on a message's 👍 / 👎 buttons: which answer the message shows."""
    markup = message.reply_markup
    buttons = (b for row in (markup.inline_keyboard if markup else ()) for b in row)
    return next((vote[0] for b in buttons if (vote := vote_data(str(b.callback_data or "")))), None)


# --- state: pages behind buttons, rate limits ------------------------------------------------------


@dataclass
class Stored:
    pages: list[Page]
    answer: bool
    size: int  # characters held, what the store's budget counts
    chat: int | None = None  # the message its buttons are under, once sent: a key works only there
    message: int | None = None
    vote: str | None = None  # the answer's token for its vote buttons


class ReplyStore:
    """The pages of recent replies, so their buttons can page without asking the core again (LRU).

    Bounded by count and by the characters held: one long timeline must not crowd memory.
    """

    def __init__(self, capacity: int = STORED_REPLIES, max_chars: int = STORED_CHARS):
        self.capacity = capacity
        self.max_chars = max_chars
        self.chars = 0
        self._items: OrderedDict[str, Stored] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def add(self, pages: list[Page], answer: bool, vote: str | None = None) -> str:
        key = secrets.token_urlsafe(6)  # random, so a button from before a restart never opens a newer reply
        size = sum(len(p.text) + len(p.full or "") for p in pages)
        self._items[key] = Stored(pages, answer, size, vote=vote)
        self.chars += size
        while len(self._items) > 1 and (len(self._items) > self.capacity or self.chars > self.max_chars):
            _, gone = self._items.popitem(last=False)
            self.chars -= gone.size
        return key

    def sent(self, key: str, chat: int, message: int) -> None:
        """Tie a reply's key to the message its buttons are under."""
        stored = self._items.get(key)
        if stored is not None:
            stored.chat, stored.message = chat, message

    def get(self, key: str, chat: int, message: int) -> Stored | None:
        """The reply behind a key, if it is still held and belongs under this message."""
        stored = self._items.get(key)
        if stored is None or (stored.chat, stored.message) != (chat, message):
            return None
        self._items.move_to_end(key)
        return stored


class PatientRateLimiter(AIORateLimiter):
    """AIORateLimiter (Telegram's flood limits, RetryAfter) that also retries a request the server failed.

    Only plain NetworkErrors are retried (5xx, connection refused): never BadRequest/Forbidden, and
    never a timeout, when the message may have been delivered already and a retry would send it twice.
    """

    def __init__(self, server_retries: int = 3, backoff: float = 0.5, **kwargs):
        super().__init__(**kwargs)
        self.server_retries = server_retries
        self.backoff = backoff

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        for attempt in range(self.server_retries + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as exc:
                if type(exc) is not NetworkError or attempt == self.server_retries:
                    raise
                delay = self.backoff * 2 ** attempt
                log.warning("Telegram answered %s to %s; retrying in %.1f s", exc.message, endpoint, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")


# --- the bot -----------------------------------------------------------------------------------------

KNOWN = {c.name for c in COMMANDS}


class TelegramBot:
    """The handlers, holding the core and the bot's state; one per Application, no globals."""

    def __init__(self, settings: Settings, core: NewsCore):
        self.settings = settings
        self.core = core
        self.replies = ReplyStore()
        self.gate = Gate(core, settings.rate_limit, settings.telegram_allowed_chats, platform="telegram")
        self.pending: dict[int, int] = {}  # chat -> replies waiting to be sent or edited in
        self.follows: asyncio.Task | None = None  # the loop posting new reports on followed topics

    # which messages are for us

    def command_for(self, message: Message, username: str, bot_id: int) -> Command | None:
        """The command a message gives the bot, or None when it is not meant for the bot."""
        text = (message.text or "").strip()
        private = message.chat.type == ChatType.PRIVATE
        if text.startswith("/"):
            command = parse(text, username)
            if command.addressed_to_other_bot:
                return None
            to_us = re.match(rf"^/\w+@{re.escape(username)}\b", text, re.I) is not None
            if command.name not in KNOWN and not (private or to_us):
                return None  # another bot's command in a group
            return command
        if private:
            return parse(text, username)
        mentioned, rest = self.strip_mention(message, username, bot_id)
        if mentioned:
            return parse(rest, username)
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
            return parse(text, username)
        return None

    @staticmethod
    def strip_mention(message: Message, username: str, bot_id: int) -> tuple[bool, str]:
        """(whether the message mentions the bot, its text without the mention)."""
        text = message.text or ""
        mentioned = False
        kinds = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
        for entity, value in message.parse_entities(kinds).items():
            if entity.type == MessageEntity.MENTION and value.lower() == f"@{username.lower()}":
                mentioned = True
                text = text.replace(value, " ")
            elif entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
                mentioned = True
                text = text.replace(value, " ")
        return mentioned, " ".join(text.split())

    # handlers

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user, chat = update.effective_message, update.effective_user, update.effective_chat
        if message is None or chat is None or user is None or user.is_bot or message.text is None:
            return
        bot = context.bot
        command = self.command_for(message, bot.username, bot.id)
        if command is None:
            return
        verdict = self.gate.admit(user.id, chat.id, command)
        if not verdict.go:
            if verdict.tell:
                if not self.gate.admits(chat.id):
                    log.info("refused chat %s (not in TELEGRAM_ALLOWED_CHATS)", chat.id)
                self.deliver(context, update, [Page(esc(verdict.tell))], answer=False)
            return
        if command.name in FOLLOWING:
            if command.name != "following" and not await self.may_change_follows(bot, chat, user.id):
                self.deliver(context, update, [Page(esc(ADMINS_ONLY))], answer=False)
                return
            command = dataclasses.replace(command, place=place_of(chat.id))
        # A question may follow up the answer it replies to, or in a private chat the last one.
        conversation = chat.id if chat.type == ChatType.PRIVATE else None
        replied = message.reply_to_message
        to_us = replied is not None and replied.from_user is not None and replied.from_user.id == bot.id
        command = await self.gate.follow_up(command, vote_token(replied) if to_us else None, conversation)
        if searches(command):
            try:
                await bot.send_chat_action(chat.id, ChatAction.TYPING, message_thread_id=message.message_thread_id)
            except TelegramError as exc:  # a missing typing indicator is not worth failing over
                log.debug("typing action failed: %s", exc)
        reply = await self.gate.reply(command)  # help and usage at once, never behind busy workers
        vote = await self.gate.remember(reply, conversation)
        self.deliver(context, update, pages_for(reply), answer=isinstance(reply, Answer), vote=vote)

    async def may_change_follows(self, bot, chat, user: int) -> bool:
        """Whether this person may change what the chat follows: anyone in a private chat, and in a group
        anyone unless NEWSBOT_FOLLOW_ADMINS_ONLY is set, then only its administrators."""
        if chat.type == ChatType.PRIVATE or not self.settings.follow_admins_only:
            return True
        try:
            member = await bot.get_chat_member(chat.id, user)
        except TelegramError as exc:
            log.warning("could not look up a member of chat %s: %s", chat.id, exc)
            return False
        return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)

    def later(self, context: ContextTypes.DEFAULT_TYPE, update: Update, chat: int, coroutine) -> None:
        """Run a send or an edit apart from the update that asked for it.

        Telegram holds a busy group to about 20 messages a minute, and the rate limiter waits for
        that; waiting inside the handler would keep one of the concurrent-update slots, and a flood
        in one group would hold up every other chat. At most PENDING_PER_CHAT replies wait per chat;
        beyond that they are dropped (they could not arrive in useful time anyway).
        """
        if self.pending.get(chat, 0) >= PENDING_PER_CHAT:
            coroutine.close()
            log.info("chat %s already has %d replies waiting for Telegram's flood limit; one more dropped",
                     chat, PENDING_PER_CHAT)
            return
        self.pending[chat] = self.pending.get(chat, 0) + 1

        async def run() -> None:
            try:
                await coroutine
            finally:
                self.pending[chat] -= 1
                if not self.pending[chat]:
                    del self.pending[chat]

        context.application.create_task(run(), update=update)  # its errors reach on_error with the update

    def deliver(self, context: ContextTypes.DEFAULT_TYPE, update: Update, pages: list[Page], answer: bool,
                vote: str | None = None) -> None:
        message = update.effective_message
        self.later(context, update, message.chat.id, self.send(message, pages, answer, vote))

    async def send(self, message: Message, pages: list[Page], answer: bool, vote: str | None = None) -> None:
        key = self.replies.add(pages, answer, vote) if len(pages) > 1 or pages[0].full else ""  # pages behind buttons
        sent = await message.reply_text(
            pages[0].text, reply_markup=keyboard(key, pages, 0, False, answer, vote),
            do_quote=message.chat.type != ChatType.PRIVATE,
        )
        if key and sent is not None:
            self.replies.sent(key, sent.chat.id, sent.message_id)  # its buttons work under this message only

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        if query.message is not None and not self.gate.admits(query.message.chat.id):
            await query.answer()
            return
        user = update.effective_user
        place = query.message.chat.id if query.message is not None else None
        if user is not None and not (verdict := self.gate.admit(user.id, place, None, always_tell=True)).go:
            await query.answer(verdict.tell)
            return
        if (query.data or "").startswith("v:"):
            await self.on_vote(query, user)
            return
        key, page, full = _parse_button(query.data or "")
        message = query.message
        stored = self.replies.get(key, message.chat.id, message.message_id) if key and message is not None else None
        if stored is None or not 0 <= page < len(stored.pages):
            await query.answer(EXPIRED)
            return
        await query.answer()
        shown = stored.pages[page]
        text = shown.full if full and shown.full else shown.text
        markup = keyboard(key, stored.pages, page, full, stored.answer, stored.vote)
        self.later(context, update, message.chat.id, self.edit(query, text, markup))

    async def on_vote(self, query, user) -> None:
        """A 👍 or 👎 under an answer: recorded for the result shown, the voter told in a toast."""
        vote = vote_data(query.data or "")
        if vote is None or user is None:
            await query.answer(FORGED)
            return
        token, result, value = vote
        await query.answer(await self.gate.vote("telegram", user.id, token, result, UP if value == "u" else DOWN))

    # inline mode

    async def on_inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`@bot question` typed in any chat: the best quotes as results to send there, each the same
        HTML as an answer. An abstention is one result that says so."""
        query, user = update.inline_query, update.effective_user
        if query is None or user is None:
            return
        text = " ".join(query.query.split())
        if not text:
            await query.answer([], cache_time=self.settings.inline_cache,
                               button=InlineQueryResultsButton(INLINE_HINT, start_parameter="inline"))
            return
        command = Command("ask", text)
        verdict = self.gate.admit(user.id, user.id, command, always_tell=True)  # the allowlist by the user's id
        if not verdict.go:
            await query.answer([], cache_time=0, is_personal=True,
                               button=InlineQueryResultsButton(_button_text(verdict.tell or ""), start_parameter="inline"))
            return
        reply = await self.gate.reply(command)
        await query.answer(inline_results(reply), cache_time=self.settings.inline_cache)

    # following

    async def post_follows(self, bot) -> bool:
        """Post what is due; False when a post failed for now."""
        following = self.core.following
        ok = True
        for delivery in await self.gate.workers.run(following.due, None, "telegram"):
            chat = delivery.place.partition(":")[2]
            try:
                for page in delivery_pages(delivery, HTML):
                    await bot.send_message(int(chat), page.text)
            except Forbidden:
                log.info("removed from chat %s: its follows are forgotten", chat)
                await self.gate.workers.run(following.gone, delivery.place)
                continue
            except TelegramError as exc:
                log.warning("could not post to chat %s (%s); trying again later", chat, exc)
                ok = False
                continue
            await self.gate.workers.run(following.delivered, delivery)
        return ok

    @staticmethod
    async def edit(query, text: str, markup: InlineKeyboardMarkup | None) -> None:
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():  # a double tap edits to the same text
                raise

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling an update", exc_info=context.error)
        if isinstance(context.error, TelegramError):
            # Telegram failed us (after the retries): the reply may have arrived anyway, and an apology
            # would go the same broken way. Saying nothing is better than saying something twice.
            return
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await context.bot.send_message(update.effective_chat.id, ERROR_TEXT, parse_mode=None)
            except TelegramError:
                log.warning("could not tell chat %s about the error", update.effective_chat.id)

    # lifecycle

    async def post_init(self, app: Application) -> None:
        """Register the command menu, start looking for followed topics, and say who we are."""
        await app.bot.set_my_commands(menu())
        self.core.keep_timeline_ready(self.gate.workers.corpus)
        self.follows = asyncio.get_running_loop().create_task(
            self.gate.keep_following(self.settings.follow_every, lambda: self.post_follows(app.bot)), name="newsbot-follows")
        log.info("Telegram bot @%s ready: %d articles", app.bot.username, len(self.core.articles()))

    async def post_shutdown(self, app: Application) -> None:
        if self.follows is not None:
            self.follows.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.follows
        self.gate.close()
        self.core.close()
        log.info("Telegram bot stopped")


def place_of(chat: int) -> str:
    """A Telegram chat as follows name it."""
    return f"telegram:{chat}"


def _button_text(text: str) -> str:
    return text if len(text) <= 64 else text[:63].rsplit(" ", 1)[0] + "…"


def inline_results(reply: Reply) -> list[InlineQueryResultArticle]:
    """An answer as inline results: each quote as a result whose message is that quote rendered as an
    answer (attribution, dates, other outlets); an abstention as one result saying so."""
    disabled = LinkPreviewOptions(is_disabled=True)
    if not isinstance(reply, Answer) or not reply.answered:
        question = getattr(reply, "question", "")
        text = f"{esc(NOTHING_FOUND)} ({esc(quoted(question[:200]))})" if question else esc(NOTHING_FOUND)
        return [InlineQueryResultArticle(
            id="nothing", title="Nothing in my sources", description=NOTHING_FOUND,
            input_message_content=InputTextMessageContent(text, parse_mode=ParseMode.HTML, link_preview_options=disabled))]
    results = []
    low = low_confidence(reply)
    for n, result in enumerate(reply.results):
        page = pages_for(dataclasses.replace(reply, results=[result]))[0]
        title = f"{result.outlet or 'unknown outlet'} · {human_date(result.published)}"
        link = InlineKeyboardMarkup([[InlineKeyboardButton(READ_ARTICLE, url=page.link)]]) if page.link else None
        results.append(InlineQueryResultArticle(
            id=f"r{n}", title=f"Closest I found: {title}" if low else title, description=quoted(result.quote)[:300],
            input_message_content=InputTextMessageContent(page.text, parse_mode=ParseMode.HTML,
                                                          link_preview_options=disabled),
            reply_markup=link))
    return results


def menu() -> list[BotCommand]:
    """The command menu, from the command list (and /start, which Telegram clients send first)."""
    return [BotCommand(c.name, c.menu) for c in COMMANDS] + [BotCommand("start", "Start here")]


def _parse_button(data: str) -> tuple[str, int, bool]:
    try:
        key, page, full = data.split(":")
        return key, int(page), full == "1"
    except ValueError:
        return "", -1, False


def build_application(settings: Settings, core: NewsCore, http_timeout: float = 10.0) -> Application:
    """The python-telegram-bot Application with our handlers; nothing is contacted until it starts.

    `http_timeout` bounds each Bot API call (connect, write, read); getUpdates adds its long-poll time.
    """
    token = check_token(settings.telegram_token)
    base_url, base_file_url = api_urls(settings.telegram_base_url)
    bot = TelegramBot(settings, core)
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, allow_sending_without_reply=True,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(PatientRateLimiter(max_retries=3))
        .connect_timeout(http_timeout).read_timeout(http_timeout).write_timeout(http_timeout)
        .get_updates_connect_timeout(http_timeout).get_updates_read_timeout(http_timeout)
        .concurrent_updates(16)
        .post_init(bot.post_init)
        .post_shutdown(bot.post_shutdown)
        .build()
    )
    app.bot_data["newsbot"] = bot
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, bot.on_message))
    app.add_handler(CallbackQueryHandler(bot.on_button))
    app.add_handler(InlineQueryHandler(bot.on_inline))
    app.add_error_handler(bot.on_error)
    return app


def _not_a_token_traceback(record: logging.LogRecord) -> bool:
    """Drop PTB's traceback for a rejected token: `run` reports it in one line."""
    return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


def webhook_options(settings: Settings) -> dict:
    """The webhook server's options from the settings (TELEGRAM_WEBHOOK_URL/_LISTEN/_PORT/_SECRET), checked.

    The server never runs without a secret: Telegram sends it with every update and the server turns
    away any request without it, so whoever reaches the port cannot forge updates. When
    TELEGRAM_WEBHOOK_SECRET is unset a random one is made for this run (registering the webhook
    tells Telegram); set it only to keep the same one across restarts.
    """
    url = settings.telegram_webhook_url or ""
    if urlsplit(url).scheme != "https" or not urlsplit(url).netloc:
        raise ConfigError("TELEGRAM_WEBHOOK_URL must be an https:// URL (Telegram only calls https webhooks)")
    secret = settings.telegram_webhook_secret
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET may only hold letters, digits, _ and - (16-256 of them); "
                          "leave it unset to have a random one made at each start")
    return {"listen": settings.telegram_webhook_listen, "port": settings.telegram_webhook_port,
            "url_path": urlsplit(url).path.lstrip("/"), "webhook_url": url,
            "secret_token": secret or secrets.token_urlsafe(32), "allowed_updates": ALLOWED_UPDATES}


def run(settings: Settings, core: NewsCore) -> None:
    """Run until SIGINT/SIGTERM: long polling, or a webhook server when TELEGRAM_WEBHOOK_URL is set."""
    webhook = webhook_options(settings) if settings.telegram_webhook_url else None
    app = build_application(settings, core)
    logging.getLogger("telegram.ext").addFilter(_not_a_token_traceback)  # PTB's retry loop logs there
    try:
        if webhook:
            app.run_webhook(**webhook, bootstrap_retries=3)
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3)
    except InvalidToken:
        raise ConfigError("Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?); get the current one "
                          "from @BotFather") from None
    except TelegramError as exc:  # one line, never the token
        message = redact(exc.message, [settings.telegram_token])
        # BadRequest and Forbidden are NetworkErrors too, but there Telegram did answer.
        if isinstance(exc, NetworkError) and not isinstance(exc, (BadRequest, Forbidden)):
            raise NewsbotError(f"could not reach the Telegram Bot API at {api_urls(settings.telegram_base_url)[0]}: "
                               f"{message}") from None
        raise NewsbotError(f"Telegram refused a request while starting: {message}") from None
