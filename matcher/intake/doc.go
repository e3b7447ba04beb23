// Package intake carries crawled pages from crawler workers to matcher
// processes in distributed mode: one Redis stream per scan, read by the
// "matchers" consumer group with at-least-once delivery.
//
// A worker Sends a page (its extracted text, SHA-256, opt-out signals and
// the fingerprints of its images) before it acknowledges the page's URL in
// the frontier, so a page is always either in the frontier or here. A
// matcher Receives, stores the matches and Acks; an entry a dead matcher
// leased is reclaimed after the visibility timeout; an entry delivered
// MaxDeliveries times (a page that kills matchers) moves to the scan's
// dead-letter stream instead of looping forever.
//
// Keys (namespace N, scan S), each scan's under one hash tag so they share
// a Redis Cluster slot:
//
//	N:in:{S}        stream of pages; acknowledged entries are deleted, so
//	                its length is the backlog, which Send bounds (MaxBacklog)
//	N:in:{S}:dead   dead-letter stream, capped (MAXLEN ~ deadCap)
//
// A scan's intake is finished when its stream has no entry left (every
// page was matched and acknowledged): Backlog reports it.
package intake
