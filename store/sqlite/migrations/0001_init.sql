-- 0001: initial schema. Times are Unix microseconds (UTC); JSON columns hold
-- the encoding/json form of the store package's types.

CREATE TABLE creators (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE works (
    id         TEXT PRIMARY KEY,
    creator_id TEXT NOT NULL REFERENCES creators (id),
    title      TEXT NOT NULL,
    license    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('text', 'image')),
    sha256     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX works_creator_sha256 ON works (creator_id, sha256);
CREATE INDEX works_created ON works (created_at, id);

-- Work texts can be megabytes: kept apart so that listings never read them.
CREATE TABLE work_texts (
    work_id TEXT PRIMARY KEY REFERENCES works (id) ON DELETE CASCADE,
    text    TEXT NOT NULL
);

CREATE TABLE fingerprints (
    work_id   TEXT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    algorithm TEXT NOT NULL,
    version   INTEGER NOT NULL,
    data      BLOB NOT NULL
);
CREATE INDEX fingerprints_algorithm ON fingerprints (algorithm);
CREATE INDEX fingerprints_work ON fingerprints (work_id);

CREATE TABLE scans (
    seq         INTEGER PRIMARY KEY, -- insertion order, breaks start-time ties
    id          TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    targets     TEXT NOT NULL,       -- JSON array of strings
    state       TEXT NOT NULL,
    error       TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,             -- NULL while unfinished
    stats       TEXT NOT NULL        -- JSON store.Stats
);
CREATE INDEX scans_started ON scans (started_at, seq);

CREATE TABLE matches (
    scan_id        TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    work_id        TEXT NOT NULL REFERENCES works (id),
    found_url      TEXT NOT NULL,
    dataset        TEXT NOT NULL,
    record         TEXT NOT NULL,
    page_url       TEXT NOT NULL,
    method         TEXT NOT NULL,
    score          REAL NOT NULL,
    work_coverage  REAL NOT NULL,
    found_coverage REAL NOT NULL,
    evidence       TEXT NOT NULL,    -- JSON store.Evidence
    optout         TEXT              -- JSON store.OptOut, NULL when unknown
);
CREATE UNIQUE INDEX matches_key ON matches (scan_id, work_id, found_url, dataset, record);
CREATE INDEX matches_work ON matches (work_id);
