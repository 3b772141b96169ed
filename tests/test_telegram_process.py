"""`newsbot telegram` as a user runs it: a real process with the real default embedder on the seeds,
polling the fake Bot API server, answering, and shutting down cleanly on SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys

import pytest

from .fake_telegram import TOKEN, FakeTelegram, message

pytestmark = pytest.mark.model


def bot_env(seed_settings, api: FakeTelegram, token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NEWSBOT_"))}
    env.update(NEWSBOT_INDEX=str(seed_settings.index_path), NEWSBOT_CORPUS=str(seed_settings.corpus),
               TELEGRAM_BOT_TOKEN=token, TELEGRAM_BASE_URL=api.url)
    return env


@contextlib.asynccontextmanager
async def bot_process(*args: str, **kwargs):
    """`newsbot ARGS…` running, its output piped; killed on the way out if it has not ended by then."""
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "newsbot.bot", *args, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.PIPE, **kwargs)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def sigterm(process) -> int:
    """Stop the process as systemd or docker stop does; its exit code."""
    process.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(process.wait(), 30)


async def test_newsbot_telegram_answers_and_stops_on_sigterm(api, seed_settings, tmp_path):
    async with bot_process("telegram", cwd=tmp_path, env=bot_env(seed_settings, api, TOKEN)) as process:
        await api.wait_for("setMyCommands", timeout=60)
        await api.push(message("Di mana Kim dan Putin bertemu?"))
        [reply] = await api.wait_for("sendMessage", timeout=30)
        assert reply["text"].startswith(
            "<blockquote>“Kim dan Putin bertemu untuk pertama kalinya dalam lebih dari empat tahun di pusat "
            "peluncuran roket ruang angkasa Vostochny Cosmodrome di wilayah Timur Jauh Rusia.”</blockquote>\n"
            "<b>ANTARA</b> · 14 Sep 2023 · via Kyodo-OANA")
        code = await sigterm(process)
    log = (await process.stderr.read()).decode()
    assert code == 0, log
    assert "Telegram bot @newsbot_test_bot ready: 5 articles" in log
    assert "Telegram bot stopped" in log
    assert TOKEN not in log


async def test_a_token_telegram_rejects_is_one_line(api, seed_settings, tmp_path):
    wrong = "987654321:AAHthisTokenWasRevokedLongAgo_0123456"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "newsbot.bot", "telegram", cwd=tmp_path, env=bot_env(seed_settings, api, wrong),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), 60)
    lines = err.decode().strip().splitlines()
    assert process.returncode == 1
    assert lines[-1] == "Error: Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?); get the current one " \
                        "from @BotFather"
    assert "Traceback" not in err.decode()
    assert wrong not in err.decode()


async def test_a_bad_request_while_starting_is_one_line_without_the_token(api, seed_settings, tmp_path):
    # The audit's case: Telegram lower-cases parts of its error texts, and a "Bad Request" carrying the
    # token that way reached stderr (scrubbing was case-sensitive).
    api.fail("setMyCommands", 400, description=f"Bad Request: can't parse bot{TOKEN.lower()} commands")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "newsbot.bot", "telegram", cwd=tmp_path, env=bot_env(seed_settings, api, TOKEN),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), 90)
    text = err.decode()
    assert process.returncode == 1, text
    assert text.strip().splitlines()[-1].startswith("Error: Telegram refused a request while starting: Can't parse bot[redacted]")
    assert "Traceback" not in text
    assert TOKEN.lower() not in text.lower()


async def test_newsbot_telegram_watch_answers_from_a_feed_article_without_a_restart(api, seed_settings, tmp_path):
    import shutil

    from .newssite import NewsServer, Route, Story, feed, page

    index = tmp_path / "index.db"
    shutil.copy(seed_settings.index_path, index)  # the shared seed index stays as it is
    story = Story("kopi", "Harga kopi naik", "Kabar Kopi", __import__("datetime").date(2024, 3, 1), [
        "Harga kopi robusta di Lampung naik menjadi Rp60.000 per kilogram karena panen yang gagal, kata petani.",
        "Para pedagang di Bandar Lampung menyebut pasokan turun hampir separuh dibanding tahun lalu.",
        "Pemerintah daerah berjanji membantu petani dengan bibit baru dan pupuk bersubsidi mulai bulan depan."])
    with NewsServer() as site:
        site.routes[story.path()] = Route(page(story, site.base))
        site.routes["/rss"] = Route(feed([story], site.base, full=False), content_type="application/rss+xml")
        (tmp_path / "feeds.toml").write_text(f'[[feed]]\nurl = "{site.base}/rss"\n', encoding="utf-8")
        env = bot_env(seed_settings, api, TOKEN)
        env.update(NEWSBOT_INDEX=str(index), NEWSBOT_FEEDS=str(tmp_path / "feeds.toml"),
                   NEWSBOT_ALLOW_PRIVATE_URLS="1", NEWSBOT_FETCH_DELAY="0")
        log = []
        async with bot_process("telegram", "--watch", cwd=tmp_path, env=env) as process:
            async def watched() -> None:
                while not any("watch: 1 added" in line for line in log):
                    line = await process.stderr.readline()
                    assert line, "the bot ended: " + "".join(log)
                    log.append(line.decode())
            await asyncio.wait_for(watched(), 90)
            await api.push(message("Berapa harga kopi robusta di Lampung?"))
            [reply] = await api.wait_for("sendMessage", timeout=30)
            assert reply["text"].startswith("<blockquote>“Harga kopi robusta di Lampung naik menjadi Rp60.000")
            assert "<b>Kabar Kopi</b> · 1 Mar 2024" in reply["text"]
            code = await sigterm(process)
    assert code == 0, "".join(log)
