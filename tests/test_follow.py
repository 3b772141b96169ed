"""Following a story: the commands and their bad input, what is due after a re-index (confident, new,
never the same report twice, a few a day), and surviving a restart. The bots' side is in
test_telegram.py and test_discord.py."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from newsbot.bot.answer import Thresholds
from newsbot.bot.commands import Command, UsageReply, dispatch
from newsbot.bot.core import NewsCore
from newsbot.bot.follow import MAX_FOLLOWS, FollowReply
from newsbot.index.build import build_index

HERE = "telegram:-100200"
TIGER = "Jakarta (ANTARA) - Pada 5 Januari 2024 harimau sumatra terlihat di Riau, kata petugas konservasi.\n"
TIGER_AGAIN = "TEMPO.CO, Jakarta - Pada 5 Januari 2024 harimau sumatra terlihat di Riau, kata petugas konservasi.\n"
TIGER_NEWS = "Bisnis.com, JAKARTA - Seekor harimau sumatra masuk perangkap kamera di Jambi pekan lalu, kata balai konservasi.\n"


def follow(core: NewsCore, name: str, topic: str, place: str = HERE):
    return dispatch(core, Command(name, topic, place=place))


def add_article(core: NewsCore, corpus, embedder, name: str, text: str) -> None:
    (corpus / name).write_text(text, encoding="utf-8")
    build_index(corpus, core.settings.index_path, embedder)


def test_follow_commands_and_their_bad_input(fake_core):
    store = fake_core.retriever.store
    reply = follow(fake_core, "follow", "  harimau   sumatra ")
    assert isinstance(reply, FollowReply) and reply.message.startswith("Following “harimau sumatra”")
    assert reply.topics == ["harimau sumatra"]
    assert follow(fake_core, "follow", "Harimau Sumatra").message == "This chat already follows “Harimau Sumatra”."
    assert follow(fake_core, "follow", "").message.startswith("Tell me what to follow")
    # the news in general, or thanks, names no topic: the new passages nearest "berita" would be anything
    for nothing in ("berita terbaru", "news", "noticias de hoy", "makasih"):
        reply = follow(fake_core, "follow", nothing)
        assert reply.message.startswith(f"“{nothing}” names no topic to follow"), nothing
        assert reply.topics == ["harimau sumatra"]
    long = follow(fake_core, "follow", "x" * 500)
    assert long.message.startswith("A topic can be at most 200 characters (this one has 500)")
    assert [f.topic for f in store.follows(HERE)] == ["harimau sumatra"]  # nothing else changed

    for n in range(1000):
        last = follow(fake_core, "follow", f"topik {n}")
    assert last.message.startswith(f"This chat already follows {MAX_FOLLOWS} topics")
    assert len(store.follows(HERE)) == MAX_FOLLOWS and store.follows("telegram:1") == []

    assert follow(fake_core, "following", "").message == f"This chat follows {MAX_FOLLOWS} topics:"
    assert follow(fake_core, "unfollow", "topik 0").message == "Stopped following “topik 0”."
    assert follow(fake_core, "unfollow", "nothing like it").message == "This chat does not follow “nothing like it”."
    assert follow(fake_core, "unfollow", "").message.startswith("Tell me which topic to stop following")
    assert follow(fake_core, "unfollow", "ALL").message == f"Stopped following {MAX_FOLLOWS - 1} topics here."
    assert follow(fake_core, "following", "").message.startswith("This chat follows nothing yet.")
    # Outside a chat (the terminal) there is nowhere to post.
    assert isinstance(dispatch(fake_core, Command("follow", "harimau")), UsageReply)


def test_a_new_article_on_a_followed_topic_is_due_once(fake_core, fake_settings, fake_embedder):
    corpus = fake_settings.corpus
    follow(fake_core, "follow", "harimau sumatra")
    follow(fake_core, "follow", "katak hijau", place="discord:7")
    following = fake_core.following
    assert following.due() == []  # nothing new since the follow: what was there before is not news
    add_article(fake_core, corpus, fake_embedder, "d_tiger.txt", TIGER)
    [due] = following.due()
    assert (due.place, due.topic) == (HERE, "harimau sumatra")
    assert [r.quote for r in due.results] == [TIGER.split(" - ", 1)[1].strip()]
    assert due.results[0].outlet == "ANTARA"
    # Not yet delivered (the send failed, or the bot stopped): due again.
    assert [d.topic for d in following.due()] == ["harimau sumatra"]
    following.delivered(due)
    assert following.due() == []

    # A restarted bot (a new core over the same index) repeats nothing...
    with NewsCore(fake_settings, fake_embedder) as restarted:
        assert restarted.following.due() == []
        # ...and the same report from another outlet is never posted again.
        add_article(restarted, corpus, fake_embedder, "e_tiger.txt", TIGER_AGAIN)
        assert restarted.following.due() == []
        # Another report on the topic is.
        add_article(restarted, corpus, fake_embedder, "f_tiger.txt", TIGER_NEWS)
        [due] = restarted.following.due()
        assert "perangkap kamera di Jambi" in due.results[0].quote


def test_only_confident_reports_are_posted_and_only_a_few_a_day(fake_core, fake_settings, fake_embedder):
    corpus = fake_settings.corpus
    follow(fake_core, "follow", "harimau sumatra")
    cautious = dataclasses.replace(fake_core.thresholds, high_relevance=5.0)  # nothing is ever "high"
    fake_core.thresholds = cautious
    add_article(fake_core, corpus, fake_embedder, "d_tiger.txt", TIGER)
    assert fake_core.ask("harimau sumatra").confidence == "low"
    assert fake_core.following.due() == []  # and it will not come back: the follow has looked at it

    fake_core.thresholds = Thresholds.tuned(min_relevance=0.1)
    fake_core.following.per_day = 1
    add_article(fake_core, corpus, fake_embedder, "f_tiger.txt", TIGER_NEWS)
    now = dt.datetime.now(dt.UTC)
    [due] = fake_core.following.due(now)
    fake_core.following.delivered(due, now)
    add_article(fake_core, corpus, fake_embedder, "g_tiger.txt",
                "TEMPO.CO, Jakarta - Warga Riau melihat harimau sumatra di kebun sawit pada Minggu pagi.\n")
    assert fake_core.following.due(now + dt.timedelta(hours=1)) == []  # the day's one is used
    add_article(fake_core, corpus, fake_embedder, "h_tiger.txt",
                "Jakarta (ANTARA) - Harimau sumatra yang terluka dirawat di pusat rehabilitasi Dharmasraya.\n")
    assert len(fake_core.following.due(now + dt.timedelta(hours=25))) == 1  # a day later


def test_following_a_removed_chat_is_forgotten(fake_core):
    follow(fake_core, "follow", "harimau sumatra")
    follow(fake_core, "follow", "udang")
    assert fake_core.following.gone(HERE) == 2 and fake_core.retriever.store.follows() == []


@pytest.mark.parametrize("topic", ["harimau sumatra", "HARIMAU   Sumatra"])
def test_unfollow_matches_the_topic_however_it_is_typed(fake_core, topic):
    follow(fake_core, "follow", "Harimau Sumatra")
    assert follow(fake_core, "unfollow", topic).message == f"Stopped following “{' '.join(topic.split())}”."
