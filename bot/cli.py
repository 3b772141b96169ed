"""The `newsbot` command line: build the index, ask questions (one-shot, REPL or JSON lines), list
sources, measure on a question file, and start the bots. Works without any bot token.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import getpass
import json
import signal
import sys
from pathlib import Path

import click

from ..index.build import IndexReport, add_urls, build_index, copy_index, remove_articles, update_feeds
from ..index.errors import NewsbotError
from ..index.store import index_exists, open_store, parse_location, shown

from .answer import Answer
from .commands import Command, SourcesReply, TimelineReply, dispatch, parse
from .config import Settings
from .core import NewsCore, ensure_index, make_embedder, open_core
from .feedback import DOWN, UP, Feedback
from .evaluate import cross_validate, evaluate, load_cases, render_cross_validation, render_report
from .logs import setup_logging
from .render import quoted, render, render_answer, render_feedback


def _progress():
    """A progress callback drawing a bar per stage (reading, fetching, embedding) on a terminal, silent otherwise."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            if done >= total:
                return
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="file" if stage == "reading" else "item",
                                     file=sys.stderr, leave=False)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def _print_report(report: IndexReport) -> None:
    echo = lambda msg: click.echo(msg, err=True)  # noqa: E731
    skipped = ""
    if report.skipped:
        kinds = ", ".join(f"{n} {kind}" for kind, n in report.skip_kinds.most_common())
        skipped = f", {len(report.skipped)} skipped ({kinds})"
    feeds = f"; {report.feeds_unchanged} feeds unchanged (304)" if report.feeds_unchanged else ""
    echo(
        f"Indexed {report.source} into {report.index} with {report.embedder}: {report.articles} articles, "
        f"{report.passages} passages ({len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.removed)} removed, {report.unchanged} unchanged{skipped}; {report.embedded} passages "
        f"embedded, {report.reused} reused{feeds}) in {report.seconds:.2f}s"
    )
    if report.by_others:
        echo(f"  {len(report.by_others)} changed articles were indexed meanwhile by another newsbot index process")
    if report.set_aside:
        echo(f"  the damaged index file was moved to {report.set_aside}")
    for name, why in report.skipped:
        echo(f"  skipped {name}: {why}")
    if report.unknown_outlet:
        echo(f"  outlet unknown for: {_some(report.unknown_outlet)} (add them to sources.toml)")
    if report.unknown_date:
        echo(f"  publication date unknown for: {_some(report.unknown_date)} (add them to sources.toml)")


def _some(names: list[str], at_most: int = 10) -> str:
    more = f" and {len(names) - at_most} more" if len(names) > at_most else ""
    return ", ".join(names[:at_most]) + more


class Context:
    """What every subcommand receives: the settings, and the core once something opens it."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._core: NewsCore | None = None

    def core(self) -> NewsCore:
        if self._core is None:
            core, report = open_core(self.settings, progress=_progress())
            if report is not None:
                click.echo(f"(first use: built the index from {self.settings.corpus})", err=True)
                _print_report(report)
            self._core = core
        return self._core


pass_ctx = click.make_pass_decorator(Context)


class NewsbotGroup(click.Group):
    """Turns the core's domain errors into one-line messages instead of tracebacks."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except NewsbotError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=NewsbotGroup)
@click.option("--index", "index_path", help="Index file or URL, e.g. sqlite:///srv/index.db (default: NEWSBOT_INDEX or "
              ".newsbot/index.db).")
@click.option("--env-file", type=click.Path(path_type=Path), default=".env", show_default=True, help="Read settings from this file too.")
@click.version_option(package_name="newsbot")
@click.pass_context
def cli(ctx: click.Context, index_path: str | None, env_file: Path) -> None:
    """Answer questions about the news with the news itself: verbatim sentences, outlet and date."""
    try:
        settings = Settings.from_env(env_file=env_file)
    except NewsbotError as exc:
        raise click.ClickException(str(exc)) from None
    if index_path:
        settings = dataclasses.replace(settings, index_path=parse_location(index_path))
    ctx.obj = Context(settings)


def _columns(values: tuple[str, ...]) -> dict[str, str]:
    columns = {}
    for value in values:
        name, sep, column = value.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise click.BadParameter(f"{value!r}: write FIELD=COLUMN, e.g. text=isi", param_hint="--column")
        columns[name.strip().lower()] = column.strip()
    return columns


def _finish_report(report: IndexReport, what: str) -> None:
    _print_report(report)
    if report.failed:
        raise click.ClickException(f"nothing could be indexed from {what}")


@cli.command("index")
@click.argument("folder", required=False, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Process and embed every article again (needed after changing the embedder).")
@click.option("--feeds", "feeds_file", type=click.Path(path_type=Path), default=None,
              help="Also read the feeds listed in this feeds.toml, and the pages they link.")
@click.option("--fetch", is_flag=True, help="For feed files in FOLDER whose entries carry only a summary, fetch each entry's page.")
@click.option("--column", "columns", multiple=True, metavar="FIELD=COLUMN",
              help="For .csv/.jsonl dumps: the column holding a field (title, text, url, published, outlet, language).")
@pass_ctx
def index_command(ctx: Context, folder: Path | None, rebuild: bool, feeds_file: Path | None, fetch: bool,
                  columns: tuple[str, ...]) -> None:
    """Build or update the index from a folder of articles, and from feeds.

    The folder may hold .txt/.md articles, saved .html pages, .jsonl/.csv dumps (one article a row)
    and .xml/.rss/.atom feed files. Only new or changed articles are processed. A sources.toml file in
    the folder adds metadata the text lacks (outlet, published, url, language, note).

    Examples:

        newsbot index seeds/

        newsbot index --feeds feeds.toml
    """
    from .watch import feed_list, make_fetcher

    settings = ctx.settings
    embedder = make_embedder(settings)
    feeds = feed_list(settings, feeds_file) if feeds_file else None  # a bad feed list fails before any work
    if folder is not None or feeds is None:
        folder = folder or settings.corpus
        with make_fetcher(settings) if fetch else contextlib.nullcontext() as fetcher:
            report = build_index(folder, settings.index_path, embedder, rebuild=rebuild, progress=_progress(),
                                 fetcher=fetcher, columns=_columns(columns))
        _finish_report(report, str(folder))
    if feeds is not None:
        with make_fetcher(settings) as fetcher:
            report = update_feeds(feeds[0], settings.index_path, embedder, fetcher, progress=_progress(),
                                  label=str(feeds[1]))
        _finish_report(report, str(feeds[1]))


@cli.command()
@click.argument("urls", nargs=-1, required=True)
@pass_ctx
def add(ctx: Context, urls: tuple[str, ...]) -> None:
    """Fetch news pages and index their articles.

    Each page's article text, title, date, outlet and canonical URL are read from the page; menus,
    banners, related links and comments are left out. A page added before is fetched again only if it
    changed (conditional GET).

    Example: newsbot add https://www.antaranews.com/berita/3727008/...
    """
    from .watch import make_fetcher

    settings = ctx.settings
    with make_fetcher(settings) as fetcher:
        report = add_urls(list(urls), settings.index_path, make_embedder(settings), fetcher, progress=_progress())
    _finish_report(report, " ".join(urls))


@cli.command()
@click.argument("articles", nargs=-1, required=True)
@pass_ctx
def remove(ctx: Context, articles: tuple[str, ...]) -> None:
    """Take articles out of the index, by id (as /sources shows it) or by URL.

    A running bot stops quoting them at its next question. An article from a folder comes back at the
    folder's next `newsbot index` while its file is still there: delete the file too.

    Example: newsbot remove https://www.antaranews.com/berita/3727008/...
    """
    removed, missing = remove_articles(list(articles), ctx.settings.index_path)
    for ident in removed:
        click.echo(f"removed {ident}", err=True)
    if missing:
        raise click.ClickException(f"not in the index: {', '.join(missing)} (newsbot sources lists the articles)")


@cli.command()
@click.argument("source")
@click.argument("target")
def copy(source: str, target: str) -> None:
    """Copy an index into another, vectors and all: nothing is embedded again.

    The way to move from SQLite to PostgreSQL: the target must hold no articles yet.

    Example: newsbot copy data/index.db postgresql://newsbot@db.example/news
    """
    report = copy_index(parse_location(source), parse_location(target), progress=_progress())
    click.echo(f"Copied {report.articles} articles, {report.passages} passages from {report.source} into "
               f"{report.index} ({report.embedder}) in {report.seconds:.2f}s", err=True)


@cli.command()
@click.option("--feeds", "feeds_file", type=click.Path(path_type=Path), default=None,
              help="The feed list (default: NEWSBOT_FEEDS).")
@click.option("--every", type=click.FloatRange(min=1), default=None, help="Minutes between runs (default: the feed "
              "list's `every`, else 15).")
@click.option("--once", is_flag=True, help="Run once and exit (for cron or a systemd timer).")
@pass_ctx
def watch(ctx: Context, feeds_file: Path | None, every: float | None, once: bool) -> None:
    """Keep the index current: read the feeds every few minutes and index new and changed articles.

    A running bot answers from them without a restart. Stop with Ctrl-C or SIGTERM.

    Example: newsbot watch --feeds feeds.toml --every 10
    """
    from .watch import Watcher, feed_list

    feeds, path = feed_list(ctx.settings, feeds_file)
    undo = setup_logging([])
    watcher = Watcher(ctx.settings, make_embedder(ctx.settings), feeds, label=str(path), every=every,
                      on_report=_print_report)
    minutes = watcher.every
    click.echo(f"Watching {len(feeds.feeds)} feeds from {path}" + ("" if once else f" every {minutes:g} minutes")
               + "; Ctrl-C to stop.", err=True)
    try:
        with _stop_on_sigterm(watcher):
            watcher.run(runs=1 if once else None)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        undo()


@contextlib.contextmanager
def _stop_on_sigterm(watcher):
    """SIGTERM (systemd, docker stop) ends the loop between runs, like Ctrl-C."""
    previous = signal.signal(signal.SIGTERM, lambda *_: watcher.stop(timeout=0))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _watch_feeds(ctx: Context, enabled: bool, feeds_file: Path | None):
    """The feed list for a bot's --watch, read before anything loads (None without --watch)."""
    from .watch import feed_list

    return feed_list(ctx.settings, feeds_file) if enabled else None


def _start_watch(ctx: Context, feeds, embedder):
    """The watch loop beside a bot, when asked for; None otherwise."""
    from .watch import Watcher

    return Watcher(ctx.settings, embedder, feeds[0], label=str(feeds[1])).start() if feeds else None


def _read_questions() -> list[str]:
    return [line.strip() for line in sys.stdin if line.strip()]


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per question.")
@click.option("-k", type=click.IntRange(1, 20), default=None, help="How many results (default: NEWSBOT_K or 3).")
@click.option("--full", is_flag=True, help="Show the whole passage, not just the answering sentence(s).")
@pass_ctx
def ask(ctx: Context, question: str | None, as_json: bool, k: int | None, full: bool) -> None:
    """Answer a question with quotes from the articles.

    With no QUESTION, reads one question per line from standard input (the model loads once).

    Examples:

        newsbot ask "Di mana Kim dan Putin bertemu?"

        printf 'How many troops did North Korea send?\\n' | newsbot ask --json
    """
    questions = [question] if question is not None else _read_questions()
    if not questions:
        raise click.UsageError("give a QUESTION, or questions on standard input, one per line")
    core = ctx.core()
    for n, q in enumerate(questions):
        result = core.ask(q, k=k)
        if as_json:
            click.echo(json.dumps(dataclasses.asdict(result), ensure_ascii=False))
        else:
            if len(questions) > 1:
                click.echo(f"{'' if n == 0 else chr(10)}? {q}")
            click.echo(render_answer(result, full=full))


@cli.command()
@pass_ctx
def chat(ctx: Context) -> None:
    """Talk to the bot in the terminal: questions, /timeline, /sources, /help, /full N, /good N, /bad N; Ctrl-D to leave.

    It runs the same command handling as the Telegram and Discord bots. A question too short to stand
    alone ("kalau tahun 2025?") is read with the one before it, as a reply to an answer is in a chat.
    """
    core = ctx.core()
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo("Ask me about the news (/help for commands, Ctrl-D to quit).")
    last, token = None, None
    while True:
        try:
            line = input("> " if interactive else "")
        except (EOFError, KeyboardInterrupt):
            if interactive:
                click.echo()
            return
        if not line.strip():
            continue
        command = parse(line)
        if command.name in ("quit", "exit"):
            return
        if command.name == "full":
            click.echo(_full(last, command))
            continue
        if command.name in ("good", "bad"):
            click.echo(_vote(core, last, token, command))
            continue
        if command.name == "ask" and last is not None:  # a short follow-up is read with the last question
            command = dataclasses.replace(command, earlier=last.question, quoted=last.passages)
        reply = dispatch(core, command)
        if isinstance(reply, Answer):
            last, token = reply, core.feedback.shown(reply)
        click.echo(render(reply))


def _result_number(last: Answer | None, command: Command) -> int | str:
    """The result a `/full N`, `/good N` or `/bad N` names (0-based), or what to say instead."""
    if last is None or not last.results:
        return f"Ask a question first; then /{command.name} N names result N of its answer."
    try:
        n = int(command.arg or "1")
        if not 1 <= n <= len(last.results):
            raise ValueError
    except ValueError:
        return f"/{command.name} takes a result number from 1 to {len(last.results)}."
    return n - 1


def _vote(core: NewsCore, last: Answer | None, token: str | None, command: Command) -> str:
    """/good N or /bad N: a vote on result N of the last answer (on the refusal itself, when it was
    one), as the buttons in the bots give it."""
    n = 0 if last is not None and not last.answered else _result_number(last, command)
    if isinstance(n, str):
        return n
    if token is None:
        return "I could not remember that answer (is the index read-only?), so I cannot record a vote on it."
    feedback = core.feedback
    return feedback.vote(token, feedback.voter("cli", _terminal_user()), n, UP if command.name == "good" else DOWN)


def _terminal_user() -> str:
    """Who is at the terminal, as far as the system says (one vote per person per answer)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "terminal"


def _full(last: Answer | None, command: Command) -> str:
    n = _result_number(last, command)
    if isinstance(n, str):
        return n
    result = last.results[n]
    return f"{quoted(result.passage)}\n   — {result.outlet or 'unknown outlet'}, {result.published or 'date unknown'}"


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: an array of articles, or (with QUESTION) the carriers.")
@pass_ctx
def sources(ctx: Context, question: str | None, as_json: bool) -> None:
    """List the outlets and articles the bot has read; with QUESTION, which of them carry the answer.

    Examples:

        newsbot sources --json

        newsbot sources "Berapa tentara Korea Utara dikirim ke Rusia?"
    """
    if question and question.strip():
        reply = ctx.core().carriers(question)
        click.echo(json.dumps(dataclasses.asdict(reply), ensure_ascii=False, indent=2) if as_json else render(reply))
        return
    articles = ctx.core().articles()
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(a) for a in articles], ensure_ascii=False, indent=2))
    else:
        click.echo(render(SourcesReply(articles)))


@cli.command("timeline")
@click.argument("topic", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of events, oldest first.")
@pass_ctx
def timeline_command(ctx: Context, topic: str | None, as_json: bool) -> None:
    """The dated events in the articles, oldest first; with TOPIC, only the events about it.

    Examples:

        newsbot timeline

        newsbot timeline --json "Kim Putin Vostochny"
    """
    events = ctx.core().timeline(topic)
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(e) for e in events], ensure_ascii=False, indent=2))
    else:
        click.echo(render(TimelineReply(topic, events)))


_watch_option = click.option("--watch", "watch_feeds", is_flag=True,
                              help="Also read the feeds (NEWSBOT_FEEDS or --feeds) every few minutes, as `newsbot watch` does.")
_feeds_option = click.option("--feeds", "feeds_file", type=click.Path(path_type=Path), default=None,
                             help="The feed list for --watch (default: NEWSBOT_FEEDS).")


@cli.command()
@_watch_option
@_feeds_option
@pass_ctx
def telegram(ctx: Context, watch_feeds: bool, feeds_file: Path | None) -> None:
    """Run the Telegram bot until Ctrl-C or SIGTERM (long polling; a webhook when TELEGRAM_WEBHOOK_URL is set).

    Needs TELEGRAM_BOT_TOKEN, from the environment or .env. Example:

        TELEGRAM_BOT_TOKEN=123456789:AAH... newsbot telegram
    """
    from . import telegram as front

    settings = ctx.settings
    front.check_token(settings.telegram_token)  # fail before loading anything
    front.api_urls(settings.telegram_base_url)
    feeds = _watch_feeds(ctx, watch_feeds, feeds_file)
    undo = setup_logging([settings.telegram_token, settings.telegram_webhook_secret])
    watcher = None
    try:
        core = ctx.core()
        watcher = _start_watch(ctx, feeds, core.embedder)
        front.run(settings, core)
    finally:
        if watcher:
            watcher.stop()
        undo()


@cli.command("discord")
@click.option("--sync", is_flag=True, help="Sync the slash commands to Discord even if they did not change.")
@_watch_option
@_feeds_option
@pass_ctx
def discord_command(ctx: Context, sync: bool, watch_feeds: bool, feeds_file: Path | None) -> None:
    """Run the Discord bot until Ctrl-C or SIGTERM.

    Needs DISCORD_BOT_TOKEN, from the environment or .env, and `pip install '.[discord]'`. Slash commands
    are synced when they change (instantly to DISCORD_GUILD_ID's server if set, else globally). Example:

        DISCORD_BOT_TOKEN=... newsbot discord --sync
    """
    try:
        from . import discord as front
    except ImportError:
        raise click.ClickException("the Discord bot needs discord.py: pip install 'newsbot[discord]' "
                                   "(or pip install '.[discord]' in the repository)") from None
    settings = ctx.settings
    front.check_token(settings.discord_token)
    feeds = _watch_feeds(ctx, watch_feeds, feeds_file)
    undo = setup_logging([settings.discord_token])
    watcher = None
    try:
        embedder = make_embedder(settings)
        ensure_index(settings, embedder)  # build it here, with progress, if it is missing
        watcher = _start_watch(ctx, feeds, embedder)
        front.run(settings, force_sync=sync)
    finally:
        if watcher:
            watcher.stop()
        undo()


@cli.command()
@click.option("--export", "export_to", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the liked answers as questions for newsbot eval (JSON lines) to this file.")
@click.option("--forget-before", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Delete the answers shown before this day (YYYY-MM-DD, UTC) and every vote on them.")
@click.option("--worst", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="How many of the most downvoted questions to list.")
@pass_ctx
def feedback(ctx: Context, export_to: Path | None, forget_before: dt.datetime | None, worst: int) -> None:
    """What people said of the answers with 👍 / 👎 (in Telegram, Discord and newsbot chat).

    Prints the totals and the most downvoted questions; --export writes the liked answers in the
    newsbot eval format, so real use grows the evaluation set; --forget-before deletes old feedback.

    Examples:

        newsbot feedback

        newsbot feedback --export liked.jsonl

        newsbot feedback --forget-before 2026-01-01
    """
    store = open_store(ctx.settings.index_path)
    try:
        votes = Feedback(store, b"")  # reading and deleting need no key
        if forget_before is not None:
            gone = votes.forget(forget_before.date())
            click.echo(f"Forgot {gone} answer{'' if gone == 1 else 's'} shown before {forget_before.date()} "
                       "and the votes on them.")
            return
        if export_to is not None:
            written = votes.export(export_to)
            click.echo(f"Wrote {written} liked question{'' if written == 1 else 's'} to {export_to} "
                       f"(try: newsbot eval {export_to})")
            return
        click.echo(render_feedback(votes.report(worst)))
    finally:
        store.close()


@cli.command("eval")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-k", type=click.IntRange(1, 20), default=3, show_default=True, help="Results that count as a hit.")
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@click.option("--cv", "folds", type=click.IntRange(2, 20), default=None,
              help="Cross-validate: choose weights and thresholds on K-1 folds, score the fold left out.")
@click.option("--write", is_flag=True, help="With --cv: store what fitting on all the questions chose as the shipped ranking.")
@click.option("--also-on", "also_on", multiple=True, metavar="INDEX",
              help="Ask the questions of this index too (file or URL; e.g. one holding other articles beside "
                   "the corpus); with --cv, choose on all the indexes at once. Repeatable.")
@pass_ctx
def eval_command(ctx: Context, files: tuple[Path, ...], k: int, as_json: bool, folds: int | None, write: bool,
                 also_on: tuple[str, ...]) -> None:
    """Measure answers on question files: hit@1, hit@3, MRR and confidence per language group.

    Example: newsbot eval ../shared/eval/dev.jsonl ../shared/eval/dev2.jsonl --cv 5

    With --also-on big.db, the same questions are also asked of an index holding other articles
    beside the corpus, and the weights are chosen to hold in both.
    """
    cases = [case for file in files for case in load_cases(file)]
    if len({c.id for c in cases}) != len(cases):
        raise click.ClickException("question ids repeat across the files; each question needs its own id")
    if write and not folds:
        raise click.ClickException("--write goes with --cv K")
    with contextlib.ExitStack() as opened:
        others = []
        for location in also_on:
            if not index_exists(parse_location(location)):
                raise click.ClickException(f"no index at {location}; build it first: newsbot --index {location} index FOLDER")
            other = NewsCore(dataclasses.replace(ctx.settings, index_path=parse_location(location)), ctx.core().embedder)
            opened.callback(other.close)
            others.append(other)
        _evaluate(ctx.core(), others, cases, k, as_json, folds, write)


def _evaluate(core: NewsCore, others: list[NewsCore], cases: list, k: int, as_json: bool, folds: int | None,
              write: bool) -> None:
    """Print the report on each index, or with `folds` the cross-validation over all of them."""
    if folds:
        result = cross_validate(core, cases, k=folds, n=k, others=others)
        if write:
            target = Path(__file__).parent / "data" / "ranking.json"
            target.write_text(result.fitted.to_json(), encoding="utf-8")
            click.echo(f"wrote {target}", err=True)
        click.echo(json.dumps(dataclasses.asdict(result), ensure_ascii=False, indent=2, default=str)
                   if as_json else render_cross_validation(result))
        return
    cores = [core, *others]
    reports = [evaluate(c, cases, k=k) for c in cores]
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(reports[0]) if not others else
                              {str(c.settings.index_path): dataclasses.asdict(r) for c, r in zip(cores, reports)},
                              ensure_ascii=False, indent=2))
        return
    for n, (c, report) in enumerate(zip(cores, reports)):
        if others:
            click.echo(f"{chr(10) if n else ''}On {shown(c.settings.index_path)}:")
        click.echo(render_report(report))


def main() -> None:
    cli(prog_name="newsbot")
