// Package store defines attrib's persistence contract: the record types
// (creators, works, fingerprints, scans, matches; API tokens, schedules,
// recrawl page states, leases; the transparency log's leaves and signed tree
// heads), the interfaces every backend implements (Registry, Scans, Tokens,
// Schedules, Pages, Leases, Log, and Store combining them), and the sentinel
// errors callers test with errors.Is. Backends live in sub-packages
// (store/sqlite, store/redis) and prove conformance with store/storetest.
package store
