"""The core every front end talks to: one object holding the settings, the embedder and the retriever,
with one method per thing a user can ask for. It knows nothing of terminals, Telegram or Discord.
"""

from __future__ import annotations

import functools
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from pathlib import Path

from ..index.build import IndexReport, Progress, build_index
from ..index.embed import Embedder, LazyEmbedder
from ..index.errors import CorpusError
from ..index.model import Article
from ..index.store import index_exists, local_folder, shown

from .answer import (Answer, Carriers, Thresholds, answer, carriers, follow_up_note, more_note,
                     whole_paragraphs)
from .config import Settings
from .feedback import Feedback, load_key
from .follow import Following
from .retrieve import Retriever
from .timeline import Event, corpus_events, timeline


@dataclass(frozen=True)
class ArticleInfo:
    """One article the bot has read, as /sources lists it."""

    article: str
    outlet: str | None
    published: str | None
    wire: str | None
    title: str | None
    passages: int
    note: str | None = None


@dataclass(frozen=True)
class ArticleLink:
    """One article an answer quoted, with where to read it whole."""

    results: tuple[int, ...]  # the numbers (from 1) of the answer's results quoting it
    article: str
    outlet: str | None
    published: str | None
    wire: str | None
    title: str | None
    url: str | None  # None for an article indexed from a file with no address


@dataclass(frozen=True)
class Links:
    """The articles behind the answer to `question` ("link artikelnya mana?" after it), in the order
    its results quote them; none when that answer quoted nothing."""

    question: str
    articles: list[ArticleLink]
    # The numbers of the results whose passage the index no longer holds (its article removed, or indexed
    # again since it changed): nothing to link for them.
    gone: tuple[int, ...] = ()


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings name (loaded on first use)."""
    return LazyEmbedder(settings.embedder, settings.model, settings.threads)


def ensure_index(settings: Settings, embedder: Embedder, progress: Progress | None = None) -> IndexReport | None:
    """Build the index from the configured corpus when there is none yet; None when it already exists."""
    if index_exists(settings.index_path):
        return None
    if not Path(settings.corpus).is_dir():
        raise CorpusError(
            f"there is no index at {shown(settings.index_path)} and no corpus folder at {settings.corpus} to build "
            "one from; run: newsbot index FOLDER"
        )
    return build_index(settings.corpus, settings.index_path, embedder, progress=progress)


class NewsCore:
    """Answers, sources and timelines over one index."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder or make_embedder(settings)
        self.retriever = Retriever(settings.index_path, self.embedder, settings.max_question_chars)
        self.thresholds = Thresholds.tuned(min_relevance=settings.min_relevance)

    def ask(self, question: str, k: int | None = None, among: list[int] | None = None,
            earlier: str | None = None) -> Answer:
        """Quoted answers to a question, or an abstention; with `among`, from these passages only. With
        `earlier`, the question whose answer this one replies to: a follow-up too short to stand alone
        ("kalau tahun 2025?") is read with it (`Retriever.read_with`), and the answer says so."""
        asked = self.retriever.read_with(question, earlier)
        reply = answer(self.retriever, asked, k or self.settings.k, self.thresholds, among=among)
        if asked == question:
            return reply
        return replace(reply, note=" ".join(n for n in (follow_up_note(earlier), reply.note) if n))

    def more(self, question: str, quoted: tuple[int, ...] | None = None) -> Answer:
        """The next results on `question` after those its answer quoted (`quoted`, in order; without,
        that answer is worked out again): what "ada lagi?" asks after an answer. Not answered when there
        are no more. The relevant ones count, not only those nearly as relevant as the best, so these are
        often "closest I found"."""
        quoted = self._quoted(question, quoted)
        if not quoted:  # that answer quoted nothing: there is nothing after it
            return Answer(question=question, answered=False, results=[])
        reply = answer(self.retriever, question, self.settings.k, self.thresholds, after=quoted)
        if not reply.answered:
            return reply
        return replace(reply, note=" ".join(n for n in (more_note(question), reply.note) if n))

    def context(self, question: str, quoted: tuple[int, ...] | None = None) -> Answer:
        """The whole paragraphs the answer to `question` quoted (`quoted`, in order; without, that answer is
        worked out again): what "maksudnya?" asks after an answer."""
        return whole_paragraphs(self.retriever, question, self._quoted(question, quoted))

    def _quoted(self, question: str, quoted: tuple[int, ...] | None) -> tuple[int, ...]:
        """The passages the answer to `question` quoted: `quoted` when it was remembered, else those of
        the question answered again (as it was asked: follow-ups are already read with theirs)."""
        if quoted is not None:
            return quoted
        return self.ask(question).passages or ()

    def links(self, question: str, quoted: tuple[int, ...] | None = None) -> Links:
        """The articles the answer to `question` quoted, each once, with its title and address: what
        "link artikelnya mana?" asks after an answer. With `quoted`, the passages that answer's results
        quoted, in order (as the answer was remembered when shown): these articles, whatever the index
        or the day has become since ("kemarin" asked again the next day). Without, the question is
        answered again (as it was asked, follow-ups already read with theirs), so on an index that has
        not changed since, these are the articles that answer showed."""
        quoted = self._quoted(question, quoted)
        held = {p.id: p.article for p in self.retriever.current().passages(quoted)}
        by_article: dict[str, list[int]] = {}
        for n, pid in enumerate(quoted, 1):
            if pid in held:
                by_article.setdefault(held[pid], []).append(n)
        articles = self.retriever.current().articles(by_article)
        titles = self._titles(list(articles.values()))
        return Links(question, [
            ArticleLink(results=tuple(numbers), article=ident, outlet=a.outlet,
                        published=a.published.isoformat() if a.published else None, wire=", ".join(a.wires) or None,
                        title=titles.get(ident), url=a.url)
            for ident, numbers in by_article.items() if (a := articles.get(ident))],
            gone=tuple(n for n, pid in enumerate(quoted, 1) if pid not in held))

    @functools.cached_property
    def feedback(self) -> Feedback:
        """Votes on answers (its key made on first use, when the settings have none)."""
        return Feedback(self.retriever.store, load_key(self.settings.feedback_key, self.state_folder))

    @functools.cached_property
    def following(self) -> Following:
        """The topics chats follow, and what is new on them."""
        return Following(self, self.settings.follow_per_day)

    def carriers(self, question: str) -> Carriers:
        """Which outlets carry the answer to a question, each with its own sentence."""
        return carriers(self.retriever, question, self.thresholds)

    def timeline(self, topic: str | None = None) -> list[Event]:
        """Dated events in chronological order, for the whole corpus or one topic."""
        return timeline(self.retriever, topic, self.thresholds)

    def keep_timeline_ready(self, executor: Executor) -> None:
        """Work out the whole corpus's timeline on `executor` now and whenever a new version of the index
        loads, so no one waits seconds for the first /timeline after a change (a long-running bot's
        choice: a one-shot command would only pay for it)."""
        def prepare(corpus) -> None:
            try:
                executor.submit(corpus_events, corpus)
            except RuntimeError:  # the executor has shut down: the bot is stopping
                pass

        self.retriever.on_load.append(prepare)
        prepare(self.retriever.current())

    def articles(self) -> list[ArticleInfo]:
        """Every article in the index, by outlet then date."""
        articles = self.retriever.store.articles()
        titles = self._titles(articles)
        infos = []
        for a in articles:
            infos.append(
                ArticleInfo(
                    article=a.article, outlet=a.outlet, published=a.published.isoformat() if a.published else None,
                    wire=", ".join(a.wires) or None, title=titles.get(a.article), passages=a.passages, note=a.note,
                )
            )
        return sorted(infos, key=lambda i: (i.outlet or "~", i.published or "~", i.article))

    def _titles(self, articles: list[Article]) -> dict[str, str]:
        """Each article's title; an untitled one is named by its first sentence."""
        store = self.retriever.store
        untitled = [a.article for a in articles if not a.title]
        leads = {a: ids[0] for a, ids in store.article_passages(untitled).items() if ids}
        passages = store.passages(list(leads.values()))
        first = {a: (passages[pid].sentences or [passages[pid].text])[0] for a, pid in leads.items() if pid in passages}
        return {a.article: t for a in articles if (t := " ".join((a.title or first.get(a.article) or "").split()))}

    @property
    def state_folder(self) -> Path:
        """A folder of this machine for a front end's own state: beside the index when it is a file."""
        return local_folder(self.settings.index_path)

    def close(self) -> None:
        self.retriever.close()

    def __enter__(self) -> NewsCore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_core(settings: Settings, embedder: Embedder | None = None, progress: Progress | None = None) -> tuple[NewsCore, IndexReport | None]:
    """Open the core, building the index from the corpus first if it is missing."""
    embedder = embedder or make_embedder(settings)
    report = ensure_index(settings, embedder, progress)
    return NewsCore(settings, embedder), report

