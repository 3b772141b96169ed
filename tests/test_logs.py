"""Secrets scrubbed from every log record, whatever the case they come back in."""

import logging

from newsbot.bot.logs import REDACTED, scrub_secrets

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_a_token_is_scrubbed_from_messages_and_tracebacks_in_any_case(caplog):
    undo = scrub_secrets([TOKEN, None, ""])
    try:
        log = logging.getLogger("newsbot.test")
        with caplog.at_level(logging.INFO):
            log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
            # Telegram lower-cases parts of its error texts: "Bad Request" carried the token that way.
            log.warning("Bad Request: chat not found in /bot%s/sendMessage", TOKEN.lower())
            log.warning("shouting %s", TOKEN.upper())
            try:
                raise RuntimeError(f"failed for {TOKEN.lower()}")
            except RuntimeError:
                log.exception("boom")
        text = caplog.text
        assert TOKEN.lower() not in text.lower()
        assert text.count(REDACTED) >= 4
    finally:
        undo()


def test_redact_for_messages_that_are_not_logs():
    from newsbot.bot.logs import redact

    assert redact(f"Bad Request: bot{TOKEN.lower()} not found", [TOKEN]) == f"Bad Request: bot{REDACTED} not found"
    assert redact("nothing secret", [None, ""]) == "nothing secret"
