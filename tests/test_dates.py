"""Dates stated or implied in news sentences, resolved against the publication date, precision kept."""

import datetime as dt

import pytest

from newsbot.index.dates import date_mentions, states_count, states_time
from newsbot.index.terms import Quantity

THU = dt.date(2023, 9, 14)  # a Thursday


@pytest.mark.parametrize(
    "sentence, published, expected",
    [
        # absolute
        ("pada Kamis, 14 September 2023, dan", THU, [("Kamis, 14 September 2023", "2023-09-14", "day")]),
        ("on Thursday, September 14, 2023", THU, [("Thursday, September 14, 2023", "2023-09-14", "day")]),
        ("pada Rabu (13/9/2023) di Timur Jauh", THU, [("Rabu (13/9/2023)", "2023-09-13", "day")]),
        ("ditandatangani 13/9/2023", None, [("13/9/2023", "2023-09-13", "day")]),
        ("Kim Jong Un 2023. 9. 13", None, [("2023. 9. 13", "2023-09-13", "day")]),
        ("pada September 2023", None, [("September 2023", "2023-09", "month")]),
        ("sejak 2019 hubungan memburuk", None, [("sejak 2019", "2019", "year")]),
        # year from the article
        ("melaporkan pada 4 September, mengutip", THU, [("4 September", "2023-09-04", "day")]),
        ("pada 20 Desember lalu", dt.date(2024, 1, 5), [("20 Desember", "2023-12-20", "day")]),
        # day-of-week forms: the most recent such weekday on or before publication, or the stated day/month
        ("acara pada Rabu (13/9) untuk menyambut", THU, [("Rabu (13/9)", "2023-09-13", "day")]),
        ("bertemu di Vostochny pada hari Rabu.", THU, [("Rabu", "2023-09-13", "day")]),
        ("Kim tiba pada Selasa pagi dengan kereta", THU, [("Selasa pagi", "2023-09-12", "day")]),
        ("KCNA mengumumkan Kamis, menurut", THU, [("Kamis", "2023-09-14", "day")]),
        ("the Kremlin said on Monday", THU, [("Monday", "2023-09-11", "day")]),
        # relative, at their precision
        ("kata menteri kemarin", THU, [("kemarin", "2023-09-13", "day")]),
        ("di Ukraina tahun lalu dan", THU, [("tahun lalu", "2022", "year")]),
        ("harga naik bulan lalu", dt.date(2024, 1, 10), [("bulan lalu", "2023-12", "month")]),
        ("Sejak Oktober lalu, Korea Utara", dt.date(2025, 9, 4), [("Oktober lalu", "2024-10", "month")]),
        ("sejak Maret lalu", dt.date(2025, 9, 4), [("Maret lalu", "2025-03", "month")]),
        # n units ago, not last year or last month read inside them; chat "tahun kemarin" is last year
        ("mulai mengirim pasukan dua tahun lalu", THU, [("dua tahun lalu", "2021", "year")]),
        ("terjadi 18 bulan lalu", THU, [("18 bulan lalu", "2022-03", "month")]),
        ("Kim tiba tiga hari yang lalu", THU, [("tiga hari yang lalu", "2023-09-11", "day")]),
        ("setahun lalu", THU, [("setahun lalu", "2022", "year")]),
        ("he said two years ago", THU, [("two years ago", "2021", "year")]),
        ("harga naik tahun kemarin", THU, [("tahun kemarin", "2022", "year")]),
        ("kemarin lusa ia tiba", THU, [("kemarin lusa", "2023-09-12", "day")]),
        ("minggu kemarin ia tiba", THU, []),  # a week has no day, month or year to give, and is not yesterday
        # durations and look-alikes are not dates
        ("bertemu pertama kalinya dalam lebih dari empat tahun", THU, []),
        ("dalam lebih dari 18 bulan perang", THU, []),
        ("dua minggu lalu", THU, []),  # lower-case "minggu" is a week, not Sunday
        ("sekitar 13.000 tentara dan 2.000 pasukan", THU, []),
        ("the deal may hold", THU, []),
        # relative forms need a publication date; without one they are dropped, never invented
        ("pada Rabu (13/9) untuk menyambut", None, []),
        ("kemarin dan tahun lalu", None, []),
    ],
)
def test_date_mentions(sentence, published, expected):
    got = [(m.text, m.label(), m.precision) for m in date_mentions(sentence, published)]
    assert got == expected


def test_several_dates_in_one_sentence_in_order():
    got = [m.label() for m in date_mentions("Dari 1 Mei 2023 hingga kemarin, sejak 2020", dt.date(2023, 9, 14))]
    assert got == ["2023-05-01", "2023-09-13", "2020"]


@pytest.mark.parametrize("sentence, expected", [
    ("NYT melaporkan pada 4 September, mengutip pejabat", False), ("on September 4, 2023", False),
    ("Rabu (13/9/2023) di Timur Jauh", False), ("pukul 10.00 WIB", False), ("pada 2023", False),
    ("Sejak Oktober lalu, Korut mengirim 13.000 tentara", True), ("tambahan 6.000 prajurit", True),
    ("sekitar 40 detik", True), ("tiga satelit", True), ("lebih dari empat tahun", True),
    ("4 may be more", True),  # "may" written small is no month
    ("Kim dan Putin bertemu di Vostochny", False),
])
def test_states_count(sentence, expected):
    assert states_count(sentence) is expected


HOW_LONG, HOW_MUCH, MILLIONS = Quantity("duration"), Quantity("money"), Quantity("number", 1e6)


@pytest.mark.parametrize("sentence, asked, expected", [
    ("menjabat tangan Kim selama sekitar 40 detik", HOW_LONG, True), ("berlangsung sekitar dua jam", HOW_LONG, True),
    ("pertama kalinya dalam lebih dari empat tahun", HOW_LONG, True), ("Kim tinggal sehari di sana", HOW_LONG, True),
    ("talks lasted two hours", HOW_LONG, True), ("mengirim sekitar 13.000 tentara", HOW_LONG, False),
    ("NYT melaporkan pada 4 September 2023", HOW_LONG, False),
    ("Tarif visa baru USD 250.", HOW_MUCH, True), ("bantuan senilai Rp 5 triliun", HOW_MUCH, True),
    ("Harga kopi naik menjadi Rp60.000 per kilogram", HOW_MUCH, True), ("senilai US$2 miliar", HOW_MUCH, True),
    ("a $200 million loan", HOW_MUCH, True), ("perang yang berlangsung 18 bulan", HOW_MUCH, False),
    ("ekspor udang naik dua puluh persen", HOW_MUCH, False),
    ("sekitar 1,5 juta peluru artileri", MILLIONS, True), ("jutaan peluru", MILLIONS, True),
    ("2.000.000 peluru", MILLIONS, True), ("13.000 tentara", MILLIONS, False), ("3 million shells", MILLIONS, True),
    ("Kim dan Putin bertemu di Vostochny", HOW_LONG, False),
])
def test_states_count_of_the_kind_asked(sentence, asked, expected):
    assert states_count(sentence, asked) is expected


@pytest.mark.parametrize("sentence, expected", [
    ("Pertemuan itu berlangsung sehari setelah keduanya menghadiri parade", True),  # relative to an event
    ("Dua jam kemudian mereka berpisah", True), ("The talks ended two days later", True),
    ("Kim tiba pada Selasa pagi", True), ("sejak Oktober lalu", True), ("in May", True), ("pada 2023", True),
    ("pekan depan", True), ("next week", True), ("pukul 10.00 WIB", True),
    ("bertemu untuk pertama kalinya dalam lebih dari empat tahun", False),  # a duration says no when
    ("It may be soon", False), ("sekitar 13.000 tentara", False), ("minggu-minggu sulit", False),
])
def test_states_time(sentence, expected):
    assert states_time(sentence) is expected


def test_question_periods_years_months_and_relative_times():
    from newsbot.index.dates import question_periods

    today = dt.date(2026, 11, 21)
    spans = lambda q: [(p.start.isoformat(), p.end.isoformat()) for p in question_periods(q, today)]  # noqa: E731
    assert spans("Di kota mana Kim dan Putin bertemu pada 2025?") == [("2025-01-01", "2025-12-31")]
    assert spans("金正恩2025年说了什么") == [("2025-01-01", "2025-12-31")]
    assert spans("What happened in September 2023?") == [("2023-09-01", "2023-09-30")]
    assert spans("Apa yang terjadi bulan lalu?") == [("2026-10-01", "2026-10-31")]
    assert spans("kemarin ada apa") == [("2026-11-20", "2026-11-20")]
    assert spans("Apa kata Kim pada Rabu?") == []  # a bare weekday in a question is not a period
    assert spans("Berapa tentara dikirim?") == []


def test_question_periods_counted_back_from_today():
    from newsbot.index.dates import question_periods

    today = dt.date(2026, 11, 22)  # a Sunday
    spans = lambda q: [(p.text, p.start.isoformat(), p.end.isoformat()) for p in question_periods(q, today)]  # noqa: E731
    # n units ago: that whole year, month, week (Monday to Sunday) or day; not "last year" or "last month"
    assert spans("Kim ngomong apa 2 tahun lalu?") == [("2 tahun lalu", "2024-01-01", "2024-12-31")]
    assert spans("dua tahun yang lalu") == [("dua tahun yang lalu", "2024-01-01", "2024-12-31")]
    assert spans("two years ago") == [("two years ago", "2024-01-01", "2024-12-31")]
    assert spans("3 bulan lalu") == [("3 bulan lalu", "2026-08-01", "2026-08-31")]
    assert spans("setahun lalu") == [("setahun lalu", "2025-01-01", "2025-12-31")]
    assert spans("2 hari lalu") == [("2 hari lalu", "2026-11-20", "2026-11-20")]
    assert spans("kemarin lusa") == [("kemarin lusa", "2026-11-20", "2026-11-20")]
    # weeks
    assert spans("minggu lalu") == [("minggu lalu", "2026-11-09", "2026-11-15")]
    assert spans("pekan lalu") == [("pekan lalu", "2026-11-09", "2026-11-15")]
    assert spans("last week") == [("last week", "2026-11-09", "2026-11-15")]
    assert spans("seminggu lalu") == [("seminggu lalu", "2026-11-09", "2026-11-15")]
    assert spans("dua minggu yang lalu") == [("dua minggu yang lalu", "2026-11-02", "2026-11-08")]
    assert spans("pekan ini") == [("pekan ini", "2026-11-16", "2026-11-22")]
    # chat "tahun kemarin" is last year, not yesterday
    assert spans("tahun kemarin") == [("tahun kemarin", "2025-01-01", "2025-12-31")]
    assert spans("bulan kemarin") == [("bulan kemarin", "2026-10-01", "2026-10-31")]
    # the last n units, up to today
    assert spans("5 hari terakhir") == [("5 hari terakhir", "2026-11-17", "2026-11-22")]
    assert spans("in the past 3 days") == [("past 3 days", "2026-11-19", "2026-11-22")]
    assert spans("seminggu terakhir") == [("seminggu terakhir", "2026-11-15", "2026-11-22")]
    # beside a year it names; and not when it is when the asker read the news
    assert spans("di 2023 dan 2 tahun lalu") == [("2 tahun lalu", "2024-01-01", "2024-12-31"),
                                                 ("2023", "2023-01-01", "2023-12-31")]
    assert spans("2 tahun lalu aku baca soal Kim, dia ke mana?") == []


def test_question_periods_counted_back_in_other_languages():
    from newsbot.index.dates import question_periods

    today = dt.date(2026, 11, 22)  # a Sunday
    spans = lambda q: [(p.start.isoformat(), p.end.isoformat()) for p in question_periods(q, today)]  # noqa: E731
    for question in ("¿Qué pasó hoy?", "Quoi de neuf aujourd'hui ?", "Was ist heute passiert?", "Что сегодня?",
                     "今天有什么新闻", "오늘 뉴스", "今日のニュース"):
        assert spans(question) == [("2026-11-22", "2026-11-22")], question
    for question in ("¿Qué pasó ayer?", "gestern", "вчера", "昨天发生了什么", "어제 무슨 일이"):
        assert spans(question) == [("2026-11-21", "2026-11-21")], question
    for question in ("la semana pasada", "letzte Woche", "на прошлой неделе", "上周", "지난주"):
        assert spans(question) == [("2026-11-09", "2026-11-15")], question
    for question in ("el mes pasado", "le mois dernier", "в прошлом месяце", "上个月", "지난달"):
        assert spans(question) == [("2026-10-01", "2026-10-31")], question
    for question in ("¿Dónde se reunieron Kim y Putin el año pasado?", "l'année dernière", "letztes Jahr",
                     "Где встретились Ким и Путин в прошлом году?", "去年金正恩和普京在哪里见面？", "작년", "昨年"):
        assert spans(question) == [("2025-01-01", "2025-12-31")], question
    assert spans("今年") == spans("este año") == [("2026-01-01", "2026-12-31")]
    assert spans("Was passiert hier?") == []  # German "hier" is "here", not French "yesterday"


def test_question_periods_dates_written_in_other_languages_and_forms():
    from newsbot.index.dates import question_periods

    today = dt.date(2026, 9, 10)
    spans = lambda q: [(p.text, p.start.isoformat(), p.end.isoformat()) for p in question_periods(q, today)]  # noqa: E731
    september = ("2023-09-01", "2023-09-30")
    # a month with its year, in the languages people ask in, lower-case as chat types it
    for question, text in (("¿Qué pasó en septiembre de 2023?", "septiembre de 2023"),
                           ("Que s'est-il passé en septembre 2023 ?", "septembre 2023"),
                           ("Was geschah im September 2023?", "September 2023"),
                           ("o que aconteceu em setembro de 2023", "setembro de 2023"),
                           ("cosa è successo a settembre 2023", "settembre 2023"),
                           ("wat gebeurde er in september 2023", "september 2023"),
                           ("Eylül 2023'te ne oldu?", "Eylül 2023"),
                           ("Что случилось в сентябре 2023 года?", "сентябре 2023 года"),
                           ("berita september 2023", "september 2023"),
                           ("what happened in sept. 2023", "sept. 2023"),
                           ("2023年9月发生了什么？", "2023年9月"),
                           ("2023년 9월에 무슨 일이", "2023년 9월"),
                           ("kim ketemu putin bln 9 thn 2023?", "bln 9 thn 2023"),  # a month by its number
                           ("bulan 9 tahun 2023", "bulan 9 tahun 2023"),
                           ("ada apa 9/2023", "9/2023")):
        assert spans(question) == [(text, *september)], question
    assert spans("bulan 13 2023") == [("2023", "2023-01-01", "2023-12-31")]  # no such month: the year alone
    # a day, month and year, by name or in digits (any script's), day first between dots
    day = ("2023-09-13", "2023-09-13")
    for question, text in (("13 de septiembre de 2023", "13 de septiembre de 2023"),
                           ("le 13 septembre 2023", "13 septembre 2023"),
                           ("am 13. September 2023", "13. September 2023"),
                           ("13 сентября 2023 года", "13 сентября 2023 года"),
                           ("What happened on 2023-09-13?", "2023-09-13"),
                           ("2023/9/13", "2023/9/13"),
                           ("am 13.9.2023.", "13.9.2023"),
                           ("２０２３-０９-１３", "２０２３-０９-１３"),
                           ("2023年9月13日发生了什么？", "2023年9月13日"),
                           ("2023년 9월 13일", "2023년 9월 13일")):
        assert spans(question) == [(text, *day)], question
    # a day and month alone: the latest such day up to today
    assert spans("9月13日发生了什么？") == [("9月13日", "2025-09-13", "2025-09-13")]
    assert spans("9月1日") == [("9月1日", "2026-09-01", "2026-09-01")]
    # not dates: a month alone, impossible days, version numbers
    assert spans("9月的新闻") == []
    assert spans("2023-13-40") == spans("31.2.2023") == [("2023", "2023-01-01", "2023-12-31")]
    assert spans("version 1.2.3") == []
    for nonsense in ("0000年1月", "enero de 0000", "9999年12月", "31.12.9999"):  # years no news is from
        assert spans(nonsense) == [], nonsense


def test_the_time_the_asker_read_the_news_is_not_the_events():
    from newsbot.index.dates import question_periods

    today = dt.date(2026, 11, 21)
    texts = lambda q: [p.text for p in question_periods(q, today)]  # noqa: E731
    assert texts("jadi kemarin aku baca di grup kalau Kim ketemu Putin, di mana ya?") == []
    assert texts("Kemarin saya lihat berita soal parade, itu buat apa?") == []
    assert texts("I read yesterday that Kim met Putin. Where?") == []
    assert texts("aku baru baca kemarin, Kim ketemu siapa?") == []
    # The event's own time still counts, beside the asker's or alone.
    assert texts("aku lihat kemarin, tapi apa yang terjadi bulan lalu?") == ["bulan lalu"]
    assert texts("Kim ketemu siapa kemarin?") == ["kemarin"]


def test_time_agreement():
    from newsbot.index.dates import Period, time_agreement

    p2025 = [Period("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31))]
    assert time_agreement(p2025, [dt.date(2025, 9, 4)]) == 1.0
    assert time_agreement(p2025, [dt.date(2023, 9, 14), dt.date(2023, 9, 13)]) == -1.0
    assert time_agreement(p2025, []) == 0.0
    assert time_agreement([], [dt.date(2025, 9, 4)]) == 0.0
