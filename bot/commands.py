"""Commands, parsed the same way for every front end: the CLI chat, Telegram and Discord all turn a
message into a `Command`, hand it to `dispatch`, and render the typed reply for their medium.
"""

from __future__ import annotations

import asyncio
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from ..index.errors import IndexUnwritable
from ..index.terms import overview_topic, reported_topic, small_talk

from .answer import Answer, Carriers
from .core import ArticleInfo, Links, NewsCore
from .follow import MAX_TOPIC, FollowReply
from .timeline import Event


@dataclass(frozen=True)
class CommandSpec:
    """One command, as every front end lists it: in help, in Telegram's menu, as a Discord slash command."""

    name: str
    usage: str
    description: str
    menu: str  # a short description for command menus (Discord allows 100 characters)
    arg: str | None = None  # the argument's name, if it takes one
    arg_description: str = ""
    arg_required: bool = False
    arg_max: int = 1000


COMMANDS = (
    CommandSpec("ask", "/ask <question>", "answer with verbatim quotes from the news, with outlet and date",
                "Answer with verbatim quotes from the news, with outlet and date",
                "question", "What you want to know, in any language", arg_required=True),
    CommandSpec("timeline", "/timeline [topic]", "the events in date order, each with its sentence and outlet",
                "The events in date order, each with its sentence and outlet",
                "topic", "Only the events about this (leave empty for everything)", arg_max=200),
    CommandSpec("sources", "/sources [question]",
                "the outlets and articles I have read; with a question, which of them carry the answer",
                "The outlets and articles I have read, or which carry an answer",
                "question", "Which outlets carry the answer to this question"),
    CommandSpec("follow", "/follow <topic>", "post new reports on a topic here as articles arrive",
                "Post new reports on a topic here as articles arrive",
                "topic", "A few words, e.g. Kim Putin", arg_required=True, arg_max=MAX_TOPIC),
    CommandSpec("following", "/following", "the topics this chat follows", "The topics this chat follows"),
    CommandSpec("unfollow", "/unfollow <topic|all>", "stop following a topic (or all of them)",
                "Stop following a topic here (or all of them)",
                "topic", "The topic, as /following lists it, or all", arg_required=True, arg_max=MAX_TOPIC),
    CommandSpec("help", "/help", "show what I can do", "What I can do"),
)
ASK_ME = "Ask me anything about the news, e.g. Di mana Kim dan Putin bertemu?"
NO_ANSWER_FOR_MORE = ("More of which answer? Ask me something first, or reply to one of my answers with “more?”: "
                      "I'll quote the next results.")


def no_more(question: str) -> str:
    """What "ada lagi?" gets when the answer it follows showed all there is."""
    return (f"That is all my sources say on “{' '.join(question.split())}”. Ask it in other words, or see who "
            "reported it with /sources and the question.")


def nothing_in_full(question: str) -> str:
    """What "maksudnya?" gets when the answer it follows quoted nothing the index still holds."""
    return (f"My answer to “{' '.join(question.split())}” quoted nothing I can show in full: I only quote the "
            "articles, and explain nothing in my own words.")


NO_ANSWER_TO_LINK = ("Links to which answer? Ask me something first, or reply to one of my answers with “link?”: "
                     "I'll list the articles it quoted, with their links.")
FOLLOWING = ("follow", "following", "unfollow")  # commands that need to know the chat they come from
ALIASES = {"start": "help", "q": "ask", "sumber": "sources", "tanya": "ask", "kronologi": "timeline",
           "ikuti": "follow"}

log = logging.getLogger(__name__)

_COMMAND = re.compile(r"^/(?P<name>[A-Za-z_]{1,32})(?:@(?P<bot>[A-Za-z0-9_]{1,64}))?(?:\s+(?P<arg>.*))?$", re.S)


@dataclass(frozen=True)
class Command:
    """A parsed message: the command's name and its argument text (the question, the topic)."""

    name: str
    arg: str = ""
    addressed_to_other_bot: bool = False
    place: str | None = None  # the chat it came from, as follows name it ('telegram:<chat id>'); None in a terminal
    earlier: str | None = None  # the question whose answer it replies to, when it replies to one
    # The passages that answer's results quoted, in order, when it was remembered (what its links are).
    quoted: tuple[int, ...] | None = None


@dataclass(frozen=True)
class HelpReply:
    commands: tuple[CommandSpec, ...]


@dataclass(frozen=True)
class SourcesReply:
    articles: list[ArticleInfo]


@dataclass(frozen=True)
class TimelineReply:
    topic: str | None
    events: list[Event]


@dataclass(frozen=True)
class UsageReply:
    """The user called a command wrongly or one that does not exist; `message` says what to do."""

    message: str


Reply = Answer | Carriers | FollowReply | HelpReply | Links | SourcesReply | TimelineReply | UsageReply


# what `small_talk` calls a message the core works on
WORKING_TALK = (None, "link", "more", "confirm", "context", "sources")


def searches(command: Command) -> bool:
    """True when a command makes the core work or changes what it keeps (what a rate limit counts);
    help, usage, small talk ("makasih", "halo") and listing the follows do not. Asking for an answer's
    links does (an answer remembered only by its question is answered again), asking for more, doubting an
    answer (who reported it is worked out), asking what it means (its paragraphs are read), and asking where
    the news comes from (the sources are listed, or who reported the answer it follows)."""
    return command.name in ("timeline", "sources", "follow", "unfollow") or (
        command.name == "ask" and bool(command.arg) and small_talk(command.arg) in WORKING_TALK)


def whole_corpus(command: Command) -> bool:
    """True when a command may read the whole corpus (a timeline, asked for as /timeline or in words; the
    list of sources): seconds on a large index the first time after it changes."""
    return command.name == "timeline" or (command.name == "sources" and not command.arg) or (
        command.name == "ask" and (overview_topic(command.arg) is not None or reported_topic(command.arg) == ""
                                   or (small_talk(command.arg) == "sources" and not command.earlier)))


class Workers:
    """Where the bots run commands, off their event loop: questions on a pool of their own, whole-corpus
    commands on one thread apart, so timelines never keep a question waiting; help and usage at once."""

    def __init__(self, questions: int = 4):
        self.questions = ThreadPoolExecutor(max_workers=questions, thread_name_prefix="newsbot-core")
        self.corpus = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsbot-corpus")

    async def reply(self, core: NewsCore, command: Command) -> Reply:
        if not searches(command) and command.name not in FOLLOWING:
            return dispatch(core, command)
        pool = self.corpus if whole_corpus(command) else self.questions
        return await asyncio.get_running_loop().run_in_executor(pool, dispatch, core, command)

    async def run(self, work, *args):
        """Other work of the core's (reading or writing the store) off the event loop, with the questions."""
        return await asyncio.get_running_loop().run_in_executor(self.questions, work, *args)

    def shutdown(self, wait: bool = True) -> None:
        for pool in (self.questions, self.corpus):
            pool.shutdown(wait=wait, cancel_futures=True)


def parse(text: str, bot_username: str | None = None) -> Command:
    """Parse a message: `/cmd[@bot] arg` or plain text (a question)."""
    text = (text or "").strip()
    match = _COMMAND.match(text)
    if not match:
        return Command("ask", text)
    name = match["name"].lower()
    name = ALIASES.get(name, name)
    other = bool(match["bot"] and bot_username and match["bot"].lower() != bot_username.lower())
    return Command(name, (match["arg"] or "").strip(), addressed_to_other_bot=other)


def dispatch(core: NewsCore, command: Command) -> Reply:
    """Run a command against the core and return its typed reply."""
    if command.name == "help":
        return HelpReply(COMMANDS)
    if command.name == "ask":
        if not command.arg:
            return UsageReply("Ask me a question, e.g. /ask Di mana Kim dan Putin bertemu?")
        # Not a question about the news: searched, "makasih ya" got the quote of Kim thanking Putin.
        talk = small_talk(command.arg)
        if talk in ("greeting", "about"):
            return HelpReply(COMMANDS)
        if talk == "sources":  # "sumbernya apa?": who reported the answer it follows, else where my news comes from
            return core.carriers(command.earlier) if command.earlier else SourcesReply(core.articles())
        if talk == "link":  # "link artikelnya mana?": of the answer it follows
            return core.links(command.earlier, command.quoted) if command.earlier else UsageReply(NO_ANSWER_TO_LINK)
        if talk == "confirm":  # "beneran?", "is that true?": who reported the answer it follows
            return core.carriers(command.earlier) if command.earlier else UsageReply(ASK_ME)
        if talk == "context":  # "maksudnya?", "what do you mean?": the whole paragraphs of the answer it follows
            if not command.earlier:
                return UsageReply(ASK_ME)
            whole = core.context(command.earlier, command.quoted)
            return whole if whole.answered else UsageReply(nothing_in_full(command.earlier))
        if talk == "more":  # "ada lagi?", "anything else?": the next results of the answer it follows
            if not command.earlier:
                return UsageReply(NO_ANSWER_FOR_MORE)
            more = core.more(command.earlier, command.quoted)
            return more if more.answered else UsageReply(no_more(command.earlier))
        topic = overview_topic(command.arg)
        if topic is not None:  # "rangkum dong", "kronologinya?": the story so far, of the answer it follows
            topic = topic or command.earlier
            return TimelineReply(topic, core.timeline(topic))
        asked = reported_topic(command.arg)
        if asked is not None:  # "media mana aja yang memberitakan …?", "who else covered this?": /sources …
            asked = asked or command.earlier
            return core.carriers(asked) if asked else SourcesReply(core.articles())
        if talk:
            return UsageReply(("You're welcome! " if talk == "thanks" else "") + ASK_ME)
        return core.ask(command.arg, earlier=command.earlier)
    if command.name == "timeline":
        return TimelineReply(command.arg or None, core.timeline(command.arg or None))
    if command.name == "sources":
        return core.carriers(command.arg) if command.arg else SourcesReply(core.articles())
    if command.name in FOLLOWING:
        if command.place is None:
            return UsageReply("Following a story works in a Telegram or Discord chat: there I post new reports "
                              "on the topic as articles arrive.")
        following = core.following
        try:
            if command.name == "follow":
                return following.follow(command.place, command.arg)
            if command.name == "unfollow":
                return following.unfollow(command.place, command.arg)
            return following.following(command.place)
        except IndexUnwritable as exc:
            log.warning("could not change follows: %s", exc)
            return UsageReply("Sorry, I cannot keep follows here: my index is read-only. Ask whoever runs me.")
    known = ", ".join(c.usage.split()[0] for c in COMMANDS)
    return UsageReply(f"I don't know /{command.name}. Try {known}.")
