// Package polite owns per-host politeness: how often and how many requests
// at a time a host is sent, shared by every worker that crawls it.
//
// A gate grants leases. A lease is a rate slot (requests to a host are
// spaced by the larger of 1/Rate and the site's robots.txt Crawl-delay,
// capped at MaxCrawlDelay) and one of the host's Concurrency slots, held
// until it is released or its LeaseTTL runs out. Memory keeps that state in
// the process (the embedded crawl); Redis keeps it in Redis, updated by Lua
// scripts that read the server's clock, so that ten worker processes are
// as polite to a host as one. RedisRobots shares robots.txt between
// workers: one fetch per host, stored with a TTL.
package polite
