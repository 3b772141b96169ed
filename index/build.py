"""Building and updating the index, incrementally, from a folder of articles (any file a reader in
index/readers.py takes), from pages named by URL, or from feeds.

An article whose content hash (its text, what its source says, curated metadata, pipeline version)
is unchanged is not parsed again; the same story under another name (same canonical URL, or the same
words) is indexed once; a passage whose text was embedded before by the same embedder reuses its vector. New
vectors are committed in batches as they are made (so an interrupted run keeps its work), while the
articles and passages readers see change in one final transaction. Several runs into one shared store
(PostgreSQL) split the changed articles between them by claims (see `_finish`); `copy_index` moves an
index to another store with its vectors.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path

import numpy as np

from .articles import (Curated, article_files, article_id, content_hash, curated_entry, load_columns, load_curated,
                       parse_article, resolves_inside)
from .dates import sentence_dates
from .embed import Embedder
from .errors import CorpusFileError, IndexNotFound, IndexUnwritable
from .feeds import FeedChecked, FeedList, PageReader, Unchanged, feed_documents, url_documents
from .fetch import Fetcher
from .passages import split_passages
from .readers import Document, ReadOptions, Skip, read_file
from .store import (ChangedArticle, ChangeSet, FetchMemo, IndexStore, check_embedder, open_store, passage_key,
                    sentence_texts, vector_key)
from .urls import canonical

EMBED_BATCH = 32
CLAIM_BATCH = 16  # articles an indexing process takes at a time when several share one index
CLAIM_WAIT = 0.5  # seconds between looks at articles another process is working on

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class IndexReport:
    """What one indexing run did, for the CLI to print and for tests to check."""

    source: str  # what was read: a folder, URLs, a feed list
    index: str
    embedder: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    skip_kinds: Counter = field(default_factory=Counter)  # the reasons' short names, counted
    feeds_unchanged: int = 0  # feeds that answered 304 Not Modified
    embedded: int = 0
    reused: int = 0
    unknown_outlet: list[str] = field(default_factory=list)
    unknown_date: list[str] = field(default_factory=list)
    articles: int = 0
    passages: int = 0
    seconds: float = 0.0
    set_aside: str | None = None  # where a damaged index file was moved by --rebuild
    by_others: list[str] = field(default_factory=list)  # articles another indexing process did meanwhile

    @property
    def failed(self) -> bool:
        """True when nothing could be indexed at all."""
        return self.articles == 0

    def skip(self, where: str, why: str, kind: str) -> None:
        self.skipped.append((where, why))
        self.skip_kinds[kind] += 1


def build_index(
    folder: Path | str,
    index: Path | str,
    embedder: Embedder,
    rebuild: bool = False,
    progress: Progress | None = None,
    max_chars: int = 700,
    fetcher: Fetcher | None = None,
    columns: Mapping[str, str] | None = None,
) -> IndexReport:
    """Bring the index (a path or location, see index.store) in line with the articles in folder.

    The folder's articles mirror the folder: those whose files are gone leave the index. Articles added
    from URLs or feeds stay. With a fetcher, feed files' entries that carry only a summary are read
    from their pages; `columns` names a dump's columns (field -> column) beyond sources.toml's.
    """
    folder = Path(folder)
    paths = article_files(folder)
    curated = load_curated(folder)
    columns = {**load_columns(folder), **(columns or {})}

    def documents(run: _Run) -> Iterator:
        pages = PageReader(fetcher, run.store.fetch_memos, run.is_indexed) if fetcher else None
        options = ReadOptions(columns=columns, fetch_page=pages)
        for n, path in enumerate(paths):
            if progress:
                progress("reading", n, len(paths))
            ident = article_id(path, folder)
            where = path.relative_to(folder).as_posix()
            if not resolves_inside(path, folder):  # and what it brought in before goes too
                yield Skip(where, "a link to a file outside the corpus folder; not indexed", "outside the folder")
                continue
            for item in read_file(path, ident, options):
                yield replace(item, where=where + item.where.removeprefix(path.name)) \
                    if isinstance(item, (Document, Skip)) and item.where.startswith(path.name) else item
                if pages:
                    yield from pages.taken()
        if progress and paths:
            progress("reading", len(paths), len(paths))

    return _run(str(folder), index, embedder, documents, "folder", curated, rebuild, progress, max_chars, mirror=True)


def add_urls(urls: list[str], index: Path | str, embedder: Embedder, fetcher: Fetcher,
             progress: Progress | None = None, max_chars: int = 700) -> IndexReport:
    """Fetch pages and index their articles (`newsbot add`); a page read before costs a conditional GET."""
    urls = list(dict.fromkeys(canonical(u) for u in urls))

    def documents(run: _Run) -> Iterator:
        done = 0
        for item in url_documents(fetcher, urls, run.store.fetch_memos, run.is_indexed):
            yield item
            if progress and not isinstance(item, FetchMemo):  # one article, skip or unchanged page per URL
                done += 1
                progress("fetching", done, len(urls))

    label = urls[0] if len(urls) == 1 else f"{len(urls)} URLs"
    return _run(label, index, embedder, documents, "url", {}, False, progress, max_chars, mirror=False)


def update_feeds(feeds: FeedList, index: Path | str, embedder: Embedder, fetcher: Fetcher,
                 progress: Progress | None = None, max_chars: int = 700, label: str = "feeds") -> IndexReport:
    """Read every feed and the pages it links, and index what is new or changed. Articles that drop
    off a feed stay in the index."""
    def documents(run: _Run) -> Iterator:
        for n, feed in enumerate(feeds.feeds):
            if progress:
                progress("feeds", n, len(feeds.feeds))
            for item in feed_documents(fetcher, feed, run.store.fetch_memos, run.is_indexed):
                yield replace(item, origin=f"feed:{feed.url}") if isinstance(item, Document) else item
        if progress:
            progress("feeds", len(feeds.feeds), len(feeds.feeds))

    return _run(label, index, embedder, documents, "feed", {}, False, progress, max_chars, mirror=False)


def remove_articles(names: list[str], index: Path | str) -> tuple[list[str], list[str]]:
    """Take articles out of the index by id or URL: (ids removed, names not found). Their vectors go
    with them unless other text shares them. A folder's article comes back at its folder's next run
    while its file is there."""
    store = open_store(index)
    try:
        indexed = store.indexed()
        by_url = {r.url: i for i, r in indexed.items() if r.url}
        found, missing = [], []
        for name in names:
            ident = name if name in indexed else None
            if ident is None and name.startswith(("http://", "https://")):
                ident = by_url.get(name) or by_url.get(canonical(name))
            if ident:
                found.append(ident)
            else:
                missing.append(name)
        found = list(dict.fromkeys(found))
        recorded = store.recorded_embedder()
        if found and recorded:
            store.commit(ChangeSet([], found, recorded[0], recorded[1], background_sentences()))
    finally:
        store.close()
    return found, missing


COPY_BATCH = 500  # articles copied per transaction


def copy_index(source: Path | str, target: Path | str, progress: Progress | None = None) -> IndexReport:
    """Copy an index into another store (a SQLite file into PostgreSQL, say) with its vectors: nothing is
    embedded again. The target must hold no articles yet; it is written a batch of articles at a time,
    each batch in one transaction."""
    started = time.perf_counter()
    src = open_store(source)
    try:
        recorded = src.recorded_embedder()
        if recorded is None:
            raise IndexNotFound(f"the index at {src.location} is empty: nothing to copy")
        dst = open_store(target, create=True)
        try:
            if dst.indexed():
                raise IndexUnwritable(f"the index at {dst.location} already holds articles; copy into an empty one "
                                      "(or index into it with newsbot index)")
            report = IndexReport(source=src.location, index=dst.location, embedder=recorded[0])
            background = src.background_keys()
            ids = sorted(src.indexed())
            memos = list(src.fetch_memos().values())
            for start in range(0, max(len(ids), 1), COPY_BATCH):
                batch = src.stored(ids[start:start + COPY_BATCH])
                keys = [passage_key(recorded[0], p.text) for c in batch for p in c.passages]
                keys += [vector_key(recorded[0], t) for c in batch for p in c.passages for t in sentence_texts(p)]
                keys += list(background) if start == 0 else []
                missing = dst.missing_vectors(keys)
                for at in range(0, len(missing), 1000):
                    vectors = src.vectors(missing[at:at + 1000])
                    found = [k for k in missing[at:at + 1000] if k in vectors]
                    if found:
                        dst.add_vectors(found, np.vstack([vectors[k] for k in found]))
                dst.commit(ChangeSet(batch, [], recorded[0], recorded[1], list(background.values()),
                                     memos if start == 0 else []))
                report.added += [c.article.article for c in batch]
                if progress:
                    progress("copying", min(start + COPY_BATCH, len(ids)), len(ids))
            dst.prepare_search(progress)
            for art in dst.articles():
                report.articles += 1
                report.passages += art.passages
        finally:
            dst.close()
    finally:
        src.close()
    report.seconds = time.perf_counter() - started
    return report


def _run(source: str, index: Path | str, embedder: Embedder, documents: Callable[[_Run], Iterator], origin: str,
         curated: dict[str, Curated], rebuild: bool, progress: Progress | None, max_chars: int,
         mirror: bool) -> IndexReport:
    started = time.perf_counter()
    store = open_store(index, create=True, replace_damaged=rebuild)
    try:
        report = IndexReport(source=source, index=store.location, embedder=embedder.name, set_aside=store.replaced)
        recorded = store.recorded_embedder()
        if recorded and recorded[0] != embedder.name and not rebuild:
            check_embedder(recorded, embedder.name, embedder.dim)
        run = _Run(store, report, curated, origin, rebuild, max_chars)
        for item in documents(run):
            run.take(item)
        if mirror:
            report.removed = sorted(i for i, r in run.indexed.items()
                                    if i not in run.present and r.origin in (None, "folder"))
        _finish(store, embedder, run, recorded, rebuild, progress)
    finally:
        store.close()
    report.seconds = time.perf_counter() - started
    return report


class _Run:
    """One run's bookkeeping: what is indexed, what this run has seen, changed and fetched, and the
    duplicate checks (by URL and by words) across everything indexed."""

    def __init__(self, store: IndexStore, report: IndexReport, curated: dict[str, Curated], origin: str,
                 rebuild: bool, max_chars: int):
        self.store, self.report, self.curated, self.origin, self.max_chars = store, report, curated, origin, max_chars
        self.indexed = store.indexed()
        self.known = {} if rebuild else self.indexed  # a rebuild processes every article again
        self.by_url = {r.url: i for i, r in self.indexed.items() if r.url}
        self.by_text = {r.text_hash: i for i, r in self.indexed.items() if r.text_hash}
        self.present: set[str] = set()
        self.changed: list[ChangedArticle] = []
        self.fetches: list[FetchMemo] = []

    def is_indexed(self, ident: str) -> bool:
        return ident in self.indexed

    def take(self, item: Document | Skip | Unchanged | FetchMemo | FeedChecked) -> None:
        report = self.report
        if isinstance(item, FetchMemo):
            self.fetches.append(item)
        elif isinstance(item, FeedChecked):
            self.fetches.append(item.memo)
            report.feeds_unchanged += item.not_modified
        elif isinstance(item, Unchanged):
            report.unchanged += 1
            self.present.add(item.ident)
        elif isinstance(item, Skip):
            report.skip(item.where, item.why, item.kind)
            if item.ident in self.indexed:
                self.present.add(item.ident)  # keep what was indexed before rather than lose it
        else:
            self._document(item)

    def _document(self, doc: Document) -> None:
        report, ident = self.report, doc.ident
        if ident in self.present:
            report.skip(doc.where, f"{ident} appears twice; indexed once", "duplicate")
            return
        origin = doc.origin or self.origin
        entry = curated_entry(doc, self.curated)
        record = self.known.get(ident)
        if record and record.content_hash == content_hash(doc, entry) and record.origin == origin:
            report.unchanged += 1
            self.present.add(ident)
            return
        try:
            article = parse_article(doc, entry, origin)
        except CorpusFileError as exc:
            report.skip(doc.where, str(exc).removeprefix(f"{doc.where}: "), exc.kind)
            return
        twin = self.by_url.get(article.url) if article.url else None
        if twin is None or twin == ident:
            twin = self.by_text.get(article.text_hash)
            what = "same text as"
        else:
            what = "same URL as"
        if twin is not None and twin != ident:
            report.skip(doc.where, f"{what} {twin}; not indexed twice", "duplicate")
            if twin in self.indexed:
                self.present.add(twin)
            return
        if article.url:
            self.by_url[article.url] = ident
        self.by_text[article.text_hash] = ident
        self.present.add(ident)
        passages = split_passages(article.paragraphs, max_chars=self.max_chars)
        mentions = [sentence_dates(p.sentences, article.published) for p in passages]
        self.changed.append(ChangedArticle(article, passages, mentions))
        (report.updated if ident in self.indexed else report.added).append(ident)


def _finish(store: IndexStore, embedder: Embedder, run: _Run, recorded: tuple[str, int] | None, rebuild: bool,
            progress: Progress | None) -> None:
    """Embed what is new, commit the run's changes in one transaction, and count the index.

    Several processes indexing into one shared store (PostgreSQL) each claim the changed articles a
    batch at a time, so no article is embedded twice: each commits what it claimed (one transaction),
    then waits for the articles others hold. One another process commits is left out here
    (`report.by_others`); one whose process died (its claims go with its connection) is claimed and
    done here in a further commit, reusing whatever vectors the dead one stored. A store with a single
    writer (SQLite) hands over every article at once: one commit.
    """
    report = run.report
    background = background_sentences()
    background_changed = set(store.background_keys()) != {vector_key(embedder.name, t) for t in background}
    if background_changed:
        _store_background(store, embedder, background)
    claims = _Claims(store, run, rebuild, progress)
    first = True
    while True:
        mine = claims.embed_claimable(embedder)  # everything is embedded before anything readers see changes
        try:
            if mine or (first and (report.removed or recorded is None or rebuild or background_changed or run.fetches)):
                store.commit(ChangeSet(mine, report.removed if first else [], embedder.name, embedder.dim, background,
                                       run.fetches if first else []))
        finally:
            store.release([c.article.article for c in mine])
        first = False
        if not claims.pending:
            break
        time.sleep(CLAIM_WAIT)
        claims.done_by_others(list(claims.pending))
    store.prepare_search(progress)

    for art in store.articles():
        report.articles += 1
        report.passages += art.passages
        if not art.outlet:
            report.unknown_outlet.append(art.article)
        if not art.published:
            report.unknown_date.append(art.article)


class _Claims:
    """The changed articles of a run still to do, claimed from the store a batch at a time."""

    def __init__(self, store: IndexStore, run: _Run, rebuild: bool, progress: Progress | None):
        self.store, self.report, self.rebuild = store, run.report, rebuild
        self.pending = {c.article.article: c for c in run.changed}
        self.held: set[str] = set()  # articles seen held by another process
        self.counter = _EmbedProgress(progress, sum(len(c.passages) for c in run.changed))

    def embed_claimable(self, embedder: Embedder) -> list[ChangedArticle]:
        """Claim and embed pending articles until none is left that another process does not hold; the
        claimed ones (held until released)."""
        mine: list[ChangedArticle] = []
        try:
            while self.pending:
                taken = self.store.claim(list(self.pending), CLAIM_BATCH)
                if len(taken) < CLAIM_BATCH:  # the claim passed over every other pending article: others hold them
                    self.held.update(i for i in self.pending if i not in taken)
                if not taken:
                    break
                already = self.done_by_others(taken)
                if already:
                    self.store.release(sorted(already))
                batch = [self.pending.pop(i) for i in taken if i not in already]
                mine += batch
                _embed_missing(self.store, embedder, batch, self.report, self.counter)
        except BaseException:
            self.store.release([c.article.article for c in mine])
            raise
        return mine

    def done_by_others(self, idents: list[str]) -> set[str]:
        """Those of these articles another process has committed since this run read them; they are
        done, and leave the run."""
        # Without --rebuild an article is pending only because its content differed when this run looked;
        # with it, only an article another process held can have been done since.
        look = [i for i in idents if not self.rebuild or i in self.held]
        now = self.store.indexed(look) if look else {}
        done = {i for i, r in now.items() if r.content_hash == self.pending[i].article.content_hash
                and r.origin == self.pending[i].article.origin}
        for ident in done:
            change = self.pending.pop(ident)
            self.report.by_others.append(ident)
            for names in (self.report.added, self.report.updated):
                if ident in names:
                    names.remove(ident)
            self.counter.advance(len(change.passages))
        return done


class _EmbedProgress:
    """The embedding stage's progress over a whole run, in passages, across claimed batches."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done = progress, total, 0

    def advance(self, passages: int) -> None:
        self.done = min(self.done + passages, self.total)
        if self.progress and self.total:
            self.progress("embedding", self.done, self.total)


def background_sentences() -> list[str]:
    """The bundled generic sentences that abstention compares a question against."""
    text = files(__package__).joinpath("data/background.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


BACKGROUND_CLAIM = "\tbackground"  # the claim on embedding the background sentences (no article id has a tab)


def _store_background(store: IndexStore, embedder: Embedder, texts: list[str]) -> None:
    """Embed and store the background sentences' missing vectors, unless another process sharing the
    store is doing it: then wait for them."""
    keys = [vector_key(embedder.name, t) for t in texts]
    while store.missing_vectors(keys):
        if store.claim([BACKGROUND_CLAIM], 1):
            try:
                _store_missing(store, embedder, texts)
            finally:
                store.release([BACKGROUND_CLAIM])
            return
        time.sleep(CLAIM_WAIT)


def _store_missing(store: IndexStore, embedder: Embedder, texts: list[str]) -> None:
    """Embed and store the texts that have no vector yet (one batch: the background is small)."""
    keys = {vector_key(embedder.name, t): t for t in texts}
    missing = store.missing_vectors(list(keys))
    if missing:
        store.add_vectors(missing, embedder.embed_passages([keys[k] for k in missing]))


def _embed_missing(store: IndexStore, embedder: Embedder, changed: list[ChangedArticle], report: IndexReport,
                   counter: _EmbedProgress) -> None:
    """Store a vector for every changed passage's whole text and for each of its sentences (answers are
    quoted, and partly ranked, by sentence), embedding only texts never embedded before.

    New vectors are committed in batches as they are made, so an interrupted run keeps its work;
    readers see none of them until the passages that refer to them are committed.
    """
    name = embedder.name
    passages = {passage_key(name, p.text): p.text for c in changed for p in c.passages}
    sentences = {vector_key(name, t): t for c in changed for p in c.passages for t in sentence_texts(p)}
    missing = store.missing_vectors(list(passages))
    report.reused += len(passages) - len(missing)
    report.embedded += len(missing)
    todo = {k: passages[k] for k in missing}
    todo.update((k, sentences[k]) for k in store.missing_vectors(list(sentences)) if k not in todo)
    keys = list(todo)
    share = sum(len(c.passages) for c in changed)  # this batch's part of the run's progress, in passages
    shown = 0
    for start in range(0, len(keys), EMBED_BATCH):
        batch = keys[start:start + EMBED_BATCH]
        store.add_vectors(batch, embedder.embed_passages([todo[k] for k in batch]))
        step = share * (start + len(batch)) // len(keys) - shown
        shown += step
        counter.advance(step)
    counter.advance(share - shown)
