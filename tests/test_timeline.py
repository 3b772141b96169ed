"""Timelines: order, precision, topic filter, duplicates across outlets, rendering, CLI JSON."""

import dataclasses
import datetime as dt
import json

import pytest
from click.testing import CliRunner

from newsbot.bot.answer import Source
from newsbot.bot.cli import cli
from newsbot.bot.commands import TimelineReply
from newsbot.bot.render import render
from newsbot.bot.timeline import Event, merge_duplicates, passage_events
from newsbot.index.dates import sentence_dates
from newsbot.index.model import Article, Mention, Passage

from .conftest import DEV_SET


def article(name, outlet, published):
    return Article(article=name, outlet=outlet, published=published, published_from="text", wires=[],
                         title=None, url=None, language="id", note=None)


def test_tiny_corpus_timeline_is_chronological_and_merges_the_shared_report(fake_core):
    events = fake_core.timeline()
    assert [(e.date, e.precision, e.outlet, e.article, e.also_reported_by) for e in events] == [
        ("2023", "year", "ANTARA", "a_antara", ["TEMPO.CO"]),  # "tahun ini" in both: one event
        ("2023-10-02", "day", "ANTARA", "a_antara", []),  # "pada Senin (2/10)"
        ("2023-10-03", "day", "TEMPO.CO", "b_tempo", []),  # "pada Selasa, 3 Oktober 2023"
    ]
    assert events[1].quote == ("Menteri Perikanan mengumumkan pada Senin (2/10) bahwa ekspor udang naik dua "
                               "puluh persen tahun ini.")
    assert [s.article for s in events[0].also_reported_in] == ["b_tempo"]


def test_events_of_a_passage_keep_precision_and_skip_undated_articles_and_questions():
    passage = Passage(1, "a", 0, "x", ["Pada Rabu (13/9) Kim tiba.", "Perang dimulai tahun lalu.", "Tanpa tanggal.",
                                       "Lantas, apa saja aturan baru pada 2023?"])

    def events_of(published):
        # The dates as the indexer stores them, one sentence naming one date twice kept once.
        mentions = [Mention(1, *found) for found in sentence_dates(passage.sentences, published)]
        return [e for _, e in passage_events(passage, article("a", "ANTARA", published), mentions + mentions)]

    assert [(e.date, e.precision, e.quote) for e in events_of(dt.date(2023, 9, 14))] == [
        ("2023-09-13", "day", "Pada Rabu (13/9) Kim tiba."),
        ("2022", "year", "Perang dimulai tahun lalu."),
    ]
    assert events_of(None) == []


def test_same_event_in_two_outlets_is_one_event():
    quote = "“Di akhir resepsi, Kim Jong Un dengan sopan mengundang Putin untuk mengunjungi DPRK pada waktu yang tepat,”"
    a = Event("2023-09-14", "day", quote + " kata KCNA pada Kamis.", "TEMPO.CO", "t", "2023-09-14")
    b = Event("2023-09-14", "day", quote + " KCNA mengumumkan Kamis.", "Fox News", "f", "2023-09-14")
    c = Event("2023-09-13", "day", quote + " KCNA mengumumkan Rabu.", "ANTARA", "x", "2023-09-14")
    assert merge_duplicates([a, b, c]) == [
        dataclasses.replace(a, also_reported_by=["Fox News"], also_reported_in=[Source("Fox News", "f", "2023-09-14")]),
        c,
    ]


def test_render_timeline_and_empty_topic():
    event = Event("2024-10", "month", "Sejak Oktober lalu, Korea Utara mengirim tentara.", "ANTARA", "a", "2025-09-04",
                  ["TEMPO.CO"])
    assert render(TimelineReply(None, [event])) == (
        "2024-10     “Sejak Oktober lalu, Korea Utara mengirim tentara.”\n"
        "            — ANTARA; also reported by TEMPO.CO")
    assert render(TimelineReply("sepak bola", [])) == "I found no dated events about sepak bola in my sources."


def test_topic_timeline_only_keeps_events_about_the_topic(fake_core):
    events = fake_core.timeline("ekspor udang")
    assert events and all("udang" in e.quote for e in events)
    assert fake_core.timeline("piala dunia sepak bola") == []


def test_a_time_in_the_topic_keeps_the_events_of_that_time(fake_core):
    # "tahun ini" (2023, a year) meets October 2023 as the two days of October do; nothing is of 2019
    assert [e.date for e in fake_core.timeline("ekspor udang Oktober 2023")] == ["2023", "2023-10-02", "2023-10-03"]
    assert [e.date for e in fake_core.timeline("ekspor udang 3 Oktober 2023")] == ["2023", "2023-10-03"]
    assert fake_core.timeline("ekspor udang pada 2019") == []


@pytest.mark.model
def test_seed_timeline_has_every_dev_event_with_the_right_date(seed_core):
    events = seed_core.timeline()
    expected = json.loads((DEV_SET.parent / "timeline_dev.json").read_text()) if DEV_SET.exists() else []
    for item in expected:
        assert any(e.date == item["date"] and any(s in e.quote for s in item["any"]) for e in events), item
    assert [e.date for e in events] == sorted((e.date for e in events), key=lambda d: d.ljust(10, "-"))
    years = {e.article: e.published[:4] for e in events}
    for e in events:  # no event carries a year its article could not have reported
        assert e.date[:4] <= years[e.article]


@pytest.mark.model
@pytest.mark.parametrize("topic", ["sepak bola", "world cup", "harga emas", "gempa"])
def test_a_topic_the_seeds_do_not_cover_has_no_timeline(seed_core, topic):
    """Before, "/timeline sepak bola" listed every dated Kim-Putin event it came near ("sepak" is one
    letter from "sejak"): a topic whose nearest passage is only "closest I found" has none."""
    assert seed_core.timeline(topic) == []


@pytest.mark.parametrize("topic", ["Kim Putin 2025", "Vostochny", "North Korean troops", "kerja sama militer"])
def test_a_topic_the_seeds_cover_has_its_events(seed_core, topic):
    assert seed_core.timeline(topic)


def test_timeline_json_cli(seed_settings, monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSBOT_INDEX", str(seed_settings.index_path))
    result = CliRunner().invoke(cli, ["--env-file", str(tmp_path / "none"), "timeline", "--json", "pasukan Korea Utara ke Rusia"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"date", "precision", "quote", "outlet", "article", "also_reported_by"} <= set(data[0])
    assert ("2024-10", "month", "ANTARA") in [(e["date"], e["precision"], e["outlet"]) for e in data]


def test_the_whole_corpus_timeline_is_worked_out_once_per_index_version(fake_core, fake_settings, fake_embedder,
                                                                          monkeypatch):
    # The audit's case: /timeline recomputed the whole corpus each time (15 s at 20k passages).
    from newsbot.bot import timeline as timeline_module
    from newsbot.index.build import build_index

    calls = []
    real = timeline_module.passage_events
    monkeypatch.setattr(timeline_module, "passage_events", lambda p, a, m: calls.append(p.id) or real(p, a, m))
    first = fake_core.timeline()
    worked = len(calls)
    assert worked == len({m.passage for m in fake_core.retriever.store.mentions()})
    assert fake_core.timeline() == first and fake_core.timeline() == first
    assert len(calls) == worked  # asked again: nothing worked out again
    (fake_settings.corpus / "d_new.txt").write_text("Pada 5 Januari 2024 harimau sumatra terlihat di Riau.\n")
    build_index(fake_settings.corpus, fake_settings.index_path, fake_embedder)
    after = fake_core.timeline()
    assert len(calls) > worked and any(e.date == "2024-01-05" for e in after)


def test_merging_duplicates_is_not_quadratic():
    # The audit's case: 2k events took 0.1 s, 16k took 9.7 s (every event compared with every other).
    import time

    def events(n):
        return [Event(date=f"{1000 + i // 3:04d}-01-01", precision="day", quote=f"Peristiwa nomor {i} terjadi di kota {i}.",
                      outlet="ANTARA", article=f"a{i % 7}", published=None) for i in range(n)]

    def seconds(n):
        batch = events(n)
        started = time.perf_counter()
        merge_duplicates(batch)
        return time.perf_counter() - started

    small, large = min(seconds(2000) for _ in range(3)), min(seconds(8000) for _ in range(3))
    assert large < 8 * small + 0.05, (small, large)
