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
//     second.
//
// Timestamps are stored as Unix microseconds and read back in UTC; the
// values the store returns are exactly what it will return later.
//
// Writes go through one connection (SQLite allows one writer at a time;
// serialising them in Go avoids SQLITE_BUSY between goroutines) and start
// with BEGIN IMMEDIATE so that other processes wait on busy_timeout rather
// than fail. Reads use a separate pool of read-only connections and run
// concurrently with each other and with the writer.
package sqlite
