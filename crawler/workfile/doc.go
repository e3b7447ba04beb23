// Package workfile reads the files a creator registers as works: it decides
// a file's kind from its extension, expands folders, bounds every read, and
// turns HTML into the text a reader sees (the same extraction the crawler
// applies to pages, so a registered page and its crawled copy align).
package workfile
