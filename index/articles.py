"""Reading articles and their metadata: outlet (from the dateline), publication date, wire sources,
title and language, with a curated metadata file beside the articles (`sources.toml`) that overrides
what the text suggests and fills in what it cannot tell.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import dates
from .errors import CorpusError, CorpusFileError, MetadataError
from .passages import clean, normalise
from .readers import READERS, Document, suffixes, text_hash

METADATA_FILE = "sources.toml"
SETTINGS_TABLE = "newsbot"  # sources.toml's table for settings rather than an article ([newsbot.columns])
# Bump when reading or cleaning changes, so every article is processed again (vectors are reused
# by content hash, so this costs no embedding for unchanged passages).
PIPELINE_VERSION = "9"  # 2: sentence vectors stored; 3: whole-passage vectors, stemmed lexical terms;
# 4: a passage is the slice its sentences span (a repeated sentence no longer stretches it)
# 5: articles keep their origin and a hash of their words (duplicates across sources)
# 6: bylines ("By Nadeen Ebrahim") are boilerplate
# 7: "dua tahun lalu", "18 bulan lalu", "tahun kemarin" dated as said (they had been read as "tahun lalu",
#    "bulan lalu", "kemarin")
# 8: photo credits and "FILE -" captions dropped (not bumped when that came); a sentence naming who
#    reported it also embedded without that, for questions asking where
# 9: promotions ("Saksikan LiveDetikPagi:", "Baca selengkapnya di sini.", "Artikel ini sudah tayang di …") and
#    closing credits ("(Reporter: … | Editor: …)") are boilerplate

_DASH = r"\s*[-–—]{1,2}\s*"
# "Beijing (ANTARA) -", "WASHINGTON, Sept 14 (Reuters) -"
_DATELINE_PAREN = re.compile(rf"^(?P<place>[^\W\d][^()\n]{{0,60}}?)\s*\((?P<outlet>[^\W\d][\w.&' ]{{1,30}})\){_DASH}")
# "TEMPO.CO, Jakarta -", "Bisnis.com, JAKARTA -", "KOMPAS.com -"
_DATELINE_DOMAIN = re.compile(
    rf"^(?P<outlet>[^\W\d][\w-]*(?:\.[A-Za-z]{{2,}})+)(?:,\s*(?P<place>[^\W\d][^\n]{{0,40}}?))?{_DASH}"
)
_DILANSIR = re.compile(
    r"\b(?i:dilansir\s+(?:dari\s+)?|dikutip\s+dari\s+|melansir\s+|reported\s+by\s+)"
    r"(?P<wire>(?:[A-Z][\w.&'-]*)(?:\s+(?:[A-Z][\w.&'-]*|of|de))*)"
)
_FRONT_MATTER = re.compile(r"^---\s*\n(?P<body>.*?)\n---\s*\n", re.S)
_ID_WORDS = re.compile(r"\b(yang|dan|di|untuk|dengan|dari|tidak|itu|akan|pada|kata|bahwa)\b", re.I)
_EN_WORDS = re.compile(r"\b(the|and|of|to|in|that|is|was|for|with|said|on)\b", re.I)
_SENTENCE_END = (".", "!", "?", "\"", "”", "’", ":")


@dataclass(frozen=True)
class Curated:
    """One entry of the curated metadata file."""

    outlet: str | None = None
    published: dt.date | None = None
    url: str | None = None
    language: str | None = None
    title: str | None = None
    wire: str | None = None
    note: str | None = None


@dataclass
class ParsedArticle:
    """An article as read from disk: metadata plus its body paragraphs, boilerplate removed."""

    article: str  # the article's id: its path in the folder without suffix, or its URL
    source: str  # where it was read: a file, a dump's line, a URL
    outlet: str | None
    outlet_from: str
    published: dt.date | None
    published_from: str
    wires: list[str]
    title: str | None
    url: str | None
    language: str | None
    note: str | None
    place: str | None
    paragraphs: list[str]
    removed: list[str]
    content_hash: str
    text_hash: str = ""
    origin: str = "folder"  # "folder", "url" (newsbot add) or "feed:<feed URL>"
    warnings: list[str] = field(default_factory=list)


def resolves_inside(path: Path, folder: Path) -> bool:
    """True when a corpus file, links followed, is inside the corpus folder.

    A link out of the folder (`notes.txt -> ../.env`) would put whatever it points at into the index,
    and from there into answers: only what is in the folder is the corpus.
    """
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop
        return False


def _sources_toml(folder: Path) -> tuple[Path, dict]:
    path = folder / METADATA_FILE
    if not path.exists():
        return path, {}
    if not resolves_inside(path, folder):
        raise MetadataError(f"{path} is a link to a file outside the corpus folder; copy the file in instead")
    try:
        return path, tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MetadataError(f"{path}: {exc}") from None


def load_columns(folder: Path) -> dict[str, str]:
    """The `[newsbot.columns]` table of sources.toml: which column of a dump holds which field."""
    path, data = _sources_toml(folder)
    table = data.get(SETTINGS_TABLE, {})
    columns = table.get("columns", {}) if isinstance(table, dict) else None
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise MetadataError(f'{path}: [{SETTINGS_TABLE}.columns] maps fields to column names, e.g. text = "isi"')
    return columns


def load_curated(folder: Path) -> dict[str, Curated]:
    """Read `sources.toml` from the corpus folder: one table per article file name (or stem, or a
    dump's article URL)."""
    path, data = _sources_toml(folder)
    data = {k: v for k, v in data.items() if k != SETTINGS_TABLE}
    curated: dict[str, Curated] = {}
    for name, entry in data.items():
        if not isinstance(entry, dict):
            raise MetadataError(f"{path}: [{name}] must be a table of fields (outlet, published, url, …)")
        unknown = set(entry) - set(Curated.__dataclass_fields__)
        if unknown:
            raise MetadataError(f"{path}: [{name}] has unknown field(s): {', '.join(sorted(unknown))}")
        published = entry.get("published")
        if isinstance(published, str):
            try:
                published = dt.date.fromisoformat(published)
            except ValueError:
                raise MetadataError(f"{path}: [{name}] published must be a date like 2023-09-14") from None
        elif isinstance(published, dt.datetime):
            published = published.date()
        values = {k: v for k, v in entry.items() if k != "published"}
        key = name if "://" in name else str(Path(name).with_suffix(""))  # a URL keeps its dots and slashes
        curated[key] = Curated(published=published, **values)
    return curated


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split off a `---` block of `key: value` lines at the top of a file, if there is one."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields = {}
    for line in match["body"].splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            fields[key.strip().lower()] = value.strip().strip("\"'")
    return fields, text[match.end():]


def parse_dateline(line: str) -> tuple[str | None, str | None, str]:
    """(outlet, place, rest of the line) for a line opening with a news dateline."""
    for pattern in (_DATELINE_PAREN, _DATELINE_DOMAIN):
        match = pattern.match(line)
        if match and match.end() < len(line):
            place = (match.groupdict().get("place") or "").strip(" ,") or None
            return match["outlet"].strip(), place, line[match.end():]
    return None, None, line


def guess_language(text: str) -> str | None:
    """'id' or 'en' by counting a few very common words; None when it is not clear."""
    id_count, en_count = len(_ID_WORDS.findall(text)), len(_EN_WORDS.findall(text))
    if max(id_count, en_count) < 3:
        return None
    return "id" if id_count >= en_count else "en"


def content_hash(document: Document, curated: Curated | None) -> str:
    """What decides whether an article must be processed again: its text and what its source says,
    its curated entry, the pipeline."""
    digest = hashlib.sha256(PIPELINE_VERSION.encode())
    digest.update(document.text.encode("utf-8"))
    if document.fields:
        digest.update(json.dumps(dict(document.fields), sort_keys=True).encode())
    if curated:
        digest.update(json.dumps(curated.__dict__, default=str, sort_keys=True).encode())
    return digest.hexdigest()


def curated_entry(document: Document, curated: dict[str, Curated]) -> Curated | None:
    """The sources.toml entry for a document, by any of its names or its URL."""
    for name in (*document.names, document.fields.get("url")):
        if name and name in curated:
            return curated[name]
    return None


def parse_article(document: Document, curated: Curated | None = None, origin: str = "folder") -> ParsedArticle:
    """Turn a document into a ParsedArticle: dateline, title, wires, date, cleaned paragraphs.

    What the document's source says (a page's metadata, a dump's columns) is read like a front matter:
    the text's own dateline names the outlet before it, and sources.toml overrides both.
    """
    where = document.where
    text = normalise(document.text)
    front, text = split_front_matter(text)
    front = {**{k: v for k, v in document.fields.items() if v}, **front}
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise CorpusFileError(f"{where}: has no text after its header")

    title = front.get("title")
    if lines[0].startswith("#"):
        title = title or lines[0].lstrip("#").strip()
        lines = lines[1:]
    outlet, place, rest = parse_dateline(lines[0]) if lines else (None, None, "")
    if outlet is None and len(lines) > 1 and len(lines[0]) < 200 and not lines[0].endswith(_SENTENCE_END):
        # A short first line without a sentence end, followed by the body, is a headline.
        title = title or lines[0]
        lines = lines[1:]
        outlet, place, rest = parse_dateline(lines[0])
    if outlet is not None:
        lines[0] = rest

    cleaned = clean(lines)
    wires = list(dict.fromkeys(cleaned.wires + [m["wire"].rstrip(".,") for p in cleaned.paragraphs
                                                 for m in _DILANSIR.finditer(p)]))
    if not cleaned.paragraphs:
        raise CorpusFileError(f"{where}: nothing but boilerplate once headers and credits are removed", "no article text")
    size = sum(map(len, cleaned.paragraphs))
    if size < document.min_chars:
        raise CorpusFileError(f"{where}: only {size} characters of article text (a section front, a teaser or "
                              "a paywall stub?)", "too short")

    outlet_from = "dateline" if outlet else "unknown"
    if not outlet and front.get("outlet"):
        outlet, outlet_from = front["outlet"], "source" if document.fields.get("outlet") == front["outlet"] else "front matter"
    lead = cleaned.paragraphs[0]
    published, published_from = dates.infer_published(lead, text)
    if front.get("published") or front.get("date"):
        try:
            published = dt.date.fromisoformat((front.get("published") or front["date"])[:10])
            published_from = "source" if document.fields.get("published") else "front matter"
        except ValueError:
            pass

    url, language, note = front.get("url"), front.get("language"), None
    if curated:
        if curated.outlet:
            outlet, outlet_from = curated.outlet, "metadata"
        if curated.published:
            published, published_from = curated.published, "metadata"
        if curated.wire:
            wires = [curated.wire] + [w for w in wires if w != curated.wire]
        title = curated.title or title
        url, language, note = curated.url or url, curated.language or language, curated.note
    language = language or guess_language(" ".join(cleaned.paragraphs))

    warnings = []
    if not outlet:
        warnings.append("outlet unknown")
    if not published:
        warnings.append("publication date unknown")
    return ParsedArticle(
        article=document.ident, source=where, outlet=outlet, outlet_from=outlet_from, published=published,
        published_from=published_from, wires=wires, title=title, url=url, language=language, note=note,
        place=place, paragraphs=cleaned.paragraphs, removed=cleaned.removed,
        content_hash=content_hash(document, curated), text_hash=text_hash(cleaned.paragraphs), origin=origin,
        warnings=warnings,
    )


def article_files(folder: Path) -> list[Path]:
    """The files of a corpus folder that a reader takes (index/readers.py), recursively, in a stable order."""
    if not folder.exists():
        raise CorpusError(f"corpus folder {folder} does not exist")
    if not folder.is_dir():
        raise CorpusError(f"{folder} is not a folder; point the indexer at a folder of articles "
                          f"({', '.join(suffixes())} files)")
    return sorted(
        p for p in folder.rglob("*")
        if p.suffix.lower() in READERS and p.is_file() and not p.name.startswith(".")
        and p.name.lower() not in {"readme.md", "license.md", "changelog.md"}
    )


def article_id(path: Path, folder: Path) -> str:
    """An article's id: its path below the corpus folder, without the suffix (the file stem at top level)."""
    try:
        return path.relative_to(folder).with_suffix("").as_posix()
    except ValueError:
        return path.stem
