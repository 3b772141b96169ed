"""Feeds and pages on the web: the feed list a newsroom keeps (feeds.toml), and turning URLs into
documents for the indexer, fetching only what may have changed.

feeds.toml:

    every = 15                      # minutes between runs of `newsbot watch` (optional)

    [[feed]]
    url = "https://www.antaranews.com/rss/terkini.xml"
    outlet = "ANTARA"               # optional: the outlet when the page does not say
    language = "id"                 # optional
    pages = true                    # optional: fetch entries' pages when the feed has only summaries

A feed is fetched with its last ETag/Last-Modified (an unchanged feed costs one 304); an entry whose
page was read before and whose feed stamp (updated/published) is the same is not fetched again.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import CorpusFileError, MetadataError
from .fetch import Fetcher, FetchFailed
from .readers import Document, ReadOptions, Skip, decode_html, entry_document, extract_page, parse_feed
from .store import FetchMemo
from .urls import UrlError, canonical, check_address

DEFAULT_EVERY = 15.0  # minutes


@dataclass(frozen=True)
class Feed:
    url: str
    outlet: str | None = None
    language: str | None = None
    pages: bool = True


@dataclass(frozen=True)
class FeedList:
    feeds: list[Feed]
    every: float = DEFAULT_EVERY  # minutes


@dataclass(frozen=True)
class Unchanged:
    """An article known from an earlier run that needed no fetch this time."""

    ident: str


@dataclass(frozen=True)
class FeedChecked:
    """A feed was fetched (or answered 304): its memo, and whether it had anything new."""

    memo: FetchMemo
    not_modified: bool


def load_feeds(path: Path) -> FeedList:
    """Read a feeds.toml file (see the module's docstring); MetadataError says what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MetadataError(f"{path}: no such feed list") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MetadataError(f"{path}: {exc}") from None
    raw = data.get("feed", data.get("feeds", []))
    if isinstance(raw, dict):
        raw = [raw]
    feeds = []
    for n, entry in enumerate(raw if isinstance(raw, list) else [None], 1):
        if isinstance(entry, str):
            entry = {"url": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise MetadataError(f'{path}: feed {n} needs a url, e.g. [[feed]] url = "https://example.com/rss"')
        unknown = set(entry) - set(Feed.__dataclass_fields__)
        if unknown:
            raise MetadataError(f"{path}: feed {n} has unknown field(s): {', '.join(sorted(unknown))}")
        try:
            check_address(entry["url"], allow_private=True)  # the scheme and host; the address is checked on fetching
        except UrlError as exc:
            raise MetadataError(f"{path}: feed {n}: {exc}") from None
        feeds.append(Feed(**entry))
    if not feeds:
        raise MetadataError(f'{path}: no feeds; add one: [[feed]] url = "https://example.com/rss"')
    every = data.get("every", DEFAULT_EVERY)
    if not isinstance(every, (int, float)) or every < 1:
        raise MetadataError(f"{path}: every is minutes between runs, at least 1")
    return FeedList(feeds, float(every))


def page_document(fetcher: Fetcher, url: str, fields: Mapping[str, str] = {}, etag: str | None = None,
                  last_modified: str | None = None) -> tuple[Document | Skip | None, FetchMemo | None]:
    """Fetch a page and take its article: (document or why not, the fetch's memo). A 304 gives (None, memo)."""
    try:
        fetched = fetcher.page(url, etag, last_modified)
    except FetchFailed as exc:
        return Skip(url, exc.reason, exc.kind), None
    memo = FetchMemo(url, fetched.etag, fetched.last_modified)
    if fetched.not_modified:
        return None, memo
    found = extract_page(decode_html(fetched.content, fetched.charset), url, fetched.url)
    if isinstance(found, Skip):
        return found, memo
    # The feed's own title and date stand in for what the page does not say.
    merged = {**{k: v for k, v in fields.items() if k != "url"}, **found.fields}
    ident = found.fields.get("url") or canonical(fetched.url)
    memo = FetchMemo(url, fetched.etag, fetched.last_modified, article=ident)
    return Document(ident, url, found.text, merged, (ident,), found.min_chars), memo


class PageReader:
    """Reads pages into documents for one run. A page read before into an article still indexed is
    fetched again only with a conditional GET, and not at all when its feed stamp is unchanged; the
    fetches' memos wait in `taken()` for the run to commit with the articles."""

    def __init__(self, fetcher: Fetcher, memos: Callable[[list[str]], dict[str, FetchMemo]],
                 known: Callable[[str], bool]):
        self.fetcher, self.memos, self.known = fetcher, memos, known
        self._taken: list[FetchMemo] = []

    def __call__(self, url: str, fields: Mapping[str, str] | None = None,
                 stamp: str | None = None) -> Document | Skip | Unchanged:
        before = self.memos([url]).get(url)
        if before and before.article and self.known(before.article):
            if stamp is not None and before.stamp == stamp:
                return Unchanged(before.article)
            found, memo = page_document(self.fetcher, url, fields or {}, before.etag, before.last_modified)
            if found is None:  # 304 Not Modified
                self._taken.append(replace(before, stamp=stamp))
                return Unchanged(before.article)
        else:  # never read, or its article was removed since: read the page in full
            found, memo = page_document(self.fetcher, url, fields or {})
        if memo is not None:
            self._taken.append(replace(memo, stamp=stamp))
        return found

    def taken(self) -> list[FetchMemo]:
        """The memos of the fetches since the last call."""
        taken, self._taken = self._taken, []
        return taken


def url_documents(fetcher: Fetcher, urls: list[str], memos: Callable[[list[str]], dict[str, FetchMemo]],
                  known: Callable[[str], bool]) -> Iterator[Document | Skip | Unchanged | FetchMemo]:
    """Documents for pages named by URL (`newsbot add`), with conditional GETs for pages read before."""
    pages = PageReader(fetcher, memos, known)
    for url in urls:
        yield pages(canonical(url))
        yield from pages.taken()


def feed_documents(fetcher: Fetcher, feed: Feed, memos: Callable[[list[str]], dict[str, FetchMemo]],
                   known: Callable[[str], bool]) -> Iterator[Document | Skip | Unchanged | FetchMemo | FeedChecked]:
    """Documents for a feed's entries: the entry's content when it carries the article, else its page
    (fetched only when new or re-stamped by the feed)."""
    feed_memo = memos([feed.url]).get(feed.url)
    try:
        fetched = fetcher.feed(feed.url, feed_memo.etag if feed_memo else None,
                               feed_memo.last_modified if feed_memo else None)
    except FetchFailed as exc:
        yield Skip(feed.url, exc.reason, exc.kind)
        return
    memo = FetchMemo(feed.url, fetched.etag, fetched.last_modified)
    if fetched.not_modified:
        yield FeedChecked(memo, True)
        return
    try:
        meta, entries = parse_feed(fetched.content, feed.url)
    except CorpusFileError as exc:
        yield Skip(feed.url, str(exc).removeprefix(f"{feed.url}: "), "broken feed")
        return
    meta = {**meta, **{k: v for k, v in (("title", feed.outlet), ("language", feed.language)) if v}}
    pages = PageReader(fetcher, memos, known)
    options = ReadOptions(fetch_page=pages if feed.pages else None)
    for entry in entries:
        yield entry_document(entry, meta, feed.url, options)
        yield from pages.taken()
    yield FeedChecked(memo, False)
