"""Following a story: a chat follows a topic, and when newly indexed articles carry a passage that
answers it confidently (the same relevance test as an answer, high confidence only), the bot posts that
quote with its outlet, date and link.

Each follow remembers the last passage id it has looked at (ids only grow), so a bot restarted, or an
index changed by `newsbot watch` or by hand, loses nothing and repeats nothing. A chat gets at most
`per_day` quotes a day; a report it was already given (the same sentence from another outlet, "also
reported by") is never posted again. Delivery is the front end's: `due` says what to post, and only
once it is sent does `delivered` record it, so a failed send is tried again at the next look.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..index.model import Follow, Post, topic_key
from ..index.terms import small_talk

from .answer import HIGH, Result, same_report
from .retrieve import asks_only_news

MAX_TOPIC = 200  # characters
MAX_FOLLOWS = 20  # topics one chat may follow
NEWEST = 20_000  # passages one look compares with a topic at most (a whole re-index brings them all)
REMEMBERED = dt.timedelta(days=30)  # how far back posted reports are compared with new ones
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class FollowReply:
    """The reply to /follow, /following or /unfollow: a sentence and the chat's topics after it."""

    message: str
    topics: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Delivery:
    """New quotes for one followed topic in one place, to post together as one message."""

    follow: int
    place: str
    topic: str
    results: list[Result]
    after: int  # the passages looked at, once this is delivered


class Following:
    """The follows of every chat over one core (its store and its answers)."""

    def __init__(self, core, per_day: int = 5):
        self.core = core
        self.per_day = per_day

    @property
    def store(self):
        return self.core.retriever.store

    # -- the commands ------------------------------------------------------------------------------
    def topics(self, place: str) -> list[str]:
        """What a place follows, oldest first."""
        return [f.topic for f in self.store.follows(place)]

    def follow(self, place: str, topic: str) -> FollowReply:
        topic = " ".join(topic.split())
        if not topic:
            return FollowReply("Tell me what to follow, e.g. /follow Kim Putin. I will post new reports on it here.")
        if len(topic) > MAX_TOPIC:
            return FollowReply(f"A topic can be at most {MAX_TOPIC} characters (this one has {len(topic)}); "
                               "a few words work best, e.g. /follow Kim Putin.")
        if asks_only_news(topic, dt.date.today()) or small_talk(topic):  # new passages nearest "berita": anything
            return FollowReply(f"“{topic}” names no topic to follow; a few words of one work best, e.g. /follow "
                               "Kim Putin. For the newest reports, ask “Apa berita terbaru?” any time.",
                               self.topics(place))
        current = self.store.follows(place)
        if any(topic_key(f.topic) == topic_key(topic) for f in current):
            return FollowReply(f"This chat already follows “{topic}”.", [f.topic for f in current])
        if len(current) >= MAX_FOLLOWS:
            return FollowReply(f"This chat already follows {MAX_FOLLOWS} topics, the most I keep; "
                               "/unfollow one first.", [f.topic for f in current])
        self.store.add_follow(place, topic, self.store.last_passage())
        return FollowReply(f"Following “{topic}”: when new articles carry a report on it, I will post the quote "
                           f"here (at most {self.per_day} a day). /unfollow {topic} stops it.", self.topics(place))

    def unfollow(self, place: str, topic: str) -> FollowReply:
        topic = " ".join(topic.split())
        if not topic:
            return FollowReply("Tell me which topic to stop following (/following lists them), or /unfollow all.",
                               self.topics(place))
        if topic_key(topic) == "all":
            gone = self.store.remove_follows(place, None)
            return FollowReply(f"Stopped following {gone} topic{'s' if gone != 1 else ''} here." if gone else
                               "This chat follows nothing.")
        if not self.store.remove_follows(place, topic):
            return FollowReply(f"This chat does not follow “{topic[:MAX_TOPIC]}”.",
                               self.topics(place))
        return FollowReply(f"Stopped following “{topic}”.", self.topics(place))

    def following(self, place: str) -> FollowReply:
        topics = self.topics(place)
        if not topics:
            return FollowReply("This chat follows nothing yet. /follow TOPIC posts new reports on a topic here.")
        return FollowReply(f"This chat follows {len(topics)} topic{'s' if len(topics) != 1 else ''}:", topics)

    # -- new articles --------------------------------------------------------------------------------
    def due(self, now: dt.datetime | None = None, platform: str | None = None) -> list[Delivery]:
        """What to post now for every follow (on one platform's chats, when given) that has passages it
        has not looked at. A follow with nothing to post is marked as having looked at them."""
        now = now or dt.datetime.now(dt.UTC)
        last = self.store.last_passage()
        deliveries: list[Delivery] = []
        given: dict[str, list[str]] = {}  # place -> quotes posted there lately or chosen in this look
        room: dict[str, int] = {}
        for follow in self.store.follows():
            if follow.after >= last or (platform is not None and not follow.place.startswith(f"{platform}:")):
                continue
            if follow.place not in given:
                recent = self.store.posts(follow.place, now - REMEMBERED)
                given[follow.place] = [p.quote for p in recent]
                room[follow.place] = self.per_day - sum(1 for p in recent if p.at >= now - DAY)
            fresh = self._fresh(follow, given[follow.place]) if room[follow.place] > 0 else []
            fresh = fresh[: room[follow.place]]
            if not fresh:
                self.store.record_posts(follow.id, last, [])
                continue
            room[follow.place] -= len(fresh)
            given[follow.place] += [r.quote for r in fresh]
            deliveries.append(Delivery(follow.id, follow.place, follow.topic, fresh, last))
        return deliveries

    def _fresh(self, follow: Follow, given: list[str]) -> list[Result]:
        """The confident new reports on a follow's topic that this place has not been given."""
        newer = self.store.passages_after(follow.after, NEWEST)
        if not newer:
            return []
        answer = self.core.ask(follow.topic, among=newer)
        if not answer.answered or answer.confidence != HIGH:
            return []
        return [r for r in answer.results if not any(same_report([r.quote], [q]) or r.quote == q for q in given)]

    def delivered(self, delivery: Delivery, now: dt.datetime | None = None) -> None:
        """Record a delivery as posted: its quotes and the passages its follow has looked at."""
        now = now or dt.datetime.now(dt.UTC)
        posts = [Post(delivery.place, delivery.topic, r.passage_id or 0, r.quote, now) for r in delivery.results]
        self.store.record_posts(delivery.follow, delivery.after, posts)

    def gone(self, place: str) -> int:
        """Forget a place's follows (the bot was removed from the chat, or the chat is gone)."""
        return self.store.remove_follows(place, None)
