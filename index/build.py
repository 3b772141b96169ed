"""Building and updating the index from a folder of articles, incrementally.

An article whose content hash (file text + curated metadata + pipeline version) is unchanged is not
read again; a passage whose text was embedded before by the same embedder reuses its vector. New
vectors are committed in batches as they are made (so an interrupted run keeps its work), while the
articles and passages readers see change in one final transaction.
"""

from __future__ import annotations

import hashlib
import time
from importlib.resources import files
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .articles import (article_files, article_id, content_hash, load_curated, parse_article, read_text,
                       resolves_inside)
from .dates import sentence_dates
from .embed import Embedder
from .errors import CorpusFileError
from .passages import normalise, split_passages
from .store import (ChangedArticle, ChangeSet, IndexStore, check_embedder, open_store, passage_key,
                    passage_sentences, vector_key)

EMBED_BATCH = 32

Progress = Callable[[int, int], None]


@dataclass
class IndexReport:
    """What one indexing run did, for the CLI to print and for tests to check."""

    folder: str
    index: str
    embedder: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    embedded: int = 0
    reused: int = 0
    unknown_outlet: list[str] = field(default_factory=list)
    unknown_date: list[str] = field(default_factory=list)
    articles: int = 0
    passages: int = 0
    seconds: float = 0.0
    set_aside: str | None = None  # where a damaged index file was moved by --rebuild

    @property
    def failed(self) -> bool:
        """True when nothing could be indexed at all."""
        return self.articles == 0


def build_index(
    folder: Path | str,
    index: Path | str,
    embedder: Embedder,
    rebuild: bool = False,
    progress: Progress | None = None,
    max_chars: int = 700,
) -> IndexReport:
    """Bring the index (a path or location, see index.store) in line with the articles in folder."""
    started = time.perf_counter()
    folder = Path(folder)
    files = article_files(folder)
    curated = load_curated(folder)
    store = open_store(index, create=True, replace_damaged=rebuild)
    try:
        report = IndexReport(folder=str(folder), index=str(index), embedder=embedder.name, set_aside=store.replaced)
        _update(store, folder, files, curated, embedder, report, rebuild, progress, max_chars)
    finally:
        store.close()
    report.seconds = time.perf_counter() - started
    return report


def _update(store: IndexStore, folder: Path, files: list[Path], curated: dict, embedder: Embedder, report: IndexReport,
            rebuild: bool, progress: Progress | None, max_chars: int) -> None:
    """The work of `build_index` on an open index: process what changed, embed, commit, and count."""
    recorded = store.recorded_embedder()
    if recorded and recorded[0] != embedder.name and not rebuild:
        check_embedder(recorded, embedder.name, embedder.dim)
    indexed = store.article_hashes()
    known = {} if rebuild else indexed  # a rebuild processes every article again

    seen: dict[str, str] = {}  # body digest -> article id, to skip the same article under two names
    changed: list[ChangedArticle] = []
    present: set[str] = set()
    for path in files:
        ident = article_id(path, folder)
        if not resolves_inside(path, folder):  # and what it brought in before goes too
            report.skipped.append((str(path.relative_to(folder)),
                                   "a link to a file outside the corpus folder; not indexed"))
            continue
        try:
            raw = read_text(path)
        except CorpusFileError as exc:
            report.skipped.append((str(path.relative_to(folder)), _reason(exc, path)))
            if ident in indexed:
                present.add(ident)  # keep what was indexed before rather than lose it
            continue
        digest = hashlib.sha256(" ".join(normalise(raw).split()).encode()).hexdigest()
        if digest in seen:
            report.skipped.append((str(path.relative_to(folder)), f"same text as {seen[digest]}; not indexed twice"))
            continue
        seen[digest] = ident
        present.add(ident)
        entry = curated.get(ident) or curated.get(path.stem)
        if known.get(ident) == content_hash(raw, entry):
            report.unchanged += 1
            continue
        try:
            article = parse_article(path, raw, entry, ident)
        except CorpusFileError as exc:
            report.skipped.append((str(path.relative_to(folder)), _reason(exc, path)))
            present.discard(ident)
            continue
        passages = split_passages(article.paragraphs, max_chars=max_chars)
        mentions = [sentence_dates(p.sentences, article.published) for p in passages]
        changed.append(ChangedArticle(article, passages, mentions))
        (report.updated if ident in indexed else report.added).append(ident)

    report.removed = sorted(set(indexed) - present)

    background = background_sentences()
    background_changed = store.background_keys() != {vector_key(embedder.name, t) for t in background}
    # Everything is embedded before anything readers see changes.
    _embed_missing(store, embedder, changed, report, progress)
    if background_changed:
        _store_missing(store, embedder, background)
    if changed or report.removed or recorded is None or rebuild or background_changed:
        store.commit(ChangeSet(changed, report.removed, embedder.name, embedder.dim, background))

    for art in store.articles():
        report.articles += 1
        report.passages += art.passages
        if not art.outlet:
            report.unknown_outlet.append(art.article)
        if not art.published:
            report.unknown_date.append(art.article)


def _reason(exc: Exception, path: Path) -> str:
    return str(exc).removeprefix(f"{path.name}: ")


def background_sentences() -> list[str]:
    """The bundled generic sentences that abstention compares a question against."""
    text = files(__package__).joinpath("data/background.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _store_missing(store: IndexStore, embedder: Embedder, texts: list[str]) -> None:
    """Embed and store the texts that have no vector yet (one batch: the background is small)."""
    keys = {vector_key(embedder.name, t): t for t in texts}
    missing = store.missing_vectors(list(keys))
    if missing:
        store.add_vectors(missing, embedder.embed_passages([keys[k] for k in missing]))


def _embed_missing(store: IndexStore, embedder: Embedder, changed: list[ChangedArticle], report: IndexReport, progress: Progress | None) -> None:
    """Store a vector for every changed passage's whole text and for each of its sentences (answers are
    quoted, and partly ranked, by sentence), embedding only texts never embedded before.

    New vectors are committed in batches as they are made, so an interrupted run keeps its work;
    readers see none of them until the passages that refer to them are committed.
    """
    name = embedder.name
    passages = {passage_key(name, p.text): p.text for c in changed for p in c.passages}
    sentences = {vector_key(name, t): t for c in changed for p in c.passages for t in passage_sentences(p)}
    missing = store.missing_vectors(list(passages))
    report.reused = len(passages) - len(missing)
    report.embedded = len(missing)
    todo = {k: passages[k] for k in missing}
    todo.update((k, sentences[k]) for k in store.missing_vectors(list(sentences)) if k not in todo)
    keys = list(todo)
    if progress and keys:
        progress(0, len(keys))
    for start in range(0, len(keys), EMBED_BATCH):
        batch = keys[start:start + EMBED_BATCH]
        store.add_vectors(batch, embedder.embed_passages([todo[k] for k in batch]))
        if progress:
            progress(start + len(batch), len(keys))
