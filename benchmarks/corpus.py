"""Scale corpora for the benchmarks: real-looking Indonesian news articles made from the seeds' sentences,
recombined and varied (names, places, numbers, dates), written as files the indexer reads like any other.

Embedding 100k passages with the real model takes about half an hour on 2 cores, so the scale tiers
are indexed with `ComposedEmbedder`. It embeds each distinct sentence once with the real model and gives
a passage the normalised sum of its sentences' vectors. It carries the real embedder's name, so the
index is queried with the real query embedder through the project's own build and store code. Index
throughput is measured separately with the real embedder (`bench.py`).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np

from newsbot.index.passages import split_sentences, unattributed

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
OUTLETS = [("Jakarta (ANTARA) - ", "ANTARA"), ("TEMPO.CO, Jakarta - ", "TEMPO.CO"),
           ("Bisnis.com, JAKARTA - ", "Bisnis.com"), ("Surabaya (ANTARA) - ", "ANTARA"),
           ("Medan (ANTARA) - ", "ANTARA"), ("TEMPO.CO, Bandung - ", "TEMPO.CO")]
NAMES = ["Kim", "Putin", "Peskov", "Shoigu", "Lavrov", "Prabowo", "Retno", "Sri Mulyani", "Erick", "Budi",
         "Siti", "Ahmad", "Dewi", "Joko", "Rina", "Hasan", "Yoon", "Xi", "Modi", "Albanese"]
PLACES = ["Vostochny", "Vladivostok", "Moskow", "Pyongyang", "Jakarta", "Surabaya", "Medan", "Makassar",
          "Bandung", "Seoul", "Beijing", "Tokyo", "Canberra", "Denpasar", "Balikpapan", "Kupang"]
DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
OPENING_WORDS = 5
TOPICS = ["ekspor udang", "harga beras", "pasokan listrik", "produksi kendaraan", "jalur kereta", "tarif impor",
          "cadangan devisa", "musim hujan", "vaksinasi anak", "jembatan tol", "panen kopi", "latihan militer"]


def seed_sentences() -> list[str]:
    """The seeds' sentences of six words or more, as the pool to recombine."""
    pool = []
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for sentence in re.split(r"(?<=[.!?”])\s+", line.strip()):
                balanced = sentence.count("“") == sentence.count("”") and sentence.count('"') % 2 == 0
                if len(sentence.split()) >= 6 and balanced and " - " not in sentence[:40] and sentence[0].isupper() and \
                        not sentence.startswith(("Baca juga", "Editor", "Copyright")):
                    pool.append(sentence)
    return sorted(set(pool))


def vary(sentence: str, rng: random.Random) -> str:
    """The sentence with its names, places and numbers changed, so every passage text is distinct."""
    out = re.sub(r"\b\d{1,3}(?:\.\d{3})*\b", lambda m: f"{rng.randint(2, 9999):,}".replace(",", "."), sentence)
    for name in ("Kim Jong Un", "Kim", "Putin", "Peskov"):
        if name in out and rng.random() < 0.5:
            out = out.replace(name, rng.choice(NAMES))
    for place in ("Vostochny", "Rusia", "Moskow"):
        if place in out and rng.random() < 0.5:
            out = out.replace(place, rng.choice(PLACES))
    return out


def write_corpus(folder: Path, passages: int, per_article: int = 10, seed: int = 7) -> dict[str, list[str]]:
    """Write about `passages` passages' worth of articles (per_article paragraphs each) into folder.

    Returns each paragraph's text (as the indexer will see it) mapped to the unvaried sentences it was
    made from, for `ComposedEmbedder`.
    """
    rng = random.Random(seed)
    pool = seed_sentences()
    origin: dict[str, list[str]] = {}
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(max(1, passages // per_article)):
        dateline, _ = OUTLETS[n % len(OUTLETS)]
        day = rng.randint(1, 28)
        month = rng.randint(1, 12)
        year = rng.choice([2022, 2023, 2024, 2025])
        topic = rng.choice(TOPICS)
        lead = (f"Pemerintah membahas {topic} di {rng.choice(PLACES)} pada {rng.choice(DAYS)} "
                f"({day}/{month}/{year}), kata {rng.choice(NAMES)} kepada wartawan.")
        origin[lead] = [f"Pemerintah membahas {topic}, kata pejabat kepada wartawan."]
        paragraphs = [dateline + lead]
        for _ in range(per_article - 1):
            bases = [rng.choice(pool) for _ in range(rng.randint(1, 3))]
            varied = [vary(b, rng) for b in bases]
            paragraph = " ".join(varied)
            origin[paragraph] = bases
            origin.update((v, [b]) for v, b in zip(varied, bases))  # for passages the indexer splits
            paragraphs.append(paragraph)
        (folder / f"art_{n:06d}.txt").write_text("\n".join(paragraphs) + f"\nCopyright © ANTARA {year}\n",
                                                 encoding="utf-8")
    return origin


class ComposedEmbedder:
    """The real embedder's query side; a passage as the normalised sum of the real vectors of the seed
    sentences it was made from (each embedded once). Texts it does not know are embedded for real.
    """

    def __init__(self, real, origin: dict[str, list[str]]):
        self.real = real
        self.origin = {" ".join(k.split()): v for k, v in origin.items()}
        # Each one-sentence piece by its opening words: a text the indexer cut differently from how it
        # was written (two sentences it did not split) is recognised by the pieces starting inside it.
        self.openings = {tuple(k.split()[:OPENING_WORDS]): k for k, v in self.origin.items()
                         if len(v) == 1 and len(k.split()) >= OPENING_WORDS}
        # A sentence read without who reported it (`unattributed`, embedded for questions asking where)
        # is composed as the sentence it was read from.
        self.readings = {" ".join(r.split()): s for k in self.origin for s in split_sentences(k)
                         if (r := unattributed(s))}
        self.name = real.name
        self.fallbacks = 0  # passages embedded for real because their origin was unknown
        self._cache: dict[str, np.ndarray] = {}

    @property
    def dim(self) -> int:
        return self.real.dim

    def _embed_bases(self, bases: set[str]) -> None:
        new = sorted(bases - self._cache.keys())
        for start in range(0, len(new), 64):
            batch = new[start:start + 64]
            for s, v in zip(batch, self.real.embed_passages(batch)):
                self._cache[s] = v

    def bases(self, text: str) -> list[str] | None:
        """The seed sentences a passage was made from, or None when that is not known."""
        key = " ".join(text.split())
        if key in self.origin:
            return self.origin[key]
        if key in self.readings:
            return self.bases(self.readings[key])
        found = [self.origin.get(" ".join(s.split())) for s in split_sentences(text)]
        if found and all(found):
            return [b for f in found for b in f]
        tokens = key.split()
        pieces = [self.openings.get(tuple(tokens[i:i + OPENING_WORDS])) for i in range(len(tokens))]
        bases = [b for piece in pieces if piece and piece in key for b in self.origin[piece]]
        return bases or None

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        bases = [self.bases(t) for t in texts]
        self._embed_bases({b for found in bases if found for b in found})
        unknown = [t for t, found in zip(texts, bases) if found is None]
        self.fallbacks += len(unknown)
        real = dict(zip(unknown, self.real.embed_passages(unknown))) if unknown else {}
        rows = []
        for t, found in zip(texts, bases):
            if found:
                v = np.sum([self._cache[b] for b in found], axis=0)
                v = v / (np.linalg.norm(v) or 1.0)
            else:
                v = real[t]
            rows.append(v)
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return self.real.embed_query(text)
