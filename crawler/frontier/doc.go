// Package frontier owns the crawl's URL queue: canonical URLs, crawl scope,
// dedupe, depth and page budgets, and per-host politeness.
//
// A Frontier hands out jobs at least once: Pop leases a job and Done
// acknowledges it. The in-memory implementation (NewMemory) bounds every
// structure it keeps; a Redis Streams implementation shares the same Policy.
package frontier
