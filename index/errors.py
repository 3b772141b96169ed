"""Domain errors raised by the indexer and the retrieval core, each with a message a user can act on."""


class NewsbotError(Exception):
    """Base class: every error the core raises on purpose."""


class IndexNotFound(NewsbotError):
    """There is no index at the configured path."""


class EmbedderMismatch(NewsbotError):
    """The index was built by another embedder than the one asked to query it."""


class EmbedderUnavailable(NewsbotError):
    """The configured embedder backend or model cannot be loaded."""


class CorpusFileError(NewsbotError):
    """One article file could not be read; the rest of the corpus is unaffected."""

    def __init__(self, message: str, kind: str = "unreadable"):
        super().__init__(message)
        self.kind = kind  # the reason's short name in an indexing summary


class CorpusError(NewsbotError):
    """The corpus folder itself is unusable (missing, empty, or nothing indexable)."""


class MetadataError(NewsbotError):
    """The curated metadata file beside the articles is malformed."""


class IndexDamaged(NewsbotError):
    """The index file is not a usable SQLite database (damaged, truncated, or something else)."""


class IndexUnwritable(NewsbotError):
    """The index could not be written: disk full, read-only, or locked by another writer."""


class IndexUnavailable(NewsbotError):
    """The index's database server cannot be reached or refused the connection (PostgreSQL)."""
