// Package appearances answers "where has this work (or this creator's work)
// appeared?" across every stored scan: report match objects, newest scan
// first, filtered and paginated. It does no authorisation: callers pass the
// creator scope they checked (see matcher/access).
package appearances
