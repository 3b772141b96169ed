"""Votes on answers and follows: what every store keeps for the bots (SQLite, PostgreSQL, the in-memory
engine), the signed vote buttons, the totals and the export to the eval format, and the terminal's
/good and /bad."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid

import pytest
from click.testing import CliRunner

from newsbot.bot.cli import cli
from newsbot.bot.evaluate import evaluate, load_cases
from newsbot.bot.feedback import DOWN, FORGED, GONE, THANKS, UNKNOWN, UP, Feedback, load_key
from newsbot.index import store as store_module
from newsbot.index.build import build_index
from newsbot.index.model import Post
from newsbot.index.store import open_store

from .test_cli import run  # noqa: F401 - the CLI runner fixture
from .memory_store import MemoryStore

SHRIMP = "ekspor udang naik berapa persen?"


@pytest.fixture(params=["sqlite", "memory", "postgres"])
def location(request, tmp_path, tiny_corpus, fake_embedder, monkeypatch):
    """An index of the tiny corpus in each engine."""
    if request.param == "sqlite":
        where = tmp_path / "index.db"
    elif request.param == "memory":
        monkeypatch.setitem(store_module.ENGINES, "memory", lambda loc, create, replace: MemoryStore(loc, create))
        where = f"memory://kept-{uuid.uuid4().hex}"
    else:
        where = request.getfixturevalue("pg_url")
    build_index(tiny_corpus, where, fake_embedder)
    return where


def test_every_store_keeps_answers_votes_and_follows_outside_its_versions(location, tiny_corpus, fake_embedder):
    store = open_store(location)
    try:
        version = store.version()
        last = store.last_passage()
        assert last >= 6 and store.passages_after(0, 100)[-1] == last and store.passages_after(last, 100) == []
        assert store.passages_after(0, 2) == sorted(store.passages_after(0, 100))[-2:]  # the newest

        first = store.record_answer("Berapa?", [1, 2])
        second = store.record_answer("Di mana?", [3])
        assert first != second
        shown = store.shown_answer(first)
        assert (shown.question, shown.passages) == ("Berapa?", [1, 2]) and shown.shown.tzinfo is not None
        assert store.shown_answer(10**9) is None
        store.vote(first, "voter-a", 0, UP)
        store.vote(first, "voter-b", 1, DOWN)
        store.vote(first, "voter-a", 1, DOWN)  # changed: still one vote of voter-a
        votes = store.votes()
        assert sorted((v.voter, v.result, v.value) for v in votes) == [("voter-a", 1, DOWN), ("voter-b", 1, DOWN)]
        assert {v.answer.question for v in votes} == {"Berapa?"} and store.answers_shown() == 2

        follow = store.add_follow("telegram:5", "Kim  Putin", last)
        again = store.add_follow("telegram:5", "kim putin", 0)  # the same topic, differently typed
        assert again == follow and follow.topic == "Kim Putin" and follow.after == last
        store.add_follow("telegram:5", "udang", last)
        store.add_follow("discord:9", "udang", last)
        assert [f.topic for f in store.follows("telegram:5")] == ["Kim Putin", "udang"]
        assert len(store.follows()) == 3
        now = dt.datetime.now(dt.UTC)
        store.record_posts(follow.id, last + 5, [Post("telegram:5", "Kim Putin", 3, "A quote.", now)])
        store.record_posts(follow.id, last + 1, [])  # never backwards
        assert store.follows("telegram:5")[0].after == last + 5
        assert [p.quote for p in store.posts("telegram:5", now - dt.timedelta(minutes=1))] == ["A quote."]
        assert store.posts("telegram:5", now + dt.timedelta(minutes=1)) == []
        assert store.posts("discord:9", now - dt.timedelta(days=1)) == []

        assert store.version() == version  # none of it is a new version of the index

        # Re-indexing keeps all of it.
        (tiny_corpus / "d_new.txt").write_text("Pada 5 Januari 2024 harimau sumatra terlihat di Riau.\n")
        build_index(tiny_corpus, location, fake_embedder)
        assert store.version() != version
        assert len(store.votes()) == 2 and len(store.follows()) == 3
        assert store.last_passage() > last

        assert store.remove_follows("telegram:5", "KIM PUTIN") == 1
        assert store.remove_follows("telegram:5", "nothing") == 0
        assert store.remove_follows("telegram:5", None) == 1 and store.follows("telegram:5") == []
        assert store.forget_feedback(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)) == 2
        assert store.votes() == [] and store.answers_shown() == 0 and store.shown_answer(first) is None
    finally:
        store.close()


def test_every_store_finds_the_last_answer_of_a_private_conversation(location):
    """What a restarted bot reads to know the answer a message in a private chat follows up: the newest
    answer shown in that conversation since a time, none of another conversation's or of a group's."""
    store = open_store(location)
    try:
        before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        assert store.last_answer("conv-a", before) is None
        store.record_answer("first in a", [1], "conv-a")
        second = store.record_answer("second in a", [2, 3], "conv-a")
        store.record_answer("in b", [4], "conv-b")
        store.record_answer("in a group", [5])
        last = store.last_answer("conv-a", before)
        assert (last.id, last.question, last.passages) == (second, "second in a", [2, 3])
        assert store.last_answer("conv-b", before).question == "in b"
        assert store.last_answer("conv-c", before) is None
        assert store.last_answer("conv-a", dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)) is None  # too old
        store.forget_feedback(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
        assert store.last_answer("conv-a", before) is None
    finally:
        store.close()


def test_forgetting_keeps_what_is_newer(tmp_path, tiny_corpus, fake_embedder):
    build_index(tiny_corpus, tmp_path / "i.db", fake_embedder)
    store = open_store(tmp_path / "i.db")
    old = store.record_answer("old", [1])
    store.vote(old, "v", 0, UP)
    cutoff = dt.datetime.now(dt.UTC)
    new = store.record_answer("new", [2])
    store.vote(new, "v", 0, DOWN)
    assert store.forget_feedback(cutoff) == 1
    assert [v.answer.question for v in store.votes()] == ["new"]
    store.close()


# --- votes through Feedback -----------------------------------------------------------------------------


def test_buttons_are_signed_and_bad_votes_change_nothing(fake_core, tiny_corpus, fake_embedder):
    feedback = fake_core.feedback
    answer = fake_core.ask(SHRIMP)
    token = feedback.shown(answer)
    alice, bob = feedback.voter("telegram", 1001), feedback.voter("telegram", 1002)
    assert "1001" not in alice and alice != bob and alice == feedback.voter("telegram", 1001)
    assert alice != feedback.voter("discord", 1001)

    assert feedback.vote(token, alice, 0, UP) == THANKS[UP]
    assert feedback.vote(token, bob, 0, DOWN) == THANKS[DOWN]
    assert feedback.vote(token, bob, 0, UP) == THANKS[UP]  # Bob changed his mind
    n, signature = token.split(".")
    forged = [f"{int(n) + 1}.{signature}", f"{n}.AAAAAAAAAA", "garbage", "", f"{n}.{signature}x"]
    for bad in forged:
        assert feedback.vote(bad, alice, 0, DOWN) == FORGED
    assert feedback.vote(token, alice, 7, DOWN) == FORGED  # a result the answer never had
    assert feedback.vote(token, alice, 0, 5) == FORGED
    other_key = Feedback(fake_core.retriever.store, b"another key entirely")
    assert other_key.vote(token, alice, 0, DOWN) == FORGED  # a button signed by another bot
    unknown = feedback.token(10**9)  # signed, but no such answer
    assert feedback.vote(unknown, alice, 0, DOWN) == UNKNOWN
    # What a reply to the answer follows up: its question and what it quoted, for a genuine button only.
    shown = feedback.answer_shown(token)
    assert shown.question == SHRIMP and shown.passages == [r.passage_id for r in answer.results]
    assert [feedback.answer_shown(bad) for bad in [*forged, unknown]] == [None] * (len(forged) + 1)
    assert other_key.answer_shown(token) is None
    votes = fake_core.retriever.store.votes()
    assert sorted((v.voter, v.value) for v in votes) == sorted([(alice, UP), (bob, UP)])

    # The quoted article changes: its passages are gone, so a vote on it is refused...
    quoted = answer.results[0].article
    path = next(p for p in tiny_corpus.iterdir() if p.stem == quoted)
    path.write_text(path.read_text() + "Sebuah paragraf baru tentang kebijakan perikanan nasional tahun depan.\n")
    build_index(tiny_corpus, fake_core.settings.index_path, fake_embedder)
    assert feedback.vote(token, feedback.voter("telegram", 1003), 0, UP) == GONE
    # ...while the votes already given still count, marked as on passages no longer in the index.
    report = feedback.report()
    assert (report.answers, report.voted, report.up, report.down, report.stale) == (1, 1, 2, 0, 2)


def test_an_answer_that_cannot_be_remembered_still_goes_out_without_buttons(fake_core, monkeypatch, caplog):
    from newsbot.index.errors import IndexUnwritable

    def refuse(*args):
        raise IndexUnwritable("cannot write the index (read-only)")

    monkeypatch.setattr(fake_core.retriever.store, "record_answer", refuse)
    assert fake_core.feedback.shown(fake_core.ask(SHRIMP)) is None
    assert "could not remember an answer" in caplog.text
    assert fake_core.feedback.shown(fake_core.ask("Siapa pemenang Piala Dunia sepak bola?")) is None


def test_the_key_is_made_once_and_kept_private(tmp_path):
    key = load_key(None, tmp_path / "state")
    assert load_key(None, tmp_path / "state") == key and len(key) == 32
    assert (tmp_path / "state" / "feedback.key").stat().st_mode & 0o077 == 0
    assert load_key("a configured key of some length", tmp_path / "state") == b"a configured key of some length"


def test_a_refusal_can_be_voted_on_and_is_never_exported(fake_core, tmp_path):
    feedback = fake_core.feedback
    refusal = fake_core.ask("Siapa pemenang Piala Dunia sepak bola?")
    token = feedback.shown(refusal)
    assert not refusal.answered and token is not None
    assert feedback.vote(token, feedback.voter("telegram", 1), 1, DOWN) == FORGED  # a refusal has one "result"
    assert feedback.vote(token, feedback.voter("telegram", 1), 0, DOWN) == THANKS[DOWN]
    assert feedback.vote(token, feedback.voter("telegram", 2), 0, UP) == THANKS[UP]
    report = feedback.report()
    assert (report.up, report.down, report.stale) == (1, 1, 0)
    assert report.worst == [("Siapa pemenang Piala Dunia sepak bola?", 1, 1)]
    assert feedback.export(tmp_path / "liked.jsonl") == 0


def test_report_lists_the_most_downvoted_questions(fake_core):
    feedback = fake_core.feedback
    for question, votes in (("katak hijau di Kalimantan", [DOWN, DOWN, UP]), (SHRIMP, [UP]),
                            ("Gunung Merapi awan panas", [DOWN])):
        token = feedback.shown(fake_core.ask(question))
        for n, value in enumerate(votes):
            feedback.vote(token, feedback.voter("discord", n), 0, value)
    report = feedback.report()
    assert (report.answers, report.voted, report.up, report.down) == (3, 3, 2, 3)
    assert report.worst == [("katak hijau di Kalimantan", 2, 1), ("Gunung Merapi awan panas", 1, 0)]


def test_liked_answers_export_as_eval_questions_that_the_bot_gets_right(fake_core, tmp_path):
    feedback = fake_core.feedback
    liked = feedback.shown(fake_core.ask(SHRIMP))
    feedback.vote(liked, feedback.voter("telegram", 1), 0, UP)
    feedback.vote(liked, feedback.voter("telegram", 2), 0, UP)
    disliked = feedback.shown(fake_core.ask("katak hijau di Kalimantan"))
    feedback.vote(disliked, feedback.voter("telegram", 1), 0, DOWN)
    out = tmp_path / "out" / "liked.jsonl"
    assert feedback.export(out) == 1
    [line] = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert line["q"] == SHRIMP and line["lang"] in ("id", "xx") and line["note"] == "liked 2 time(s) in chat"
    passage = fake_core.ask(SHRIMP).results[0].passage
    assert all(g in passage for g in line["gold"])
    assert line["asked"] == dt.date.today().isoformat()  # what "kemarin" in it would have meant
    cases = load_cases(out)
    report = evaluate(fake_core, cases, k=3)
    assert report.overall.hit_at_1 == 1.0


def test_a_liked_answer_to_a_news_only_question_is_not_exported(fake_core, tmp_path):
    """"Apa berita terbaru?" was answered with whatever was newest that day: no later index can be
    judged on it, so it never becomes an evaluation question."""
    feedback = fake_core.feedback
    for question in ("Apa berita terbaru?", "berita oktober 2023", SHRIMP):
        answer = fake_core.ask(question)
        assert answer.answered, question
        feedback.vote(feedback.shown(answer), feedback.voter("telegram", 1), 0, UP)
    assert feedback.export(tmp_path / "liked.jsonl") == 1
    assert json.loads((tmp_path / "liked.jsonl").read_text(encoding="utf-8"))["q"] == SHRIMP


# --- the terminal ---------------------------------------------------------------------------------------


def test_good_and_bad_in_chat_then_the_feedback_command(run, tmp_path):
    chat = run("chat", input=f"/good 1\n{SHRIMP}\n/good 1\n/bad 1\n/good 9\n/bad x\n")
    assert chat.exit_code == 0, chat.output
    lines = chat.output.splitlines()
    assert "Ask a question first; then /good N names result N of its answer." in lines
    assert THANKS[UP] in lines and THANKS[DOWN] in lines
    assert sum(1 for line in lines if "takes a result number from 1 to" in line) == 2

    totals = run("feedback")
    assert totals.exit_code == 0
    assert totals.output.splitlines()[0] == "1 answers shown, 1 with votes: 0 👍, 1 👎"  # the vote was changed
    assert f"  1 👎   0 👍  {SHRIMP}" in totals.output

    run("chat", input=f"{SHRIMP}\n/good 1\n")
    exported = run("feedback", "--export", str(tmp_path / "liked.jsonl"))
    assert exported.output.startswith("Wrote 1 liked question to ")
    assert json.loads((tmp_path / "liked.jsonl").read_text())["q"] == SHRIMP

    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    forgot = run("feedback", "--forget-before", tomorrow)
    assert forgot.output.startswith("Forgot 2 answers shown before")
    assert run("feedback").output.splitlines()[0] == "0 answers shown, 0 with votes: 0 👍, 0 👎"
    bad = CliRunner().invoke(cli, ["--env-file", str(tmp_path / "no.env"), "feedback", "--forget-before", "yesterday"])
    assert bad.exit_code == 2 and "'yesterday' does not match the format" in bad.output


def test_feedback_on_a_missing_index_is_one_line(run, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBOT_INDEX", str(tmp_path / "none.db"))
    result = CliRunner().invoke(cli, ["--env-file", str(tmp_path / "no.env"), "feedback"])
    assert result.exit_code == 1 and "no index at" in result.output


def test_settings_check_the_feedback_key_and_follow_limits():
    from newsbot.bot.config import ConfigError, Settings

    with pytest.raises(ConfigError, match="at least 16 characters"):
        Settings.from_env({"NEWSBOT_FEEDBACK_KEY": "short"}, env_file=None)
    with pytest.raises(ConfigError, match="NEWSBOT_FOLLOW_EVERY"):
        Settings.from_env({"NEWSBOT_FOLLOW_EVERY": "0"}, env_file=None)
    settings = Settings.from_env({"NEWSBOT_FOLLOW_PER_DAY": "2", "NEWSBOT_FOLLOW_ADMINS_ONLY": "yes"}, env_file=None)
    assert (settings.follow_per_day, settings.follow_admins_only) == (2, True)
    assert "x" * 20 not in repr(dataclasses.replace(settings, feedback_key="x" * 20))  # a secret
