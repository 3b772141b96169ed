"""Feedback: 👍 / 👎 on answers, so real use shows where the bot is wrong and grows the evaluation set.

Each answer a bot shows is remembered in the index's own tables (its question and the passages its
results quote), and its buttons carry the answer's id signed with a key: a forged or mangled button
is refused, and no vote is ever written for an answer that was not shown. A vote names the result the
person was looking at; one vote per person per answer, changed by voting again. People are stored as
a keyed hash of platform and id (`voter`), never as their ids. Nothing here changes an answer.

`report` gives the totals and the most downvoted questions (`newsbot feedback`); `export` writes the
liked answers as questions in the `newsbot eval` format.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..index.errors import NewsbotError
from ..index.model import ShownAnswer
from ..index.store import IndexStore
from ..index.terms import question_language

from .answer import Answer
from .retrieve import asks_only_news

log = logging.getLogger(__name__)

UP, DOWN = 1, -1
KEY_FILE = "feedback.key"
GOLD_WORDS = 8  # the words of a liked passage an exported question takes as its gold
_TOKEN = re.compile(r"^([0-9]{1,15})\.([A-Za-z0-9_-]{10})$")

THANKS = {UP: "Thanks! Noted: 👍 (tap 👎 to change your vote)", DOWN: "Thanks! Noted: 👎 (tap 👍 to change your vote)"}
FORGED = "That button is not one of mine; nothing was recorded."
UNKNOWN = "I no longer keep that answer (feedback is cleared after a while); ask again to vote."
GONE = "The article behind this result has changed since; ask again to vote on the new answer."
NOT_KEPT = "Sorry, I could not record your vote just now; please try again later."


def load_key(configured: str | None, folder: Path) -> bytes:
    """The key voters are hashed with: the setting, else one made once and kept in `folder` (readable by
    its owner only). Bots sharing an index on several machines must set the same NEWSBOT_FEEDBACK_KEY."""
    if configured:
        return configured.encode()
    path = folder / KEY_FILE
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        pass
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex())
    return key


@dataclass(frozen=True)
class FeedbackReport:
    """What `newsbot feedback` prints."""

    answers: int  # answers remembered
    voted: int  # …with at least one vote
    up: int
    down: int
    stale: int  # votes on results whose passage has since left the index
    worst: list[tuple[str, int, int]]  # (question, 👎, 👍), most downvoted first


class Feedback:
    """Votes over one store, with the key that signs buttons and hashes voters."""

    def __init__(self, store: IndexStore, key: bytes):
        self.store = store
        self.key = key

    def _mac(self, text: str) -> bytes:
        return hmac.new(self.key, text.encode(), hashlib.sha256).digest()

    def voter(self, platform: str, person: int | str) -> str:
        """A person as the votes table knows them: the same each time, and not their id."""
        return self._mac(f"voter:{platform}:{person}").hex()[:32]

    def conversation(self, platform: str, ident: int | str) -> str:
        """A private conversation as the answers table knows it: the same each time, and not its id."""
        return self._mac(f"conversation:{platform}:{ident}").hex()[:32]

    def token(self, answer: int) -> str:
        """What a vote button carries for an answer: its id, signed."""
        return f"{answer}.{base64.urlsafe_b64encode(self._mac(f'answer:{answer}')).decode()[:10]}"

    def answer_of(self, token: str) -> int | None:
        """The answer a button's token stands for; None when it was not signed with this key."""
        match = _TOKEN.match(token or "")
        if not match or not hmac.compare_digest(self.token(int(match[1])), token):
            return None
        return int(match[1])

    def answer_shown(self, token: str) -> ShownAnswer | None:
        """The answer a vote button's token stands for: its question (what a reply to that answer follows
        up) and the passages it quoted; None for a forged token, an answer forgotten, or a store that
        cannot be read."""
        answer = self.answer_of(token)
        if answer is None:
            return None
        try:
            return self.store.shown_answer(answer)
        except NewsbotError as exc:
            log.warning("could not read an earlier answer: %s", exc)
            return None

    def shown(self, answer: Answer, conversation: str | None = None) -> str | None:
        """Remember an answer being shown (a refusal too: a 👎 on it says the sources were missed), in a
        private `conversation` (`conversation()`) when it is one; the token for its vote buttons. None,
        and no buttons, when the index cannot be written: the answer goes out all the same."""
        if answer.passages is None:
            return None
        try:
            return self.token(self.store.record_answer(answer.question, list(answer.passages), conversation))
        except NewsbotError as exc:
            log.warning("could not remember an answer for feedback (no vote buttons): %s", exc)
            return None

    def last_shown(self, conversation: str, since: dt.datetime) -> ShownAnswer | None:
        """The newest answer shown in a private conversation since this time, as the store remembers it
        (so also one a bot since restarted showed); None when there is none or it cannot be read."""
        try:
            return self.store.last_answer(conversation, since)
        except NewsbotError as exc:
            log.warning("could not read an earlier answer: %s", exc)
            return None

    def vote(self, token: str, voter: str, result: int, value: int) -> str:
        """Record a vote from a button or a command; what to tell the voter."""
        answer = self.answer_of(token)
        if answer is None or value not in (UP, DOWN):
            return FORGED
        try:
            shown = self.store.shown_answer(answer)
            if shown is None:
                return UNKNOWN
            if not 0 <= result < max(len(shown.passages), 1):  # a refusal is voted on as result 0
                return FORGED
            if shown.passages and not self.store.passages([shown.passages[result]]):
                return GONE
            self.store.vote(answer, voter, result, value)
        except NewsbotError as exc:
            log.warning("could not record a vote: %s", exc)
            return NOT_KEPT
        return THANKS[value]

    # -- reading it back ---------------------------------------------------------------------------
    def report(self, worst: int = 10) -> FeedbackReport:
        votes = self.store.votes()
        quoted = [v for v in votes if v.answer.passages]  # the others were on refusals
        existing = self.store.passages(list({v.answer.passages[v.result] for v in quoted}))
        down, up = Counter(), Counter()
        for v in votes:
            (down if v.value == DOWN else up)[_asked(v.answer.question)] += 1
        asked = {_asked(v.answer.question): v.answer.question for v in votes}
        ranked = sorted((q for q in down), key=lambda q: (-down[q], up[q], q))[:worst]
        return FeedbackReport(
            answers=self.store.answers_shown(), voted=len({v.answer.id for v in votes}),
            up=sum(up.values()), down=sum(down.values()),
            stale=sum(1 for v in quoted if v.answer.passages[v.result] not in existing),
            worst=[(asked[q], down[q], up[q]) for q in ranked])

    def export(self, path: Path) -> int:
        """Write each answer with a 👍 (on a passage still in the index) as a question in the `newsbot
        eval` format, its gold a run of words from the liked passage and `asked` the day it was shown
        (what "kemarin" in it meant); how many were written. A question that asked only for the news is
        left out: its answer was whatever was newest that day, which no later index can be judged on."""
        liked: dict[int, tuple[ShownAnswer, dict[int, int]]] = {}  # answer id -> (answer, passage -> likes)
        for v in self.store.votes():
            if v.value == UP and v.answer.passages:  # a liked refusal names no passage to look for
                _, passages = liked.setdefault(v.answer.id, (v.answer, {}))
                pid = v.answer.passages[v.result]
                passages[pid] = passages.get(pid, 0) + 1
        texts = self.store.passages(list({pid for _, ps in liked.values() for pid in ps}))
        lines = []
        for answer_id, (shown, passages) in sorted(liked.items()):
            asked = shown.shown.astimezone().date()  # the day as the bot counted it (its local date)
            if asks_only_news(shown.question, asked):
                continue
            gold = [g for pid in passages if pid in texts and (g := distinctive(texts[pid].sentences or [texts[pid].text]))
                    and g in texts[pid].text]  # eval looks for it verbatim
            if gold:
                lines.append({"id": f"feedback-{answer_id}", "lang": question_language(shown.question) or "xx",
                              "q": shown.question, "gold": list(dict.fromkeys(gold)), "asked": asked.isoformat(),
                              "note": f"liked {sum(passages.values())} time(s) in chat"})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
        return len(lines)

    def forget(self, before: dt.date) -> int:
        """Forget the answers shown before this day (UTC) and the votes on them; how many answers went."""
        return self.store.forget_feedback(dt.datetime.combine(before, dt.time(), dt.UTC))


def distinctive(sentences: list[str]) -> str | None:
    """A run of words a passage holds and few others would: GOLD_WORDS words from the middle of its
    longest sentence (a dateline or a "kata X" ending is what passages share)."""
    longest = max(sentences, key=lambda s: len(s.split()), default="")
    words = longest.split()
    if len(words) < 4:
        return " ".join(words) or None
    start = max(0, (len(words) - GOLD_WORDS) // 2)
    return " ".join(words[start:start + GOLD_WORDS])


def _asked(question: str) -> str:
    return " ".join(question.split()).casefold()
