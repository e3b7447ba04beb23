// Package crawler is attrib's crawl worker pool: workers pull jobs from a
// frontier, wait for the host's rate limit, fetch and extract the page, push
// its links, fetch and fingerprint the images it embeds, and hand the page
// to a Handler (the matcher). Bad input is counted and logged; only
// cancellation and frontier failures stop a crawl.
package crawler
