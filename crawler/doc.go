// Package crawler is attrib's crawl worker pool: workers pull jobs from a
// frontier, check the URL against robots.txt, wait for a lease of its host
// from the politeness gate, fetch and extract the page, push its links,
// fetch and fingerprint the images it embeds, and hand the page to a
// Handler (the matcher). Bad input is counted and logged; only
// cancellation and failures of the frontier or of the shared politeness
// state stop a crawl.
package crawler
