"""The shared command layer: parsing, what counts as work, and where the bots run commands."""

import asyncio
import threading

from newsbot.bot.commands import Workers, parse, searches, whole_corpus


def test_what_counts_as_work_and_what_reads_the_whole_corpus():
    assert [searches(parse(t)) for t in ("/help", "/ask", "/ask kim", "kim", "/timeline", "/sources")] == \
        [False, False, True, True, True, True]
    assert [whole_corpus(parse(t)) for t in ("/timeline", "/timeline kim", "/sources", "/sources kim", "kim")] == \
        [True, True, True, False, False]


async def test_a_question_is_not_kept_waiting_by_timelines(fake_core):
    # The audit's case: timelines within the rate limit made another user's question wait 16 s.
    workers = Workers(questions=2)
    release = threading.Event()
    try:
        busy = workers.corpus.submit(release.wait, 30)  # a long timeline holds the corpus worker
        reply = await asyncio.wait_for(workers.reply(fake_core, parse("ekspor udang naik")), timeout=5)
        assert reply.answered
        help_reply = await asyncio.wait_for(workers.reply(fake_core, parse("/help")), timeout=1)
        assert help_reply.__class__.__name__ == "HelpReply"
    finally:
        release.set()
        busy.result()
        workers.shutdown()
