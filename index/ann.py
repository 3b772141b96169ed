"""Nearest passages by cosine in a large SQLite index without holding its vectors in memory: one HNSW
graph (usearch) per article language over int8 copies of the passages' vectors, in files beside the
index file that readers memory-map, so a bot starts at once and keeps only the pages it touches.

The files are derived data: the indexer writes a new generation after each run that changed passages
(`update`), readers open the newest complete one (`VectorFiles.open`), and passages committed after
it (those with a larger id) are searched exactly by the store beside it until the next generation.
A generation is a folder `<index>.ann/g<number>`; its `meta.json` is written last, so a folder
without one is a generation still being written (or abandoned) and is never read.

Below `MIN_PASSAGES` no files are made: a search holds every vector and compares with all of them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MIN_PASSAGES = 200_000  # from this many passages on, searches go through the graphs
SAMPLE = 20_000  # passages whose vectors readers hold, to tell how each language sits against a question
CONNECTIVITY = 16  # graph edges per node (HNSW's M)
EXPANSION_ADD = 128  # candidates considered when a vector is added (efConstruction)
EXPANSION_SEARCH = 400  # candidates considered by a search (ef); see the benchmark's recall@10
RESCORED = 4  # a search's graph candidates, this many times those wanted, are ranked again by exact cosine
# A search for the passages of one time compares them exactly when they are at most EXACT_WITHIN;
# else it reads the graph's nearest this far, in turn, until enough are of that time, and compares
# them exactly when none of these is enough (as pgvector's iterative scan gives up at
# hnsw.max_scan_tuples).
EXACT_WITHIN = 5_000
TIMED_SCANS = (1_000, 20_000)
KEEP_GENERATIONS = 2  # older generations are deleted (a reader still mapping one keeps its pages)

Progress = Callable[[str, int, int], None]


def folder_of(index_path: Path) -> Path:
    return index_path.with_name(index_path.name + ".ann")


def _file_name(language: str | None) -> str:
    return "lang-" + (re.sub(r"[^a-z0-9-]", "_", language.lower()) if language else "_unknown") + ".usearch"


def _generations(folder: Path) -> list[Path]:
    """The complete generations, newest first."""
    if not folder.is_dir():
        return []
    found = [g for g in folder.iterdir() if g.name.startswith("g") and g.name[1:].isdigit() and (g / "meta.json").exists()]
    return sorted(found, key=lambda g: int(g.name[1:]), reverse=True)


def stamp(index_path: Path) -> str | None:
    """The newest complete generation's name (changes when a new one is written), None without one."""
    generations = _generations(folder_of(index_path))
    return generations[0].name if generations else None


def _new_index(dim: int):
    from usearch.index import Index

    return Index(ndim=dim, metric="cos", dtype="i8", connectivity=CONNECTIVITY, expansion_add=EXPANSION_ADD,
                 expansion_search=EXPANSION_SEARCH)


@dataclass
class VectorFiles:
    """One generation opened for searching: a memory-mapped graph per language, and what it covers."""

    path: Path
    embedder: tuple[str, int]
    covered: int  # the largest passage id the graphs hold: larger ones are newer than this generation
    graphs: dict[str | None, object]

    @classmethod
    def open(cls, index_path: Path) -> VectorFiles | None:
        """The newest complete generation, or None when there is none."""
        from usearch.index import Index

        for generation in _generations(folder_of(index_path)):
            try:
                meta = json.loads((generation / "meta.json").read_text())
                graphs = {}
                for language in meta["languages"]:
                    graph = Index.restore(str(generation / _file_name(language)), view=True)
                    graph.expansion_search = EXPANSION_SEARCH
                    graphs[language] = graph
            except (OSError, ValueError, KeyError, RuntimeError):
                continue  # deleted under us by a newer one's clean-up, or damaged: try the one before
            return cls(generation, tuple(meta["embedder"]), int(meta["covered"]), graphs)
        return None

    def holding(self, ids: list[int], language: str | None) -> list[int]:
        """Those of these passages the graph of this language holds."""
        graph = self.graphs.get(language)
        if graph is None or not ids:
            return []
        keys = np.asarray(ids, np.uint64)
        return keys[np.asarray(graph.contains(keys), bool)].astype(np.int64).tolist()

    def nearest(self, vector: np.ndarray, k: int, language: str | None) -> list[int]:
        """The ids of the about-k passages of this language nearest the vector, nearest first."""
        graph = self.graphs.get(language)
        if graph is None or not len(graph):
            return []
        found = graph.search(vector, min(k, len(graph)), threads=1)
        return [int(key) for key in found.keys]


def update(index_path: Path, embedder: tuple[str, int], rows: Callable[[int], Iterable[tuple[np.ndarray, np.ndarray, list]]],
           current: np.ndarray, progress: Progress | None = None) -> Path:
    """Write a new generation holding the passages `current` lists (ids, ascending).

    `rows(after)` yields (ids, vectors, languages) batches of the passages with an id above `after`.
    The previous generation is reused when it was made for the same embedder: passages it holds that
    are gone are removed from its graphs and the newer ones added;
    otherwise, or when removals would leave a fifth of a graph as holes, every passage is added anew.
    """
    folder = folder_of(index_path)
    folder.mkdir(exist_ok=True)
    previous = _generations(folder)
    number = int(previous[0].name[1:]) + 1 if previous else 1
    target = folder / f"g{number}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    graphs, after = {}, -1
    if previous:
        graphs, after = _reuse(previous[0], embedder, current)
    total = len(current)
    done = sum(len(g) for g in graphs.values())
    for ids, vectors, languages in rows(after):
        for language in dict.fromkeys(languages):
            rows_of = [i for i, lang in enumerate(languages) if lang == language]
            graph = graphs.get(language)
            if graph is None:
                graph = graphs[language] = _new_index(embedder[1])
            graph.add(ids[rows_of], vectors[rows_of], threads=0)
        done += len(ids)
        if progress:
            progress("nearest-neighbour graphs", min(done, total), total)
    covered = int(current[-1]) if len(current) else -1
    for language, graph in graphs.items():
        graph.save(str(target / _file_name(language)))
    meta = {"embedder": list(embedder), "covered": covered, "languages": list(graphs), "passages": total}
    (target / "meta.json.tmp").write_text(json.dumps(meta))
    os.replace(target / "meta.json.tmp", target / "meta.json")
    for old in previous[KEEP_GENERATIONS - 1:]:
        shutil.rmtree(old, ignore_errors=True)
    return target


def _reuse(generation: Path, embedder: tuple[str, int], current: np.ndarray) -> tuple[dict, int]:
    """The previous generation's graphs, loaded to change, less what is gone; and the id after which
    passages are new to them. Empty (start over) when they cannot be reused."""
    from usearch.index import Index

    try:
        meta = json.loads((generation / "meta.json").read_text())
        if tuple(meta["embedder"]) != tuple(embedder):
            return {}, -1
        graphs = {language: Index.restore(str(generation / _file_name(language))) for language in meta["languages"]}
    except (OSError, ValueError, KeyError, RuntimeError):
        return {}, -1
    covered = int(meta["covered"])
    kept = current[current <= covered]  # passage ids are never reused (the store sees to it)
    size = sum(len(g) for g in graphs.values())
    gone = size - len(kept)
    if gone < 0 or gone > size // 5:  # not what was built from, or too many holes: build afresh
        return {}, -1
    if gone:
        for graph in graphs.values():
            keys = np.asarray(graph.keys, dtype=np.int64)
            stale = keys[~np.isin(keys, kept)]
            if len(stale):
                graph.remove(stale)
    return graphs, covered
