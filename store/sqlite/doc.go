// Package sqlite is attrib's embedded store.Store backend: one SQLite file
// (pure Go driver modernc.org/sqlite, WAL journal) with an embedded,
// versioned schema that Open migrates.
//
// Identifiers are derived, short and readable:
//   - creators: "c_" + the first 16 hex digits of SHA-256(name);
//   - works: "w_" + the first 16 hex digits of SHA-256(creator + "\x00" +
//     sha256), so registering the same content for the same creator always
//     yields the same ID, in any database;
//   - scans: "s_" + the UTC start time as 20060102T150405Z + "-" + 6 random
//     hex digits, e.g. "s_20261127T025317Z-3fa9c1"; IDs sort by start
//     second;
//   - schedules: "sch_" + the UTC creation second + "-" + 6 random hex
//     digits, in the form of scan IDs.
//
// Timestamps are stored as Unix microseconds and read back in UTC; the
// values the store returns are exactly what it will return later. Tree
// heads keep their timestamp in Unix nanoseconds, because the head's
// signature covers it. Lease expiry is Unix milliseconds of the store's
// clock (WithClock), which the processes sharing one file share with the
// machine.
//
// Tables (migrations/*.sql): creators, works (a thumb column holds image
// thumbnails, read only by Work), work_texts, fingerprints, scans, matches,
// tokens (by hash), schedules, page_states (by URL), leases (by name),
// log_leaves (idx = leaf index, from 0, without gaps) and tree_heads (by
// size). Each write method is one transaction: AppendLeaves reads the log
// size and inserts the batch in one, so indexes are consecutive across
// goroutines and processes.
//
// Writes go through one connection (SQLite allows one writer at a time;
// serialising them in Go avoids SQLITE_BUSY between goroutines) and start
// with BEGIN IMMEDIATE so that other processes wait on busy_timeout rather
// than fail. Reads use a separate pool of read-only connections and run
// concurrently with each other and with the writer.
package sqlite
