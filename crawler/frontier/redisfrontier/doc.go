// Package redisfrontier is the crawl frontier on Redis Streams, shared by
// every worker process of a scan: a frontier.Frontier whose queue, dedupe
// set, page budget and leases live in Redis (7.0 or later, or a Cluster),
// so any number of processes on any number of machines crawl one scan
// together and a process killed at any point loses nothing.
//
// # Delivery
//
// Jobs are entries of a stream read through one consumer group; each
// process is a consumer (Config.Consumer). Pop leases a job (XREADGROUP):
// the entry stays in the stream and in the group's pending list until Done
// acknowledges it (XACK and XDEL). PopN and Ack do the same for many jobs
// per round trip, for consumers that work in batches. New jobs are read
// with a plain XREADGROUP; a lease script (due retries back to the stream,
// expired leases reclaimed) is pipelined before it at most every 100 ms per
// process and partition, and whenever there is nothing new. Delivery is at
// least once: a job leased and not acknowledged within Config.Visibility —
// its worker died, hung or lost its connection — is reclaimed by the lease
// script of any process (XAUTOCLAIM). Every delivery counts as an attempt,
// reclaimed ones included, so a job that kills its worker every time is
// moved to the dead-letter stream after Config.MaxAttempts deliveries
// instead of looping forever. Fail reports a transient failure: the job
// waits in a retry set for an exponential backoff, then goes back to the
// stream, or to the dead-letter stream with its cause after MaxAttempts.
// Release gives a leased job back at once (a worker stopping cleanly). A
// job leased twice (its lease expired while its first worker was still
// working) is acknowledged by whichever Done comes first; the other gets
// frontier.ErrUnknownJob. Measured on 2 shared cores (go test -bench
// PopNAck, PopDone): PopN(100)+Ack leases and acknowledges 100-200k jobs/s,
// Pop+Done from 32 goroutines 10-25k/s.
//
// # Admission
//
// Push applies the frontier.Policy (canonical URL, scope, depth) in the
// process, then admits each job in one Lua script: dedupe, the partition's
// bounds, the page budget, enqueueing and the counters change together or
// not at all, so a crash between steps cannot lose a URL (marked seen but
// never queued) or queue it twice.
//
// Dedupe hashes each URL once (xxHash64, seeded per scan). The top 32
// bits of the hash choose one of the partition's B "seen buckets", and the
// low 32 bits are the URL's member there: a Redis set of 32-bit integers
// kept as an intset, 4 bytes per member, small enough to stay one (B is
// sized from MaxSeen for ~400 members per full bucket; Redis keeps up to
// set-max-intset-entries = 512 in an intset). Measured at 1M URLs (Redis
// 7.0, MEMORY USAGE of every bucket): 4.7 bytes per seen URL with the seen
// set sized to them, 9.4 bytes with it 16 times oversized (the key
// overhead, ~110 bytes, of emptier buckets); layout 1, which kept whole
// 64-bit hashes, took 9.0 and 13.7.
//
// A false positive is a new URL whose bucket and member equal those of a
// URL seen before: it is taken for a duplicate and not crawled in that scan
// (nor the pages only it links to). A new URL meets the members of its
// bucket, ~400 once the partition is full, so it is lost with probability
// up to ~400/2³² ≈ 9e-8, and over a scan sized to its N URLs (buckets
// filling as it goes) about N·400/2³³ ≈ N·4.7e-8 pages are expected lost:
// 0.05 for 1M URLs, 4.7 for 100M, 47 for 1B — the bucket number adds
// log2(P·B) bits to the 32 stored, 53 bits in all at 1B URLs. A scan with
// more buckets than it fills loses fewer. The per-scan seed makes the lost
// URLs differ between scans. A Bloom filter of the same 37 bits per URL
// would lose fewer at full load (~1e-8 per URL, with 26 bit lookups each),
// but takes its full size from the start and cannot hold admission times
// for recrawls.
//
// With Config.RecrawlAfter > 0 the buckets are hashes of member to
// admission time (seconds since the scan was created; listpack-encoded up
// to hash-max-listpack-entries = 128, so ~80 per bucket): 10.3 bytes per
// seen URL (layout 1: 14.8), and N·80/2³³ ≈ N·9e-9 URLs expected to share
// another's admission time, each missing a recrawl round while the other
// is recent. A URL is admitted again once more than RecrawlAfter has
// passed since it was last admitted or claimed.
//
// The meta hash's "v" is the key layout version. New scans get 2; scans
// of layout 1 (64-bit members, the bucket from a second hash) are still
// read and written in their layout; an unknown version is refused with
// ErrLayout.
//
// The page budget (MaxPages) counts admissions in the scan's budget key.
// With one partition the admission script takes pages from it atomically.
// With several, the budget lives under another hash tag than the
// partitions, so Push first checks which URLs are new, reserves that many
// pages, admits at most that many and gives back the rest: the budget is
// never exceeded; a process dying between reserving and giving back leaves
// it short by at most one Push's new URLs, and concurrent Pushes near the
// end of the budget can refuse URLs that would have fitted.
//
// # The end of a scan
//
// Pop returns frontier.ErrDrained only when the scan holds no job at all:
// none queued, none leased by any process (the pending entries stay in the
// stream until acknowledged) and none waiting for a retry. Crawlers push a
// job's links before acknowledging it, so a job in flight keeps every
// process from seeing the end. One partition is read atomically; with
// several, Pop reads all of them twice and needs every partition's version
// (bumped by every change) to match between the two reads (see drained).
// Pop never spins: with nothing to lease and the scan not over, it blocks
// in XREADGROUP BLOCK for at most Config.PollInterval (1 s) on one
// partition, taking the partitions in turn, and then looks again for due
// retries, expired leases and the end. With several partitions a new job
// may wait up to PollInterval for an idle worker blocked on another one.
//
// # Partitions and Redis Cluster
//
// Every script touches the keys of one partition, or of the scan itself,
// and those share a hash tag, so each script runs on one node. A scan is
// split by host hash into P partitions, each with its own stream, retry
// set, dead letters, seen buckets and counters under its own tag (with
// P = 1 the partition shares the scan's tag). Pop tries the partitions in
// turn (XREADGROUP cannot span slots). P is fixed when the scan is
// created: Config.Partitions, else 1 on a single Redis (everything in one
// script) and 4 per master on a Cluster, so that hash-tag placement
// spreads a big scan over every master. Use 4-8 per master; more costs
// each idle Pop one script call per partition. A host's URLs always share
// a partition, and so a node.
//
// # Keys
//
// With namespace N (Config.Namespace, default "attrib"), scan S, scan tag
// T = {N|S} and partition tag Tp = {N|S|p} (Tp = T when P = 1):
//
//	N:f:T:meta       hash    the scan's parameters (v, P, B, bounds, seed, creation time)  O(1)
//	N:f:T:budget     string  pages of MaxPages taken                                       O(1)
//	N:f:Tp:q         stream  jobs queued or leased, fields u d r a e, group "w"            ≤ MaxQueued entries, ~180 B each
//	N:f:Tp:delay     zset    jobs waiting for a retry (JSON), scored by due time            counted in MaxQueued
//	N:f:Tp:dead      stream  dead letters: u d r a (deliveries) e (cause)                   ≤ MaxDeadLetters (approximate trim)
//	N:f:Tp:c         hash    counters: admitted done dead seen retried ver cursor reclaim_at O(1)
//	N:f:Tp:s:<b>     set     seen URLs' 32-bit members (hash of member -> time when recrawling), b < B ≤ ~400 (80) members; ≤ MaxSeen per partition
//
// The consumer group of each stream holds one consumer per process; Open
// deletes consumers that hold no lease and were idle for an hour (or ten
// visibility timeouts). MaxQueued and MaxSeen bound each partition (a
// partition is what one node holds); a scan holds at most P times them.
// Over MaxQueued, new URLs are dropped and remembered as seen (as in the
// in-memory frontier); over MaxSeen, new URLs are dropped. Delete removes
// every key by name; nothing here uses KEYS or SCAN.
//
// Persistence: with AOF, Redis replays writes in order, and a crawler
// pushes a job's links before its Done, so a restart that loses the last
// writes loses a suffix: acknowledgements come back as leases to reclaim,
// and lost admissions come back when their parent page is crawled again.
package redisfrontier
