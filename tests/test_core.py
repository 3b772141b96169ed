"""The core every front end calls: opening (and first-use building), asking, listing what was read."""

import pytest

from newsbot.bot.config import Settings
from newsbot.bot.core import NewsCore, ensure_index, open_core
from newsbot.index.errors import CorpusError


def test_open_core_builds_the_index_on_first_use_only(tmp_path, tiny_corpus, fake_embedder):
    settings = Settings(index_path=tmp_path / "i.db", corpus=tiny_corpus)
    core, report = open_core(settings, fake_embedder)
    assert report is not None and sorted(report.added) == ["a_antara", "b_tempo", "c_unknown"]
    core.close()
    core, report = open_core(settings, fake_embedder)
    assert report is None
    assert core.ask("ekspor udang naik").answered
    core.close()


def test_no_index_and_no_corpus_is_one_clear_error(tmp_path, fake_embedder):
    settings = Settings(index_path=tmp_path / "i.db", corpus=tmp_path / "nowhere")
    with pytest.raises(CorpusError, match="no index at .* and no corpus folder .*run: newsbot index FOLDER"):
        ensure_index(settings, fake_embedder)


def test_articles_are_listed_once_by_outlet_then_date_with_a_title(fake_core):
    infos = fake_core.articles()
    assert [(i.outlet, i.published, i.article) for i in infos] == [
        ("ANTARA", "2023-10-02", "a_antara"), ("TEMPO.CO", "2023-10-03", "b_tempo"), (None, None, "c_unknown")]
    antara = infos[0]
    assert antara.wire == "Reuters" and antara.passages == 2
    assert antara.title.startswith("Menteri Perikanan mengumumkan")  # no title: its first sentence


def test_the_core_is_a_context_manager(fake_core, fake_settings, fake_embedder):
    with NewsCore(fake_settings, fake_embedder) as core:  # fake_core built the index
        assert core.carriers("ekspor udang naik dua puluh persen").answered
