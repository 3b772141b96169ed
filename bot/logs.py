"""Logging for the long-running bots: one format, quiet HTTP clients, and secrets scrubbed from every record.

python-telegram-bot puts the bot token in every request URL, and httpx logs those URLs at INFO; a
traceback can carry one too. Scrubbing happens when a record is created, so it covers every logger
and handler, including ones added later (pytest's, a user's file handler).
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable, Iterable

REDACTED = "[redacted]"
# Loggers that print a line per HTTP request (with the token in the URL) at INFO.
CHATTY = ("httpx", "httpcore", "aiohttp.access")


def _pattern(secrets: Iterable[str | None]) -> re.Pattern | None:
    found = sorted({s for s in secrets if s}, key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in found), re.IGNORECASE) if found else None


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """The text with each secret, in any case, replaced by [redacted] (for messages that are not logs)."""
    pattern = _pattern(secrets)
    return pattern.sub(REDACTED, text) if pattern else text


def scrub_secrets(secrets: Iterable[str | None]) -> Callable[[], None]:
    """Replace each secret with [redacted] in every log record's message and traceback; returns an undo."""
    previous = logging.getLogRecordFactory()
    # Case-insensitively: an API's error message may have lower-cased the text that held the token
    # (Telegram's "Bad Request: chat not found" style messages do).
    pattern = _pattern(secrets)
    if pattern is None:
        return lambda: None

    def scrub(text: str) -> str:
        return pattern.sub(REDACTED, text)

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's business, not ours
            return record
        if pattern.search(message):
            record.msg, record.args = scrub(message), None
        if record.exc_info and record.exc_info[1] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            if pattern.search(text):
                record.exc_text = scrub(text)  # formatters use exc_text when it is set
        return record

    logging.setLogRecordFactory(factory)
    return lambda: logging.setLogRecordFactory(previous)


def setup_logging(secrets: Iterable[str | None], level: int = logging.INFO) -> Callable[[], None]:
    """Log to stderr with timestamps, silence per-request HTTP lines, scrub secrets; returns an undo."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)
    return scrub_secrets(secrets)
