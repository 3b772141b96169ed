"""The PostgreSQL index's schema as numbered migrations, applied in order and recorded in
`newsbot._migrations`, like the SQLite ones in index/migrations.py.

Everything lives in its own schema, `newsbot`, so an index can share a database with other programs'
tables. Add a change as a new `mNNN_…` entry at the end; never edit one that has shipped.
"""

from __future__ import annotations

SCHEMA = "newsbot"
MIGRATION_LOCK = 0x6E657773626F74  # an advisory lock id: one process migrates, the others wait for it

MIGRATIONS: list[tuple[str, str]] = []  # (name, SQL)


def migration(name: str, sql: str) -> None:
    MIGRATIONS.append((name, sql))


migration("m001_create_tables", """
CREATE TABLE newsbot.meta (key text PRIMARY KEY, value text);
CREATE TABLE newsbot.articles (
    id text PRIMARY KEY, path text, outlet text, outlet_from text, published date, published_from text,
    wires text, title text, url text, language text, note text, place text, content_hash text,
    indexed_at timestamptz, origin text, text_hash text
);
CREATE INDEX articles_url ON newsbot.articles (url);
CREATE INDEX articles_text_hash ON newsbot.articles (text_hash);
-- Passages carry their lexical terms (stems and words, made by index/terms.py exactly as for SQLite)
-- as a tsvector with positions, searched through a GIN index and ranked by BM25 in SQL.
CREATE TABLE newsbot.passages (
    id bigserial PRIMARY KEY,
    article text NOT NULL REFERENCES newsbot.articles (id) ON DELETE CASCADE,
    position integer NOT NULL, text text NOT NULL, sentences text NOT NULL, terms text NOT NULL,
    length integer NOT NULL, tsv tsvector NOT NULL, hash text NOT NULL, sentence_hashes text[] NOT NULL,
    UNIQUE (article, position)
);
CREATE INDEX passages_tsv ON newsbot.passages USING gin (tsv);
CREATE INDEX passages_hash ON newsbot.passages (hash);
CREATE INDEX passages_sentence_hashes ON newsbot.passages USING gin (sentence_hashes);
-- How many passages hold each term: BM25's document frequencies, kept in step by every commit.
CREATE TABLE newsbot.vocabulary (term text PRIMARY KEY, docs integer NOT NULL);
-- One vector per (embedder, text): the key is a hash of both, so a re-index reuses it.
CREATE TABLE newsbot.vectors (hash text PRIMARY KEY, embedding vector NOT NULL);
CREATE TABLE newsbot.mentions (
    passage bigint NOT NULL REFERENCES newsbot.passages (id) ON DELETE CASCADE,
    sentence integer NOT NULL, date date NOT NULL, precision text NOT NULL
);
CREATE INDEX mentions_passage ON newsbot.mentions (passage);
CREATE TABLE newsbot.background (hash text PRIMARY KEY, text text NOT NULL);
CREATE TABLE newsbot.fetches (
    url text PRIMARY KEY, etag text, last_modified text, stamp text, article text, fetched_at timestamptz
);
""")

migration("m002_feedback_and_follows", """
-- What the bots keep beside the index, untouched by indexing: the answers they showed and the votes on
-- them (a keyed hash stands for the voter), the topics chats follow and the quotes posted for them.
CREATE TABLE newsbot.answers (id bigserial PRIMARY KEY, question text NOT NULL, passages bigint[] NOT NULL,
                              shown timestamptz NOT NULL DEFAULT now());
CREATE INDEX answers_shown ON newsbot.answers (shown);
CREATE TABLE newsbot.votes (
    answer bigint NOT NULL REFERENCES newsbot.answers (id) ON DELETE CASCADE, voter text NOT NULL,
    result integer NOT NULL, value smallint NOT NULL, at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (answer, voter)
);
CREATE TABLE newsbot.follows (id bigserial PRIMARY KEY, place text NOT NULL, topic text NOT NULL, key text NOT NULL,
                              after bigint NOT NULL, created timestamptz NOT NULL DEFAULT now(), UNIQUE (place, key));
CREATE TABLE newsbot.posts (id bigserial PRIMARY KEY, place text NOT NULL, topic text NOT NULL, passage bigint NOT NULL,
                            quote text NOT NULL, at timestamptz NOT NULL);
CREATE INDEX posts_place_at ON newsbot.posts (place, at);
""")

migration("m003_nearest_and_postings", """
-- Dense search through the database: each passage carries its article's language and its vector, which an
-- HNSW index (made by prepare_search once the index is large, see postgres.py) searches per language.
ALTER TABLE newsbot.passages ADD COLUMN language text, ADD COLUMN embedding vector;
UPDATE newsbot.passages p SET language = a.language FROM newsbot.articles a WHERE a.id = p.article;
UPDATE newsbot.passages p SET embedding = v.embedding FROM newsbot.vectors v WHERE v.hash = p.hash;
-- Lexical search reads the postings of the question's terms only (BM25 in SQL): a term, a passage, how
-- often the term occurs there, the passage's length, and the term's BM25 weight there (without its idf,
-- with the average length of its time): each term's postings are read best first, and only so many.
-- They replace the tsvector and its GIN index.
CREATE TABLE newsbot.postings (
    term text NOT NULL, passage bigint NOT NULL REFERENCES newsbot.passages (id) ON DELETE CASCADE,
    tf integer NOT NULL, length integer NOT NULL, impact real NOT NULL
);
INSERT INTO newsbot.postings (term, passage, tf, length, impact)
    SELECT u.lexeme, p.id, cardinality(u.positions), p.length,
           cardinality(u.positions) * 2.2 / (cardinality(u.positions) + 1.2 * (0.25 + 0.75 * p.length / coalesce(
               (SELECT greatest(t.value::float, 1) / greatest(n.value::float, 1) FROM newsbot.meta t, newsbot.meta n
                WHERE t.key = 'tokens' AND n.key = 'passages'), 1)))
    FROM newsbot.passages p, unnest(p.tsv) u;
CREATE INDEX postings_term_impact ON newsbot.postings (term, impact DESC) INCLUDE (passage, tf, length);
CREATE INDEX postings_passage ON newsbot.postings (passage);
ALTER TABLE newsbot.passages DROP COLUMN tsv;
""")


migration("m004_postings_impact", """
-- m003's first version (before 2026-11-22 00:24) made postings without the impact column, keyed by
-- (term, passage); an index it made fails every lexical search. Bring such postings to m003's present
-- form. An index m003 made as it now stands has the column already, and nothing happens.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = 'newsbot' AND table_name = 'postings' AND column_name = 'impact') THEN
        ALTER TABLE newsbot.postings ADD COLUMN impact real;
        UPDATE newsbot.postings SET impact = tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / coalesce(
            (SELECT greatest(t.value::float, 1) / greatest(n.value::float, 1) FROM newsbot.meta t, newsbot.meta n
             WHERE t.key = 'tokens' AND n.key = 'passages'), 1)));
        ALTER TABLE newsbot.postings ALTER COLUMN impact SET NOT NULL;
        ALTER TABLE newsbot.postings DROP CONSTRAINT IF EXISTS postings_pkey;
        CREATE INDEX IF NOT EXISTS postings_term_impact ON newsbot.postings (term, impact DESC) INCLUDE (passage, tf, length);
    END IF;
END $$;
""")


migration("m005_articles_by_date", """
-- The newest articles, for a question that asks only for the news ("Apa berita terbaru?").
CREATE INDEX IF NOT EXISTS articles_published ON newsbot.articles (published DESC);
""")

migration("m006_passages_by_date", """
-- A question naming a time searches its words among that time's passages (`lexical` with since/until):
-- those of an article published then, or stating a date then. Each passage carries its article's date,
-- as it carries its language, so that time's passages are read from an index, not found by joining
-- every passage to its article.
ALTER TABLE newsbot.passages ADD COLUMN IF NOT EXISTS published date;
UPDATE newsbot.passages p SET published = a.published FROM newsbot.articles a WHERE a.id = p.article;
CREATE INDEX IF NOT EXISTS passages_published ON newsbot.passages (published, id);
CREATE INDEX IF NOT EXISTS mentions_date ON newsbot.mentions (date, passage);
""")

migration("m007_answers_by_conversation", """
-- The private conversation an answer was shown in (a keyed hash), so a bot restarted finds the answer a
-- next message there follows up (`last_answer`).
ALTER TABLE newsbot.answers ADD COLUMN IF NOT EXISTS conversation text;
CREATE INDEX IF NOT EXISTS answers_conversation ON newsbot.answers (conversation, id);
""")
