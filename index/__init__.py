"""The offline indexer: reading articles and their metadata, cleaning and splitting them into passages,
embedding them, and storing everything in SQLite."""
