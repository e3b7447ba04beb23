-- 0002: the creator service and the transparency log: API tokens, recurring
-- scans, per-page recrawl state, leases, log leaves and signed tree heads,
-- and image thumbnails. Times are Unix microseconds (UTC) unless noted.

-- A small JPEG preview of an image work; NULL for texts. The last column of
-- works, so listings that do not select it never read its overflow pages.
ALTER TABLE works ADD COLUMN thumb BLOB;

CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,     -- lowercase hex SHA-256 of the secret
    creator    TEXT NOT NULL,        -- '' for an admin token
    admin      INTEGER NOT NULL,     -- 0 or 1
    created_at INTEGER NOT NULL
);
CREATE INDEX tokens_created ON tokens (created_at, hash);

CREATE TABLE schedules (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    cron       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    targets    TEXT NOT NULL,        -- JSON array of strings
    options    BLOB NOT NULL,        -- the scheduler's JSON, opaque
    enabled    INTEGER NOT NULL,     -- 0 or 1
    last_scan  TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX schedules_created ON schedules (created_at, id);

CREATE TABLE page_states (
    url           TEXT PRIMARY KEY,
    etag          TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    scan_id       TEXT NOT NULL,
    checked_at    INTEGER            -- NULL when unknown
);

-- Expiry in Unix milliseconds of this process's clock: processes sharing
-- the file share the machine's clock.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

-- The transparency log: leaf idx is its index, from 0, without gaps.
CREATE TABLE log_leaves (
    idx  INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);

-- Signed tree heads, one per log size; the timestamp is Unix nanoseconds
-- (NULL for none) because the signature covers it.
CREATE TABLE tree_heads (
    size      INTEGER PRIMARY KEY,
    root_hash BLOB NOT NULL,
    timestamp INTEGER,
    signature BLOB NOT NULL
);
