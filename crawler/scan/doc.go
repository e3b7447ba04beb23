// Package scan runs a crawl as a stored scan: it creates the scan record,
// feeds every crawled page and image to the matcher, stores the matches as
// they are found, and closes the scan with its stats — also when the crawl
// is interrupted, so nothing found before the interruption is lost.
package scan
