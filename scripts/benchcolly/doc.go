// Command benchcolly is the baseline of scripts/bench-crawl.sh: it serves a
// folder on loopback ("serve DIR") or crawls a site with bare colly and
// nothing else ("crawl URL"): no extraction beyond links, no fingerprints, no
// store. Fragments are dropped before visiting, as any sane crawler must
// (colly alone would fetch page.html#a and page.html#b separately).
package main
