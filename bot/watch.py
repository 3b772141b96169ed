"""Staying current: read the feeds every few minutes and index what is new or changed.

`newsbot watch` runs this loop alone; `newsbot telegram --watch` and `newsbot discord --watch` run it
on a thread beside the bot. The bot needs no restart: each commit bumps the index's version and the
retriever loads the new version on the next question. A failed run (the network down, a disk full) is
logged and the loop goes on; the next run picks up what this one missed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..index.build import IndexReport, Progress, update_feeds
from ..index.embed import Embedder
from ..index.errors import NewsbotError
from ..index.feeds import FeedList, load_feeds
from ..index.fetch import Fetcher

from .config import ConfigError, Settings

log = logging.getLogger("newsbot.watch")


def make_fetcher(settings: Settings) -> Fetcher:
    """A fetcher as the settings ask: the bot's URL in its user agent, its per-host delay, private addresses."""
    return Fetcher(bot_url=settings.bot_url, allow_private=settings.allow_private_urls, host_delay=settings.fetch_delay)


def feed_list(settings: Settings, path: Path | None = None) -> tuple[FeedList, Path]:
    """The feed list named by an option, else by NEWSBOT_FEEDS; ConfigError when there is none."""
    path = path or settings.feeds
    if path is None:
        raise ConfigError("no feed list: give --feeds feeds.toml or set NEWSBOT_FEEDS")
    return load_feeds(path), path


class Watcher:
    """Runs the feeds through the indexer every `every` minutes until stopped."""

    def __init__(self, settings: Settings, embedder: Embedder, feeds: FeedList, label: str = "feeds",
                 every: float | None = None, on_report: Callable[[IndexReport], None] | None = None,
                 progress: Progress | None = None):
        self.settings, self.embedder, self.feeds, self.label = settings, embedder, feeds, label
        self.every = every if every is not None else feeds.every
        self.on_report, self.progress = on_report, progress
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> IndexReport | None:
        """One pass over the feeds; None when it failed (logged)."""
        try:
            with make_fetcher(self.settings) as fetcher:
                report = update_feeds(self.feeds, self.settings.index_path, self.embedder, fetcher,
                                      progress=self.progress, label=self.label)
        except NewsbotError as exc:
            log.error("watch: reading the feeds failed: %s", exc)
            return None
        except Exception:  # a watcher beside a bot must never take the bot down
            log.exception("watch: reading the feeds failed")
            return None
        log.info("watch: %d added, %d updated, %d unchanged, %d skipped (%s); %d articles in the index",
                 len(report.added), len(report.updated), report.unchanged, len(report.skipped),
                 ", ".join(f"{n} {k}" for k, n in report.skip_kinds.most_common()) or "none", report.articles)
        if self.on_report:
            self.on_report(report)
        return report

    def run(self, runs: int | None = None) -> None:
        """Run now and then every `every` minutes, until stop() (or `runs` passes)."""
        done = 0
        while not self._stop.is_set():
            started = time.monotonic()
            self.run_once()
            done += 1
            if runs is not None and done >= runs:
                return
            self._stop.wait(max(0.0, self.every * 60 - (time.monotonic() - started)))

    def start(self) -> Watcher:
        """Run the loop on a daemon thread (beside a bot)."""
        self._thread = threading.Thread(target=self.run, name="newsbot-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 30.0) -> None:
        """Ask the loop to end and wait for a run in progress to finish (it commits or rolls back whole)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
