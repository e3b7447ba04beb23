// Package extract turns a parsed HTML document into what attrib fingerprints:
// the main text a reader sees, absolute link and image URLs, the canonical URL
// and machine-readable AI/TDM opt-out signals. Its functions are pure: they
// read the tree they are given and never fetch anything.
package extract
