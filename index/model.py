"""The index's content as every reader sees it, whatever engine stores it: articles, their passages
and the dates their sentences state. A store (index/store.py) returns these; nothing outside a store
sees its rows.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np

from .dates import date_label


@dataclass(frozen=True)
class Article:
    """An indexed article's metadata, with how many passages it has."""

    article: str  # its id (the file name without suffix)
    outlet: str | None
    published: dt.date | None
    published_from: str | None
    wires: list[str]
    title: str | None
    url: str | None
    language: str | None
    note: str | None
    outlet_from: str | None = None
    passages: int = 0


class Passage:
    """A passage: its id, article, place in the article, text and sentences.

    A store may hand over the sentences still encoded (JSON); they are parsed on first use, so loading
    100k passages costs no parsing for the many that no question ever reaches.
    """

    __slots__ = ("id", "article", "position", "text", "_sentences")

    def __init__(self, id: int, article: str, position: int, text: str, sentences: list[str] | str):
        self.id, self.article, self.position, self.text = id, article, position, text
        self._sentences = sentences

    @property
    def sentences(self) -> list[str]:
        if isinstance(self._sentences, str):
            self._sentences = json.loads(self._sentences)
        return self._sentences

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Passage) and (self.id, self.article, self.position, self.text, self.sentences) \
            == (other.id, other.article, other.position, other.text, other.sentences)

    def __hash__(self) -> int:
        return hash((self.id, self.article))

    def __repr__(self) -> str:
        return f"Passage(id={self.id}, article={self.article!r}, position={self.position}, text={self.text!r})"


@dataclass(frozen=True, slots=True)  # a large index holds hundreds of thousands
class Mention:
    """A date one sentence of a passage states, worked out when the passage was indexed."""

    passage: int
    sentence: int  # the sentence's place in the passage
    date: dt.date  # the first day of the period for month/year precision
    precision: str  # "day", "month" or "year"

    def label(self) -> str:
        """'2023-09-13', '2023-09' or '2023', as precise as the text allows."""
        return date_label(self.date, self.precision)


@dataclass(frozen=True)
class Snapshot:
    """What a search holds of the index for as long as the index is unchanged, read together at one
    version; everything else (passages, articles, dates, term counts) it reads by id as it needs it.

    `vectors` holds every passage's whole-text vector when the index is small enough to compare a
    question with them all (`complete`). In a larger one the store's `nearest` finds most passages and
    `vectors` holds only those it does not cover yet (the newest); `sample`, an even sample of all
    passages, tells how each language's passages sit against a question.
    """

    version: object  # equal versions, same content
    embedder: tuple[str, int]  # the embedder's name and dimensions
    passages: int  # how many passages the index holds
    ids: np.ndarray  # (n,) int64 passage ids, ascending: the rows of `vectors`
    languages: np.ndarray  # (n,) int64: each row's language, an index into `language_names`
    language_names: list[str | None]  # the articles' languages, the known ones sorted, None (unknown) last
    language_counts: np.ndarray  # (len(language_names),) how many passages of the index are in each
    vectors: np.ndarray  # (n, dim) float32 whole-text vectors of the passages in `ids`
    complete: bool  # `ids` are every passage of the index; else the others are found with `nearest`
    background: np.ndarray  # (n, dim) vectors of generic sentences (see bot/answer.py)
    sample: np.ndarray  # (m, dim) vectors of a sample of all passages (`vectors` itself when complete)
    sample_languages: np.ndarray  # (m,) their languages, as `languages`


# --- what the bots keep beside the index: never part of a version, so writing it changes no answer ---


@dataclass(frozen=True)
class ShownAnswer:
    """An answer a bot showed: what was asked and the passages its results quoted, in order."""

    id: int
    question: str
    passages: list[int]
    shown: dt.datetime


@dataclass(frozen=True)
class Vote:
    """One person's 👍 (+1) or 👎 (-1) on an answer, and the result they were looking at (0-based).
    `voter` is a keyed hash of the platform and the person's id, never the id itself."""

    answer: ShownAnswer
    voter: str
    result: int
    value: int
    at: dt.datetime


@dataclass(frozen=True)
class Follow:
    """A chat following a story: where to post (`place`, e.g. 'telegram:-100200'), what about, and the
    last passage id looked at for it."""

    id: int
    place: str
    topic: str
    after: int
    created: dt.datetime


@dataclass(frozen=True)
class Post:
    """A quote posted to a place for a followed topic."""

    place: str
    topic: str
    passage: int
    quote: str
    at: dt.datetime


def topic_key(topic: str) -> str:
    """A topic as following compares it: case and spacing do not make another topic."""
    return " ".join(topic.split()).casefold()
