"""Dates in Indonesian (and English) news text: month and weekday names, explicit dates, and an
article's publication date inferred from its own words.

Every function here works on plain text and returns `datetime.date` values; nothing guesses a date
that the text does not support, so an article whose date cannot be read stays undated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from .terms import DURATION, MONEY, SCALES, Quantity, fold, has_number, words

MONTHS = {
    # Indonesian
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "agustus": 8, "september": 9, "oktober": 10, "november": 11, "nopember": 11, "desember": 12,
    # English
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "october": 10, "december": 12,
    # Short forms (both languages)
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8, "ags": 8, "aug": 8,
    "sep": 9, "sept": 9, "okt": 10, "oct": 10, "nov": 11, "des": 12, "dec": 12,
}
WEEKDAYS = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "jum’at": 4, "sabtu": 5,
    "minggu": 6, "ahad": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
WEEKDAY_RE = "|".join(sorted((re.escape(w) for w in WEEKDAYS), key=len, reverse=True))

# "Kamis, 14 September 2023" / "Thursday, September 14, 2023" (weekday optional in the patterns below)
DAY_MONTH_YEAR = re.compile(
    rf"\b(?:(?P<wd>{WEEKDAY_RE}),?\s+)?(?P<d>\d{{1,2}})\s+(?P<m>{MONTH_RE})\.?\s+(?P<y>\d{{4}})\b", re.I
)
MONTH_DAY_YEAR = re.compile(
    rf"\b(?:(?P<wd>{WEEKDAY_RE}),?\s+)?(?P<m>{MONTH_RE})\.?\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})\b", re.I
)
# "Rabu (13/9/2023)" / "(13/9)" / "13/9/2023"
SLASH_DATE = re.compile(
    rf"(?:\b(?P<wd>{WEEKDAY_RE})\s*)?\(?\b(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})(?:/(?P<y>\d{{4}}|\d{{2}}))?\b\)?", re.I
)
# "2023. 9. 13" (Korean style, used in KCNA quotes)
DOTTED_DATE = re.compile(r"\b(?P<y>\d{4})\.\s?(?P<m>\d{1,2})\.\s?(?P<d>\d{1,2})\b")
COPYRIGHT_YEAR = re.compile(r"(?:copyright|hak\s+cipta|©)[^0-9\n]{0,40}(?P<y>(?:19|20)\d{2})", re.I)
WEEKDAY_WORD = re.compile(rf"\b(?P<wd>{WEEKDAY_RE})\b", re.I)


def make_date(year: int, month: int, day: int) -> dt.date | None:
    """A date, or None when the numbers do not form one (31/2, month 13)."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def weekday_number(word: str) -> int | None:
    """Monday=0 … Sunday=6 for an Indonesian or English weekday name."""
    return WEEKDAYS.get(word.lower())


def full_dates(text: str) -> list[tuple[int, dt.date, int | None]]:
    """Every explicit day-month-year date in text as (offset, date, stated weekday or None)."""
    found: list[tuple[int, dt.date, int | None]] = []
    for pattern in (DAY_MONTH_YEAR, MONTH_DAY_YEAR):
        for m in pattern.finditer(text):
            date = make_date(int(m["y"]), MONTHS[m["m"].lower()], int(m["d"]))
            if date:
                found.append((m.start(), date, weekday_number(m["wd"]) if m["wd"] else None))
    for m in SLASH_DATE.finditer(text):
        if m["y"]:
            year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
            date = make_date(year, int(m["m"]), int(m["d"]))
            if date:
                found.append((m.start(), date, weekday_number(m["wd"]) if m["wd"] else None))
    for m in DOTTED_DATE.finditer(text):
        date = make_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if date:
            found.append((m.start(), date, None))
    return sorted(found, key=lambda item: item[0])


def day_months(text: str) -> list[tuple[int, int, int | None]]:
    """Every year-less 'Rabu (13/9)' style date as (month, day, stated weekday or None)."""
    found = []
    for m in SLASH_DATE.finditer(text):
        if not m["y"] and 1 <= int(m["m"]) <= 12 and 1 <= int(m["d"]) <= 31:
            found.append((int(m["m"]), int(m["d"]), weekday_number(m["wd"]) if m["wd"] else None))
    return found


def copyright_year(text: str) -> int | None:
    """The year of a 'Copyright © ANTARA 2023' line, if any."""
    years = [int(m["y"]) for m in COPYRIGHT_YEAR.finditer(text)]
    return max(years) if years else None


def on_or_after(anchor: dt.date, weekday: int) -> dt.date:
    """The first date with this weekday on or after anchor."""
    return anchor + dt.timedelta(days=(weekday - anchor.weekday()) % 7)


def on_or_before(anchor: dt.date, weekday: int) -> dt.date:
    """The most recent date with this weekday on or before anchor."""
    return anchor - dt.timedelta(days=(anchor.weekday() - weekday) % 7)


def infer_published(lead: str, full_text: str) -> tuple[dt.date | None, str]:
    """The publication date an article's own text supports, and how it was found.

    1. The lead paragraph names a full date with its weekday ("pada Kamis, 14 September 2023",
       "pada Rabu (13/9/2023)"): news leads date the report, so that is the publication date.
    2. A copyright year, a weekday in the lead ("Korea Utara pada Kamis mengatakan …") and a
       day/month mentioned in the article ("Rabu (13/9)"): the first such weekday on or after the
       latest mentioned date of that year.
    Otherwise None: the curated metadata file has to say.
    """
    lead_dates = [(date, wd) for _, date, wd in full_dates(lead) if wd is None or wd == date.weekday()]
    with_weekday = [date for date, wd in lead_dates if wd is not None]
    if with_weekday:
        return max(with_weekday), "text: dated lead"

    year = copyright_year(full_text)
    lead_weekdays = [weekday_number(m["wd"]) for m in WEEKDAY_WORD.finditer(lead)]
    if year and lead_weekdays:
        anchors = [make_date(year, month, day) for month, day, _ in day_months(full_text)]
        anchors += [date for _, date, _ in full_dates(full_text) if date.year == year]
        anchors = [a for a in anchors if a]
        if anchors:
            published = on_or_after(max(anchors), lead_weekdays[0])
            return published, "text: copyright year + weekday"
    return None, "unknown"


# --- Dated statements in a sentence ------------------------------------------------------------

DAY, MONTH, YEAR = "day", "month", "year"

# Weekday names count only capitalised, as Indonesian and English write them: lower-case "minggu" is
# "week", not Sunday.
_WEEKDAY_CAP = "|".join(sorted((re.escape(w.capitalize()) for w in WEEKDAYS), key=len, reverse=True))
WEEKDAY_MENTION = re.compile(rf"\b(?P<wd>{_WEEKDAY_CAP})(?:\s+(?:pagi|siang|sore|malam|morning|afternoon|evening|night))?\b")
DAY_MONTH = re.compile(rf"\b(?P<d>\d{{1,2}})\s+(?P<m>{MONTH_RE})\b(?!\.?\s+\d{{4}})", re.I)
MONTH_YEAR = re.compile(rf"\b(?P<m>{MONTH_RE})\s+(?P<y>(?:19|20)\d{{2}})\b", re.I)
MONTH_AGO = re.compile(rf"\b(?P<m>{MONTH_RE})\s+(?:lalu|kemarin)\b|\blast\s+(?P<m2>{MONTH_RE})\b", re.I)
YEAR_MENTION = re.compile(r"\b(?:pada|tahun|sejak|since|in|hingga|until)\s+(?P<y>(?:19|20)\d{2})\b(?![./]\d)", re.I)
RELATIVE = {
    re.compile(r"\b(?:kemarin|yesterday)\b(?!\s+(?:malam|lalu))", re.I): (-1, DAY),
    re.compile(r"\b(?:kemarin malam|tadi malam|last night)\b", re.I): (-1, DAY),
    re.compile(r"\b(?:hari ini|today)\b", re.I): (0, DAY),
    re.compile(r"\b(?:tahun lalu|last year)\b", re.I): (-1, YEAR),
    re.compile(r"\b(?:tahun ini|this year)\b", re.I): (0, YEAR),
    re.compile(r"\b(?:bulan lalu|last month)\b", re.I): (-1, MONTH),
    re.compile(r"\b(?:bulan ini|this month)\b", re.I): (0, MONTH),
}
# "dua tahun lalu", "18 bulan lalu", "tiga hari yang lalu", "setahun lalu", "two years ago": n units before
# the day of writing (never "tahun lalu", last year, read inside them).
_COUNTS = {"se": 1, "satu": 1, "a": 1, "an": 1, "one": 1, "dua": 2, "two": 2, "tiga": 3, "three": 3, "empat": 4,
           "four": 4, "lima": 5, "five": 5, "enam": 6, "six": 6, "tujuh": 7, "seven": 7, "delapan": 8,
           "eight": 8, "sembilan": 9, "nine": 9, "sepuluh": 10, "ten": 10}
_COUNT = r"(?:\d{1,3}|" + "|".join(sorted((c for c in _COUNTS if c != "se"), key=len, reverse=True)) + ")"
_SPAN_UNITS = {"hari": "day", "day": "day", "days": "day", "minggu": "week", "pekan": "week", "week": "week",
               "weeks": "week", "bulan": "month", "month": "month", "months": "month", "tahun": "year",
               "year": "year", "years": "year"}
_SPAN_UNIT = "|".join(sorted(_SPAN_UNITS, key=len, reverse=True))
AGO = re.compile(rf"\b(?:(?P<n>{_COUNT})\s*|(?P<se>se))(?P<u>{_SPAN_UNIT})\s+(?:yang\s+)?(?:lalu|silam|ago)\b", re.I)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _COUNTS[word.lower()]


# Chat's "tahun kemarin" / "bulan kemarin" are last year / last month, not yesterday; "kemarin lusa" is
# the day before yesterday.
LAST_UNIT_CHAT = re.compile(r"\b(?P<u>tahun|bulan|minggu|pekan)\s+kemarin\b", re.I)
DAY_BEFORE_YESTERDAY = re.compile(r"\b(?:kemarin\s+lusa|the\s+day\s+before\s+yesterday)\b", re.I)
_MONTH_NAME_OK = re.compile(r"^[A-Z]")  # "Mei"/"May" capitalised: lower-case "may" is a verb in English


@dataclasses.dataclass(frozen=True)
class DateMention:
    """A date a sentence states or implies, resolved to a calendar date and kept at its precision."""

    start: int
    end: int
    text: str
    date: dt.date  # the first day of the period for month/year precision
    precision: str  # "day", "month" or "year"

    def label(self) -> str:
        """'2023-09-13', '2023-09' or '2023', as precise as the text allows."""
        return date_label(self.date, self.precision)


def date_label(date: dt.date, precision: str) -> str:
    """'2023-09-13', '2023-09' or '2023' for a date known to the day, month or year."""
    if precision == DAY:
        return date.isoformat()
    if precision == MONTH:
        return date.strftime("%Y-%m")
    return str(date.year)


def _overlaps(start: int, end: int, spans) -> bool:
    """True when the text from start to end overlaps any of the (start, end, …) spans."""
    return any(s < end and start < e for s, e, *_ in spans)


def _shift_month(date: dt.date, months: int) -> dt.date:
    index = date.year * 12 + date.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _not_after(year_guess: int, month: int, day: int, published: dt.date) -> dt.date | None:
    """A year-less day/month read as the latest such date not after publication (plus a day's slack)."""
    date = make_date(year_guess, month, day)
    if date and date > published + dt.timedelta(days=1):
        date = make_date(year_guess - 1, month, day)
    return date


def date_mentions(sentence: str, published: dt.date | None) -> list[DateMention]:
    """Every date a sentence states, resolved against the article's publication date.

    Absolute dates stand on their own; year-less, weekday and relative forms ("Rabu (13/9)", "pada
    hari Rabu", "kemarin", "Oktober lalu", "tahun lalu") need the publication date and are dropped
    when it is unknown. Durations ("lebih dari empat tahun", "18 bulan") are not dates and never match.
    """
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match, date: dt.date | None, precision: str) -> None:
        if date is None:
            return
        span = (m.start(), m.end())
        if _overlaps(*span, taken):
            return
        taken.append(span)
        found.append(DateMention(span[0], span[1], m.group(0), date, precision))

    for pattern in (DAY_MONTH_YEAR, MONTH_DAY_YEAR):
        for m in pattern.finditer(sentence):
            if _MONTH_NAME_OK.match(m["m"]):
                add(m, make_date(int(m["y"]), MONTHS[m["m"].lower()], int(m["d"])), DAY)
    for m in SLASH_DATE.finditer(sentence):
        month, day = int(m["m"]), int(m["d"])
        if m["y"]:
            year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
            add(m, make_date(year, month, day), DAY)
        elif published and ("(" in m.group(0) or m["wd"]):
            add(m, _not_after(published.year, month, day, published), DAY)
    for m in DOTTED_DATE.finditer(sentence):
        add(m, make_date(int(m["y"]), int(m["m"]), int(m["d"])), DAY)
    for m in MONTH_YEAR.finditer(sentence):
        if _MONTH_NAME_OK.match(m["m"]):
            add(m, dt.date(int(m["y"]), MONTHS[m["m"].lower()], 1), MONTH)
    if published:
        for m in DAY_MONTH.finditer(sentence):
            if _MONTH_NAME_OK.match(m["m"]):
                add(m, _not_after(published.year, MONTHS[m["m"].lower()], int(m["d"]), published), DAY)
        for m in MONTH_AGO.finditer(sentence):
            name = m["m"] or m["m2"]
            if _MONTH_NAME_OK.match(name):
                month = MONTHS[name.lower()]
                year = published.year if month < published.month else published.year - 1
                add(m, dt.date(year, month, 1), MONTH)
        for m in DAY_BEFORE_YESTERDAY.finditer(sentence):
            add(m, published - dt.timedelta(days=2), DAY)
        for m in AGO.finditer(sentence):
            n, unit = 1 if m["se"] else _count(m["n"]), _SPAN_UNITS[m["u"].lower()]
            if unit == "day":
                add(m, published - dt.timedelta(days=n), DAY)
            elif unit == "month":
                add(m, _shift_month(dt.date(published.year, published.month, 1), -n), MONTH)
            elif unit == "year":
                add(m, dt.date(published.year - n, 1, 1), YEAR)
            else:
                taken.append((m.start(), m.end()))  # weeks ago: no day, month or year to give
        for m in LAST_UNIT_CHAT.finditer(sentence):
            unit = _SPAN_UNITS[m["u"].lower()]
            if unit == "month":
                add(m, _shift_month(dt.date(published.year, published.month, 1), -1), MONTH)
            elif unit == "year":
                add(m, dt.date(published.year - 1, 1, 1), YEAR)
            else:
                taken.append((m.start(), m.end()))
        for pattern, (offset, precision) in RELATIVE.items():
            for m in pattern.finditer(sentence):
                if precision == DAY:
                    add(m, published + dt.timedelta(days=offset), DAY)
                elif precision == MONTH:
                    add(m, _shift_month(dt.date(published.year, published.month, 1), offset), MONTH)
                else:
                    add(m, dt.date(published.year + offset, 1, 1), YEAR)
        for m in WEEKDAY_MENTION.finditer(sentence):
            add(m, on_or_before(published, WEEKDAYS[m["wd"].lower()]), DAY)
    for m in YEAR_MENTION.finditer(sentence):
        add(m, dt.date(int(m["y"]), 1, 1), YEAR)
    return sorted(found, key=lambda d: d.start)


_NUMERAL = re.compile(r"\d+(?:[.,:/]\d+)*")
_WORD_BEFORE = re.compile(r"(\w+)\W*$")
_WORD_AFTER = re.compile(r"^\W*(\w+)")
_CLOCK_WORDS = frozenset({"pukul", "jam", "at"})


def _part_of_date(sentence: str, numeral: re.Match) -> bool:
    """True when a number written in digits is (part of) a date or a clock time: "13/9", "4 September",
    "September 4", "2023", "pukul 10.00"."""
    text = numeral.group(0)
    if "/" in text or re.fullmatch(r"(?:19|20)\d\d", text):
        return True
    before = _WORD_BEFORE.search(sentence[:numeral.start()])
    after = _WORD_AFTER.search(sentence[numeral.end():])
    if before and (before[1].lower() in _CLOCK_WORDS and (":" in text or "." in text) or _is_month(before[1])):
        return True
    return bool(after and _is_month(after[1]))


def _is_month(word: str) -> bool:
    return bool(_MONTH_NAME_OK.match(word)) and word.lower() in MONTHS


def states_count(sentence: str, asked: Quantity | None = None) -> bool:
    """True when a sentence states a number other than a date: a count or an amount ("13.000 tentara",
    "dua jam"), which a "how many" question asks for; "NYT melaporkan pada 4 September" states none.

    Of the kind asked, when given: a length of time ("dua jam", "empat tahun", "sehari") for "how long";
    a sum in some currency ("Rp 5 triliun", "$200 juta") for "how much did it cost"; and at least the
    scale a question names ("jutaan peluru", "1,5 juta", "2.000.000" for "berapa juta peluru")."""
    numbers = [m for m in _NUMERAL.finditer(sentence) if not _part_of_date(sentence, m)]
    stated = bool(numbers) or has_number(_NUMERAL.sub(" ", sentence))  # or in words ("tiga satelit")
    if asked is None:
        return stated
    if asked.at_least and not (any(_value(m.group(0)) >= asked.at_least for m in numbers)
                               or any(SCALES.get(w, 0) >= asked.at_least for w in words(sentence))):
        return False
    if asked.kind == DURATION:
        return bool(_DURATION.search(sentence))  # "sehari" states one in a word
    return stated and (asked.kind != MONEY or bool(_CURRENCY.search(sentence)))


_CURRENCY = re.compile(  # codes are written against their numbers too: "Rp60.000", "USD250"
    r"(?i:\b(?:rp|usd|idr|eur|jpy|cny|rmb|krw|rub|gbp|sgd|aud)(?=[\s.\d]|\b)|"
    r"\b(?:rupiah|dolar|dollars?|euros?|yen|yuan|renminbi|won|rubel|rubles?|roubles?|pounds?\s+sterling|ringgit|"
    r"baht|pesos?|rupees?|francs?)\b|\bus\$|[$€£¥₩₽₹])"
)


def _value(numeral: str) -> float:
    """A number written in digits, read with its thousands grouped by dots ("13.000", Indonesian) or
    commas ("13,000", English); "1,5" and "1.5" are one and a half."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", numeral):
        return float(re.sub(r"[.,]", "", numeral))
    head = re.match(r"\d+(?:[.,]\d+)?", numeral)
    return float(head.group(0).replace(",", ".")) if head else 0.0


# A time a sentence states that need not resolve to a date: relative to another event ("sehari setelah
# parade", "two days later", "dua jam kemudian"), to the day of writing ("pekan lalu", "next week"), or
# a clock time ("pukul 10.00").
_NUMBER_WORD = (r"(?:\d+|se|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|beberapa|"
                r"a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|a\s+few)")
_MONTH_CAP = "|".join(sorted((m.capitalize() for m in MONTHS if len(m) > 3 or m in ("mei", "may")),
                              key=len, reverse=True))  # full names, not "Jan", "Mar"
_UNIT = r"(?:hari|pekan|minggu|bulan|tahun|jam|menit|days?|weeks?|months?|years?|hours?|minutes?)"
# A length of time, which "how long" asks for: a number and a unit of time ("dua jam", "40 detik", "sehari",
# "three hours"), or as Indonesian says "for days" ("berhari-hari").
_DURATION = re.compile(
    rf"(?i:\b(?:{_NUMBER_WORD}|\w+\s+(?:belas|puluh)|puluhan|ratusan|eleven|twelve|\w+teen|\w+ty|dozens\s+of|"
    rf"hundreds\s+of)[\s-]*(?:{_UNIT}|detik|malam|dekade|abad|seconds?|nights?|decades?|centuries|century)\b|"
    r"\b(?:berhari-hari|berminggu-minggu|berbulan-bulan|bertahun-tahun|berjam-jam|overnight)\b)"
)
TIME_PHRASE = re.compile(
    rf"(?i:\b{_NUMBER_WORD}\s*{_UNIT}\s+(?:setelah|sesudah|sebelum|sebelumnya|kemudian|lalu|later|earlier|ago|"
    rf"after|before)\b|\b(?:pekan|minggu|bulan|tahun)\s+(?:lalu|depan|ini)\b|\b(?:last|next|this)\s+"
    rf"(?:week|month|year|weekend)\b|\b(?:kemarin|besok|lusa|yesterday|today|tomorrow|tonight|hari\s+ini)\b|"
    rf"\b(?:pukul|jam)\s+\d|\b\d{{1,2}}[.:]\d{{2}}\s*(?:WIB|WITA|WIT|GMT|UTC|[ap]\.?m\.?))"
    rf"|\b(?:{_WEEKDAY_CAP}|{_MONTH_CAP})\b|\b(?:19|20)\d{{2}}\b"  # names only capitalised ("may", "minggu")
)


def states_time(sentence: str) -> bool:
    """True when a sentence says when: a date, or a time relative to another event or to the day it
    was written, or a clock time."""
    return bool(TIME_PHRASE.search(sentence))


# --- Time named in a question ------------------------------------------------------------------

_ANY_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")  # any script's digits: "2025", "２０２５", "٢٠٢٥"
_WEEKDAY_ONLY = re.compile(rf"^(?:{_WEEKDAY_CAP})\b")


@dataclasses.dataclass(frozen=True)
class Period:
    """A stretch of time a question names ("pada 2025", "bulan lalu", "September 2023")."""

    text: str
    start: dt.date
    end: dt.date  # inclusive

    def holds(self, date: dt.date) -> bool:
        return self.start <= date <= self.end

    def precision(self) -> str | None:
        """DAY, MONTH or YEAR when the period is exactly one whole day, month or year, else None."""
        return next((p for p in (DAY, MONTH, YEAR) if span(self.start, p) == (self.start, self.end)), None)

    def meets(self, date: dt.date, precision: str) -> bool:
        """True when a date known to this precision (a day, or the month or year it begins) can fall in
        the period: "2025" meets September 2025, and so does "2025-09-04"."""
        start, end = span(date, precision)
        return start <= self.end and self.start <= end


def span(date: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a date known to the day, month or year (`date` is the first day)."""
    if precision == YEAR:
        return date, dt.date(date.year, 12, 31)
    if precision == MONTH:
        return date, _shift_month(date, 1) - dt.timedelta(days=1)
    return date, date


def _period(mention: DateMention) -> Period:
    return Period(mention.text, *span(mention.date, mention.precision))


# The asker reading, hearing or watching: "kemarin aku baca…", "I read yesterday that…".
_ASKER = r"(?:aku|saya|gue|gw|gua|i)\s+(?:(?:baru|udah|sudah|sempat|sempet|just|had)\s+)?"
_PERCEIVED = r"(?:baca|membaca|lihat|liat|melihat|denger|dengar|mendengar|nonton|menonton|read|saw|heard|watched)\b"
_ASKER_AFTER = re.compile(rf"^[\s,]*{_ASKER}{_PERCEIVED}", re.I)
_ASKER_BEFORE = re.compile(rf"\b{_ASKER}{_PERCEIVED}[\s,]*$", re.I)


def _when_asker_learned(question: str, start: int, end: int) -> bool:
    """True when a time in a question is when the asker read or heard something ("jadi kemarin aku baca
    di grup…", "I read yesterday that…"), which says nothing of when the event was."""
    return bool(_ASKER_AFTER.match(question[end:]) or _ASKER_BEFORE.search(question[:start]))


# Spans counted back from today that only questions name (the day, month and year ones, "2 tahun
# lalu", "kemarin lusa", are dates `date_mentions` resolves as in news text): weeks ("minggu lalu", "pekan
# kemarin", "last week", "dua minggu yang lalu", "a week ago", "pekan ini") and the last n units up to
# today ("5 hari terakhir", "the past 3 days", "seminggu terakhir").
_RECENT = re.compile(rf"\b(?:(?:past|last)\s+(?P<n>{_COUNT})\s+(?P<u>{_SPAN_UNIT})|(?P<n2>{_COUNT})\s*(?P<u2>{_SPAN_UNIT})\s+"
                     rf"terakhir|(?P<se>se)(?P<u3>hari|minggu|pekan|bulan|tahun)\s+terakhir)\b", re.I)
_LAST_WEEK = re.compile(r"\b(?:(?:minggu|pekan)\s+(?:lalu|kemarin)|last\s+week)\b", re.I)
_THIS_WEEK = re.compile(r"\b(?:(?:minggu|pekan)\s+ini|this\s+week)\b", re.I)


# The days, weeks, months and years counted back in the other languages people ask in ("ayer", "el año
# pasado", "letzte Woche", "в прошлом году", "去年", "작년"): (pattern, unit, how many back). French
# "hier" is left out: in German it is "here".
_OTHER_LANGUAGES_BACK = [
    (re.compile(r"\b(?:hoy|aujourd['’]hui|heute|hoje|oggi|vandaag|bugün|сегодня)\b|今天|今日|오늘", re.I), "day", 0),
    (re.compile(r"\b(?:ayer|gestern|ontem|ieri|gisteren|dün|вчера)\b|昨天|昨日|어제", re.I), "day", 1),
    (re.compile(r"\b(?:la\s+semana\s+pasada|la\s+semaine\s+derni[eè]re|letzte\s+woche|(?:na\s+)?semana\s+passada|"
                r"la\s+settimana\s+scorsa|vorige\s+week|geçen\s+hafta|на\s+прошлой\s+неделе)\b|上周|上星期|上週|지난\s*주|先週",
                re.I), "week", 1),
    (re.compile(r"\b(?:el\s+mes\s+pasado|le\s+mois\s+dernier|letzten\s+monat|(?:no\s+)?m[eê]s\s+passado|"
                r"il\s+mese\s+scorso|vorige\s+maand|geçen\s+ay|в\s+прошлом\s+месяце)\b|上个月|上個月|지난\s*달|先月",
                re.I), "month", 1),
    (re.compile(r"\b(?:el\s+año\s+pasado|l['’]ann[ée]e\s+derni[eè]re|letztes\s+jahr|(?:no\s+)?ano\s+passado|"
                r"l['’]anno\s+scorso|vorig\s+jaar|geçen\s+yıl|в\s+прошлом\s+году)\b|去年|작년|昨年", re.I), "year", 1),
    (re.compile(r"\b(?:este\s+año|cette\s+ann[ée]e|dieses\s+jahr|este\s+ano|quest['’]anno|dit\s+jaar|bu\s+yıl|"
                r"в\s+этом\s+году)\b|今年|올해", re.I), "year", 0),
]


# Month names in the other languages people ask in, as each writes them, lower-case in chat or not:
# Spanish, French, German, Portuguese, Italian, Dutch, Turkish and Russian (the genitive "сентября" of a
# day, the prepositional "в сентябре" of a month). Each name with and without its diacritics.
_OTHER_MONTH_NAMES = (
    "enero febrero marzo abril mayo junio julio agosto septiembre|setiembre octubre noviembre diciembre",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "januar|jänner februar märz april mai juni juli august september oktober november dezember",
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "januari februari maart april mei juni juli augustus september oktober november december",
    "ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık",
    "январь|января|январе февраль|февраля|феврале март|марта|марте апрель|апреля|апреле май|мая|мае "
    "июнь|июня|июне июль|июля|июле август|августа|августе сентябрь|сентября|сентябре "
    "октябрь|октября|октябре ноябрь|ноября|ноябре декабрь|декабря|декабре",
)


def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for language in _OTHER_MONTH_NAMES:
        for number, forms in enumerate(language.split(), 1):
            for form in forms.split("|"):
                names[form] = names[fold(form)] = number
    return names | MONTHS


_ANY_MONTH = _month_names()
_ANY_MONTH_RE = "|".join(sorted(map(re.escape, _ANY_MONTH), key=len, reverse=True))
# Dates as a question may write them, beside those news text uses (`date_mentions`): a month name of any
# of those languages, lower-case as chat types it, with its year and perhaps its day ("13 de septiembre
# de 2023", "13. September 2023", "13 сентября 2023 года", "september 2023"); digits alone in any script
# ("2023-09-13", "2023/9/13", and day first between dots as German, Russian and Turkish write it,
# "13.9.2023"); and the Chinese, Japanese and Korean "2023年9月13日", "2023년 9월", "9月13日".
_NAMED_DATE = re.compile(
    rf"(?<!\w)(?:(?P<d>\d{{1,2}})\.?\s+(?:de\s+)?)?(?P<m>{_ANY_MONTH_RE})\.?,?\s+(?:de\s+|del\s+)?"
    rf"(?P<y>\d{{4}})(?!\w)(?:\s*(?:года|г\.))?", re.I)
_YEAR_FIRST_DATE = re.compile(r"(?<![\d/.-])(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d/-]|\.\d)")
_DAY_FIRST_DATE = re.compile(r"(?<![\d/.-])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?![\d/-]|\.\d)")
_CJK_DATE = re.compile(r"(?:(?P<y>\d{4})\s*[年년]\s*)?(?<!\d)(?P<m>\d{1,2})\s*[月월](?:\s*(?P<d>\d{1,2})\s*[日일])?")
# A month by its number, as Indonesian chat writes it: "bulan 9 tahun 2023", "bln 9 2023", and "9/2023".
_NUMBERED_MONTH = re.compile(r"(?<!\w)(?:bulan|bln)\s+(?P<m>\d{1,2})\s+(?:(?:tahun|thn|th)\.?\s+)?(?P<y>\d{4})(?!\w)",
                             re.I)
_MONTH_SLASH_YEAR = re.compile(r"(?<![\d/.-])(?P<m>\d{1,2})/(?P<y>\d{4})(?![\d/-]|\.\d)")


def calendar_word(word: str) -> bool:
    """True for a month's or a weekday's name in any form the dates are read in ("Sept", "September",
    "Rabu", "Wednesday"): a translation changes it, so it is no name that an article would write as the
    question does ("What did Kim say on Wednesday?" over Indonesian news that writes "Rabu")."""
    folded = fold(word)
    return folded in _ANY_MONTH or folded in WEEKDAYS


def _written_dates(question: str, today: dt.date) -> list[tuple[int, int, Period]]:
    """The dates a question writes in the forms `_NAMED_DATE`, the numeric ones, `_CJK_DATE` and the
    numbered months read, with where each is written. A day and month without a year is the latest such
    day up to today; a month alone ("9月") is left out, as "September" is."""
    found: list[tuple[int, int, Period]] = []
    for pattern in (_NAMED_DATE, _YEAR_FIRST_DATE, _DAY_FIRST_DATE, _CJK_DATE, _NUMBERED_MONTH,
                    _MONTH_SLASH_YEAR):
        for m in pattern.finditer(question):
            year, name, day = m["y"], m["m"], m.groupdict().get("d")
            month = int(name) if name.isdigit() else _ANY_MONTH.get(name.lower())
            if month is None or not 1 <= month <= 12 or (year and not 1900 <= int(year) <= 2100):
                continue
            if year and day:
                date, precision = make_date(int(year), month, int(day)), DAY
            elif year:
                date, precision = dt.date(int(year), month, 1), MONTH
            elif day:
                date, precision = _not_after(today.year, month, int(day), today), DAY
            else:
                continue
            if date and not _overlaps(m.start(), m.end(), found):
                found.append((m.start(), m.end(), Period(m.group(0), *span(date, precision))))
    return found


def _unit_back(today: dt.date, unit: str, n: int) -> tuple[dt.date, dt.date]:
    """The whole day, Monday-to-Sunday week, month or year n of them before today's."""
    if unit == "week":
        return _week(today, n)
    if unit == "day":
        return span(today - dt.timedelta(days=n), DAY)
    if unit == "month":
        return span(_shift_month(today, -n), MONTH)
    return span(dt.date(today.year - n, 1, 1), YEAR)


def _week(today: dt.date, n: int) -> tuple[dt.date, dt.date]:
    """The Monday and Sunday of the week n weeks before today's."""
    monday = today - dt.timedelta(days=today.weekday() + 7 * n)
    return monday, monday + dt.timedelta(days=6)


def _recent(today: dt.date, n: int, unit: str) -> dt.date:
    """The first day of the last n days, weeks, months or years up to today."""
    if unit == "day":
        return today - dt.timedelta(days=n)
    if unit == "week":
        return today - dt.timedelta(days=7 * n)
    if unit == "month":
        index = today.year * 12 + today.month - 1 - n
        return make_date(index // 12, index % 12 + 1, min(today.day, 28)) or today
    return make_date(today.year - n, today.month, min(today.day, 28)) or today


def _spans_back(question: str, today: dt.date) -> list[tuple[int, int, Period]]:
    """The weeks and last-n spans a question names, and the relative days, months and years of the
    languages other than Indonesian and English, with where each is written."""
    found: list[tuple[int, int, Period]] = []

    def add(m: re.Match, start: dt.date, end: dt.date) -> None:
        if not _overlaps(m.start(), m.end(), found):
            found.append((m.start(), m.end(), Period(m.group(0), start, end)))

    for m in AGO.finditer(question):
        if _SPAN_UNITS[m["u"].lower()] == "week":
            add(m, *_week(today, 1 if m["se"] else _count(m["n"])))
    for m in _RECENT.finditer(question):
        n = 1 if m["se"] else _count(m["n"] or m["n2"])
        add(m, _recent(today, n, _SPAN_UNITS[(m["u"] or m["u2"] or m["u3"]).lower()]), today)
    for m in _LAST_WEEK.finditer(question):
        add(m, *_week(today, 1))
    for m in _THIS_WEEK.finditer(question):
        add(m, _week(today, 0)[0], today)
    for pattern, unit, n in _OTHER_LANGUAGES_BACK:
        for m in pattern.finditer(question):
            add(m, *_unit_back(today, unit, n))
    return [(start, end, period) for start, end, period in found if not _when_asker_learned(question, start, end)]


def question_periods(question: str, today: dt.date) -> list[Period]:
    """The periods a question restricts itself to: dates, months and years it names, and relative
    times ("kemarin", "bulan lalu", "last year", "2 tahun lalu", "minggu lalu", "5 hari terakhir")
    counted from today. A bare weekday is left out: in a question it rarely means the latest such day.
    So is the time the asker read or heard the news ("kemarin aku baca…")."""
    found = _spans_back(question, today)
    found += [(start, end, period) for start, end, period in _written_dates(question, today)
              if not _overlaps(start, end, found) and not _when_asker_learned(question, start, end)]
    mentions = [m for m in date_mentions(question, today)
                if not _WEEKDAY_ONLY.match(m.text) and not _when_asker_learned(question, m.start, m.end)
                and not _overlaps(m.start, m.end, found)]
    periods = [p for _, _, p in sorted(found, key=lambda item: item[0])] + [_period(m) for m in mentions]
    taken = [(s, e) for s, e, _ in found] + [(m.start, m.end) for m in mentions]
    for m in _ANY_YEAR.finditer(question):  # a year alone, written in any script's digits
        year = int(m.group(1))
        bare = Period(m.group(1), dt.date(year, 1, 1), dt.date(year, 12, 31)) if 1900 <= year <= 2100 else None
        if bare and not any((p.start, p.end) == (bare.start, bare.end) for p in periods) \
                and not _overlaps(m.start(), m.end(), taken):
            periods.append(bare)
    return periods


def sentence_dates(sentences: list[str], published: dt.date | None) -> list[tuple[int, dt.date, str]]:
    """Every date the sentences state, as (sentence number, date, precision): what the index stores."""
    return [(n, m.date, m.precision) for n, sentence in enumerate(sentences)
            for m in date_mentions(sentence, published)]


def time_agreement(periods: list[Period], dates: list[dt.date]) -> float:
    """+1 when a passage's dates fall in a period the question names, -1 when it has dates and none
    does, 0 when the question names no time or the passage has no date."""
    if not periods or not dates:
        return 0.0
    return 1.0 if any(p.holds(d) for p in periods for d in dates) else -1.0
