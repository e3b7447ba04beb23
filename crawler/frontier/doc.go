// Package frontier owns the crawl's URL queue: canonical URLs, crawl scope,
// dedupe, and depth and page budgets (per-host politeness is crawler/polite).
//
// A Frontier hands out jobs at least once: Pop leases a job and Done
// acknowledges it. The in-memory implementation (NewMemory) bounds every
// structure it keeps; the Redis Streams one (redisfrontier) shares its Policy.
package frontier
