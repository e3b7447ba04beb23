// Package scanreg is the registry of distributed scans on Redis: each
// scan's crawl options (stored with the scan by `attrib enqueue`, read by
// every worker), the set of active scans workers and matchers serve, and
// the scan's counters that workers add to.
//
// Keys (namespace N, scan S); each is read or written alone, so no two need
// to share a Redis Cluster slot:
//
//	N:scan:{S}:spec   string, the Spec as JSON (< 64 KiB: seeds are bounded)
//	N:scan:{S}:stats  hash of store.Stats counters (6 fields)
//	N:scans           sorted set of every scan name by creation time:
//	                  ~60 B per scan, so a million scans cost ~60 MB
//	N:scans:active    set of scans being crawled or matched; a scan leaves
//	                  it when it is finished
package scanreg
