// Package redis is attrib's distributed store.Store backend: creators,
// works, fingerprints, scans, matches, API tokens, schedules, page states,
// leases and the transparency log on one Redis server or a Redis
// Cluster (go-redis/v9), shared by any number of processes. It passes the
// same storetest conformance suite as store/sqlite.
//
// # Opening
//
// Open takes a client the caller owns; OpenURL parses redis://host:6379/0,
// rediss://... (TLS), redis://h1:7000?addr=h2:7001&addr=h3:7002 (a cluster,
// from seed addresses) or redis://h1:7000?cluster=true (a cluster from one
// seed). Every key starts with the namespace (default "attrib") and ":", so
// deployments share a server without sharing data. The namespace's format
// key records the key layout version; Open refuses another (ErrFormat).
//
// IDs are those of store/sqlite: "w_" + 16 hex digits of SHA-256(creator
// NUL sha256) for works, "c_" + 16 hex of SHA-256(name) for creators, and
// for scans the caller's ID (a scan name such as "nightly-2026-11-27") or
// "s_" + UTC start second + "-" + 6 random hex digits. Timestamps are kept
// as Unix milliseconds, truncated, and read back in UTC.
//
// # Keys
//
// No command ever enumerates keys (no KEYS, no SCAN; HSCAN only walks one
// hash): every listing reads
// index keys whose names it knows. Below, <ns> is the namespace, XX a
// registry shard (the first two hex digits of a work ID: 256 shards) and
// <scan> a scan ID, verbatim when it is printable ASCII without braces and
// not starting with "~", else "~" + its hex. Sizes were measured with MEMORY
// USAGE on Redis 7.0 (TestMemoryPerRecord); jemalloc rounds large values up
// to its size classes (at most 25%: a 4,099-byte value takes 5,120).
//
//	key                          type    holds                                  bound and size
//	<ns>:format                  string  key layout version ("1")               1 B
//	<ns>:{rXX}:work:<id>         hash    creator title license kind sha256      ~300 B with short metadata
//	                                     size created
//	<ns>:{rXX}:text:<id>         string  a text work's text                     the text + ~140 B; bounded by
//	                                                                            the caller's file limits
//	<ns>:{rXX}:thumb:<id>        string  an image work's thumbnail (JPEG)       the thumbnail, at most 64 KiB
//	                                                                            by the contract
//	<ns>:{rXX}:fp:<id>           hash    algorithm -> the work's fingerprints   their data + ~300 B + rounding
//	                                     of it (varint version, length, data)
//	<ns>:{rXX}:works             string  the shard's work IDs, 8 raw bytes each 8 B per work, 12.3 B measured
//	                                                                            with APPEND's preallocation;
//	                                                                            1M works: 31 KB a shard;
//	                                                                            Redis caps a string at 512 MB
//	                                                                            (67M works a shard)
//	<ns>:{rXX}:cw:<creator ID>   string  the same, of one creator's works       8 B per work + one key per
//	                                                                            (creator, shard) pair
//	<ns>:{rXX}:creators          hash    creator name -> first registration ms  one field per creator with
//	                                                                            works in the shard
//	<ns>:{s}:scan:<scan>         hash    id kind targets state error started    ~750 B with two targets
//	                                     finished stats (JSON for the lists)
//	<ns>:{s}:scans               zset    16-hex creation number ":" scan ID,    ~100 B per scan
//	                                     scored by start ms
//	<ns>:{s}:seq                 string  scan creation counter                  8 B
//	<ns>:{m:<scan>}:works        zset    the scan's matched work IDs (lex)      ~120 B per matched work
//	<ns>:{m:<scan>}:cw:<cr. ID>  zset    the same, per creator                  ~120 B per matched work
//	<ns>:m:<scan>:<work ID>      hash    one field per match of the work in     field and value + ~90 B a
//	                                     the scan: key (found URL, dataset,     match (576 B for a text
//	                                     record) -> binary match value          match with a 384 B passage);
//	                                                                            a lone exact match with its
//	                                                                            key: 232 B
//	<ns>:tokens                  hash    token hash -> "<created ms>:<admin     144 B a token
//	                                     0|1>:<creator>"
//	<ns>:{sch}:schedule:<id>     hash    id name cron kind targets (JSON)       ~350 B with one target
//	                                     options enabled last created
//	<ns>:{sch}:schedules         zset    schedule IDs scored by creation ms     ~45 B a schedule
//	<ns>:pages:XX                hash    page URL -> four length-prefixed       ~200 B a page with a 50-byte
//	                                     strings (uvarint length, bytes):       URL; XX is the first byte of
//	                                     checked ms, ETag, Last-Modified,       SHA-256(URL): 256 hashes
//	                                     scan ID                                spread over a cluster
//	<ns>:lease:<name>            string  the holder; expires with the lease     one small key while held
//	                                     (PX, the server's clock)
//	<ns>:{log}:leaves            list    the log's leaves; index = position     the leaf + ~5 B (205 B for a
//	                                                                            200-byte leaf)
//	<ns>:{log}:heads             hash    decimal size -> flags byte (1: has a   ~150 B a head with a 64-byte
//	                                     timestamp), 32-byte root, 8-byte BE    signature
//	                                     Unix ns timestamp, signature
//	<ns>:{log}:latest            string  the largest stored head's size         8 B
//
// <name> is a lease name through the same escaping as <scan>. Schedule IDs
// are "sch_" + UTC creation second + "-" + 6 random hex digits, like scan
// IDs. Tree head timestamps keep nanoseconds (the signature covers them);
// every other time is milliseconds.
//
// So a registered work costs its text and fingerprints plus ~750 B (1M
// works of 10 KB text and 4 KB fingerprints: ~16 GB, of which the indexes
// take ~25 MB), and a scan of 1M matches over 100k works about 1M x (match +
// 90 B) + 100k x ~400 B. A work's match hash is bounded by the pages or
// records of its scan (crawl.max_pages, the audited files): a work found on
// every page of a 1M-page crawl would make one hash of ~0.5 GB, so Matches
// reads big hashes with HSCAN, 1,000 fields per reply.
//
// # Atomicity and Redis Cluster
//
// Keys that one script touches share a hash tag, so every script runs in
// one slot of a cluster:
//   - PutWork is one Lua script in the work's shard slot {rXX}: it creates
//     the work's hash, text, fingerprints and the shard's index entries,
//     unless the work exists. Concurrent registrations of the same content
//     from any number of processes create exactly one work; re-registering
//     reads the existing work (without its Text) and sends nothing else.
//     The 256 shard tags spread the registry over every master.
//   - CreateScan and UpdateScan are scripts in the slot {s}, which holds
//     only scan metadata, so a scan and its index entry appear together and
//     a scan name is taken at most once.
//   - PutMatches validates the whole batch first (scan and works exist,
//     scores finite; else nothing is written), then upserts each work's
//     matches (HSET, in its own slot: a big scan spreads over the cluster)
//     and then adds the works to the scan's indexes {m:<scan>}. Each step is
//     idempotent, so a process killed in between leaves matches that the
//     next delivery of the same results makes visible: at-least-once
//     delivery neither loses nor duplicates a match.
//   - Tokens are one hash: PutToken is HSETNX, so a hash is stored once;
//     DeleteToken is HDEL, so a revoked token is gone for every process.
//   - A schedule and its index entry are written and removed together by
//     scripts in the slot {sch}; replacing keeps the creation time.
//   - PutPageStates checks the whole batch, then pipelines one HSET per
//     state into the URLs' shard hashes (not atomic across shards: a
//     failed batch, stored again, completes).
//   - A lease is one key: a script sets it (SET PX) when it is free or the
//     caller's, and deletes it only for its holder. Expiry is Redis's own
//     key expiry, so processes need no synchronised clocks.
//   - The log lives in the slot {log}, on one master: AppendLeaves is one
//     RPUSH of the whole batch (atomic; the first index is the new length
//     minus the batch), and PutTreeHead is a script that checks the size
//     against the list, keeps the first head of a size (HSETNX) and moves
//     the latest size only forward. The log's order needs one master, so
//     its size is bounded by that master's memory (~205 B a 200-byte leaf:
//     10M leaves take ~2 GB).
//
// Matches of a scan are listed by paging through its index of matched
// works (ZRANGEBYLEX, 256 at a time) and reading those works' hashes
// (pipelined HSCAN); other scans are never read. The 256 registry shards
// are also the unit in which the registry can be split across matcher
// processes once its fingerprints outgrow one machine's memory.
package redis
