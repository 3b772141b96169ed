"""Cleaning and splitting: which lines of an article are boilerplate, and how the body becomes passages.

A passage is one paragraph of the article (long paragraphs are cut on sentence boundaries) and keeps
its sentences, so that an answer can quote exactly the sentence that answers. Every passage's text is a
verbatim slice of the article: nothing is rewritten, only left out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Lines that are navigation, credits or legal notices, never news. Matched against a stripped line.
_BOILERPLATE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^baca\s+juga\b",  # "Baca juga: …" and a bare "Baca Juga"
        r"^(lihat|simak)\s+juga\b",
        r"^(read|see)\s+(also|more)\b",
        r"^related\s*:",
        r"^(penerjemah|editor|pewarta|reporter|penulis|redaktur|translator|writer)\s*:",
        r"^pilihan\s+editor\s*:",
        r"^(copyright|hak\s+cipta)\b",
        r"^©",
        r"^dilarang\s+keras\s+mengambil\s+konten",  # ANTARA's no-crawling notice
        r"^(advertisement|iklan|scroll\s+to\s+continue|subscribe|follow\s+us|ikuti\s+(kami|berita))\b",
        r"^(share|bagikan)\s*(this|artikel)?\s*:?$",
        r".*\b(berkontribusi|turut\s+berkontribusi)\s+(pada|dalam|untuk)\s+(laporan|berita)\s+ini\.?$",
        r".*\bcontributed\s+to\s+this\s+report\.?$",
    )
]
_SOURCE_LINE = re.compile(r"^(sumber|source)\s*:\s*(?P<wire>.+?)\s*$", re.IGNORECASE)
_MAX_WIRE_TAG_WORDS = 3

# Sentence boundary: end punctuation, optional closing quote/bracket, whitespace, then something that
# starts a sentence (a capital letter or an opening quote). Digits do not start a sentence here, so
# "2023. 9. 13" stays whole.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z\u00C0-\u024F])")
_ABBREVIATIONS = {
    "dr", "drs", "ir", "prof", "mr", "mrs", "ms", "jr", "sr", "st", "no", "hlm", "tel", "dll", "dsb",
    "jl", "kol", "letjen", "mayjen", "brigjen", "jend", "kapt", "h", "hj", "u.s", "vs", "gen", "sen",
    "rep", "gov", "lt", "col", "sgt", "inc", "ltd", "co", "corp", "a.s", "p.m", "a.m",
}
_WORD_BEFORE_DOT = re.compile(r"([\w.]+)\.$")
_MAX_QUOTED_SENTENCE = 400


@dataclass(frozen=True)
class Cleaned:
    """The article's body paragraphs, with what was removed and the wire tags found on the way."""

    paragraphs: list[str]
    removed: list[str] = field(default_factory=list)
    wires: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PassageText:
    """One passage before it is stored: its text, its sentences, and its place in the article."""

    position: int
    text: str
    sentences: list[str]


def normalise(text: str) -> str:
    """NFC-normalise and unify line endings and odd spaces, without touching the words."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    # Control characters other than newline and tab never belong in news text.
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def is_shouting(line: str) -> bool:
    """True for an all-capitals line of several words: a promo or 'related story' headline."""
    letters = [c for c in line if c.isalpha()]
    words = line.split()
    if len(words) < 4 or len(letters) < 12:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper / len(letters) >= 0.85


def wire_tag(line: str) -> str | None:
    """A bare agency tag standing alone on a line ('REUTERS', 'AFP/AP'), or None."""
    words = line.split()
    if not words or len(words) > _MAX_WIRE_TAG_WORDS or len(line) > 40:
        return None
    letters = [c for c in line if c.isalpha()]
    if len(letters) < 2 or any(c.islower() for c in letters) or line.endswith((".", ",", ":")):
        return None
    return line.strip()


def is_boilerplate(line: str) -> bool:
    """True when a line is boilerplate by its wording alone."""
    return any(p.match(line) for p in _BOILERPLATE)


def clean(lines: list[str]) -> Cleaned:
    """Split an article's lines into body paragraphs and removed boilerplate, noting wire sources."""
    kept: list[str] = []
    removed: list[str] = []
    wires: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        source = _SOURCE_LINE.match(line)
        if source:
            wires.append(source.group("wire"))
            removed.append(line)
        elif is_boilerplate(line) or is_shouting(line):
            removed.append(line)
        elif (tag := wire_tag(line)) is not None:
            wires.append(tag)
            removed.append(line)
        else:
            kept.append(line)
    return Cleaned(paragraphs=kept, removed=removed, wires=wires)


def _inside_quote(chunk: str) -> bool:
    """True while a quotation opened in chunk is still open (a speaker's several sentences stay one)."""
    return chunk.count("“") > chunk.count("”") or chunk.count('"') % 2 == 1


def _ends_with_abbreviation(chunk: str) -> bool:
    match = _WORD_BEFORE_DOT.search(chunk)
    if not match:
        return False
    word = match.group(1).lower()
    # Single letters are initials ("J. Smith"); known titles and short forms never end a sentence.
    return len(word) == 1 or word in _ABBREVIATIONS


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, each a verbatim slice of it."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        end = match.start()
        # Keep closing quotes/brackets with the sentence they close.
        head = paragraph[start:match.end()].rstrip()
        chunk = paragraph[start:end]
        if _ends_with_abbreviation(chunk) or (_inside_quote(head) and len(chunk) < _MAX_QUOTED_SENTENCE):
            continue
        pieces.append(head)
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        pieces.append(tail)
    return [p for p in (piece.strip() for piece in pieces) if p]


def split_passages(paragraphs: list[str], max_chars: int = 700) -> list[PassageText]:
    """Turn paragraphs into passages; a paragraph longer than max_chars is cut between sentences."""
    passages: list[PassageText] = []
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)
        group: list[str] = []
        for sentence in sentences:
            if group and len(" ".join(group)) + 1 + len(sentence) > max_chars:
                passages.append(_passage(len(passages), paragraph, group))
                group = []
            group.append(sentence)
        if group:
            passages.append(_passage(len(passages), paragraph, group))
    return passages


def _passage(position: int, paragraph: str, sentences: list[str]) -> PassageText:
    first = paragraph.find(sentences[0])
    last = paragraph.find(sentences[-1], first)
    text = paragraph[first:last + len(sentences[-1])] if first >= 0 and last >= 0 else " ".join(sentences)
    return PassageText(position=position, text=text, sentences=list(sentences))
