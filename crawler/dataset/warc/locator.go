package warc

import (
	"fmt"
	"strconv"
	"strings"
)

// formatLocator writes a record's locator: "offset:N", the file offset
// where a user can seek to the record (its gzip member in a per-record gzip
// file), or "offset:N+D" when the record is D bytes into the decompressed
// data of the gzip member at N (a whole-file gzip).
func formatLocator(off, inner int64) string {
	if inner == 0 {
		return "offset:" + strconv.FormatInt(off, 10)
	}
	return "offset:" + strconv.FormatInt(off, 10) + "+" + strconv.FormatInt(inner, 10)
}

// ParseLocator reads a locator written by this package.
func ParseLocator(loc string) (off, inner int64, err error) {
	rest, ok := strings.CutPrefix(loc, "offset:")
	if !ok {
		return 0, 0, fmt.Errorf("locator %q: want offset:N or offset:N+D", loc)
	}
	o, i, hasInner := strings.Cut(rest, "+")
	off, err = strconv.ParseInt(o, 10, 64)
	if err == nil && hasInner {
		inner, err = strconv.ParseInt(i, 10, 64)
	}
	if err != nil || off < 0 || inner < 0 || (hasInner && inner == 0) {
		return 0, 0, fmt.Errorf("locator %q: want offset:N or offset:N+D", loc)
	}
	return off, inner, nil
}
