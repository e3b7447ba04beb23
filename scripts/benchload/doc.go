// Command benchload measures the embedded store path of the text index:
// it registers N text works (passages of the shared texts, made distinct)
// through matcher.Register into a fresh SQLite store, then times how long a
// new matcher takes to Load them all back, as `attrib crawl` does at start.
//
//	go run ./scripts/benchload -n 100000 -data ../shared/data/texts
package main
