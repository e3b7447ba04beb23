// Package worker is the crawler process of distributed mode (`attrib
// worker`): it serves the active scans of the scan registry, crawling each
// with the crawler over that scan's shared frontier, and sends every page
// (text, SHA-256, opt-out signals, image fingerprints) to the matchers'
// intake stream before acknowledging it, so a killed worker loses nothing:
// its leased URLs return to the frontier and are crawled again.
package worker
