"""The words lexical search sees: folded tokens, stems, and informal Indonesian read as standard.

Passages are indexed by the stems of their words (and the words themselves) (Sastrawi, a dictionary-based Indonesian stemmer,
for Indonesian text; Snowball's English stemmer for English), so "bertemu", "pertemuan" and "temu" meet, as do "kunjungan" and
"mengunjungi". A question's word is looked up as itself, its stem in either language, the standard
form of an informal word (`data/colloquial-id.tsv`: "udah" is "sudah", "Korut" is "Korea Utara") and,
for colloquial verb forms ("ngirim", "ngebahas", "dijadwalin"), the root the index has.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

_WORD = re.compile(r"\w+", re.UNICODE)

# Function words carry no topic: they are left out of lexical search and of coverage.
_EN_STOPWORDS = frozenset(
    """
    a an and are as at be by did do does for from had has have how i in is it its of on or that the this
    to was were what when where which who whom whose why will with would can could should about into
    me my you your we our they their he she his her them us there than then so if not no any much many
    s t d m ll re ve
    """.split()
)
_ID_STOPWORDS = frozenset(
    """
    apa apakah siapa siapakah kapan mengapa kenapa bagaimana berapa dimana di mana mana ke dari dan atau
    yang ini itu tersebut untuk dengan pada dalam oleh akan telah sudah sedang adalah ialah juga tidak
    bukan ada saja soal tentang kepada bagi para sebuah seorang kah pun lah nya sebagai serta karena
    saat ketika waktu pas bisa dapat harus mau ingin kami kita saya anda dia mereka ia
    sih deh dong kok loh lho nih tuh kan ya yah aja doang gitu gini gimana emang nggak gak ga enggak udah
    """.split()
)
STOPWORDS = _EN_STOPWORDS | _ID_STOPWORDS


def question_language(question: str) -> str | None:
    """'id' or 'en' by the question's function words ("siapa", "yang" / "who", "the"); None when it
    has neither more of one than of the other, as in a question in another language. German and French
    share function words with English ("Was hat Kim…?", "will"; "a"), so a question with more of
    their own is neither."""
    tokens = words(question)
    if any(_mostly(tokens, own) for own in (_DE_FUNCTION_WORDS, _FR_FUNCTION_WORDS, _ROMANCE_FUNCTION_WORDS)):
        return None
    id_count = sum(1 for t in tokens if t in _ID_STOPWORDS)
    en_count = sum(1 for t in tokens if t in _EN_STOPWORDS)
    if id_count == en_count:
        return None
    return "id" if id_count > en_count else "en"


# Chat particles only Indonesian uses; the standard form of a question drops them ("resep nasi goreng dong").
_ID_PARTICLES = frozenset("sih deh dong kok loh lho nih tuh wkwk".split())


def has_indonesian_particle(text: str) -> bool:
    """Whether a question holds a chat particle only Indonesian uses ("sih", "dong", "nih"): Indonesian,
    even where its standard form has no function word to tell."""
    return any(w in _ID_PARTICLES for w in words(text))


@lru_cache(maxsize=1)
def _indonesian_roots() -> frozenset[str]:
    """The root words of Sastrawi's Indonesian dictionary (about 30,000)."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return frozenset(StemmerFactory().get_words())


def all_indonesian_words(text: str) -> bool:
    """Whether a text's words are all Indonesian words (each a root of Sastrawi's dictionary, or a word
    whose stem is one), numbers aside: a question of keywords with no function word to tell its language
    ("cuaca besok?", "harga cabai?") is Indonesian. An English one names a word the dictionary lacks
    ("handshake duration?"), and so does one in any other language or script."""
    tokens = [t for t in words(text) if not t.isdigit()]
    roots = _indonesian_roots()
    return bool(tokens) and all(t in roots or stem(t) in roots for t in tokens)


def fold(text: str) -> str:
    """Lower-case and strip diacritics, the way the FTS5 tokenizer sees words."""
    lowered = text.lower()
    if lowered.isascii():  # most news text: nothing to decompose
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    if decomposed.isascii():  # Latin letters with diacritics
        return decomposed
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded word tokens of a text."""
    return _WORD.findall(fold(text))


_TOKEN = re.compile(r"[^\W_]+")  # what FTS5's unicode61 tokenizer takes as a token of the stored terms


def lexical_tokens(terms: str) -> list[str]:
    """A passage's stored terms as the lexical index tokenises them (FTS5's unicode61, on folded text)."""
    return _TOKEN.findall(terms)


def stemmer_language(language: str | None) -> str:
    """The stemmer for an article's language: English for English, Indonesian otherwise."""
    return "en" if language == "en" else "id"


@lru_cache(maxsize=2)
def _stemmer(language: str):
    if language == "en":
        import Stemmer

        return Stemmer.Stemmer("english").stemWord
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer().stem


@lru_cache(maxsize=200_000)
def stem(word: str, language: str = "id") -> str:
    """A word's stem in one language (numbers and very short words stay as they are)."""
    if len(word) <= 3 or not word.isalpha():
        return word
    return _stemmer(language)(word) or word


_NASAL_PREFIX = re.compile(r"^(?:meng|meny|mem|men|peng|peny|pem|pen)")


def _nasal_variants(word: str, root: str) -> list[str]:
    """Indonesian drops a root's first k/p/t/s after meN-/peN- ("mengunjungi" is "kunjung" with its k
    gone, which a stemmer cannot always restore): the root with that letter put back, after such a
    prefix, or taken away otherwise, so either spelling of the root in the index is found."""
    if len(root) < 4 or root == word:
        return []
    if _NASAL_PREFIX.match(word):
        return [c + root for c in "kpts"] if root[0] in "aeiou" else []
    return [root[1:]] if root[0] in "kpts" and root[1] in "aeiou" else []


def stems(text: str, language: str | None) -> str:
    """A text as its words' stems, each followed by the word itself where that differs: what the
    index's lexical search matches. Keeping the surface form protects names a stemmer would mangle
    ("Merapi" is not "rapi") and lets typos be matched against real words."""
    lang = stemmer_language(language)
    out = []
    for w in words(text):
        root = stem(w, lang)
        out += [root, w] if root != w else [w]
    return " ".join(out)


@lru_cache(maxsize=1)
def colloquial() -> dict[str, tuple[str, ...]]:
    """Informal Indonesian word -> the standard words it stands for (bundled, general, small)."""
    text = files(__package__).joinpath("data/colloquial-id.tsv").read_text(encoding="utf-8")
    table: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        informal, standard = line.split("\t", 1)
        informal, standard = fold(informal.strip()), tuple(words(standard))
        if informal and standard != (informal,):
            table.setdefault(informal, standard)
    return table


def colloquial_roots(word: str) -> list[str]:
    """Roots an informal verb form may stand for: ng-/nge-/ny- prefixes and the -in suffix.

    "ngirim" -> kirim/irim, "ngebahas" -> bahas, "nyebut" -> sebut, "dijadwalin" -> dijadwal.
    Candidates only: the caller keeps those the index knows.
    """
    out: list[str] = []
    base = word
    if len(base) > 5 and base.endswith("in"):
        base = base[:-2]
        out.append(base)
    if base.startswith("nge") and len(base) > 5:
        out.append(base[3:])
    elif base.startswith("ny") and len(base) > 4 and base[2] in "aeiou":
        out.append("s" + base[2:])
    elif base.startswith("ng") and len(base) > 4 and base[2] in "aeiou":
        out += ["k" + base[2:], base[2:]]
    elif base.startswith("di") and base != word and len(base) > 4:
        out.append(base[2:])
    return out


def variants(word: str) -> list[str]:
    """What a question's (folded) word may appear as in the index's stems, itself first. An informal
    word standing for several ("korsel" -> "korea selatan", "deplu" -> "departemen luar negeri") may
    appear as that phrase (`holds`): each of its words alone is something else ("Korea" of "Korea
    Utara", "luar" of "luar angkasa")."""
    found = [word]
    standard = colloquial().get(word, ())
    if len(standard) > 1:
        phrase = " ".join(w for w in standard if w not in STOPWORDS)
        return [word, phrase] if phrase else [word]
    for w in (word, *standard, *colloquial_roots(word)):
        if w in STOPWORDS and w != word:
            continue
        root = stem(w, "id")
        found += [w, root, *_nasal_variants(w, root), stem(w, "en")]
    return list(dict.fromkeys(f for f in found if f))


def holds(terms: Container[str], form: str) -> bool:
    """Whether a set of index terms holds a form of a word: the term, or each word of a phrase."""
    return all(part in terms for part in form.split())


def demonym_places(word: str) -> list[str]:
    """The places an English word for a people may be named after ("korean" -> "korea", "russian" ->
    "russia", "chinese" -> "china", "ukrainian" -> "ukraine"/"ukraina", "japanese" -> "japan"): a question
    says "North Korean troops" where Indonesian news says "pasukan Korea Utara". Candidates only: the
    caller keeps those the index knows, or is close to ("russia" / "rusia")."""
    if len(word) < 6 or not word.isalpha():
        return []
    if word.endswith("ese"):
        return [word[:-3] + "a", word[:-3]]
    if word.endswith("ian"):
        return [word[:-1], word[:-3], word[:-3] + "e", word[:-3] + "a"]
    if word.endswith("an"):
        return [word[:-1]]
    return []


_LOANWORD_SPELLING = (
    (re.compile(r"ph"), "f"), (re.compile(r"th"), "t"), (re.compile(r"ch"), "k"), (re.compile(r"qu"), "ku"),
    (re.compile(r"q"), "k"), (re.compile(r"x"), "ks"), (re.compile(r"ou"), "u"),
    (re.compile(r"c(?=[eiy])"), "s"), (re.compile(r"c"), "k"), (re.compile(r"(?<=.)y"), "i"),
    (re.compile(r"([b-df-hj-np-tv-z])\1"), r"\1"),
)


def loanword_spelling(word: str) -> str:
    """A European word spelled the way Indonesian spells the words it borrows: ph, th, ch and qu are f,
    t, k and ku, x is ks, ou is u, a c is s before e, i and y and k elsewhere, y after the first letter
    is i, and double consonants are single ("pacific" -> "pasifik", "satellite" -> "satelite",
    "technology" -> "teknologi", "group" -> "grup"; and French "Poutine" -> "putine", one letter from
    Putin). Close matching compares this spelling too, so such a word finds its cognate."""
    for pattern, replacement in _LOANWORD_SPELLING:
        word = pattern.sub(replacement, word)
    return word


# How Indonesian ends the words it borrows from European languages (the official guide to forming terms,
# Pedoman Umum Pembentukan Istilah): -tion/-sion -> -si, -ty -> -tas, -ive -> -if, -ism -> -isme, -ical
# -> -is, -ate -> -asi (a verb borrowed as its noun). English plurals lose their -s with the ending.
_LOANWORD_ENDINGS = (
    (re.compile(r"(?<=.{3})(?:t|s)ions?$"), "si"), (re.compile(r"(?<=.{3})t(?:ies|y)$"), "tas"),
    (re.compile(r"(?<=.{3})ives?$"), "if"), (re.compile(r"(?<=.{3})isms?$"), "isme"),
    (re.compile(r"(?<=.{3})icals?$"), "is"), (re.compile(r"(?<=.{3})ates?$"), "asi"),
)


def loanword_forms(word: str) -> list[str]:
    """The ways Indonesian may write a European word it borrows: its spelling (`loanword_spelling`),
    and that spelling with the borrowed word's ending ("confirmation" -> "konfirmasi", "active" ->
    "aktif"). Candidates only: the index keeps those it has."""
    forms = [loanword_spelling(word)]
    if not word.isascii():
        return forms  # a word in another script borrows nothing this way
    for pattern, ending in _LOANWORD_ENDINGS:
        if pattern.search(word):
            forms.append(loanword_spelling(pattern.sub(ending, word, count=1)))
            break
    return list(dict.fromkeys(forms))


# An English verb Indonesian borrows as its noun, with the noun's ending (the same guide): "confirm" ->
# "konfirmasi", "discuss" -> "diskusi", "modernise" -> "modernisasi", "verify" -> "verifikasi", "protect"
# -> "proteksi", in any of its inflections ("confirmed", "discussing").
_VERB_NOUNS = (
    (re.compile(r"(?<=.{3})i[sz](?:e|es|ed|ing)$"), "isasi"),
    (re.compile(r"(?<=.{3})i(?:fy|fies|fied|fying)$"), "ifikasi"),
    (re.compile(r"(?<=.{3})ss(?:es|ed|ing)?$"), "si"),
    (re.compile(r"(?<=.{3})ct(?:s|ed|ing)?$"), "ksi"),
    (re.compile(r"(?<=.{3})tiat(?:e|es|ed|ing)$"), "siasi"),
    (re.compile(r"(?<=.{3})at(?:e|es|ed|ing)$"), "asi"),
    (re.compile(r"(?<=.{3})([b-df-hj-np-tv-z])(?:s|ed|ing)?$"), r"\1asi"),
)


def borrowed_nouns(word: str) -> list[str]:
    """The noun Indonesian may have borrowed for an English verb: "confirmed" -> "konfirmasi" (as in
    "mengonfirmasi"), "discuss" -> "diskusi". Candidates only, and only for an exact match: one letter
    off, they are as often other words ("sell" -> "selasi" is one from "Selasa")."""
    if not word.isascii() or not word.isalpha():
        return []
    for pattern, ending in _VERB_NOUNS:
        if pattern.search(word):
            return [loanword_spelling(pattern.sub(ending, word, count=1))]
    return []


# Informal Indonesian words that are English words too: "as" (AS, Amerika Serikat) in "What did Putin say
# as Kim arrived?", "make" (memakai). An English question keeps them.
_ALSO_ENGLISH = frozenset({"as", "make"})


def standardise(text: str) -> str:
    """A question with its informal Indonesian words replaced by standard ones ("udah ketemu" ->
    "sudah bertemu"), other words and punctuation as they were: what the question is embedded as. A
    word that is English too (`_ALSO_ENGLISH`) is replaced unless the rest of the question, its other
    informal words standardised, reads as English."""
    table = colloquial()

    def replaced(keep: frozenset[str]) -> str:
        def replace(match: re.Match) -> str:
            word = fold(match.group(0))
            standard = None if word in keep else table.get(word)
            return match.group(0) if standard is None else " ".join(standard)  # particles ("sih") go

        return " ".join(_WORD.sub(replace, text).split())

    if not any(w in _ALSO_ENGLISH for w in words(text)):
        return replaced(frozenset())
    others = " ".join(w for w in words(replaced(_ALSO_ENGLISH)) if w not in _ALSO_ENGLISH)
    return replaced(_ALSO_ENGLISH if question_language(others) == "en" else frozenset())


# A question asking for a quantity wants a number in its answer: "berapa", "how many", and their kind in
# Spanish, Portuguese, Italian, French, German, Dutch, Turkish, Vietnamese, Russian, Arabic, Hindi, Thai,
# Chinese, Japanese and Korean.
_QUANTITY = re.compile(
    r"\b(?:berapa|brp|how\s+(?:many|much|long|old|far)|cu[aá]nt[oa]s?|quant[aeio]s?|combien|wie\s*viele?|"
    r"wie\s+lange?|hoeveel|kaç|bao\s+nhi[eê]u|bao\s+l[aâ]u|как\s+долго|كم)\b"
    r"|сколько|कितन|กี่|เท่าไร|เท่าไหร่|多少|多久|多长|多長|几|幾|何人|何個|何回|何台|何発|何機|いくつ|いくら|"
    r"どのくらい|どれくらい|どれだけ|몇|얼마",
    re.IGNORECASE,
)
# …except where it asks which date or hour: "tanggal berapa", "jam berapa", 几号, 몇 시 ask when ("berapa
# hari" still asks how many days).
_WHICH_TIME = re.compile(
    r"\b(?:tanggal|tahun|hari|bulan|jam|pukul)\s+(?:berapa|brp|apa)\b|几[号號点點月]|몇\s*[시월]",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(?:satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|belas|puluh(?:an)?|"
    r"ratus(?:an)?|ribu(?:an)?|juta(?:an)?|miliar|triliun|se(?:puluh|ratus|ribu|juta)|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|"
    r"millions?|billions?)\b",
    re.IGNORECASE,
)
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)[\"“‘'(¿¡]*$")


# A question asking when wants a time in its answer, in the same languages.
_TIME = re.compile(
    _WHICH_TIME.pattern + r"|\b(?:kapan|when|(?:what|which)\s+(?:date|day|month|year|time)|cu[aá]ndo|quand|wann|"
    r"wanneer|quando|ne\s+zaman|khi\s+n[aà]o|bao\s+gi[oờ]|l[uú]c\s+n[aà]o|متى)\b|когда|"
    r"(?<![\u0900-\u097f])कब(?![\u0900-\u097f])|เมื่อไร|เมื่อไหร่|เมื่อใด|什么时候|什麼時候|何时|何時|哪一?[年天]|"
    r"いつ(?!も)|언제",
    re.IGNORECASE,
)


# "When Kim met Putin, what did they discuss?": a "when" that opens a clause, before the question's own
# interrogative, says when the thing asked about happened; it does not ask for a time. A "when" followed
# by its verb's auxiliary ("When did…", "When will…") asks.
_AUXILIARY = r"(?:and|or|did|does|do|was|were|is|are|will|would|has|have|had|can|could|should|shall|may|might)\b"
# The interrogatives a "when" may open a clause before or after, in English and in Spanish, French,
# Portuguese and Italian.
_EN_ASKING = r"what|who|whom|whose|where|which|why|how"
_ROMANCE_ASKING = (r"qu[ée]|qui[ée]n(?:es)?|qui|chi|quem|o\s+que|d[óo]nde|dove|onde|c[óo]mo|comment|come|"
                   r"cu[áa]l(?:es)?|quel(?:le)?s?|qual|por\s*qu[ée]|pourquoi|perch[ée]|combien|cu[áa]nt[oa]s?")
_WHEN_CLAUSE = re.compile(
    rf"\bwhen\s+(?!{_AUXILIARY})(?=.*\b(?:{_EN_ASKING})\b)"
    rf"|\b(?:cuando|quand|quando)\b(?=[^,?¿]*,\s*¿?\s*(?:{_ROMANCE_ASKING}|o[uù])\b)",
    re.IGNORECASE,
)


# …nor does a "when" after the question's own interrogative ("What did Putin say to Kim when he greeted
# him?", "¿Qué dijo Putin cuando saludó a Kim?"), unless its verb's auxiliary follows ("Where and when
# did they meet?").
_INTERROGATIVE = re.compile(rf"\b(?:{_EN_ASKING}|{_ROMANCE_ASKING}|qu)\b|(?<!\w)où(?!\w)", re.IGNORECASE)  # "qu'a"
_WHEN_AFTER = re.compile(rf"\b(?:when|cuando|quand|quando)\s+(?!{_AUXILIARY})", re.IGNORECASE)


def asks_time(question: str) -> bool:
    """True for "kapan …", "when …", "tanggal berapa …" and their kind in other languages; not for a
    "when" that only opens a clause before another question word ("When Kim met Putin, what…") or
    follows one ("What did Putin say when…")."""
    question = _WHEN_CLAUSE.sub(" ", question)
    asked = _INTERROGATIVE.search(question)
    if asked:
        question = question[:asked.end()] + _WHEN_AFTER.sub(" ", question[asked.end():])
    return bool(_TIME.search(question))


# A question asking where wants a place in its answer ("di mana", "kota mana", "where", and their kind in
# the other languages `_TIME` knows). "Ou" folded is French "or", so "où" is matched as written.
_PLACE = re.compile(
    r"\b(?:(?:di|ke|dari)\s*mana|(?:kota|negara|tempat|lokasi)\s+(?:mana|apa)|where|wherever|(?:a|en\s+)?d[óo]nde|"
    r"en\s+qu[ée]\s+(?:ciudad|lugar|pa[ií]s)|onde|aonde|dove|wo|wohin|woher|in\s+welche[mr]?\s+(?:stadt|land|ort)|"
    r"waar|nerede|nereye|ở\s+đâu|đi\s+đâu|أين)\b|(?<!\w)où(?!\w)|dans\s+quelle\s+ville|где|куда|"
    r"в\s+каком\s+(?:городе|месте)|(?<![\u0900-\u097f])कहा[ँं](?![\u0900-\u097f])|ที่ไหน|哪里|哪裡|哪儿|哪兒|在哪|"
    r"哪个城市|哪個城市|どこ|어디",
    re.IGNORECASE,
)


def asks_place(question: str) -> bool:
    """True for "di mana …", "kota mana …", "where …" and their kind in other languages."""
    return bool(_PLACE.search(question))


# A question asking for the latest ("berita terbaru", "terakhir kali", "most recently") wants the newest
# report of what it asks about.
_LATEST = re.compile(
    r"\b(?:terbaru|terkini|paling\s+(?:baru|akhir|terakhir)|terakhir\s+kali|kali\s+terakhir|yang\s+terakhir|"
    r"(?:berita|kabar|info|informasi|update|perkembangan|kapan)\s+terakhir|akhir-akhir\s+ini|baru-baru\s+ini|sekarang|saat\s+ini|"
    r"kini|latest|newest|most\s+recent(?:ly)?|the\s+last\s+time|last\s+time|recently|lately|currently|right\s+now|"
    r"so\s+far|sejauh\s+ini|"
    # the last of what happens again and again is the latest: "pertemuan terakhir", "when did they last meet"
    r"(?:pertemuan|ketemuan|kunjungan|lawatan|KTT|pembicaraan|perundingan|pernyataan|laporan|serangan|peluncuran|"
    r"uji\s*coba|pidato|wawancara)(?:nya)?\s+terakhir(?:nya)?|"
    r"last\s+(?:meet(?:ing)?|met|visit(?:ed)?|summit|talks?|talked|spoke|speak|s[ae]w|seen|see|trip|travell?ed|"
    r"travel|went|go|came|come|held|hold|said|say|statement|reported|report|attack(?:ed)?|launch(?:ed)?|"
    r"tested|test|interview|speech|conversation|call(?:ed)?)|"
    r"m[aá]s\s+reciente|[uú]ltima\s+vez|derni[eè]re\s+fois|plus\s+r[ée]cente?|zuletzt|neueste[nmrs]?|"
    r"[uú]ltim[oa]s?\s+(?:reuni[oó]n|reuni[aã]o|encuentro|encontro|cumbre|c[uú]pula|visita|incontro|vertice)|"
    r"derni[eè]re?s?\s+(?:rencontre|r[ée]union|sommet|visite)|letzte[nms]?\s+(?:Treffen|Gipfel|Besuch|Gespr[aä]ch)|"
    r"последн\w*|недавно)\b|最近|最新|上一?次|최근|최신|마지막",
    re.IGNORECASE,
)


# "terakhir" after a noun is the last of something ("hari terakhir kunjungan", "tujuan terakhir Kim"), not
# the latest; after a name or a pronoun it is when someone last did something ("Kim terakhir ketemu Putin").
_LAST_DONE = re.compile(r"(?:\b[A-Z][\w-]*|\b(?:[Mm]ereka|[Dd]ia|[Ii]a|[Kk]eduanya))\s+terakhir\b")


# A question asking every time something happened ("kapan aja", "berapa kali", "how many times") wants
# each occasion, not the best report of one.
_EVERY_TIME = re.compile(
    r"\b(?:kapan\s+(?:saja|aja|ajah|sajakah)|(?:berapa|brp)\s+kali|sudah\s+berapa\s+kali|how\s+many\s+times|"
    r"how\s+often|every\s+time|all\s+the\s+times|(?:when|which\s+times)\s+(?:all|else)|cu[aá]ntas\s+veces|"
    r"quantas\s+vezes|quante\s+volte|combien\s+de\s+fois|wie\s+oft|wie\s+viele\s+male|kaç\s+kez)\b|"
    r"сколько\s+раз|几次|幾次|多少次|何回|몇\s*번",
    re.IGNORECASE,
)


def asks_every_time(question: str) -> bool:
    """True for "kapan aja …", "berapa kali …", "how many times …" and their kind in other languages."""
    return bool(_EVERY_TIME.search(question))


def asks_latest(question: str) -> bool:
    """True for "berita terbaru …", "terakhir kali …", "Kim terakhir …", "the latest …", "most recently"
    and their kind in other languages: the newest report answers."""
    return bool(_LATEST.search(question) or _LAST_DONE.search(question))


# The words that ask for the latest, not what: "terakhir" of "pertemuan terakhir", "last" of "last met".
_RECENCY_WORDS = frozenset(fold(w) for w in """
    terakhir terakhirnya terbaru terkini kali paling akhir-akhir baru-baru sekarang kini latest newest most recent
    recently lately last time currently right now far sejauh reciente recente vez fois dernière dernier dernières
    derniers última último últimas últimos zuletzt neueste neuesten neuester neuestes letzte letzten letztes letzter
    """.split())


def recency_words(question: str) -> set[str]:
    """The folded words of a question that ask for the latest (`asks_latest`) rather than name what it
    asks about: as content words, "terakhir" matched "berakhir" and "pada akhir acara", "last" any
    "at last"."""
    starts = [w.start() for w in _WORD.finditer(question)]  # from each word: "kapan terakhir", "terakhir kali"
    spans = [m.group(0) for m in (pattern.match(question, at) for pattern in (_LATEST, _LAST_DONE) for at in starts) if m]
    return {w for span in spans for w in words(span) if w in _RECENCY_WORDS}


# A question that asks for the news and names no topic ("Apa berita terbaru?", "What's new?", "ada kabar
# apa hari ini?", "Какие последние новости?"): what it wants is the newest reports, not the passages
# nearest the word "news". Its words are those that ask for news…
_NEWS = frozenset(fold(w) for w in """
    berita kabar info informasi update updates apdet perkembangan terbaru terkini headline headlines
    news new latest newest happening happened happen terjadi
    noticias novedades nuevo nuevas nouvelles actualités neuf nachrichten neuigkeiten neues novidades
    notícias notizie novità nieuws новости новость нового новое haber haberler yeni tin
    أخبار اخبار الأخبار
    """.split())
# …and those around them in such a question, which name no topic either (so do the greetings and forms of
# address a chat message opens with, `_OPENERS`).
_NEWS_FILLER = frozenset(fold(w) for w in """
    baru hangat utama rame ramai lagi kasih kasi tau tahu kabarin ceritain cerita hari sekarang kini
    terakhir sini tanggal tgl bulan tahun minggu pekan
    anything today todays date week month year going top story stories tell give show recent recently
    lately
    qué hay de las los la últimas última pasa pasó quoi quelles quelle les du des dernières il y a
    gibt es was aktuell aktuelle letzten das ist o que há as ultime ci sono cosa wat er is het
    какие какая что последние есть ne var son neler quais são as últimas quali sono le
    laatste en del em do da dos das im am vom von aus van uit sur dans pour за от в во на из
    có gì mới nhất tin tức ما هي آخر الأخبار ماذا
    """.split())
_NEWS_CJK = re.compile(r"新闻|新聞|消息|最新|뉴스|최신|소식|ニュース")
_NEWS_CJK_FILLER = re.compile(
    r"有什么|有什麼|有没有|什么|什麼|今天|最近|是|的|吗|呢|嗎|"
    r"알려\s*줘|알려\s*주세요|있어|있나요|뭐야|뭐|오늘|"
    r"は|何|ですか|の|を|教えて|今日|[\s?？!！.。、,，]")


def news_word(word: str) -> bool:
    """Whether a (folded) word asks for news ("berita", "kabar", "update", "news") rather than naming
    what the news is about."""
    return unicodedata.normalize("NFC", word) in _NEWS


def asks_news(words: list[str]) -> bool:
    """True when a question's content words (stopwords and the time it names left out) only ask for
    the news: at least one asks for news ("berita", "new", "新闻") and none names a topic."""
    if not words:
        return False
    asked = False
    for word in words:
        word = unicodedata.normalize("NFC", word)  # folding took Hangul syllables apart
        if news_word(word):
            asked = True
        elif _NEWS_CJK.search(word) and not _NEWS_CJK_FILLER.sub("", _NEWS_CJK.sub("", word)):
            asked = True
        elif (word not in _NEWS_FILLER and word not in _OPENERS and not asks_latest(word)
              and _NEWS_CJK_FILLER.sub("", word)):
            return False
    return asked


NUMBER, DURATION, MONEY = "number", "duration", "money"


@dataclass(frozen=True)
class Quantity:
    """What a quantity question asks for: a length of time ("berapa lama", "how long"), a sum of money
    ("berapa nilai…", "how much did it cost"), or any number; and, when it names a scale ("berapa juta
    peluru", "how many thousands"), at least that large. A passage stating some other number ("13.000
    tentara" for "berapa juta peluru", "empat tahun" for "berapa nilainya") does not hold the answer."""

    kind: str = NUMBER  # NUMBER, DURATION or MONEY
    at_least: float = 0.0


_DURATION_ASKED = re.compile(
    r"\b(?:berapa|brp)\s+(?:lama|lamanya|hari|jam|menit|detik|minggu|pekan|bulan|tahun|dekade)\b|"
    r"\b(?:lama(?:nya)?|durasi(?:nya)?)\s+(?:\w+\s+){0,4}?(?:berapa|brp)\b|"
    r"\bhow\s+long\b|\bhow\s+many\s+(?:days|hours|minutes|seconds|weeks|months|years|decades)\b|"
    r"\b(?:combien\s+de\s+(?:temps|jours|heures|minutes|semaines|mois|ans|ann[ée]es)|cu[aá]nto\s+tiempo|"
    r"cu[aá]nt[oa]s\s+(?:d[ií]as|horas|minutos|semanas|meses|a[ñn]os)|quanto\s+tempo|wie\s+lange?|hoe\s+lang|"
    r"bao\s+l[aâ]u)\b|как\s+долго|сколько\s+(?:времени|дней|часов|минут|недель|месяцев|лет)|"
    r"多久|多长时间|多長時間|[几幾]天|[几幾]个?小时|多少天|多少年|몇\s*(?:시간|일|분|개월|년\s*동안)|얼마나\s*오래|何日間|何時間|何年間",
    re.IGNORECASE,
)
_MONEY_WORDS = (r"(?:nilai|harga|biaya|ongkos|duit|uang|dana|anggaran|tarif|gaji|modal|kerugian|utang|pinjaman|"
                r"rupiah|dolar|dollar|euro|yuan|rubel|yen)")
_MONEY_ASKED = re.compile(
    rf"\b(?:berapa|brp)\s+(?:\w+\s+){{0,2}}?{_MONEY_WORDS}|\bhow\s+many\s+(?:\w+\s+)?dollars\b|\b{_MONEY_WORDS}\w*\s+(?:\w+\s+){{0,5}}?(?:berapa|brp)\b|"
    r"\bhow\s+much\b(?:\s+\S+){0,6}?\s+(?:cost|costs|costing|worth|pay|paid|spend|spent|price|priced|"
    r"value|valued|money|funding|budget|dollars?|loans?|debt)\b|\bhow\s+much\s+(?:money|aid|funding)\b|"
    r"\bcu[aá]nto\s+(?:cuesta|cost[oó]|vale|val[ií]a|dinero)\b|\bquanto\s+(?:custa|custou|vale|costa|[eè]\s+costato)\b|"
    r"\bcombien\s+(?:co[uû]te|a\s+co[uû]t[ée]|vaut|d'argent)|\bwie\s*viel\s+(?:kostet|kostete|geld)\b|"
    r"сколько\s+(?:стоит|стоил[аои]?|денег)|多少钱|多少錢|얼마(?:에|를|나)?\s*(?:들|비용|주고)|いくら",
    re.IGNORECASE,
)
# Scale words: a question names one after its "how many" ("berapa juta", "how many thousands"); a passage
# stating an amount that large writes one, or enough digits.
SCALES = {"ribu": 1e3, "ribuan": 1e3, "rb": 1e3, "thousand": 1e3, "thousands": 1e3, "juta": 1e6, "jutaan": 1e6,
          "jt": 1e6, "million": 1e6, "millions": 1e6, "miliar": 1e9, "milyar": 1e9, "billion": 1e9,
          "billions": 1e9, "triliun": 1e12, "trilyun": 1e12, "trillion": 1e12, "trillions": 1e12}
_SCALE_ASKED = re.compile(
    r"\b(?:berapa|brp|how\s+many)\s+(?:\w+\s+)?(" + "|".join(sorted(SCALES, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def quantity_asked(question: str) -> Quantity | None:
    """The quantity a question asks for (`Quantity`) with "berapa …", "how many …" and their kind in
    other languages; None when it asks for none, as "tanggal berapa" (which date) and its kind ask when."""
    text = _WHICH_TIME.sub(" ", question)
    if not _QUANTITY.search(text):
        return None
    scale = _SCALE_ASKED.search(text)
    at_least = SCALES[scale[1].lower()] if scale else 0.0
    if _MONEY_ASKED.search(text):
        return Quantity(MONEY, at_least)
    if _DURATION_ASKED.search(text):
        return Quantity(DURATION, at_least)
    return Quantity(NUMBER, at_least)


def has_number(text: str) -> bool:
    """True when a text states a number, in digits or in words."""
    return bool(_NUMBER.search(text))


def is_question(sentence: str) -> bool:
    """True when a sentence asks rather than states: it ends with a question mark. News asks in
    subheadings ("Lantas, apa saja syaratnya?"), whose answer is the paragraph after; a question
    someone is quoted asking ends with the quotation mark and still counts as a statement."""
    return sentence.rstrip().endswith(("?", "\uff1f", "\u061f"))


_STATEMENT_END = re.compile(r"[.!?…:;\uff01\uff1f\u3002]['\"”’)\]]*\s*$")
_LIST_MARK = re.compile(r"^\s*(?:[-•*]|\w{1,3}[.)])\s+")
_HEADING_WORDS = 12


def is_heading(text: str) -> bool:
    """True for a subheading or a list item that names without stating: a short line with no
    sentence-ending punctuation and no figure ("Kronologi Kejadian", "4. Komputer dan laptop",
    "Nicolas Paz (Como)"). One that states a figure ("Emas 3 gram: Rp 5.507.000") is kept."""
    if _STATEMENT_END.search(text) or len(text.split()) > _HEADING_WORDS:
        return False
    return not re.search(r"\d", _LIST_MARK.sub("", text))


_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_PAGE_SUFFIXES = {"html", "htm", "php", "asp", "aspx", "amp"}


# How chat messages open before the question: greetings, forms of address, "I want to ask".
_GREETINGS = frozenset("""
    halo hallo haloo hai hay hei hi hello hey hiya yo pagi siang sore malam selamat permisi assalamualaikum
    salam good morning afternoon evening hola bonjour ciao привет
    """.split())
_ADDRESS = frozenset("bang kak mas mbak min admin gan bro sis guys kawan teman semua bot newsbot".split())
_OPENERS = _GREETINGS | _ADDRESS | frozenset(
    """
    aku gue gw gua mau pengen boleh numpang tanya nanya tanyain bertanya tolong mohon bantu bantuin please pls plz
    quick question questions ask asking wondering curious help got thanks thank
    """.split()
)
_CLAUSE = re.compile(r"[^,;:!?.]*[,;:!?.]+\s*")
# Greetings of more than one word, over folded tokens ("what's up" is "what s up"): asking after someone
# ("apa kabar?", "how are you?") asks nothing of the news.
_GREETING_PHRASE = re.compile(
    r"\b(?:(?:apa|gimana|bagaimana|gmn|gmana) kabar(?:nya|mu)?|kabar(?:nya|mu)? (?:baik|gimana|bagaimana)|"
    r"how (?:are|r) (?:you|u|ya)(?: doing| today)?|how (?:s|is) it going|what s up|whats up|wassup|"
    r"(?:hi|hello|hey) there|how do you do|que tal|(?:comment )?ca va|comment allez vous|wie geht s|wie gehts)\b")


def _greeting_phrases_as_words(tokens: list[str]) -> list[str]:
    """The tokens with each greeting of several words ("apa kabar") standing as one greeting word."""
    return _GREETING_PHRASE.sub("hai", " ".join(tokens)).split()


# Chat messages that ask nothing of the news: thanks, greetings, "ok" and laughter, and asking the bot
# what it is or can do. Searched, "makasih ya" got the quote of Kim thanking Putin.
_THANKS = frozenset("""
    makasih makasi makasii maaci terima kasih terimakasih trims tq thx thanks thank thankyou ty tengkyu
    nuhun matur nuwun gracias merci danke obrigado grazie спасибо
    """.split())
_ACKNOWLEDGED = frozenset("""
    ok oke okay okey okei sip sipp siap mantap mantul keren baik noted nice great cool wow oh ya yes
    """.split())
_FAREWELLS = frozenset("""
    bye byee bye2 dadah dah daah goodbye goodnight gn cya cu see later ttyl pamit dulu duluan permisi adios adiós
    tschuss tschüss пока 再见 拜拜 안녕히
    """.split()) | {"jumpa", "sampai", "night", "au", "revoir", "you"}  # "sampai jumpa", "good night", "au revoir"
_LAUGHTER = re.compile(r"(?:wk|ha|he|hi|xi|ck|kw)+k?|lol|lmao|awok(?:awok)*")
_CHAT_FILLER = _ADDRESS | frozenset("""
    ya yah dong deh nih sih banyak banget bgt sekali very much so a lot you u for the all infonya jawabannya
    """.split())
_CJK_SMALL_TALK = re.compile(r"(?:谢谢|謝謝|多谢|你好|您好|감사합니다|고마워요?|안녕하세요|안녕|ありがとう(?:ございます)?|こんにちは)[!！。.~]*")
_ABOUT_BOT = re.compile(
    r"(?:siapa (?:kamu|anda|lu|lo|km)|(?:kamu|anda|km) siapa|who are you|what are you|"
    r"what (?:can|do) you do|(?:kamu|anda|km) bisa apa(?: aja| saja)?|bisa apa(?: aja| saja)?|"
    r"how (?:do i|to) use (?:you|this|this bot)|cara pakai(?:nya)?|help(?: me)?|bantuan)"
)
# Asking where the bot's news comes from ("kamu tau dari mana?", "what are your sources?"): /sources.
_ABOUT_SOURCES = re.compile(
    r"(?:(?:kamu|anda|km|lu|lo) )?(?:tau|tahu|dapet|dapat)(?: (?:info|berita|informasi|kabar)(?:nya)?)?"
    r" dari mana(?: aja| saja)?|"
    r"(?:(?:apa|mana|dari mana) )?sumber(?:nya|mu)?(?: (?:apa|apa aja|apa saja|dari mana|mana))?|"
    r"(?:what|which) (?:are|r) your sources|what s your source|what is your source|(?:your )?sources|"
    r"where do (?:you|u) get (?:your|the|this|that) (?:news|information|info)(?: from)?|"
    r"where does (?:your|the|this|that) (?:news|information|info) come from|how do (?:you|u) know(?: that| this)?"
)

# Asking for the link to (or the whole of) the article an answer quoted ("link artikelnya mana?",
# "source link pls", "where can I read the full article?"): the articles behind the answer it follows.
_POLITE = "(?: (?:" + "|".join(map(fold, (
    "please pls plz tolong dong donk ya kak min gan bro thanks thx 주세요 пожалуйста").split())) + "))*"
_LINK = "(?:" + "|".join(map(fold, (
    "link links linknya tautan tautannya url urlnya enlace lien ссылка ссылку ссылки 链接 링크").split())) + ")"
_ARTICLE = r"(?:artikel|artikelnya|berita|beritanya|sumber|sumbernya|aslinya|lengkapnya|article|articles|story|source)"
_WHERE = r"(?:di ?mana|dimana)"
_ASKING_LINK = re.compile(
    # "link?", "ada linknya gak kak?", "link ke artikelnya dong", "send me the link", "source link pls"
    rf"(?:(?:ada|minta|bagi|share|kasih|mana|got|have|any|send|give|drop|post|is there)(?: me| us)? )?"
    rf"(?:(?:a|an|the|source|article|full|original) )*{_LINK}"
    rf"(?: (?:to|for|of|ke|dari|del|de)(?: the| that| this| l| la)?)?(?: {_ARTICLE})*"
    rf"(?: (?:nya|mana|{_WHERE}|dong|apa|ada|gak|ga|nggak|enggak|tidak|itu|tsb|tersebut))*{_POLITE}|"
    # "artikel lengkapnya mana?", "berita aslinya mana"
    rf"(?:(?:mana|minta|ada) )?{_ARTICLE}(?: {_ARTICLE})* (?:lengkap(?:nya)?|asli(?:nya)?|full)"
    rf"(?: (?:mana|{_WHERE}|dong|ada))*{_POLITE}|"
    # "baca di mana artikelnya?", "baca selengkapnya di mana?"
    rf"(?:baca|bacanya) {_WHERE} (?:artikel|berita)?(?:nya)?(?: (?:lengkap|asli)(?:nya)?)?{_POLITE}|"
    rf"(?:baca )?(?:artikel |berita )?(?:selengkapnya|lengkapnya) (?:baca )?{_WHERE}(?: ya)?{_POLITE}|"
    # "where can I read the full article?", "full article?", "l'article complet ?"
    rf"where (?:can|do|could) (?:i|we|u|you) (?:read|find|see) (?:it|that|this|more|the whole thing|"
    rf"the (?:full |whole |original )?(?:article|story|report|source))(?: in full)?(?: online)?{_POLITE}|"
    rf"(?:the )?(?:full|whole|original) (?:article|story|report){_POLITE}|(?:l )?article complet"
)

# Asking for more results of the answer it follows ("ada lagi?", "yang lain?", "more?", "anything else?",
# "¿algo más?", "ещё?"): the next ones, not the same answer again. Only the whole message asks so: "what else
# did Kim say?" and "apa lagi yang dibahas?" are questions of their own.
_NOT = r"(?: (?:gak|ga|gk|nggak|ngga|enggak|tidak|ndak|kah|nih|gitu))?"
_OTHER = r"(?:lain|lainnya|lainya|berikutnya|yang lain|yg lain)"
_ASKING_MORE = re.compile(fold(  # folded as `words` folds: Hangul decomposed, "ещё" as "еще"
    rf"(?:(?:masih )?(?:ada|apa) )?(?:(?:yang|yg) )?lagi{_NOT}|masih ada(?: (?:yang|yg) lain)?{_NOT}|"
    rf"(?:(?:ada|masih ada) )?(?:(?:yang|yg) )?(?:lain|lainnya|lainya)(?: lagi)?{_NOT}|"
    rf"(?:(?:ada|minta|kasih|tampilkan|tunjukkan) )?(?:hasil|berita|kutipan|jawaban|sumber|quote)(?:nya)? "
    rf"{_OTHER}(?: lagi)?{_NOT}|"
    rf"selain itu(?: (?:apa|ada))?(?: lagi)?{_NOT}|(?:lanjut|lanjutkan|lanjutin|tambah|tambahin)(?: lagi)?|"
    rf"(?:(?:any|some|show|show me|give me|tell me|got any|i want|want|need|anything) )?more"
    rf"(?: (?:results?|quotes?|sources?|reports?|articles?|of (?:that|this|it)|on (?:that|this|it)))?"
    rf"(?: please| pls| plz)?|"
    rf"(?:anything|what|who|something) else|(?:any )?others?|(?:any )?other (?:results?|quotes?|sources?|reports?)|"
    rf"next(?: (?:results?|page|ones?|quotes?))?|is that (?:all|it)|that s (?:all|it)|"
    rf"(?:algo )?mas|(?:y )?que mas|autre chose|(?:et )?encore|plus|(?:noch )?mehr|sonst noch was|"
    rf"(?:что )?еще(?: что нибудь)?|больше|更多|还有吗?|還有嗎?|더(?: 있어요| 있나요| 없어요)?|他には"
))

# Doubting an answer ("beneran?", "masa sih?", "kata siapa?", "really?", "is that true?", "¿en serio?"): who
# reported it is the evidence a news bot has, so the outlets carrying that answer. "who said that?" is not
# among them: it asks whom the quote is of.
_ASKING_CONFIRM = re.compile(fold(
    rf"(?:(?:apa|apakah|emang|memang|emangnya) )?(?:yakin (?:itu |ini )?)?(?:beneran|bener|benar|benarkah|benerkah|serius|seriusan|yakin|"
    rf"valid|fakta|faktanya|hoax|hoaks|asli|sungguh)(?:an)?(?: (?:itu|tuh|ini|begitu|gitu|kah))?{_NOT}|"
    rf"masa(?:k)?(?: (?:sih|iya|gitu|begitu))?|kata siapa|siapa (?:yang )?bilang|"
    rf"(?:is|was) (?:that|it|this) (?:true|real|right|correct|confirmed|fake)|really|seriously|for real|"
    rf"(?:are|r) (?:you|u) sure|(?:says|say) who|who (?:says|said) so|who says|according to whom|proof|evidence|fake news|"
    rf"(?:(?:is|are) )?(?:there )?(?:any )?(?:proof|evidence|confirmation)|"
    rf"(?:en )?serio|de verdad|(?:es )?verdad|vraiment|c est vrai|wirklich|stimmt das|правда|真的吗?|真的嗎?|진짜요?|정말요?|本当(?:に|ですか)?"
))

# Asking what an answer means ("maksudnya?", "jelasin dong", "what do you mean?", "context?"): the bot
# explains nothing in its own words, so the whole paragraphs its quotes come from.
_ASKING_CONTEXT = re.compile(fold(
    rf"(?:(?:apa|gimana|bagaimana|gmn) )?(?:maksud|maksudnya|artinya|konteksnya|konteks)(?: (?:apa|gimana|bagaimana|gmn))?|"
    rf"(?:tolong |coba )?(?:jelasin|jelaskan|jelasan|terangin|terangkan)(?: (?:lagi|lebih|dikit|sedikit|maksudnya|"
    rf"lebih jelas|lebih lanjut))*|(?:penjelasan|keterangan|detail|rincian)(?:nya)?(?: (?:lebih|lengkap|lengkapnya))?|"
    rf"(?:lebih|yang lebih) (?:jelas|jelasnya|detail|lengkap|rinci)|"
    rf"what do (?:you|u) mean|(?:what s|what is) the (?:context|meaning)|meaning|context|in context|"
    rf"(?:can you |could you )?(?:explain|elaborate)(?: (?:that|this|it|more|please))*|(?:more )?details?|"
    rf"(?:que|qu est ce que ca) (?:quiere decir|significa|veut dire)|c est a dire|was (?:heisst|heißt|bedeutet) das|"
    rf"что (?:это )?значит|什么意思|甚麼意思|무슨 뜻(?:이에요|인가요)?|どういう意味(?:ですか)?"
))

# The same three asked in other words: a short message whose every word of its own (besides function words,
# chat particles, pronouns and polite words) says one of them ("kasih lagi dong", "serius lu?", "you sure?",
# "maksud lo apa?", "ga ngerti, maksudnya?", "what does that mean?"). A word naming anything else ("more
# troops?", "seriusan Kim naik kereta?", "what else did Kim say?") makes it a question.
_ABOUT_ANSWER_NEUTRAL = _CHAT_FILLER | frozenset(map(fold, """
    please pls plz tolong donk iya lu lo loe gue gw kamu km anda me te masih kasih minta show give tell berita
    hasil info don t c est es ga gak gk nggak ngga enggak kok kah lebih sedikit dikit coba bisa can could есть
    apaan further though news hay got these those это huh ah eh oh wait tunggu bentar terus trus then eso esto ça das
    aku saya kalo kalau sounds seems jetzt ли
    """.split()))
_ABOUT_ANSWER_WORDS = {
    "context": frozenset(map(fold, """
        maksud maksudnya arti artinya konteks konteksnya jelas jelasnya jelasin jelaskan terangin terangkan detail
        detailnya details rinci rinciannya ngerti paham mean means meaning explain elaborate context get understand
        refieres significa heisst heißt bedeutet значит 意思 什么意思 dijelasin dijelaskan bingung decir
        penjelasan quiere quieres veut dire confused confusing
        """.split())),
    "confirm": frozenset(map(fold, """
        bener benar beneran serius seriusan yakin sure true real really seriously fr cierto verdad serio vrai sur
        wirklich stimmt правда source proof evidence hoax hoaks emang emangnya memang echt seguro
        sumber percaya dipercaya legit valid akurat accurate fakta fact fake way точно sicher vraiment verdade certo
        bohong boong lie lies false
        """.split())),
    "more": frozenset(map(fold, """
        lagi lain lainnya more else next other others еще mas plus mehr encore berikutnya 更多
        lanjut lanjutkan lanjutin selanjutnya continue keep going weiter suite otro otra otros another autre autres
        다른
        """.split())),
}
_ABOUT_ANSWER_SAID = frozenset().union(*_ABOUT_ANSWER_WORDS.values())
_MAX_ABOUT_ANSWER_WORDS = 8


def _about_the_answer(tokens: list[str]) -> str | None:
    """"context", "confirm" or "more" for a short message whose own words all say that (the first of
    those in that order when they say several: "more details" asks what it means), else None."""
    def bare(token: str) -> str:  # "beritanya", "penjelasannya": the word and Indonesian's "-nya"
        stem = token[:-3] if token.endswith("nya") and len(token) > 5 else token
        return stem if stem in _ABOUT_ANSWER_SAID or stem in _ABOUT_ANSWER_NEUTRAL else token

    tokens = [bare(t) for t in tokens]
    # A word that says one of them counts even where it is also a function word ("sûr" in "c'est sûr ?")
    own = [t for t in tokens if t in _ABOUT_ANSWER_SAID or (not function_word(t) and t not in _ABOUT_ANSWER_NEUTRAL)]
    if not own or len(tokens) > _MAX_ABOUT_ANSWER_WORDS:
        return None
    said = [{kind for kind, known in _ABOUT_ANSWER_WORDS.items() if t in known} for t in own]
    if not all(said):  # a word naming something else: a question
        return None
    return next(kind for kind in _ABOUT_ANSWER_WORDS if any(kind in kinds for kinds in said))


# Asking for the story so far ("rangkum dong", "kronologinya gimana?", "summary of the Kim Putin meeting",
# "what happened so far?"): answered with the timeline, the articles' own dated sentences in order.
_OVERVIEW = (r"rangkum\w*|ringkas\w*|kronologi\w*|summary|summari[sz]e|sum(?:med)? up|recap|tl\W{0,2}dr|overview|"
             r"chronology|timeline(?:nya)?|resumen|zusammenfassung|хронологи\w*|garis besar\w*|intinya|"
             r"what(?:'?s| has)? happened so far|(?:the )?story so far|catch (?:me|us) up|fill (?:me|us) in|"
             r"apa (?:aja |saja )?yang (?:sudah |udah )?terjadi sejauh ini")
_OVERVIEW_FILLER = (r"dong|donk|ya|yah|deh|sih|nih|please|pls|plz|tolong|minta|coba|bisa|can|could|would|you|u|me|us|"
                    r"give|kasih|bikin|bikinin|buat|buatin|a|an|the|of|about|on|for|soal|tentang|mengenai|terkait|"
                    r"seputar|berita|beritanya|news|cerita|ceritanya|nya|gimana|bagaimana|apa|aja|saja|kak|min|bot|"
                    r"so|far|sejauh|ini|what|is|are|do|dari|untuk|in|short|singkat|singkatnya|quick|brief|briefly|"
                    r"lengkap|lengkapnya|semua|all|everything|full")
_OVERVIEW_VETO = re.compile(r"(?<!\w)(?:siapa|kapan|berapa|brp|mengapa|kenapa|knp|di ?mana|who|when|where|why|which|"
                            r"how (?:many|much|long|often))(?!\w)", re.IGNORECASE)


def overview_topic(message: str) -> str | None:
    """What a message asking for the story so far is about: "" when it names nothing ("rangkum dong",
    "tl;dr"), "Kim Putin" for "kronologi soal Kim Putin dong"; None when it asks something else,
    including a question that asks who, when, where or how many ("siapa yang bikin ringkasan?")."""
    text = plain(message)
    if not re.search(rf"(?<!\w)(?:{_OVERVIEW})(?!\w)", text, re.IGNORECASE) or _OVERVIEW_VETO.search(text):
        return None
    topic = re.sub(rf"(?<!\w)(?:{_OVERVIEW}|{_OVERVIEW_FILLER})(?!\w)", " ", text, flags=re.IGNORECASE)
    return " ".join(re.sub(r"[^\w'-]+", " ", topic).split())

# Asking which outlets carry a story ("media mana aja yang memberitakan pertemuan di Vostochny?", "which
# outlets covered the troop deployment?", "who else covered this?"): /sources with that question. Only
# words of coverage count: "reported" / "melaporkan" and news agencies ask as often who, inside the news,
# said so ("Kantor berita apa yang melaporkan undangan Kim?": KCNA).
_OUTLETS_ID = r"(?:outlet|media|portal|situs|website|web|koran|stasiun tv|tv)(?: berita| massa| online)?"
_OUTLETS_EN = r"(?:news )?(?:outlets?|media|papers?|newspapers?|sites?|websites?|publications?)"
_COVERING_ID = r"(?:memberitakan|memberitain|beritain|ngeberitain|memuat|mengabarkan|ngabarin|meliput|ngeliput)"
_COVERING_EN = r"(?:covered|cover|carried|carry|ran|run|published|publish|wrote about|write about)"
_ABOUT = r"(?: (?:soal|tentang|mengenai|terkait|on|about))?"
_WHO_REPORTED = re.compile(
    rf"{_OUTLETS_ID} (?:mana|apa)(?: (?:aja|saja|lagi|lain|lainnya))? yang (?:juga |udah |sudah )?{_COVERING_ID}"
    rf"{_ABOUT}(?: (?P<a>.*))?|"
    rf"siapa(?: (?:aja|saja|lagi))? yang (?:juga |udah |sudah )?{_COVERING_ID}{_ABOUT}(?: (?P<b>.*))?|"
    rf"(?P<c>.+?) (?:diberitakan|dimuat|diliput) (?:oleh |sama |di )?{_OUTLETS_ID} (?:mana|apa)(?: (?:aja|saja))?|"
    rf"(?:which|what)(?: other)? {_OUTLETS_EN}(?: else)? (?:have |has |also |else )?{_COVERING_EN}{_ABOUT}"
    rf"(?: (?P<d>.*))?|"
    rf"who (?:else )?(?:has |have |also )?{_COVERING_EN}(?: (?P<e>.*))?|"
    rf"{_OUTLETS_ID}(?:nya)? (?:mana|apa)(?: (?:aja|saja|lagi|lain|lainnya))?",  # "media mana aja?" after an answer
    re.IGNORECASE)
_STORY = re.compile(r"(?:(?:berita|hal|kabar|peristiwa|kejadian) )?(?:itu|ini|tersebut|tsb)(?:nya)?|"
                    r"(?:this|that|it|these|those|the same)(?: (?:story|news|report|event))?|the (?:story|news|report)",
                    re.IGNORECASE)


def reported_topic(message: str) -> str | None:
    """What a message asking which outlets carry a story asks about: "pertemuan di Vostochny" for "media
    mana aja yang memberitakan pertemuan di Vostochny?", "" when it names only "this" or nothing ("who
    else covered this?": the story an answer was about); None for any other message, "who reported that
    NK wants satellites" among them (who, inside the news, said so)."""
    text = " ".join(re.sub(r"[?!.,;:]+", " ", plain(message)).split())
    match = _WHO_REPORTED.fullmatch(text)
    if not match:
        return None
    topic = next((g for g in match.groups() if g), "").strip()
    return "" if _STORY.fullmatch(topic) else topic


def small_talk(message: str) -> str | None:
    """"thanks", "greeting", "about" (who the bot is, what it can do), "sources" (where its news comes
    from), "link" (the link to an answer's article), "more" (the next results of an answer), "confirm"
    (doubting an answer: who reported it), "context" (what an answer means: its whole paragraphs), "ok" (an
    acknowledgement, laughter, or only emoji or punctuation), or None for a message that asks something of
    the news."""
    text = unicodedata.normalize("NFC", message.strip())
    if _CJK_SMALL_TALK.fullmatch(text):
        return "greeting" if re.match(r"你好|您好|안녕|こんにちは", text) else "thanks"
    addressed = " ".join(t for t in words(text) if t not in _ADDRESS)
    if _ABOUT_BOT.fullmatch(addressed):
        return "about"
    plainly = " ".join(t for t in addressed.split() if t not in _CHAT_FILLER)
    if _ASKING_LINK.fullmatch(addressed) or _ASKING_LINK.fullmatch(plainly):
        return "link"
    if _ABOUT_SOURCES.fullmatch(addressed) or _ABOUT_SOURCES.fullmatch(plainly):
        return "sources"
    spoken = " ".join(words(text))  # "más" folds to "mas", which is also a form of address
    for kind, asking in (("more", _ASKING_MORE), ("confirm", _ASKING_CONFIRM), ("context", _ASKING_CONTEXT)):
        if any(asking.fullmatch(t) for t in (spoken, addressed, plainly) if t):
            return kind
    if not _OVERVIEW_VETO.search(spoken) and (kind := _about_the_answer(spoken.split())) is not None:
        return kind  # "who else was there?" asks who
    if text and not spoken:  # only emoji or punctuation ("👍", "🙏🙏", "??"): a reaction, not a question
        return "ok"
    tokens = [t for t in _greeting_phrases_as_words(words(text)) if t not in _CHAT_FILLER]
    if not tokens:
        return None
    kinds = set()
    for token in tokens:
        if token in _THANKS:
            kinds.add("thanks")
        elif token in _GREETINGS:
            kinds.add("greeting")
        elif token in _ACKNOWLEDGED or token in _FAREWELLS or _LAUGHTER.fullmatch(token):
            kinds.add("ok")
        else:
            return None
    return next(kind for kind in ("thanks", "greeting", "ok") if kind in kinds)


def _without_opening(text: str) -> str:
    """A message without the clauses opening it that only greet or announce a question ("halo bot,
    aku mau tanya dong, …", "Hi! Quick question: …"); the last clause always stays."""
    while (m := _CLAUSE.match(text)) and m.end() < len(text.rstrip()):
        tokens = _greeting_phrases_as_words(words(m.group(0)))
        if not tokens or not all(t in _OPENERS or t in STOPWORDS for t in tokens):
            break
        text = text[m.end():]
    return text


def plain(message: str) -> str:
    """A chat message as words to search. A link stands for the words of its path, as a news URL's slug
    names its story (".../berita/3712/kim-dan-putin-bertemu" -> "berita kim dan putin bertemu"); its
    site, query and numbers name nothing. An @handle addressing someone is dropped, and so is an
    opening that only greets or announces the question ("halo bot, mau tanya dong, …")."""
    def slug(link: re.Match) -> str:
        path = re.sub(r"^(?:https?://)?[^/?#]*", "", link.group(0)).split("?", 1)[0].split("#", 1)[0]
        parts = re.split(r"[/_\-.+]+", path)
        return " " + " ".join(w for w in parts if w.isalpha() and w.lower() not in _PAGE_SUFFIXES) + " "
    return _without_opening(_HANDLE.sub(" ", _URL.sub(slug, message)).strip())


def script(word: str) -> str:
    """The writing system of a word's first letter ("LATIN", "CYRILLIC", "HANGUL", "CJK", ...), from its
    Unicode name; "" for a word that starts with no letter."""
    for ch in word:
        if ch.isalpha():
            return "LATIN" if ch.isascii() else unicodedata.name(ch, "").split(" ", 1)[0]
    return ""


# Compass words are part of many names but are translated with them ("North Korea" is "Korea Utara",
# "Corea del Norte", "Corée du Nord"; "the West" is "Barat"; "the Far East" is "Timur Jauh", "the Middle
# East" "Timur Tengah"): they tell nothing by being absent from an index in another language. Folded, in
# the Latin-script languages people ask in.
_DIRECTIONS = frozenset("""
    north south east west northern southern eastern western far middle near central
    utara selatan timur barat jauh tengah
    norte sur sul este leste oeste nord sud est ouest ovest ost
    """.split())


# German capitalises every noun ("Gästebuch", "Russland"), so there a capital letter tells a name from
# nothing but an acronym. German is told by function words that English and Indonesian do not use.
_DE_FUNCTION_WORDS = frozenset("""
    der die das den dem des ist sind wird werden wurde wurden hat haben kann soll will was und nicht wann wie
    wer wen wem warum welche welcher welches ins im zum zur vom mit von ein eine einen einem einer fur uber
    sich auch noch schon nach er sie es
    """.split())  # folded, as `words` gives them ("für" → "fur"); "was", "will" count, and English counts them too


def _mostly(tokens: list[str], function_words: frozenset[str]) -> bool:
    """True when a question's words hold at least two of these function words (another language's) and
    more of them than of English and Indonesian ones."""
    own = sum(1 for t in tokens if t in function_words)
    return own >= 2 and own > sum(1 for t in tokens if t in STOPWORDS)


# French is told the same way: "Combien de temps a duré…" has one English function word ("a") and no
# Indonesian one, and read as English it was searched as English (its words as English words borrowed).
_FR_FUNCTION_WORDS = frozenset("""
    le la les des du de un une et est sont ont qui que quoi ou comment combien pourquoi quand quel quelle
    quels quelles dans sur pour par avec ce cette ces se il ils elle elles ne pas au aux entre leur leurs
    """.split())  # folded ("où" → "ou")


# Spanish, Portuguese and Italian likewise: "Quantos soldados a Coreia do Norte enviou para a Rússia?" has
# three English function words ("a" twice, "do") and one Indonesian ("para"), and was read as English.
_ROMANCE_FUNCTION_WORDS = frozenset("""
    a o os as el la los las lo il gli le del della dello dei degli delle al ao aos da das do dos de di que
    en em no na nos nas nel nella un una uno um uma por para per con com se si es son fue foi e y su sus seu
    sua ha han tem como come cuando quando donde onde dove quien quem chi cual qual quale cuantos cuantas
    cuanto cuanta quanto quanta quantos quantas quanti quante cosa porque perche ella ele lui ellos eles loro
    """.split())  # folded ("qué" → "que", "é" → "e")


# The words that ask, by language (folded): a follow-up that asks its own ("siapa yang hadir?") replaces
# the earlier question's ("Kapan Kim bertemu Putin?") rather than adding to it. Each language's are
# read only in a question of that language: "come", "como", "que" and "was" are other words elsewhere.
_ASKING = {
    "id": re.compile(r"\b(?:apa(?:kah)?|siapa(?:kah)?|kapan(?:kah)?|mengapa|kenapa|knp|napa|bagaimana(?:kah)?|"
                     r"gimana|gmn|berapa|brp|(?:di|ke|dari)\s*mana(?:kah)?|mana)\b", re.IGNORECASE),
    "en": re.compile(rf"\b(?:{_EN_ASKING}|when)\b", re.IGNORECASE),
    "de": re.compile(r"\b(?:wer|wen|wem|was|wann|wo|wohin|woher|wie|warum|wieso|welche[mnrs]?)\b", re.IGNORECASE),
    "romance": re.compile(rf"\b(?:{_ROMANCE_ASKING}|cu[áa]ndo|quando|quand)\b|(?<!\w)où(?!\w)", re.IGNORECASE),
    "ru": re.compile(r"(?<!\w)(?:кто|что|когда|где|куда|откуда|как|почему|зачем|сколько|какой|какая|какие)(?!\w)",
                     re.IGNORECASE),
}


def _asking_in(question: str) -> list[re.Pattern]:
    """The interrogatives of the languages a question may be in, as its function words tell (Russian
    always: its words are no other language's)."""
    tokens = words(question)
    if _mostly(tokens, _DE_FUNCTION_WORDS):
        return [_ASKING["de"], _ASKING["ru"]]
    if _mostly(tokens, _FR_FUNCTION_WORDS) or _mostly(tokens, _ROMANCE_FUNCTION_WORDS):
        return [_ASKING["romance"], _ASKING["ru"]]
    language = question_language(question)
    return [_ASKING[language], _ASKING["ru"]] if language else [_ASKING["id"], _ASKING["en"], _ASKING["ru"]]


def asks_own(question: str) -> bool:
    """Whether a question holds a word that asks ("siapa", "when", "¿cuánto", "wer", "сколько")."""
    return any(p.search(question) for p in _asking_in(question))


def without_asking(question: str) -> str:
    """A question without its words that ask: "Kapan Kim bertemu Putin di Vostochny?" → "Kim bertemu
    Putin di Vostochny?"."""
    for pattern in _asking_in(question):
        question = pattern.sub(" ", question)
    return re.sub(r"\s+(?=[?!.,])", "", " ".join(question.replace("¿", " ").split()))


def function_word(word: str) -> bool:
    """Whether a (folded) word is a function word of any language questions are told apart by."""
    return word in STOPWORDS or word in _DE_FUNCTION_WORDS or word in _FR_FUNCTION_WORDS \
        or word in _ROMANCE_FUNCTION_WORDS


def names(question: str) -> list[str]:
    """The capitalised words inside a question (names, acronyms), folded: these survive translation.
    Compass words do not; in German, where every noun is capitalised, only acronyms count."""
    found = []
    acronyms_only = _mostly(words(question), _DE_FUNCTION_WORDS)
    for m in _WORD.finditer(question):
        word = m.group(0)
        first = _SENTENCE_START.search(question[:m.start()]) is not None
        folded = fold(word)
        acronym = len(word) > 1 and word.isupper()
        if (word[0].isupper() and (acronym or not (first or acronyms_only)) and folded not in STOPWORDS
                and folded not in _DIRECTIONS):
            found.append(folded)
    return list(dict.fromkeys(found))


_NAME_PART = re.compile(r"[\w'’-]+")  # "Jong-un", "O'Brien": one word as a name is written


def written_name(question: str, name: str) -> str:
    """A name `names` found (folded) as the question writes it, with the capitalised words written next
    to it: "Wali Kota Surabaya" for "wali", "Kim Jong-un" for "jong"; a function word opening the
    question ("Apa Surabaya …") is not part of it. The name itself when the question does not hold it."""
    runs: list[list[str]] = []
    end = None
    for m in _NAME_PART.finditer(question):
        if not m.group(0)[0].isupper():
            end = None
            continue
        if end is not None and not question[end:m.start()].strip():
            runs[-1].append(m.group(0))
        else:
            runs.append([m.group(0)])
        end = m.end()
    for run in runs:
        if any(name in words(w) for w in run):
            while fold(run[0]) in STOPWORDS and name not in words(run[0]):
                run = run[1:]
            return " ".join(run)
    return name
