"""The index behind one interface, `IndexStore`, so retrieval, answers, the timeline and the front ends
never know which engine holds it.

An index is named by a location string: a file path, or `sqlite:///path/to/index.db`, is a SQLite
file (index/sqlite.py). Another engine adds its URL scheme to `ENGINES`. A store speaks in the domain
types of index/model.py, and raises only the errors of index/errors.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from .articles import ParsedArticle
from .errors import EmbedderMismatch, IndexNotFound
from .model import Article, Follow, Mention, Passage, Post, ShownAnswer, Snapshot, Vote
from .passages import PassageText, unattributed


@dataclass(frozen=True)
class ChangedArticle:
    """An article to (re)write, with its passages and, per passage, the dates its sentences state as
    (sentence number, date, precision)."""

    article: ParsedArticle
    passages: list[PassageText]
    mentions: list[list[tuple[int, dt.date, str]]]


@dataclass(frozen=True)
class IndexedArticle:
    """What the indexer needs to know of an article already indexed: whether it changed, where it came
    from, and what makes another copy of it a duplicate."""

    content_hash: str
    origin: str | None  # "folder", "url", "feed:<feed URL>"; None in an index older than origins
    url: str | None
    text_hash: str | None


@dataclass(frozen=True)
class FetchMemo:
    """What a fetch of a URL left to make the next one cheap: the server's validators for a conditional
    GET, and the feed entry's update stamp when the URL is an entry's page."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    stamp: str | None = None  # a feed entry's updated/published time as the feed gave it
    article: str | None = None  # the article read from it, if any


@dataclass(frozen=True)
class ChangeSet:
    """One commit: what readers see changes all at once, or not at all."""

    changed: list[ChangedArticle]
    removed: list[str]  # article ids
    embedder: str
    dim: int
    background: list[str]  # the generic sentences abstention compares against (their vectors stored)
    fetches: list[FetchMemo] = field(default_factory=list)  # kept with the articles they brought


class IndexStore(Protocol):
    """What the rest of the program asks of an index. Safe to share between threads."""

    location: str  # as the user named it, for messages
    replaced: str | None  # where a damaged index was moved when opened with replace_damaged

    def version(self) -> Hashable:
        """Changes whenever what readers see changes (a commit, another index put in its place)."""

    def recorded_embedder(self) -> tuple[str, int] | None:
        """The embedder (name, dimensions) the index was built with; None for an empty index."""

    def snapshot(self, complete: bool = False) -> Snapshot:
        """What a search holds while the index is unchanged (vectors, counts, background), read at one
        version; with complete, every passage's vector even where `nearest` would find them."""

    def nearest(self, vector: np.ndarray, k: int, language: str | None, since: dt.date | None = None,
                until: dt.date | None = None) -> dict[int, np.ndarray]:
        """About the k passages of articles in this language nearest the vector (by exact cosine, nearest
        first), among those the snapshot's `vectors` leave out: none when the snapshot is complete.
        Each with its whole-text vector, so the caller compares them without another read. With since
        and until, only passages of an article published then or stating a date then (as
        `passages_within`): the nearest of a time a question names, however many other times hold."""

    def prepare_search(self, progress: Callable[[str, int, int], None] | None = None) -> None:
        """After an indexing run: bring up to date what `nearest` searches, where the store keeps it
        apart from its commits (SQLite's nearest-neighbour files)."""

    def articles(self, ids: list[str] | None = None) -> list[Article]:
        """Every article (or these) with its passage count, by outlet then date."""

    def newest_articles(self, limit: int, since: dt.date | None = None, until: dt.date | None = None) -> list[Article]:
        """The articles with a publication date (from since to until, inclusive, when given), newest
        first (then by id), at most limit."""

    def passages(self, ids: list[int]) -> dict[int, Passage]:
        """These passages by id (those that exist)."""

    def article_passages(self, articles: list[str]) -> dict[str, list[int]]:
        """Each of these articles' passage ids, in order."""

    def passage_vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        """These passages' whole-text vectors, by id."""

    def passage_languages(self, ids: list[int]) -> dict[int, str | None]:
        """These passages' languages (their articles'), by id."""

    def mentions(self, passages: list[int] | None = None) -> list[Mention]:
        """The dates the sentences of these passages (of every passage, when None) state, by passage
        then sentence."""

    def passages_within(self, since: dt.date, until: dt.date) -> list[int]:
        """The passages of an article published from since to until (inclusive) or stating a date then,
        ascending."""

    def frequencies(self, terms: list[str] | None = None) -> dict[str, int]:
        """How many passages hold each of these lexical terms (every term, when None); absent ones left out."""

    def lexical(self, terms: list[str], limit: int, since: dt.date | None = None,
                until: dt.date | None = None) -> list[int]:
        """Passage ids ranked by BM25 for any of these terms (each a literal term, never syntax). With
        since or until, only passages of an article published within them (inclusive) or stating a date
        within them."""

    def passage_terms(self, ids: list[int]) -> dict[int, str]:
        """The lexical terms (space-separated stems and words) the indexer stored for these passages."""

    def article_terms(self, articles: list[str]) -> dict[str, list[str]]:
        """Each of these articles' passages' lexical terms (as `passage_terms`), one string a passage."""

    def vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these keys (see `vector_key`); missing keys are left out."""

    def missing_vectors(self, keys: list[str]) -> list[str]:
        """The keys among these with no stored vector (order kept, duplicates dropped)."""

    def add_vectors(self, keys: list[str], vectors: np.ndarray) -> None:
        """Store vectors at once (an interrupted build keeps them); readers see them only when a commit
        refers to them."""

    def indexed(self, ids: list[str] | None = None) -> dict[str, IndexedArticle]:
        """Each indexed article's hashes, origin and URL, by id (only these articles, when given)."""

    def fetch_memos(self, urls: list[str] | None = None) -> dict[str, FetchMemo]:
        """What the last fetch of each of these URLs (of every URL, when None) left; URLs never fetched
        are left out."""

    def background_keys(self) -> dict[str, str]:
        """The stored background sentences, by vector key."""

    def stored(self, ids: list[str]) -> list[ChangedArticle]:
        """These articles as they were written: metadata, passages and dates (to copy an index)."""

    def commit(self, changes: ChangeSet) -> None:
        """Apply a change set in one transaction and record the embedder; unreferenced vectors go."""

    def claim(self, ids: list[str], limit: int) -> list[str]:
        """Up to `limit` of these articles that no other indexing process holds, now held by this one
        until `release`: several processes indexing into one store split the work this way."""

    def release(self, ids: list[str]) -> None:
        """Let other indexing processes have these articles again."""

    # -- what the bots keep: votes and follows. In tables of their own, outside every version (writing
    # them changes no answer and loads nothing anew), kept through re-indexing.

    def last_passage(self) -> int:
        """The highest passage id given out so far (ids only grow: a newer passage has a higher one)."""

    def passages_after(self, after: int, limit: int) -> list[int]:
        """The ids of the passages newer than `after`, the newest `limit` of them, ascending."""

    def record_answer(self, question: str, passages: list[int], conversation: str | None = None) -> int:
        """Remember an answer shown (its question and the passages its results quote); its id. Shown in a
        private `conversation` (a keyed hash, never the chat's id), it is found again by `last_answer`."""

    def shown_answer(self, answer: int) -> ShownAnswer | None:
        """An answer shown, or None when there is no such answer (or it was forgotten)."""

    def last_answer(self, conversation: str, since: dt.datetime) -> ShownAnswer | None:
        """The newest answer shown in a private conversation since this time, or None."""

    def vote(self, answer: int, voter: str, result: int, value: int) -> None:
        """Record a voter's +1/-1 on an answer's result, replacing their earlier vote on that answer."""

    def votes(self) -> list[Vote]:
        """Every vote, oldest first."""

    def answers_shown(self) -> int:
        """How many answers are remembered."""

    def forget_feedback(self, before: dt.datetime) -> int:
        """Forget the answers shown before this time and every vote on them; how many answers went."""

    def add_follow(self, place: str, topic: str, after: int) -> Follow:
        """Follow a topic in a place from passage `after` on; the existing follow when it is already
        followed there (see `model.topic_key`)."""

    def remove_follows(self, place: str, topic: str | None) -> int:
        """Stop following a topic in a place (every topic, when None); how many follows went."""

    def follows(self, place: str | None = None) -> list[Follow]:
        """The follows of a place (of every place, when None), oldest first."""

    def record_posts(self, follow: int, after: int, posts: list[Post]) -> None:
        """In one transaction: the follow has looked at the passages up to `after`, and posted these."""

    def posts(self, place: str, since: dt.datetime) -> list[Post]:
        """What was posted to a place since a time, oldest first."""

    def close(self) -> None: ...


Opener = Callable[[str, bool, bool], IndexStore]


def _sqlite_path(location: str | Path) -> Path:
    return Path(str(location).removeprefix("sqlite://")).expanduser()


def _sqlite(location: str, create: bool, replace_damaged: bool) -> IndexStore:
    from .sqlite import SqliteStore

    return SqliteStore(_sqlite_path(location), create=create, replace_damaged=replace_damaged)


def _postgres(location: str, create: bool, replace_damaged: bool) -> IndexStore:
    from .postgres import PostgresStore

    return PostgresStore(location, create=create, replace_damaged=replace_damaged)


# URL scheme -> how to open such an index
ENGINES: dict[str, Opener] = {"sqlite": _sqlite, "postgresql": _postgres, "postgres": _postgres}


def engine_of(location: str | Path) -> str:
    """The engine a location names: its URL scheme, 'sqlite' for a plain path."""
    text = str(location)
    scheme, sep, _ = text.partition("://")
    return scheme.lower() if sep and scheme.isalpha() and len(scheme) > 1 else "sqlite"


def open_store(location: str | Path, create: bool = False, replace_damaged: bool = False) -> IndexStore:
    """Open the index a location names. Without create, a missing index is IndexNotFound; with
    replace_damaged, a damaged one is moved aside (`store.replaced` says where) and a new one made."""
    engine = engine_of(location)
    opener = ENGINES.get(engine)
    if opener is None:
        raise IndexNotFound(f"no index engine for {engine}:// (known: {', '.join(sorted(ENGINES))}); "
                            "set NEWSBOT_INDEX to a file path or one of those URLs")
    return opener(str(location), create, replace_damaged)


def parse_location(text: str | Path) -> str | Path:
    """A location as typed (setting or option): a URL stays a string, anything else is a file path."""
    text = str(text).strip()
    return text if "://" in text else Path(text).expanduser()


def shown(location: str | Path) -> str:
    """A location as messages and logs show it: a URL's password replaced by ***."""
    text = str(location)
    if "://" not in text:
        return text
    parts = urlsplit(text)
    if not parts.password:
        return text
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def index_exists(location: str | Path) -> bool:
    """Whether there is an index (or, for SQLite, any file) at the location."""
    if engine_of(location) == "sqlite":
        return _sqlite_path(location).exists()
    try:
        open_store(location).close()
    except IndexNotFound:
        return False
    return True


def local_folder(location: str | Path) -> Path:
    """A folder of this machine that belongs with the index, for state kept beside it."""
    return _sqlite_path(location).parent if engine_of(location) == "sqlite" else Path(".newsbot")


def written_article(row: tuple, passages: list[tuple], mentions: dict[int, list[tuple]]) -> ChangedArticle:
    """An article read back from a store, as the change that would write it again: `row` is (id, path,
    outlet, outlet_from, published, published_from, wires JSON, title, url, language, note, place,
    content hash, text hash, origin), `passages` its (article, position, text, sentences JSON, id) in
    order, `mentions` (sentence, date, precision) by passage id."""
    published = row[4] if isinstance(row[4], (dt.date, type(None))) else dt.date.fromisoformat(row[4])
    texts = [PassageText(p[1], p[2], json.loads(p[3] or "[]")) for p in passages]
    article = ParsedArticle(
        article=row[0], source=row[1], outlet=row[2], outlet_from=row[3], published=published,
        published_from=row[5], wires=json.loads(row[6] or "[]"), title=row[7], url=row[8], language=row[9],
        note=row[10], place=row[11], paragraphs=[t.text for t in texts], removed=[], content_hash=row[12],
        text_hash=row[13] or "", origin=row[14] or "folder")
    return ChangedArticle(article, texts, [mentions.get(p[4], []) for p in passages])


Rows = Iterable[tuple[np.ndarray, np.ndarray, list]]  # batches of (passage ids, vectors, article languages)


def vector_snapshot(version: object, embedder: tuple[str, int], counts: dict[str | None, int], exact: Rows,
                    complete: bool, background: np.ndarray, sample: Rows | None = None) -> Snapshot:
    """A snapshot from the passages a search compares with itself (`exact`: all of them when
    `complete`) and, when they are not all, a sample of the others (see `Snapshot`)."""
    dim = embedder[1]
    names = sorted(k for k in counts if k) + [None]
    code = {name: n for n, name in enumerate(names)}

    def gather(rows: Rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        batches = list(rows)
        ids = np.concatenate([b[0] for b in batches]) if batches else np.zeros(0, np.int64)
        vectors = np.vstack([b[1] for b in batches]) if batches else np.zeros((0, dim), np.float32)
        languages = np.array([code.get(lang, len(names) - 1) for b in batches for lang in b[2]], np.int64)
        return ids, vectors, languages

    ids, vectors, languages = gather(exact)
    sample_ids, sample_vectors, sample_languages = (ids, vectors, languages) if sample is None else gather(sample)
    return Snapshot(version=version, embedder=embedder, passages=sum(counts.values()), ids=ids, languages=languages,
                    language_names=names, language_counts=np.array([counts.get(n, 0) for n in names], np.float32),
                    vectors=vectors, complete=complete, background=background,
                    sample=sample_vectors, sample_languages=sample_languages)


def check_embedder(recorded: tuple[str, int] | None, name: str, dim: int) -> None:
    """Raise EmbedderMismatch when the index was built by another embedder."""
    if recorded and recorded != (name, dim):
        raise EmbedderMismatch(
            f"the index was built with {recorded[0]} ({recorded[1]} dimensions) but the configured embedder "
            f"is {name} ({dim} dimensions); re-index with: newsbot index --rebuild FOLDER "
            f"(or set NEWSBOT_EMBEDDER/NEWSBOT_MODEL back)"
        )


def vector_key(embedder_name: str, text: str) -> str:
    """The key a text's vector is stored under: same embedder and text, same vector."""
    return hashlib.sha256(f"{embedder_name}\n{text}".encode()).hexdigest()


def passage_key(embedder_name: str, text: str) -> str:
    """The key of a passage's vector: the embedding of its whole text (so a one-sentence passage shares
    its sentence's vector)."""
    return vector_key(embedder_name, text)


def sentence_texts(passage) -> list[str]:
    """The texts the indexer embeds for a passage besides its whole text: the sentences it is quoted
    from (the whole text if it has none), and their readings without who reported them (`readings`)."""
    return (list(passage.sentences) or [passage.text]) + list(readings(passage).values())


def readings(passage) -> dict[str, str]:
    """Each of a passage's sentences (its whole text if it has none) that names who reported it, and
    that sentence read without it (`unattributed`), which questions asking where compare."""
    return {s: r for s in (passage.sentences or [passage.text]) if (r := unattributed(s))}
