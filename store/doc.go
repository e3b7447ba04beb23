// Package store defines attrib's persistence contract: the record types
// (creators, works, fingerprints, scans, matches), the Registry, Scans and
// Store interfaces every backend implements, and the sentinel errors callers
// test with errors.Is. Backends live in sub-packages (store/sqlite,
// store/redis) and prove conformance with store/storetest.
package store
