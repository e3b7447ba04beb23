package fetch

import (
	"errors"
	"net/http"
)

// ErrNotModified: a conditional page request (FetchPageIf) was answered
// 304 Not Modified. It is not a failure: the page is as it was when the
// validators were sent.
var ErrNotModified = errors.New("not modified")

// Validators are a page's cache validators as its server sent them last
// time. A recrawl sends them back (If-None-Match, If-Modified-Since) so
// that an unchanged page costs a 304 instead of its body.
type Validators struct {
	ETag         string // the ETag header, verbatim (quotes and W/ kept)
	LastModified string // the Last-Modified header, verbatim (an HTTP date)
}

// IsZero reports whether there is nothing to send.
func (v Validators) IsZero() bool { return v.ETag == "" && v.LastModified == "" }

// validatorsOf returns the validators of a response.
func validatorsOf(h http.Header) Validators {
	return Validators{ETag: h.Get("ETag"), LastModified: h.Get("Last-Modified")}
}

// set adds the conditional request headers for v to hdr. RFC 9110 §13.1.3:
// a server that knows the ETag ignores If-Modified-Since, so sending both
// is safe and serves servers that only know one.
func (v Validators) set(hdr http.Header) {
	if v.ETag != "" {
		hdr.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		hdr.Set("If-Modified-Since", v.LastModified)
	}
}
