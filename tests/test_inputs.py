"""Reading the news where it lives: the same seed articles as .txt, as saved news pages, as a JSONL dump,
as a feed file, and fetched from a web site, give the same passages and the same answers."""

from __future__ import annotations

import json
import sqlite3

import pytest

from newsbot.bot.config import Settings
from newsbot.bot.core import NewsCore
from newsbot.bot.evaluate import load_cases
from newsbot.index import sqlite
from newsbot.index.articles import article_files, curated_entry, load_curated, parse_article
from newsbot.index.build import build_index, update_feeds
from newsbot.index.feeds import Feed, FeedList
from newsbot.index.fetch import Fetcher
from newsbot.index.readers import READERS, ReadOptions, date_value, html_paragraphs, read_file, reader

from .conftest import DEV2_SET, DEV_SET, SEEDS
from .newssite import NewsServer, Route, Story, feed, jsonl, page

SITE = "https://berita.example"
# Questions people ask (the dev sets when they are beside the checkout, else a few of the same kind).
QUESTIONS = [c.q for f in (DEV_SET, DEV2_SET) if f.exists() for c in load_cases(f)] or [
    "Di mana Kim dan Putin bertemu?", "How many troops did North Korea send?", "kapan putin ke pyongyang?",
    "Apa kata Kremlin soal kunjungan Putin?", "Siapa yang mengundang Putin?",
]


def seed_stories() -> list[Story]:
    """The seeds as a site would publish them: their lines, with the outlet and date the .txt index reads."""
    curated = load_curated(SEEDS)
    stories = []
    for path in article_files(SEEDS):
        doc = next(read_file(path, path.stem, ReadOptions()))
        article = parse_article(doc, curated_entry(doc, curated))
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        title = article.paragraphs[0][:70].rsplit(" ", 1)[0]
        stories.append(Story(path.stem, title, article.outlet, article.published, lines))
    return stories


def contents(path) -> tuple[list[str], list[tuple]]:
    db = sqlite.open_index(path)
    try:
        passages = sorted(r[0] for r in db.execute("SELECT text FROM passages"))
        articles = sorted(tuple(r) for r in db.execute("SELECT outlet, published FROM articles"))
    finally:
        db.close()
    return passages, articles


def answers(path, embedder) -> list[list[tuple]]:
    core = NewsCore(Settings(index_path=path), embedder)
    try:
        return [[(r.quote, r.outlet, r.published) for r in core.ask(q).results] for q in QUESTIONS]
    finally:
        core.retriever.close()


@pytest.fixture(scope="module")
def stories():
    return seed_stories()


def test_the_same_articles_from_html_jsonl_a_feed_and_the_web_answer_as_the_txt_files(tmp_path, stories, fake_embedder):
    build_index(SEEDS, tmp_path / "txt.db", fake_embedder)
    expected = contents(tmp_path / "txt.db")
    assert len(expected[1]) == 5

    html_dir = tmp_path / "html"
    html_dir.mkdir()
    for s in stories:
        (html_dir / f"{s.slug}.html").write_text(page(s, SITE, related=stories[:2]), encoding="utf-8")
    dump_dir = tmp_path / "dump"
    dump_dir.mkdir()
    (dump_dir / "news.jsonl").write_text(jsonl(stories, SITE), encoding="utf-8")
    feed_dir = tmp_path / "feed"
    feed_dir.mkdir()
    for outlet in {s.outlet for s in stories}:  # each outlet its own feed, titled with its name
        mine = [s for s in stories if s.outlet == outlet]
        (feed_dir / f"{mine[0].slug}.xml").write_text(feed(mine, SITE, full=True, title=outlet), encoding="utf-8")
    for form, folder in (("html", html_dir), ("jsonl", dump_dir), ("feed", feed_dir)):
        report = build_index(folder, tmp_path / f"{form}.db", fake_embedder)
        assert (len(report.added), report.skipped) == (5, []), form
        assert contents(tmp_path / f"{form}.db") == expected, form

    with NewsServer() as site, Fetcher(allow_private=True, host_delay=0) as fetcher:
        for s in stories:
            site.routes[s.path()] = Route(page(s, site.base))
        site.routes["/rss"] = Route(feed(stories, site.base, full=False), content_type="application/rss+xml")
        report = update_feeds(FeedList([Feed(site.base + "/rss")]), tmp_path / "web.db", fake_embedder, fetcher)
        assert (len(report.added), report.skipped) == (5, [])
        assert contents(tmp_path / "web.db") == expected

    reference = answers(tmp_path / "txt.db", fake_embedder)
    assert any(reference)
    for form in ("html", "jsonl", "feed", "web"):
        assert answers(tmp_path / f"{form}.db", fake_embedder) == reference, form


def test_a_news_page_loses_its_chrome_and_keeps_its_metadata(tmp_path, stories, fake_embedder):
    story = stories[0]
    (tmp_path / "page.html").write_text(page(story, SITE, related=stories[1:3]), encoding="utf-8")
    build_index(tmp_path, tmp_path / "i.db", fake_embedder)
    db = sqlite.open_index(tmp_path / "i.db")
    text = " ".join(r[0] for r in db.execute("SELECT text FROM passages"))
    row = db.execute("SELECT id, title, url, outlet, published FROM articles").fetchone()
    db.close()
    for chrome in ("Beranda", "cookie", "Bagikan", "Harga cabai naik lagi", "Berita Terkait", "Timnas",
                   "Mantap", "Komentar", "Pedoman Media Siber", "dataLayer", "googletag", "ADVERTISEMENT",
                   "All rights reserved", stories[1].title):
        assert chrome not in text, chrome
    assert row == ("page", story.title, f"{SITE}/berita/{story.slug}", "ANTARA", story.published.isoformat())


def test_a_page_without_a_dateline_takes_the_outlet_from_the_site_name_or_the_domain(tmp_path, fake_embedder):
    import datetime as dt

    bus = ["Pemerintah kota mengumumkan jadwal baru bus listrik yang mulai berlaku pekan depan bagi warga.",
           "Jadwal itu menambah dua puluh perjalanan pada jam sibuk pagi dan sore, kata kepala dinas perhubungan.",
           "Tarif tidak berubah selama masa uji coba tiga bulan, dan kartu lama masih berlaku di semua halte."]
    named = Story("bus", "Jadwal baru bus listrik", "Warta Kota", dt.date(2024, 5, 2), bus)
    (tmp_path / "named.html").write_text(page(named, "https://wartakota.example"), encoding="utf-8")
    rain = [p.replace("bus listrik", "kereta ringan") for p in bus]
    bare = page(Story("lrt", "Jadwal LRT", "Warta Kota", dt.date(2024, 5, 3), rain), "https://www.kabarbaru.example")
    bare = bare.replace('<meta property="og:site_name" content="Warta Kota">', "").replace("Warta Kota", "Redaksi")
    (tmp_path / "bare.html").write_text(bare, encoding="utf-8")
    (tmp_path / "copy.html").write_text(page(named, "https://wartakota.example").replace("/berita/bus", "/b/bus-2"),
                                        encoding="utf-8")
    report = build_index(tmp_path, tmp_path / "i.db", fake_embedder)
    assert report.skipped == [("named.html", "same text as copy; not indexed twice")]
    db = sqlite.open_index(tmp_path / "i.db")
    outlets = {r[0]: (r[1], r[2], r[3]) for r in db.execute("SELECT id, outlet, outlet_from, published FROM articles")}
    db.close()
    assert outlets == {"bare": ("kabarbaru.example", "source", "2024-05-03"),
                       "copy": ("Warta Kota", "source", "2024-05-02")}


def test_pages_that_hold_no_article_get_one_clear_line_each(tmp_path, stories, fake_embedder):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "front.html").write_text("<html><body><nav><a href='/a'>Politik</a> <a href='/b'>Ekonomi</a></nav>"
                                       "<ul><li><a href='/1'>Satu</a></li></ul></body></html>", encoding="utf-8")
    stub = Story("stub", "Eksklusif", "Harian", stories[0].published,
                 ["Berlangganan untuk membaca artikel ini selengkapnya."])
    (folder / "paywall.html").write_text(page(stub, SITE), encoding="utf-8")
    (folder / "ok.html").write_text(page(stories[1], SITE), encoding="utf-8")
    (folder / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    report = build_index(folder, tmp_path / "i.db", fake_embedder)
    reasons = dict(report.skipped)
    assert report.added == ["ok"]
    assert "section front" in reasons["front.html"] and "paywall stub" in reasons["paywall.html"]
    assert "binary" in reasons["binary.html"]
    assert report.skip_kinds == {"too short": 2, "not a news page": 1}


def test_wrong_or_missing_charsets_are_read_right(tmp_path, stories, fake_embedder):
    story = Story("kafe", "Kafe di Jakarta", "Kompas", stories[0].published, [
        "Pemilik Café Batavia mengatakan harga kopi naik sepuluh persen sejak awal bulan karena pasokan berkurang.",
        "Para pelanggan mengeluhkan kenaikan itu, tetapi kafe tetap ramai pada akhir pekan, kata pemiliknya."])
    utf8 = page(story, SITE)
    (tmp_path / "says_latin1.html").write_bytes(utf8.replace('charset="utf-8"', 'charset="iso-8859-1"').encode())
    latin = page(Story("kafe2", story.title, "Kompas", story.published,
                       [p.replace("sepuluh", "dua belas") for p in story.paragraphs]), SITE)
    (tmp_path / "no_charset.html").write_bytes(latin.replace('<meta charset="utf-8">', "").encode("cp1252"))
    report = build_index(tmp_path, tmp_path / "i.db", fake_embedder)
    assert sorted(report.added) == ["no_charset", "says_latin1"]
    db = sqlite.open_index(tmp_path / "i.db")
    texts = [r[0] for r in db.execute("SELECT text FROM passages")]
    db.close()
    assert sum("Café Batavia" in t for t in texts) == 2 and not any("CafÃ" in t for t in texts)


def test_dumps_recognise_common_columns_and_map_others(tmp_path, fake_embedder):
    folder = tmp_path / "d"
    folder.mkdir()
    long = "Banjir merendam ratusan rumah di Bekasi setelah hujan deras semalaman, kata petugas BPBD setempat."
    rows = [
        {"headline": "Banjir Bekasi", "body": long, "url": "https://kabar.example/banjir?utm_source=x",
         "published_at": "2024-02-03T08:00:00Z", "publisher": "Kabar"},
        {"headline": "Kosong", "body": "", "url": "https://kabar.example/kosong"},
        {"headline": "Sama", "body": long, "url": "https://kabar.example/banjir"},
        "not an object",
    ]
    (folder / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken\n", encoding="utf-8")
    (folder / "b.csv").write_text(
        "judul;isi;tautan;tgl\n"
        "Gempa;Gempa bermagnitudo 5,1 mengguncang Cianjur pada Senin pagi, kata BMKG dalam keterangannya.;"
        "https://kabar.example/gempa;Mon, 05 Feb 2024 07:00:00 +0700\n"
        "Tanpa isi;;https://kabar.example/x;2024-02-05\n", encoding="utf-8")
    (folder / "sources.toml").write_text('[newsbot.columns]\nurl = "tautan"\npublished = "tgl"\n\n'
                                         '["https://kabar.example/gempa"]\noutlet = "Kabar Jabar"\n', encoding="utf-8")
    report = build_index(folder, tmp_path / "i.db", fake_embedder)
    assert sorted(report.added) == ["https://kabar.example/banjir", "https://kabar.example/gempa"]
    reasons = dict(report.skipped)
    assert "no text" in reasons["a.jsonl line 2"] and "no text" in reasons["b.csv line 3"]
    assert reasons["a.jsonl line 3"].startswith("https://kabar.example/banjir appears twice")
    assert "not a JSON object" in reasons["a.jsonl line 4"] and "not a JSON object" in reasons["a.jsonl line 5"]
    db = sqlite.open_index(tmp_path / "i.db")
    meta = {r[0]: tuple(r[1:]) for r in db.execute("SELECT id, title, outlet, published FROM articles")}
    db.close()
    assert meta["https://kabar.example/banjir"] == ("Banjir Bekasi", "Kabar", "2024-02-03")
    assert meta["https://kabar.example/gempa"] == ("Gempa", "Kabar Jabar", "2024-02-05")
    # The text column of a dump whose names nothing recognises is named with an option.
    (folder / "c.jsonl").write_text(json.dumps({"naskah": long.replace("Bekasi", "Depok")}) + "\n", encoding="utf-8")
    report = build_index(folder, tmp_path / "i.db", fake_embedder)
    assert "no text column" in dict(report.skipped)["c.jsonl line 1"]
    report = build_index(folder, tmp_path / "i.db", fake_embedder, columns={"text": "naskah"})
    assert len(report.added) == 1 and report.added[0].startswith("sha256:")


def test_feed_files_skip_summaries_without_fetching_and_entries_without_links(tmp_path, stories, fake_embedder):
    (tmp_path / "summaries.rss").write_text(feed(stories[:2], SITE, full=False), encoding="utf-8")
    (tmp_path / "broken.xml").write_text("<rss><channel><item><title>x</titl", encoding="utf-8")
    (tmp_path / "nolink.atom").write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        "<entry><title>Tanpa tautan</title><summary>Pendek.</summary></entry></feed>", encoding="utf-8")
    (tmp_path / "ok.txt").write_text("\n".join(stories[2].paragraphs), encoding="utf-8")
    report = build_index(tmp_path, tmp_path / "i.db", fake_embedder)
    assert report.added == ["ok"]
    assert report.skip_kinds == {"summary only": 2, "broken feed": 1, "entry without link": 1}
    assert all("--fetch" in why for where, why in report.skipped if where.startswith(SITE))


def test_a_folder_run_removes_its_own_gone_files_but_never_web_articles(tmp_path, stories, fake_embedder):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text("\n".join(stories[0].paragraphs), encoding="utf-8")
    (folder / "b.txt").write_text("\n".join(stories[1].paragraphs), encoding="utf-8")
    build_index(folder, tmp_path / "i.db", fake_embedder)
    with NewsServer() as site, Fetcher(allow_private=True, host_delay=0) as fetcher:
        site.routes[stories[2].path()] = Route(page(stories[2], site.base))
        site.routes["/rss"] = Route(feed(stories[2:3], site.base, full=False), content_type="application/rss+xml")
        update_feeds(FeedList([Feed(site.base + "/rss")]), tmp_path / "i.db", fake_embedder, fetcher)
    (folder / "b.txt").unlink()
    report = build_index(folder, tmp_path / "i.db", fake_embedder)
    assert report.removed == ["b"] and report.articles == 2 and report.unchanged == 1


def test_an_old_index_gains_origins_and_is_read_again_once(tmp_path, fake_embedder):
    from .conftest import write_corpus

    corpus = write_corpus(tmp_path / "c")
    path = tmp_path / "i.db"
    build_index(corpus, path, fake_embedder)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE articles SET origin = NULL, text_hash = NULL")
    conn.commit()
    conn.close()
    fake_embedder.calls.clear()
    report = build_index(corpus, path, fake_embedder)
    assert sorted(report.updated) == ["a_antara", "b_tempo", "c_unknown"] and report.embedded == 0
    assert build_index(corpus, path, fake_embedder).unchanged == 3


def test_readers_are_registered_by_suffix_and_a_new_one_plugs_in(tmp_path, fake_embedder):
    assert {".txt", ".md", ".html", ".htm", ".jsonl", ".csv", ".xml", ".rss", ".atom"} <= set(READERS)

    @reader(".news")
    def read_news(path, ident, options):  # a made-up format: blocks separated by '%%'
        from newsbot.index.readers import Document

        for n, block in enumerate(path.read_text(encoding="utf-8").split("%%"), 1):
            yield Document(f"{ident}#{n}", f"{path.name} block {n}", block.strip(), {"outlet": "Buletin"})

    try:
        (tmp_path / "x.news").write_text("Warga menanam seribu pohon di bantaran sungai Ciliwung pada Minggu."
                                         "\n%%\nPasar murah digelar di balai kota selama tiga hari ke depan.",
                                         encoding="utf-8")
        report = build_index(tmp_path, tmp_path / "i.db", fake_embedder)
        assert report.added == ["x#1", "x#2"] and report.unknown_outlet == []
    finally:
        del READERS[".news"]


@pytest.mark.parametrize("value, expected", [
    ("2024-02-03", "2024-02-03"), ("2024-02-03T23:00:00+07:00", "2024-02-03"),
    ("Sat, 03 Feb 2024 08:00:00 GMT", "2024-02-03"), (1706947200, "2024-02-03"), ("1706947200000", "2024-02-03"),
    ("3 Februari 2024", "2024-02-03"), ("kemarin", None), ("", None), (None, None),
])
def test_dates_in_dumps_and_feeds(value, expected):
    assert date_value(value) == expected


def test_feed_content_becomes_paragraphs():
    fragment = ("<div>Lead tanpa tag<p>Satu <b>dua</b> tiga.</p><p>Empat<br>lima</p>"
                "<script>x()</script><ul><li>enam</li></ul></div>")
    assert html_paragraphs(fragment) == ["Lead tanpa tag", "Satu dua tiga.", "Empat", "lima", "enam"]
    assert html_paragraphs("Baris satu\nBaris dua") == ["Baris satu", "Baris dua"]
