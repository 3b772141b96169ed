"""Fetching pages and feeds from a real HTTP server on 127.0.0.1: politeness (robots.txt, per-host
delay, Retry-After, user agent), safety (private addresses, size cap, redirects, content types), every
failure as one clear line, conditional GETs, `newsbot add`, feeds, and `watch` feeding a running bot."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from newsbot.bot.cli import cli
from newsbot.bot.config import Settings
from newsbot.bot.core import NewsCore
from newsbot.bot.watch import Watcher
from newsbot.index.build import add_urls, update_feeds
from newsbot.index.errors import MetadataError
from newsbot.index.feeds import Feed, FeedList, load_feeds
from newsbot.index.fetch import Fetcher, FetchFailed
from newsbot.index.urls import UrlError, canonical, check_address

from .newssite import NewsServer, Route, feed, page
from .test_inputs import seed_stories


@pytest.fixture(scope="module")
def stories():
    return seed_stories()


@pytest.fixture
def site(stories):
    with NewsServer() as server:
        for s in stories:
            server.routes[s.path()] = Route(page(s, server.base))
        yield server


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(round(seconds, 2))


def fetcher(**kw) -> Fetcher:
    return Fetcher(**{"allow_private": True, "host_delay": 0, "backoff": 0.01, **kw})


def test_canonical_urls_drop_tracking_and_fragments():
    assert canonical("HTTPS://Kabar.Example:443/berita/1?utm_source=rss&id=7&fbclid=x#top") == \
        "https://kabar.example/berita/1?id=7"
    assert canonical("http://kabar.example") == "http://kabar.example/"


def test_only_public_http_addresses_are_fetched():
    for url in ("file:///etc/passwd", "ftp://kabar.example/x", "http://127.0.0.1/x", "http://localhost:8080/",
                "http://10.0.0.8/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/"):
        with pytest.raises(UrlError):
            check_address(url)
    check_address("http://127.0.0.1/x", allow_private=True)
    with pytest.raises(UrlError, match="only http"):
        check_address("file:///etc/passwd", allow_private=True)


def test_private_addresses_are_refused_unless_allowed(site, stories):
    with Fetcher(host_delay=0) as f, pytest.raises(FetchFailed, match="NEWSBOT_ALLOW_PRIVATE_URLS") as failed:
        f.page(site.base + stories[0].path())
    assert failed.value.kind == "refused address" and site.requests == []


def test_robots_txt_user_agent_and_per_host_delay(site, stories):
    site.routes["/robots.txt"] = Route("User-agent: *\nDisallow: /berita/000\nCrawl-delay: 2\n",
                                       content_type="text/plain")
    sleeps = Sleeps()
    with fetcher(bot_url="https://bot.example/about", host_delay=0.5, sleep=sleeps) as f:
        with pytest.raises(FetchFailed, match="robots.txt") as refused:
            f.page(site.base + stories[0].path())
        f.page(site.base + stories[1].path())
        f.page(site.base + stories[2].path())
    assert refused.value.kind == "robots.txt"
    assert site.paths() == ["/robots.txt", stories[1].path(), stories[2].path()]
    agent = site.requests[1][1]["User-Agent"]
    assert agent.startswith("newsbot/") and "https://bot.example/about" in agent
    assert sleeps and max(sleeps) > 1.0  # the site's Crawl-delay (2 s) outranks the 0.5 s default


def test_5xx_and_429_are_retried_with_backoff_and_retry_after(site, stories):
    site.routes[stories[0].path()].fail_times = 2
    site.routes["/busy"] = Route("slow down", 429, headers={"Retry-After": "3"})
    site.routes["/away"] = Route("later", 503, headers={"Retry-After": "86400"})
    sleeps = Sleeps()
    with fetcher(sleep=sleeps, backoff=0.5) as f:
        assert f.page(site.base + stories[0].path()).content
        assert sleeps == [0.5, 1.0]
        sleeps.clear()
        with pytest.raises(FetchFailed, match="HTTP 429"):
            f.page(site.base + "/busy")
        assert sleeps == [3.0, 3.0, 3.0]  # Retry-After honoured on every retry
        with pytest.raises(FetchFailed, match="asks to wait 86400s"):
            f.page(site.base + "/away")
    assert site.paths().count("/away") == 1  # a wait that long is left to the next run


@pytest.mark.parametrize("route, kind, message", [
    (Route("gone", 404), "HTTP 404", "not found"),
    (Route("gone", 410), "HTTP 410", "gone"),
    (Route("oops", 500), "HTTP 500", "HTTP 500, still after retries"),
    (Route(b"\x89PNG" + bytes(100), content_type="image/png"), "wrong content type", "not a web page"),
    (Route("<p>x</p>" * 1_400_000), "too large", "larger than the 5 MB limit"),
    (Route("", 301, headers={"Location": "/loop-b"}), "redirect loop", "redirect loop"),
    (Route("", 304), "HTTP 304", "HTTP 304 to a plain request"),
])
def test_each_failure_is_one_clear_reason(site, route, kind, message):
    site.routes["/x"] = route
    site.routes["/loop-b"] = Route("", 302, headers={"Location": "/x"})
    with fetcher() as f, pytest.raises(FetchFailed) as failed:
        f.page(site.base + "/x")
    assert failed.value.kind == kind and message in str(failed.value)


def test_redirects_are_followed_up_to_a_limit_and_timeouts_end(site, stories):
    for n in range(8):
        site.routes[f"/r{n}"] = Route("", 302, headers={"Location": f"/r{n + 1}"})
    site.routes["/r3"] = Route("", 301, headers={"Location": stories[0].path()})
    site.routes["/slow"] = Route("<p>late</p>", delay=1.5)
    with fetcher(timeout=0.3, retries=1) as f:
        assert f.page(site.base + "/r0").url == site.base + stories[0].path()
        site.routes["/r3"] = Route("", 302, headers={"Location": "/r4"})
        with pytest.raises(FetchFailed, match="more than 5 redirects"):
            f.page(site.base + "/r0")
        with pytest.raises(FetchFailed, match="timed out after 2 tries") as slow:
            f.page(site.base + "/slow")
    assert slow.value.kind == "timeout"


def test_a_page_read_before_costs_a_conditional_get(site, stories, tmp_path, fake_embedder):
    path = stories[0].path()
    route = site.routes[path]
    route.headers = {"ETag": '"v1"', "Last-Modified": "Thu, 14 Sep 2023 03:00:00 GMT"}
    tracked = site.base + path + "?utm_source=twitter&utm_medium=social"
    with fetcher() as f:
        first = add_urls([tracked], tmp_path / "i.db", fake_embedder, f)
        assert first.added == [site.base + path]

        def conditional(handler):
            sent = handler.headers.get("If-None-Match")
            return Route(status=304, headers=route.headers) if sent == '"v1"' else route
        site.routes[path] = Route(handler=conditional)
        again = add_urls([site.base + path + "#comments"], tmp_path / "i.db", fake_embedder, f)
    assert (again.added, again.updated, again.unchanged) == ([], [], 1), (again, site.requests)
    assert site.requests[-1][1]["If-None-Match"] == '"v1"'
    assert site.requests[-1][1]["If-Modified-Since"] == "Thu, 14 Sep 2023 03:00:00 GMT"


def test_the_same_story_under_two_urls_is_one_article(site, stories, tmp_path, fake_embedder):
    site.routes["/mirror/kim"] = Route(page(stories[0], site.base).replace(
        f'href="{site.base}{stories[0].path()}"', f'href="{site.base}/mirror/kim"'))
    with fetcher() as f:
        report = add_urls([site.base + stories[0].path(), site.base + "/mirror/kim", site.base + "/nothing"],
                          tmp_path / "i.db", fake_embedder, f)
    assert report.added == [site.base + stories[0].path()]
    assert dict(report.skipped) == {
        site.base + "/mirror/kim": f"same text as {site.base + stories[0].path()}; not indexed twice",
        site.base + "/nothing": "not found (HTTP 404)",
    }
    assert report.skip_kinds == {"duplicate": 1, "HTTP 404": 1}


def test_feed_lists_are_checked_before_any_fetch(tmp_path):
    good = tmp_path / "feeds.toml"
    good.write_text('every = 10\n[[feed]]\nurl = "https://kabar.example/rss"\noutlet = "Kabar"\n\n'
                    '[[feed]]\nurl = "https://lain.example/atom"\npages = false\n', encoding="utf-8")
    feeds = load_feeds(good)
    assert feeds.every == 10 and feeds.feeds == [Feed("https://kabar.example/rss", "Kabar"),
                                                  Feed("https://lain.example/atom", pages=False)]
    for text, message in (("[[feed]]\noutlet = 'x'\n", "needs a url"), ("[[feed]]\nurl = 'file:///x'\n", "only http"),
                          ("[[feed]]\nurl = 'https://a.example'\ncolour = 1\n", "unknown field"),
                          ("every = 0\n[[feed]]\nurl = 'https://a.example'\n", "every is minutes"),
                          ("", "no feeds"), ("[[feed]\n", "feeds.toml")):
        good.write_text(text, encoding="utf-8")
        with pytest.raises(MetadataError, match=message):
            load_feeds(good)
    with pytest.raises(MetadataError, match="no such feed list"):
        load_feeds(tmp_path / "missing.toml")


def test_feeds_cost_one_304_when_unchanged_and_fetch_only_new_pages(site, stories, tmp_path, fake_embedder):
    def rss(handler):
        if handler.headers.get("If-None-Match") == f'"{len(shown)}"':
            return Route(status=304)
        return Route(feed(shown, site.base, full=False), content_type="application/rss+xml",
                     headers={"ETag": f'"{len(shown)}"'})
    shown = stories[:2]
    site.routes["/rss"] = Route(handler=rss)
    feeds = FeedList([Feed(site.base + "/rss")])
    with fetcher() as f:
        first = update_feeds(feeds, tmp_path / "i.db", fake_embedder, f)
        assert len(first.added) == 2
        site.requests.clear()
        quiet = update_feeds(feeds, tmp_path / "i.db", fake_embedder, f)
        assert (quiet.feeds_unchanged, quiet.added, site.paths()) == (1, [], ["/rss"])
        shown = stories[:3]
        site.requests.clear()
        newer = update_feeds(feeds, tmp_path / "i.db", fake_embedder, f)
    assert newer.added == [site.base + stories[2].path()] and newer.unchanged == 2
    assert site.paths() == ["/rss", stories[2].path()]  # the two pages read before are not fetched again


def test_feed_files_in_a_folder_fetch_their_pages_once(site, stories, tmp_path, fake_embedder):
    from newsbot.index.build import build_index

    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "saved.rss").write_text(feed(stories[:2], site.base, full=False), encoding="utf-8")
    with fetcher() as f:
        first = build_index(folder, tmp_path / "i.db", fake_embedder, fetcher=f)
        assert len(first.added) == 2 and site.paths() == ["/robots.txt"] + [s.path() for s in stories[:2]]
        site.requests.clear()
        again = build_index(folder, tmp_path / "i.db", fake_embedder, fetcher=f)
    assert (again.added, again.unchanged, again.removed, site.paths()) == ([], 2, [], [])


def test_a_broken_feed_or_a_missing_one_is_one_line_and_the_rest_go_on(site, stories, tmp_path, fake_embedder):
    site.routes["/broken"] = Route("<rss><channel><item><title>x</titl", content_type="application/rss+xml")
    site.routes["/good"] = Route(feed(stories[:1], site.base, full=True), content_type="application/rss+xml")
    site.routes["/nolink"] = Route('<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
                                   "<item><title>Tanpa tautan</title><description>Pendek.</description></item>"
                                   "</channel></rss>", content_type="application/rss+xml")
    feeds = FeedList([Feed(site.base + u) for u in ("/broken", "/missing", "/nolink", "/good")])
    with fetcher() as f:
        report = update_feeds(feeds, tmp_path / "i.db", fake_embedder, f)
    assert report.added == [site.base + stories[0].path()]
    assert report.skip_kinds == {"broken feed": 1, "HTTP 404": 1, "entry without link": 1}


def test_cli_add_index_feeds_and_watch_once(site, stories, tmp_path, monkeypatch, fake_embedder):
    monkeypatch.setattr("newsbot.bot.cli.make_embedder", lambda settings: fake_embedder)
    monkeypatch.setattr("newsbot.bot.core.make_embedder", lambda settings: fake_embedder)
    monkeypatch.setattr("newsbot.bot.watch.Fetcher", lambda **kw: Fetcher(**{**kw, "backoff": 0.01}))
    site.routes["/rss"] = Route(feed(stories[1:3], site.base, full=False), content_type="application/rss+xml")
    (tmp_path / "feeds.toml").write_text(f'[[feed]]\nurl = "{site.base}/rss"\n', encoding="utf-8")
    env = {"NEWSBOT_INDEX": str(tmp_path / "i.db"), "NEWSBOT_FETCH_DELAY": "0"}
    runner = CliRunner()
    refused = runner.invoke(cli, ["add", site.base + stories[0].path()], env=env)
    assert refused.exit_code == 1 and "NEWSBOT_ALLOW_PRIVATE_URLS" in refused.output
    env["NEWSBOT_ALLOW_PRIVATE_URLS"] = "1"
    added = runner.invoke(cli, ["add", site.base + stories[0].path(), site.base + "/gone"], env=env)
    assert added.exit_code == 0, added.output
    assert "1 added" in added.output and "1 skipped (1 HTTP 404)" in added.output
    assert f"skipped {site.base}/gone: not found (HTTP 404)" in added.output
    fed = runner.invoke(cli, ["index", "--feeds", str(tmp_path / "feeds.toml")], env=env)
    assert fed.exit_code == 0 and "3 articles" in fed.output and "2 added" in fed.output, fed.output
    watched = runner.invoke(cli, ["watch", "--once"], env={**env, "NEWSBOT_FEEDS": str(tmp_path / "feeds.toml")})
    assert watched.exit_code == 0 and "0 added" in watched.output and "2 unchanged" in watched.output, watched.output
    missing = runner.invoke(cli, ["watch", "--once"], env=env)
    assert missing.exit_code == 1 and "NEWSBOT_FEEDS" in missing.output
    answer = runner.invoke(cli, ["ask", "--json", "Di mana Kim dan Putin bertemu?"], env=env)
    assert all(r["url"].startswith(site.base) for r in json.loads(answer.output)["results"])


def test_watch_beside_a_running_bot_brings_new_articles_without_a_restart(site, stories, tmp_path, fake_embedder):
    shown = stories[:1]
    site.routes["/rss"] = Route(handler=lambda h: Route(feed(shown, site.base, full=False),
                                                        content_type="application/rss+xml"))
    settings = Settings(index_path=tmp_path / "i.db", allow_private_urls=True, fetch_delay=0)
    feeds = FeedList([Feed(site.base + "/rss")])
    reports = []
    watcher = Watcher(settings, fake_embedder, feeds, every=1 / 600, on_report=reports.append)
    assert watcher.run_once().added
    core = NewsCore(settings, fake_embedder)
    try:
        question = stories[3].paragraphs[1]
        before = core.ask(question)
        assert all(r.article != site.base + stories[3].path() for r in before.results)
        shown = stories[:4]
        watcher.start()
        import time

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(site.base + stories[3].path() in r.added for r in reports):
            time.sleep(0.05)
        watcher.stop()
        after = core.ask(question)
        assert after.results[0].article == site.base + stories[3].path()
        assert after.results[0].url == site.base + stories[3].path()
    finally:
        watcher.stop()
        core.retriever.close()


def test_a_failed_watch_run_is_logged_and_the_loop_goes_on(tmp_path, fake_embedder, caplog):
    settings = Settings(index_path=tmp_path, allow_private_urls=True, fetch_delay=0)  # a folder: no index there
    reports = []
    watcher = Watcher(settings, fake_embedder, FeedList([Feed("http://127.0.0.1:9/rss")]), every=1 / 6000,
                      on_report=reports.append)
    watcher.run(runs=2)
    assert caplog.text.count("watch: reading the feeds failed") == 2 and reports == []


def test_pages_served_with_a_wrong_or_no_charset_are_read_right(site, stories, tmp_path, fake_embedder):
    from newsbot.index import sqlite

    def cafe(slug, words):
        paragraphs = [f"Pemilik Café Batavia mengatakan harga kopi naik {words} persen sejak awal bulan ini.",
                      "Para pelanggan mengeluhkan kenaikan itu, tetapi kafe tetap ramai pada akhir pekan, kata dia.",
                      "Pasokan biji kopi dari Sumatra berkurang karena cuaca buruk selama dua bulan terakhir."]
        return page(type(stories[0])(slug, "Kafe", "Kompas", stories[0].published, paragraphs), site.base)
    site.routes["/claims-latin1"] = Route(cafe("claims-latin1", "sepuluh").encode(),
                                          content_type="text/html; charset=iso-8859-1")
    site.routes["/cp1252"] = Route(cafe("cp1252", "dua belas").replace('<meta charset="utf-8">', "").encode("cp1252"),
                                   content_type="text/html")
    with fetcher() as f:
        report = add_urls([site.base + "/claims-latin1", site.base + "/cp1252"], tmp_path / "i.db", fake_embedder, f)
    assert len(report.added) == 2, report.skipped
    db = sqlite.open_index(tmp_path / "i.db")
    texts = [r[0] for r in db.execute("SELECT text FROM passages")]
    db.close()
    assert sum("Café Batavia" in t for t in texts) == 2 and not any("Ã" in t for t in texts)


def test_cli_remove_takes_articles_out_by_id_or_url(site, stories, tmp_path, monkeypatch, fake_embedder):
    from .conftest import write_corpus

    monkeypatch.setattr("newsbot.bot.cli.make_embedder", lambda settings: fake_embedder)
    monkeypatch.setattr("newsbot.bot.core.make_embedder", lambda settings: fake_embedder)
    env = {"NEWSBOT_INDEX": str(tmp_path / "i.db"), "NEWSBOT_FETCH_DELAY": "0", "NEWSBOT_ALLOW_PRIVATE_URLS": "1"}
    runner = CliRunner()
    assert runner.invoke(cli, ["index", str(write_corpus(tmp_path / "c"))], env=env).exit_code == 0
    assert runner.invoke(cli, ["add", site.base + stories[0].path()], env=env).exit_code == 0
    gone = runner.invoke(cli, ["remove", "b_tempo", site.base + stories[0].path() + "?utm_source=x", "nope"], env=env)
    assert gone.exit_code == 1
    assert gone.output.splitlines() == ["removed b_tempo", f"removed {site.base}{stories[0].path()}",
                                        "Error: not in the index: nope (newsbot sources lists the articles)"]
    listed = json.loads(runner.invoke(cli, ["sources", "--json"], env=env).output)
    assert sorted(a["article"] for a in listed) == ["a_antara", "c_unknown"]
