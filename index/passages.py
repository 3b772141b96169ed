"""Cleaning and splitting: which lines of an article are boilerplate, and how the body becomes passages.

A passage is one paragraph of the article (long paragraphs are cut on sentence boundaries) and keeps
its sentences, so that an answer can quote exactly the sentence that answers. Every passage's text is a
verbatim slice of the article: nothing is rewritten, only left out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_CREDIT_ROLE = r"(?:penerjemah|editor|pewarta|reporter|penulis|redaktur|translator|writer)"
# Lines that are navigation, credits or legal notices, never news. Matched against a stripped line.
_BOILERPLATE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        # "Baca juga: …", a bare "Baca Juga", "Baca selengkapnya di sini."
        r"^['\"‘“]?baca\s+(juga|selengkapnya)\b",
        r"^['\"‘“]?(lihat|simak|tonton|saksikan)\s+(juga|pula)\b",  # "'Simak juga video: …'", "Tonton juga …"
        r"^saksikan\s+live",  # "Saksikan LiveDetikPagi:"
        # "Artikel ini sudah tayang di detikHealth", "Artikel ini pertama kali terbit dalam bahasa Inggris"
        r"^artikel\s+ini\s+(sudah|telah|pertama\s+kali)\s+(tayang|terbit|dimuat)\b",
        r"^artikel\s+ini\s+(ditulis\s+oleh|bersumber\s+dari)\b",
        r"^ikuti\s+terus\b",  # "Ikuti terus ulasan mendalam berita-berita hangat detikcom …"
        r"^sign\s+up\s+(for|to)\b",  # "Sign up for … our Global Dispatch newsletter"
        r"^(read|see)\s+(also|more)\b",
        r"^related\s*:",
        rf"^{_CREDIT_ROLE}\s*:",
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
# A byline standing alone: "By Nadeen Ebrahim, CNN", "Oleh: Rina Sari". Only names follow (capitalised
# words, "and"/"dan", commas), so "By Tuesday the troops had left." and "Oleh karena itu, …" are news.
_BYLINE = re.compile(r"^(?:By|BY|Oleh|OLEH)\s*:?\s+[A-Z][\w'’.\-]*(?:\s*(?:,|&|\band\b|\bdan\b)?\s*[A-Z][\w'’.\-]*)*$")
_MAX_BYLINE_CHARS = 80
# A photo's credit and caption, as wire copy carries them inline once a page is flattened to text:
# "…in Skadovsk, Kherson region. (AP Photo, File) FILE - A group of foreign journalists observe the baking
# of bread …, on May 20, 2022." They describe a picture, not the news. A credit is a parenthesis naming a
# photo agency, standing between sentences; a file photo's caption runs from "FILE -" to its sentence's end.
_PHOTO_CREDIT = re.compile(
    r"(?:^|(?<=[.!?…\"”’)]\s))\s*"
    r"\((?=[^()]*(?:\bvia AP\b|\bAP Photo\b|\bAFP\b|\bREUTERS/|\bReuters/|Getty Images|\bEPA\b|ANTARA FOTO))"
    r"[^()]{2,120}\)(?=\s*$|\s+[\"“(]?[A-Z])"
)
# A credit closing a paragraph or standing alone: "(Reporter: Shinta Dwi Ayu | Editor: Larissa Huda)".
_CREDIT = re.compile(
    rf"(?:^|(?<=[.!?…\"”’)]\s))\s*\({_CREDIT_ROLE}\s*:[^()]{{2,160}}\)\s*$", re.IGNORECASE)
_FILE_CAPTION = re.compile(r"(?:^|(?<=\s))FILE\s+[-–—]\s+(?=[\"“(]?[A-Z0-9])")
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
_LONGEST_ABBREVIATION = max(len(a) for a in _ABBREVIATIONS) + 2  # "x." plus the dot before it
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
    return any(p.match(line) for p in _BOILERPLATE) or (len(line) <= _MAX_BYLINE_CHARS and bool(_BYLINE.match(line)))


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
            pieces, captions = uncaptioned(line)
            kept += pieces
            removed += captions
    return Cleaned(paragraphs=kept, removed=removed, wires=wires)


def uncaptioned(line: str) -> tuple[list[str], list[str]]:
    """A line's text around the photo credits, closing credits and file-photo captions in it
    (`_PHOTO_CREDIT`, `_CREDIT`, `_FILE_CAPTION`), as verbatim pieces, each a paragraph of its own; and
    the captions taken out."""
    cuts = [m.span() for m in _PHOTO_CREDIT.finditer(line)] + [m.span() for m in _CREDIT.finditer(line)]
    captions = [m.start() for m in _FILE_CAPTION.finditer(line)]
    spans = sentence_spans(line) if captions else []
    cuts += [(start, next((b for a, b in spans if a <= start < b), len(line))) for start in captions]
    if not cuts:
        return [line], []
    pieces, captions, at = [], [], 0
    for a, b in sorted(cuts):
        if a > at:
            pieces.append(line[at:a])
        captions.append(line[max(a, at):b])
        at = max(at, b)
    pieces.append(line[at:])
    kept = [p.strip() for p in pieces if any(c.isalpha() for c in p)]
    return kept, [c.strip() for c in captions if c.strip()]


def _ends_with_abbreviation(paragraph: str, start: int, end: int) -> bool:
    """True when paragraph[start:end] ends in an initial ("J.") or a known short form ("Dr.")."""
    # A word is short: looking at the last few characters keeps splitting linear in the paragraph.
    match = _WORD_BEFORE_DOT.search(paragraph, max(start, end - _LONGEST_ABBREVIATION), end)
    if not match:
        return False
    word = match.group(1).lower()
    # Single letters are initials ("J. Smith"); known titles and short forms never end a sentence.
    return len(word) == 1 or word in _ABBREVIATIONS


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """Where a paragraph's sentences are: (start, end) offsets, each slice stripped of spaces.

    One pass over the paragraph: a speaker's several sentences inside an open quotation stay one
    (up to _MAX_QUOTED_SENTENCE characters), and so do sentences after an initial or an abbreviation.
    """
    spans: list[tuple[int, int]] = []
    start = counted = 0
    curly_open = curly_close = straight = 0  # quotation marks in paragraph[start:counted]
    for match in _SENTENCE_END.finditer(paragraph):
        end = match.start()
        # Keep closing quotes/brackets with the sentence they close.
        head_end = end + len(paragraph[end:match.end()].rstrip())
        segment = paragraph[counted:head_end]
        curly_open += segment.count("“")
        curly_close += segment.count("”")
        straight += segment.count('"')
        counted = head_end
        inside_quote = curly_open > curly_close or straight % 2 == 1
        if _ends_with_abbreviation(paragraph, start, end) or (inside_quote and end - start < _MAX_QUOTED_SENTENCE):
            continue
        spans.append((start, head_end))
        start = counted = match.end()
        curly_open = curly_close = straight = 0
    spans.append((start, len(paragraph)))
    stripped = []
    for a, b in spans:
        piece = paragraph[a:b]
        a, b = a + (len(piece) - len(piece.lstrip())), b - (len(piece) - len(piece.rstrip()))
        if a < b:
            stripped.append((a, b))
    return stripped


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, each a verbatim slice of it."""
    return [paragraph[a:b] for a, b in sentence_spans(paragraph)]


# Who reported a sentence, where news writes it after what is reported: a closing "…, kata KCNA.", "…, sebut
# laporan media pemerintah Korea Utara pada Kamis.", "…, menurut Tass.", "…, according to officials.", "…,
# the ministry said on Monday.", or a short "…, kata Prabowo, …" between. Indonesian puts its verb of saying
# first in such a clause, which it does nowhere else; English does so too ("…, said Iryna Venediktova."),
# but so does a sentence whose subject stands before a comma ("The governor, Serhiy Gaidai, said Russian
# troops…"), so an English clause counts only when it ends with the verb. An opening source ("Dilansir dari
# Channel News Asia, …") stays: over the questions asking where, reading without it lost one answer.
_SOURCE_FIRST = re.compile(
    r"(?:menurut|according\s+to|dilansir|mengutip|citing|seperti\s+(?:dilansir|dilaporkan|diberitakan)|"
    r"(?:kata|ujar|ucap|tutur|ungkap|imbuh|sebut|lanjut)(?:nya)?|tambahnya|jelasnya|lapor)\b",
    re.IGNORECASE)
_SOURCE_LAST = re.compile(
    r"\b(?:said|says|reported|reports|added|wrote|announced|told\s+(?:reporters|journalists|\w+))"
    r"(?:\s+(?:on|in|late|early|last)\s+\w+)?\W*$")
_SOURCE_WORDS = 10  # a source named in more words is a statement of its own
# What may follow a closing source: who it is ("…, according to its prosecutor general, Iryna Venediktova.").
_APPOSITION_WORDS = 4
_APPOSITION = re.compile(r"(?:[A-Z]|(?:the|a|an|its|his|her|their|yang)\b)")
_CLAUSE = re.compile(r",[”\"’']?\s+")  # a comma between clauses, also one closing a quotation ("…,” kata X.")


def unattributed(sentence: str) -> str | None:
    """The sentence without the clauses naming who reported it (see `_SOURCE_FIRST`), or None when it
    has none. Only compared, never quoted: "…, sebut laporan media pemerintah Korea Utara pada Kamis" is
    as much of the sentence as the place it states, and a question asking where is asked of the place."""
    clauses = _CLAUSE.split(sentence)
    if len(clauses) < 2:
        return None

    def source(clause: str) -> bool:
        words = clause.lstrip("\"“‘'(").split()
        return 0 < len(words) <= _SOURCE_WORDS and bool(_SOURCE_FIRST.match(" ".join(words))
                                                         or _SOURCE_LAST.search(clause))

    keep = list(clauses)
    for n in range(1, len(clauses)):  # a closing source, and what it says of itself ("…, Iryna Venediktova")
        rest = " ".join(clauses[n + 1:])
        if source(clauses[n]) and (not rest or len(rest.split()) <= _APPOSITION_WORDS
                                                   and _APPOSITION.match(rest)):
            keep = clauses[:n]
            break
    keep = [c for n, c in enumerate(keep) if not (n and source(c))]  # "…, kata Prabowo, …"
    return ", ".join(keep) if len(keep) < len(clauses) else None


def _cut(paragraph: str, span: tuple[int, int], max_chars: int) -> list[tuple[int, int]]:
    """A sentence longer than max_chars in pieces of at most max_chars, cut between words where it can."""
    a, b = span
    pieces = []
    while b - a > max_chars:
        cut = paragraph.rfind(" ", a + max_chars // 2, a + max_chars)
        cut = cut if cut > a else a + max_chars
        pieces.append((a, cut))
        a = cut
        while a < b and paragraph[a].isspace():
            a += 1
    if a < b:
        pieces.append((a, b))
    return pieces


def split_passages(paragraphs: list[str], max_chars: int = 700) -> list[PassageText]:
    """Turn paragraphs into passages; a paragraph longer than max_chars is cut between sentences (and a
    sentence longer than that between words). A passage is the paragraph's slice from its first
    sentence to its last, so it never holds more than its sentences and the spaces between them."""
    passages: list[PassageText] = []
    for paragraph in paragraphs:
        spans = [piece for span in sentence_spans(paragraph) for piece in _cut(paragraph, span, max_chars)]
        group: list[tuple[int, int]] = []
        for span in spans:
            if group and span[1] - group[0][0] > max_chars:
                passages.append(_passage(len(passages), paragraph, group))
                group = []
            group.append(span)
        if group:
            passages.append(_passage(len(passages), paragraph, group))
    return passages


def _passage(position: int, paragraph: str, spans: list[tuple[int, int]]) -> PassageText:
    return PassageText(position=position, text=paragraph[spans[0][0]:spans[-1][1]],
                       sentences=[paragraph[a:b] for a, b in spans])
