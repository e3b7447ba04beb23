// Package service is the matcher process of distributed mode (`attrib
// matcher`): it reads crawled pages from the intake streams of the active
// scans, attributes them against the registry, stores the matches and
// acknowledges the pages; and it closes a scan in the store once its crawl
// and its intake are both empty. Any number of matcher processes share the
// work through the intake's consumer group.
package service
