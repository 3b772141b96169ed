"""Readers: how each kind of file becomes articles. A reader is registered for file suffixes and turns
one file into any number of documents (a dump or a feed holds many articles), or says why an article
was skipped. Parsing a document into an article (dateline, wires, boilerplate, sources.toml) is the
same for every reader (index/articles.py).

- `.txt`/`.md`: one article, one paragraph a line, an optional `---` front matter.
- `.html`/`.htm`: a saved news page; trafilatura takes the article's text and metadata out of the
  site's chrome (menus, banners, related links, comments).
- `.jsonl`/`.csv`: a dump, one article a row.
- `.xml`/`.rss`/`.atom`: a feed, one article an entry (its full content, else its page when fetching
  is on).
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import dates
from .errors import CorpusFileError, MetadataError
from .passages import normalise
from .urls import canonical, host_of

MAX_ARTICLE_BYTES = 5 * 1024 * 1024
# A web article shorter than this once extracted is a teaser or a paywall stub, not the article.
MIN_WEB_ARTICLE_CHARS = 200
# A feed entry whose content is at least this long carries the article itself, not a summary.
FULL_ENTRY_CHARS = 500

FIELDS = ("title", "text", "url", "published", "outlet", "language")
# Column names a dump may use for each field, matched case-insensitively.
COLUMN_NAMES = {
    "title": ("title", "headline", "judul"),
    "text": ("text", "content", "body", "article", "full_text", "isi", "konten"),
    "url": ("url", "link", "canonical_url", "permalink"),
    "published": ("published", "date", "published_at", "publish_date", "pubdate", "datetime", "tanggal"),
    "outlet": ("outlet", "source", "site", "site_name", "publisher", "media"),
    "language": ("language", "lang", "bahasa"),
}


@dataclass(frozen=True)
class Document:
    """One article as a reader found it, before parsing.

    `text` is the article's text as read (a .txt file's whole content; a page's extracted text, one
    paragraph a line); `fields` is what the source itself says about it (title, url, published as
    YYYY-MM-DD, outlet, language), which the text's own dateline and sources.toml refine.
    """

    ident: str  # the article's id in the index
    where: str  # where it was read, for messages: "seeds/a.txt", "dump.jsonl line 4", a URL
    text: str
    fields: Mapping[str, str] = field(default_factory=dict)
    names: tuple[str, ...] = ()  # the names it may have in sources.toml
    min_chars: int = 0  # shorter than this once cleaned, it is not an article (web sources)
    origin: str | None = None  # where it came from when the run reads several kinds ("feed:<URL>")


@dataclass(frozen=True)
class Skip:
    """An article (or a whole file) that was not indexed, with the reason in one line."""

    where: str
    why: str
    kind: str  # the reason's short name, for the summary: "duplicate", "HTTP 404", "no article text", …
    ident: str | None = None  # an article that stays as indexed before (its file could not be read this time)


@dataclass(frozen=True)
class ReadOptions:
    """What a reader may need beyond the file: column names for dumps, and a way to fetch a page."""

    columns: Mapping[str, str] = field(default_factory=dict)  # field -> column name
    # Fetches an entry's page: (url, what the feed says, the entry's stamp) -> a document, why not, or
    # that it is unchanged (index/feeds.py PageReader).
    fetch_page: Callable[[str, Mapping[str, str], str | None], object] | None = None


Reader = Callable[[Path, str, ReadOptions], Iterator[Document | Skip]]
READERS: dict[str, Reader] = {}


def reader(*suffixes: str) -> Callable[[Reader], Reader]:
    """Register a reader for file suffixes (".html"); the last registered for a suffix wins."""
    def register(fn: Reader) -> Reader:
        for suffix in suffixes:
            READERS[suffix.lower()] = fn
        return fn
    return register


def suffixes() -> tuple[str, ...]:
    return tuple(sorted(READERS))


def read_file(path: Path, ident: str, options: ReadOptions) -> Iterator[Document | Skip]:
    """The documents in one file, by the reader registered for its suffix."""
    return READERS[path.suffix.lower()](path, ident, options)


def text_hash(paragraphs: list[str]) -> str:
    """A digest of an article's words (case and spacing aside): the same story from two places has one."""
    return hashlib.sha256(" ".join(" ".join(paragraphs).split()).casefold().encode()).hexdigest()


def read_bytes(path: Path, limit: int = MAX_ARTICLE_BYTES) -> bytes:
    """A file's bytes, or CorpusFileError saying why it cannot be read."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise CorpusFileError(
                f"{path.name}: {size / 2**20:.1f} MB is larger than the {limit // 2**20} MB limit "
                "for one article; split it into articles"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise CorpusFileError(f"{path.name}: the file disappeared while indexing") from None
    except OSError as exc:
        raise CorpusFileError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None


def read_text(path: Path) -> str:
    """Read a file as UTF-8 text, or raise CorpusFileError saying why it cannot be indexed."""
    data = read_bytes(path)
    if b"\x00" in data[:8192]:
        raise CorpusFileError(f"{path.name}: looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusFileError(
            f"{path.name}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"convert it, e.g. iconv -f latin1 -t utf-8 '{path.name}'"
        ) from None
    if not text.strip():
        raise CorpusFileError(f"{path.name}: the file is empty")
    return text


def _failed(path: Path, ident: str | None, exc: CorpusFileError, kind: str = "unreadable") -> Skip:
    return Skip(path.name, str(exc).removeprefix(f"{path.name}: "), kind, ident)


@reader(".txt", ".md")
def read_plain(path: Path, ident: str, options: ReadOptions) -> Iterator[Document | Skip]:
    try:
        text = read_text(path)
    except CorpusFileError as exc:
        yield _failed(path, ident, exc)
        return
    yield Document(ident, path.name, text, names=(ident, path.stem))


# --- HTML pages ---------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


def decode_html(data: bytes, declared: str | None = None) -> str:
    """A page's text whatever its bytes claim: valid UTF-8 is taken as UTF-8 (a header or meta tag
    that says latin-1 over UTF-8 bytes is a common mistake), else the declared charset, the page's
    meta charset, then detection."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    meta = _META_CHARSET.search(data[:4096])
    for charset in (declared, meta.group(1).decode("ascii", "ignore") if meta else None):
        if charset:
            try:
                return data.decode(charset)
            except (LookupError, UnicodeDecodeError):
                continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("cp1252", errors="replace")


def extract_page(html: str, where: str, url: str | None = None) -> Document | Skip:
    """The article in a news page: its text with the site's chrome left out, and its metadata (title,
    date, site name or domain, canonical URL)."""
    import trafilatura

    if "\x00" in html[:8192]:
        return Skip(where, "looks like a binary file, not a web page", "not a news page")
    # trafilatura logs its own view of a failed extraction; the reason is reported here, once.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    try:
        found = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False,
            include_images=False, favor_precision=True, deduplicate=False,
        )
    except Exception as exc:  # trafilatura raises many kinds on broken markup
        return Skip(where, f"the page could not be read as HTML ({type(exc).__name__})", "not a news page")
    text = (getattr(found, "text", None) or "").strip() if found is not None else ""
    if not text:
        return Skip(where, "no article text found on the page (a section front, a search page or an app shell?)",
                    "no article text")
    page_url = getattr(found, "url", None) or url
    link = canonical(page_url) if page_url and page_url.startswith(("http://", "https://")) else None
    outlet = getattr(found, "sitename", None) or (host_of(link) if link else None) or getattr(found, "hostname", None)
    fields = {
        "title": getattr(found, "title", None), "url": link, "published": getattr(found, "date", None),
        "outlet": outlet, "language": getattr(found, "language", None),
    }
    return Document(link or where, where, text, {k: v for k, v in fields.items() if v}, min_chars=MIN_WEB_ARTICLE_CHARS)


@reader(".html", ".htm")
def read_html(path: Path, ident: str, options: ReadOptions) -> Iterator[Document | Skip]:
    try:
        data = read_bytes(path)
    except CorpusFileError as exc:
        yield _failed(path, ident, exc)
        return
    found = extract_page(decode_html(data), path.name)
    if isinstance(found, Skip):
        yield found
        return
    yield Document(ident, path.name, found.text, found.fields, (ident, path.stem), found.min_chars)


# --- Dumps --------------------------------------------------------------------------------------

def date_value(value: object) -> str | None:
    """A date from a dump or feed field as YYYY-MM-DD: ISO 8601, RFC 2822, a Unix time, or a date
    written out ("14 September 2023"); None when it is none of these."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value / (1000 if value > 1e11 else 1), dt.UTC).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if text.isdigit() and len(text) in (10, 13):
        return date_value(int(text))
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    found = dates.full_dates(text)
    return found[0][1].isoformat() if found else None


def column_map(columns: list[str], chosen: Mapping[str, str]) -> dict[str, str]:
    """field -> column for a dump's columns: those named by an option first (when the dump has them: one
    folder may hold dumps of several shapes), then the common names."""
    by_lower = {c.strip().lower(): c for c in columns}
    mapping = {}
    for name in FIELDS:
        if name in chosen and chosen[name] in columns:
            mapping[name] = chosen[name]
            continue
        for candidate in COLUMN_NAMES[name]:
            if candidate in by_lower:
                mapping[name] = by_lower[candidate]
                break
    return mapping


def row_document(row: Mapping[str, object], mapping: Mapping[str, str], where: str, names: tuple[str, ...]) -> Document | Skip:
    """One dump row as a document: its identity is its URL, else its text's hash."""
    def value(name: str) -> str | None:
        raw = row.get(mapping[name]) if name in mapping else None
        if raw is None or isinstance(raw, (dict, list)):
            return None
        return str(raw).strip() or None

    text = value("text")
    if not text:
        column = mapping.get("text")
        return Skip(where, f"no text (column {column!r} is empty)" if column else
                    "no text column (expected one of text, content, body; name yours with --column text=NAME)",
                    "no text")
    url = value("url")
    link = canonical(url) if url and url.startswith(("http://", "https://")) else None
    text = normalise(text)
    title = value("title")
    fields = {"title": title, "url": link, "published": date_value(row.get(mapping.get("published", ""))),
              "outlet": value("outlet"), "language": value("language")}
    ident = link or "sha256:" + text_hash(text.split("\n"))[:16]
    return Document(ident, where, text, {k: v for k, v in fields.items() if v}, names + (ident,))


def _dump_columns(path: Path, options: ReadOptions) -> Mapping[str, str]:
    unknown = set(options.columns) - set(FIELDS)
    if unknown:
        raise MetadataError(f"unknown field(s) in the column mapping: {', '.join(sorted(unknown))} "
                            f"(fields are {', '.join(FIELDS)})")
    return options.columns


@reader(".jsonl", ".ndjson")
def read_jsonl(path: Path, ident: str, options: ReadOptions) -> Iterator[Document | Skip]:
    chosen = _dump_columns(path, options)
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Skip(path.name, f"cannot be read ({exc.strerror or exc})", "unreadable")
        return
    with handle:
        for n, line in enumerate(handle, 1):
            where = f"{path.name} line {n}"
            if not line.strip():
                continue
            if len(line) > MAX_ARTICLE_BYTES:
                yield Skip(where, f"the row is larger than the {MAX_ARTICLE_BYTES // 2**20} MB limit for one article",
                           "too large")
                continue
            try:
                row = json.loads(line.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                yield Skip(where, f"not a JSON object ({exc})", "broken row")
                continue
            if not isinstance(row, dict):
                yield Skip(where, "not a JSON object", "broken row")
                continue
            yield row_document(row, column_map(list(row), chosen), where, (f"{ident}:{n}",))


@reader(".csv", ".tsv")
def read_csv(path: Path, ident: str, options: ReadOptions) -> Iterator[Document | Skip]:
    chosen = _dump_columns(path, options)
    csv.field_size_limit(MAX_ARTICLE_BYTES)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        sample = handle.read(64 * 1024)
        handle.seek(0)
    except OSError as exc:
        yield Skip(path.name, f"cannot be read ({exc.strerror or exc})", "unreadable")
        return
    except UnicodeDecodeError:
        yield Skip(path.name, "not UTF-8; convert it, e.g. iconv -f latin1 -t utf-8", "unreadable")
        return
    with handle:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff(sample)
        rows = csv.DictReader(handle, delimiter=delimiter)
        try:
            mapping = column_map(rows.fieldnames or [], chosen)
            line = 1
            for row in rows:
                where = f"{path.name} line {line + 1}"
                line = rows.line_num
                if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                    continue
                yield row_document(row, mapping, where, (f"{ident}:{line}",))
        except (csv.Error, UnicodeDecodeError) as exc:
            yield Skip(f"{path.name} line {rows.line_num}", f"the rest of the file cannot be read as CSV ({exc})",
                       "broken row")


def _sniff(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


# --- Feeds --------------------------------------------------------------------------------------

_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "section", "article"}


def html_paragraphs(fragment: str) -> list[str]:
    """The paragraphs of an HTML fragment (a feed entry's content), one per block element."""
    import lxml.html
    from lxml import etree

    if "<" not in fragment:
        return [line.strip() for line in fragment.splitlines() if line.strip()]
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    paragraphs = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag not in _BLOCKS and el is not root:
            continue
        if any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in el.iterdescendants()):
            # Text directly inside a block that also holds blocks (e.g. <div>lead<p>…</p></div>).
            own = (el.text or "") + "".join(c.tail or "" for c in el)
            paragraphs += own.split("\n")
            continue
        paragraphs += el.text_content().split("\n")
    return [" ".join(p.split()) for p in paragraphs if p.strip()]


def entry_document(entry: Mapping, feed: Mapping, where: str, options: ReadOptions) -> Document | Skip:
    """A feed entry as a document: its own content when it carries the article, else its page."""
    link = entry.get("link")
    link = canonical(link) if link and link.startswith(("http://", "https://")) else None
    title = entry.get("title")
    where = f"{where} entry {title!r}" if title else where
    published = None
    for key in ("published_parsed", "updated_parsed"):
        if key in entry.keys() and entry[key]:
            published = dt.date(*entry[key][:3]).isoformat()
            break
    fields = {"title": title, "url": link, "published": published,
              "outlet": feed.get("title") or (host_of(link) if link else None), "language": feed.get("language")}
    fields = {k: v for k, v in fields.items() if v}
    contents = [c.get("value", "") for c in entry.get("content") or []] or [entry.get("summary") or ""]
    paragraphs = max((html_paragraphs(c) for c in contents), key=lambda ps: sum(map(len, ps)), default=[])
    if sum(map(len, paragraphs)) >= FULL_ENTRY_CHARS:
        text = "\n".join(paragraphs)
        return Document(link or "sha256:" + text_hash(paragraphs)[:16], link or where, text, fields,
                        min_chars=MIN_WEB_ARTICLE_CHARS)
    if not link:
        return Skip(where, "the entry has no link and carries no article text", "entry without link")
    if options.fetch_page is None:
        return Skip(link, "the feed carries only a summary; fetch its page with --fetch", "summary only")
    return options.fetch_page(link, fields, entry_stamp(entry))


def entry_stamp(entry: Mapping) -> str | None:
    """When the feed says an entry last changed: its updated time, else its published time (read from the
    entry's own keys: feedparser's mapping of one onto the other warns)."""
    keys = entry.keys()
    return entry["updated"] if "updated" in keys else entry["published"] if "published" in keys else None


def parse_feed(data: bytes, where: str) -> tuple[Mapping, list[Mapping]]:
    """(feed metadata, entries) of RSS 0.9x/1.0/2.0 or Atom bytes; CorpusFileError when it is not a feed."""
    import feedparser

    parsed = feedparser.parse(data)
    readable = [e for e in parsed.entries if e.get("link") or e.get("content") or e.get("summary") or e.get("title")]
    if not readable:
        if parsed.get("bozo"):
            raise CorpusFileError(f"{where}: not a readable feed ({parsed.get('bozo_exception')})")
        if not parsed.get("version"):
            raise CorpusFileError(f"{where}: not an RSS or Atom feed")
    return parsed.feed, readable


@reader(".xml", ".rss", ".atom")
def read_feed(path: Path, ident: str, options: ReadOptions) -> Iterator[Document | Skip]:
    try:
        feed, entries = parse_feed(read_bytes(path), path.name)
    except CorpusFileError as exc:
        yield _failed(path, None, exc, "broken feed")
        return
    for entry in entries:
        yield entry_document(entry, feed, path.name, options)

