"""Plain-text rendering of replies, for the terminal (one-shot `ask` and the `chat` REPL)."""

from __future__ import annotations

import textwrap

from .answer import LOW, Answer, Carriers, Result
from .commands import HelpReply, Reply, SourcesReply, TimelineReply, UsageReply
from .core import Links
from .feedback import FeedbackReport
from .follow import FollowReply
from .pages import human_date

NOTHING_FOUND = "I found nothing on that in my sources."
NOTHING_HINT = "Try other words, or see what I have read with /sources."
HELP_INTRO = "Ask me about the news: I answer with the articles' own sentences, their outlet and date."
AFTER_AN_ANSWER = ("After an answer (replying to it, or right after it in a private chat): “more?” for the next "
                   "results, “what do you mean?” for its whole paragraphs, “link?” for its articles' links, "
                   "“who else covered this?” or “really?” for the outlets that carry it.")
SOURCES_HINT = "See everything I have read with /sources."
NO_ARTICLES = "I have not read any articles yet."
LOW_CONFIDENCE = "The closest I found — it may not answer your question:"
READ_ARTICLE = "Read the article"  # the link button under a quote whose article has a URL
MAX_TITLE = 200  # characters of an article's title (or first sentence) a list shows
NO_LINK = "no link: read from a file"  # an article indexed from a file with no address
NOT_HERE = "Sorry, I only answer in the chats and servers I was set up for."
ERROR_TEXT = "Sorry, something went wrong on my side while answering. Please try again in a moment."


def low_confidence(answer: Answer | Carriers) -> bool:
    """True when the answer's quotes (the articles said to carry it) are only the closest found."""
    return answer.answered and answer.confidence == LOW


def carriers_title(reply: Carriers) -> str:
    """'3 articles carry the answer', or 'come closest' when they may not."""
    n = len(reply.carriers)
    if low_confidence(reply):
        return f"{n} {'article comes' if n == 1 else 'articles come'} closest"
    return f"{n} {'article carries' if n == 1 else 'articles carry'} the answer"


def dates_line(result: Result) -> str | None:
    """'Rabu = 13 Sep 2023; Oktober lalu = Oct 2024': the relative times of a quote, resolved."""
    if not result.dates:
        return None
    return "; ".join(f"{d.text} = {human_date(d.date)}" for d in result.dates)


def no_events(topic: str | None) -> str:
    """What a timeline with no dated events says."""
    return f"I found no dated events{f' about {topic}' if topic else ''} in my sources."


def attribution(result: Result) -> str:
    """'ANTARA, 2023-09-14 (via Kyodo-OANA)' for a result."""
    outlet = result.outlet or "unknown outlet"
    date = result.published or "date unknown"
    via = f" (via {result.wire})" if result.wire else ""
    return f"{outlet}, {date}{via}"


def also_line(result: Result) -> str | None:
    if not result.also_reported_by:
        return None
    return "also reported by " + ", ".join(result.also_reported_by)


def quoted(text: str) -> str:
    """Text in quotation marks, unless it already opens with one."""
    return text if text[:1] in "“\"‘'«" else f"“{text}”"


def render_answer(answer: Answer, full: bool = False, width: int = 100) -> str:
    if not answer.answered:
        lines = [NOTHING_FOUND, NOTHING_HINT]
    else:
        lines = [LOW_CONFIDENCE] if low_confidence(answer) else []
        for n, result in enumerate(answer.results, 1):
            body = result.passage if full else result.quote
            wrapped = textwrap.fill(quoted(body), width=width, initial_indent=f"{n}. ", subsequent_indent="   ")
            lines.append(wrapped)
            if when := dates_line(result):
                lines.append(f"   ({when})")
            lines.append(f"   — {attribution(result)}")
            if result.url:
                lines.append(f"   {result.url}")
            if also := also_line(result):
                lines.append(f"   {also}")
            lines.append("")
        lines = lines[:-1]
    if answer.note:
        lines.append(f"({answer.note})")
    return "\n".join(lines)


def sources_title(reply: SourcesReply) -> str:
    """'I have read 5 articles from 4 outlets'."""
    return f"I have read {len(reply.articles)} articles from {len({a.outlet for a in reply.articles})} outlets"


def render_sources(reply: SourcesReply) -> str:
    if not reply.articles:
        return f"{NO_ARTICLES} Index a folder with: newsbot index FOLDER"
    lines = [sources_title(reply), ""]
    outlet = object()
    for a in reply.articles:
        if a.outlet != outlet:
            outlet = a.outlet
            lines.append(f"{a.outlet or 'Unknown outlet'}")
        wire = f", via {a.wire}" if a.wire else ""
        title = (a.title or "").strip()
        if len(title) > 90:
            title = title[:89].rsplit(" ", 1)[0] + "…"
        lines.append(f"  {a.published or 'date unknown'}  {title}  [{a.article}, {a.passages} passages{wire}]")
    return "\n".join(lines)


def links_title(reply: Links) -> str:
    """'The articles quoted in answer to “…”'."""
    return f"The articles quoted in answer to “{' '.join(reply.question.split())}”"


def links_empty(reply: Links) -> str:
    return f"My answer to “{' '.join(reply.question.split())}” quoted no article, so I have no link to give."


def result_numbers(numbers: tuple[int, ...]) -> str:
    """'Result 1' or 'Results 1, 3': which of an answer's quotes."""
    return f"Result{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"


def links_gone(reply: Links) -> str | None:
    """What to say of the quoted passages the index no longer holds; None when it holds them all."""
    if not reply.gone:
        return None
    one = len(reply.gone) == 1
    return (f"{result_numbers(reply.gone)}: {'its article is' if one else 'their articles are'} no longer in my "
            f"sources as quoted (removed, or changed since), so I have no link for {'it' if one else 'them'}.")


def render_links(reply: Links, width: int = 100) -> str:
    if not reply.articles and not reply.gone:
        return links_empty(reply)
    lines = [f"{links_title(reply)}:"]
    for a in reply.articles:
        via = f" (via {a.wire})" if a.wire else ""
        credit = f"{a.outlet or 'unknown outlet'}, {a.published or 'date unknown'}{via}"
        lines.append(f"{result_numbers(a.results)}: {credit}")
        if a.title:
            title = a.title if len(a.title) <= MAX_TITLE else a.title[:MAX_TITLE - 1].rsplit(" ", 1)[0] + "…"
            lines.append(textwrap.fill(title, width=width, initial_indent="   ", subsequent_indent="   "))
        lines.append(f"   {a.url or f'({NO_LINK})'}")
    if reply.gone:
        lines.append(f"({links_gone(reply)})")
    return "\n".join(lines)


def render_carriers(reply: Carriers, width: int = 100) -> str:
    if not reply.answered:
        lines = [NOTHING_FOUND, SOURCES_HINT]
    else:
        lines = ([LOW_CONFIDENCE] if low_confidence(reply) else []) + [f"{carriers_title(reply)}:"]
        for c in reply.carriers:
            via = f" (via {c.wire})" if c.wire else ""
            lines.append(f"{c.outlet or 'unknown outlet'}, {c.published or 'date unknown'}{via} [{c.article}]")
            lines.append(textwrap.fill(quoted(c.quote), width=width, initial_indent="   ", subsequent_indent="   "))
    if reply.note:
        lines.append(f"({reply.note})")
    return "\n".join(lines)


def render_timeline(reply: TimelineReply, width: int = 100) -> str:
    if not reply.events:
        return no_events(reply.topic)
    lines = [f"Timeline: {' '.join(reply.topic.split())}"] if reply.topic else []
    for event in reply.events:
        source = f"{event.outlet or 'unknown outlet'}"
        also = f"; also reported by {', '.join(event.also_reported_by)}" if event.also_reported_by else ""
        lines.append(textwrap.fill(quoted(event.quote), width=width, initial_indent=f"{event.date:<10}  ",
                                   subsequent_indent=" " * 12))
        lines.append(f"{'':12}— {source}{also}")
    return "\n".join(lines)


def render_help(reply: HelpReply) -> str:
    lines = [HELP_INTRO]
    lines += [f"  {c.usage:<20} {c.description}" for c in reply.commands]
    lines.append("  /full N               (chat) show the whole passage of result N")
    lines.append("  /good N, /bad N       (chat) say whether result N answered your question")
    lines.append("Anything that is not a command is a question.")
    lines.append(AFTER_AN_ANSWER)
    return "\n".join(lines)


def render_follow(reply: FollowReply) -> str:
    return "\n".join([reply.message] + [f"  • {t}" for t in reply.topics])


def render_feedback(report: FeedbackReport) -> str:
    """`newsbot feedback`: the totals, then the most downvoted questions."""
    lines = [f"{report.answers} answers shown, {report.voted} with votes: {report.up} 👍, {report.down} 👎"]
    if report.stale:
        lines.append(f"({report.stale} votes are on passages no longer in the index)")
    if report.worst:
        lines += ["", "Most downvoted questions:"]
        lines += [f"  {down:>3} 👎 {up:>3} 👍  {question}" for question, down, up in report.worst]
    return "\n".join(lines)


def render(reply: Reply, full: bool = False) -> str:
    """Render any reply as plain text."""
    if isinstance(reply, Answer):
        return render_answer(reply, full=full)
    if isinstance(reply, SourcesReply):
        return render_sources(reply)
    if isinstance(reply, Carriers):
        return render_carriers(reply)
    if isinstance(reply, HelpReply):
        return render_help(reply)
    if isinstance(reply, TimelineReply):
        return render_timeline(reply)
    if isinstance(reply, UsageReply):
        return reply.message
    if isinstance(reply, FollowReply):
        return render_follow(reply)
    if isinstance(reply, Links):
        return render_links(reply)
    raise TypeError(f"cannot render {type(reply).__name__}")
