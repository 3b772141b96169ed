"""A fake Telegram Bot API server on 127.0.0.1 (aiohttp), for driving the real python-telegram-bot.

It serves getMe and getUpdates (feeding the updates a test queues), records every call with its
decoded parameters, answers sendMessage/editMessageText like Telegram does (returning the Message),
and can be told to fail the next calls of a method with 429 (retry_after) or a 5xx.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field

from aiohttp import web

TOKEN = "123456789:AAHfakeTokenForTests_0123456789abcdef"
BOT = {"id": 777000, "is_bot": True, "first_name": "News Bot", "username": "newsbot_test_bot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
JSON_FIELDS = {"reply_markup", "reply_parameters", "link_preview_options", "commands", "allowed_updates",
               "entities", "scope", "results", "button"}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "message_thread_id", "user_id", "cache_time"}


@dataclass
class Call:
    method: str
    params: dict


@dataclass
class FakeTelegram:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    faults: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)
    chats: dict[int, dict] = field(default_factory=dict)
    sent: dict[int, dict] = field(default_factory=dict)  # message_id → the message as the bot sent it
    delays: dict[str, list[float]] = field(default_factory=dict)  # method → seconds to sit on the next answers
    admins: set[int] = field(default_factory=set)  # users getChatMember calls administrators

    def __post_init__(self):
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(5000)
        self._changed = asyncio.Condition()
        self.url = ""

    # --- server -------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/bot"

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = _decode(await request.post()) if request.can_read_body else {}
        if method != "getUpdates":
            self.calls.append(Call(method, params))
        queued = self.faults.get(method)
        if queued:
            status, body = queued.pop(0)
            async with self._changed:
                self._changed.notify_all()
            if isinstance(body, str):  # a broken answer, e.g. an HTML error page from a proxy
                return web.Response(text=body, status=status, content_type="text/html")
            return web.json_response(body, status=status)
        handler = getattr(self, f"_{method}", None)
        result = True if handler is None else await handler(params)
        async with self._changed:
            self._changed.notify_all()
        if self.delays.get(method):  # the call took effect; the answer is late
            await asyncio.sleep(self.delays[method].pop(0))
        return web.json_response({"ok": True, "result": result})

    async def _getMe(self, params):
        return BOT

    async def _getUpdates(self, params):
        offset = params.get("offset") or 0
        self.updates = [u for u in self.updates if u["update_id"] >= offset]  # confirmed, as Telegram forgets them
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 0.5)
        while True:
            ready = [u for u in self.updates if u["update_id"] >= offset]
            if ready or time.monotonic() >= deadline:
                return ready
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait(), max(deadline - time.monotonic(), 0.01))
                except TimeoutError:
                    pass

    async def _sendMessage(self, params):
        chat = self.chats.get(params["chat_id"], {"id": params["chat_id"], "type": "private"})
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat, "from": BOT,
                   "text": params["text"]}
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        self.sent[message["message_id"]] = message
        return message

    async def _getChatMember(self, params):
        user = {"id": params["user_id"], "is_bot": False, "first_name": "Someone"}
        if params["user_id"] in self.admins:
            return {"status": "administrator", "user": user, "can_be_edited": False, "can_manage_chat": True,
                    "can_change_info": True, "can_delete_messages": True, "can_invite_users": True,
                    "can_restrict_members": True, "can_pin_messages": True, "can_promote_members": False,
                    "can_manage_video_chats": True, "can_post_stories": True, "can_edit_stories": True,
                    "can_delete_stories": True, "is_anonymous": False}
        return {"status": "member", "user": user}

    async def _editMessageText(self, params):
        message = dict(self.sent[params["message_id"]])
        message["text"] = params["text"]
        message["reply_markup"] = params.get("reply_markup")
        self.sent[message["message_id"]] = message
        return message

    # --- what tests use ---------------------------------------------------------------------------

    def fail(self, method: str, status: int, retry_after: int | None = None, times: int = 1,
             description: str | None = None) -> None:
        """Answer the next `times` calls of `method` with an error status."""
        body = {"ok": False, "error_code": status, "description": description or f"error {status}"}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
            body["description"] = f"Too Many Requests: retry after {retry_after}"
        self.faults.setdefault(method, []).extend([(status, body)] * times)

    def garble(self, method: str, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with something that is not JSON."""
        self.faults.setdefault(method, []).extend([(200, "<html>502 Bad Gateway</html>")] * times)

    async def push(self, update: dict) -> dict:
        update = {"update_id": next(self._ids), **update}
        self.updates.append(update)
        async with self._changed:
            self._changed.notify_all()
        return update

    def of(self, method: str) -> list[dict]:
        return [c.params for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 15.0) -> list[dict]:
        """The first `count` recorded calls of `method`, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        while len(self.of(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} {method} call(s), got {self.of(method)}; all: "
                                     f"{[c.method for c in self.calls]}")
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait(), 0.2)
                except TimeoutError:
                    pass
        return self.of(method)[:count]

    async def quiet(self, seconds: float = 0.6) -> None:
        """Let the bot run a moment (to show that it does NOT answer something)."""
        await asyncio.sleep(seconds)


def _decode(form) -> dict:
    params = {}
    for key, value in form.items():
        if key in JSON_FIELDS:
            value = json.loads(value)
        elif key in INT_FIELDS:
            value = int(value)
        params[key] = value
    return params


# --- building updates -------------------------------------------------------------------------------

ALICE = {"id": 1001, "is_bot": False, "first_name": "Alice", "username": "alice"}
BOB = {"id": 1002, "is_bot": False, "first_name": "Bob"}
PRIVATE = {"id": 1001, "type": "private", "first_name": "Alice"}
GROUP = {"id": -100200, "type": "supergroup", "title": "Newsroom"}


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def message(text: str, chat: dict = PRIVATE, user: dict = ALICE, message_id: int = 1, **extra) -> dict:
    """A message update; `/commands` and `@mentions` get the entities Telegram would attach."""
    entities = []
    if text.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": utf16(text.split()[0])})
    for word in text.split():
        if word.startswith("@"):
            at = text.index(word)
            entities.append({"type": "mention", "offset": utf16(text[:at]), "length": utf16(word.rstrip("?,.!"))})
    body = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": user, "text": text}
    if entities:
        body["entities"] = entities
    body.update(extra)
    return {"message": body}


def inline(query: str, user: dict = ALICE) -> dict:
    """Someone typing `@bot query` in any chat."""
    return {"inline_query": {"id": f"iq{time.monotonic_ns()}", "from": user, "query": query, "offset": ""}}


def button(data: str, sent: dict, user: dict = ALICE) -> dict:
    """A press of an inline button with callback data `data` under the bot's message `sent`."""
    return {"callback_query": {"id": f"cq{time.monotonic_ns()}", "from": user, "chat_instance": "ci",
                               "data": data, "message": sent}}
