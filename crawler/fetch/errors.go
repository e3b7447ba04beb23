package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// Errors returned by FetchPage and FetchImage; test with errors.Is.
var (
	// ErrTooLarge: the body exceeds the byte cap (by Content-Length or
	// while reading). The body is not read beyond the cap.
	ErrTooLarge = errors.New("response too large")
	// ErrNotHTML: a page request got a response that is not HTML.
	ErrNotHTML = errors.New("not an html page")
	// ErrNotImage: an image request got a response that is not an image.
	ErrNotImage = errors.New("not an image")
	// ErrRobots: robots.txt disallows the URL for our user agent. The
	// returned error also wraps colly.ErrRobotsTxtBlocked.
	ErrRobots = errors.New("disallowed by robots.txt")
	// ErrRobotsUnavailable: the host's robots.txt answered 429 or 5xx, or
	// the host was unreachable, so everything is disallowed until
	// Options.RobotsRetry has passed (RFC 9309). It is a failure, not a
	// skip: the site is down, it did not refuse us.
	ErrRobotsUnavailable = errors.New("robots.txt unavailable")
	// ErrRobotsCache: the RobotsCache failed (e.g. Redis is down). Crawls
	// stop on it rather than fail every URL.
	ErrRobotsCache = errors.New("robots.txt cache failed")
	// ErrTooManyRedirects: the redirect chain is longer than the maximum
	// (redirect loops end here).
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrTimeout: the request timed out (connect, headers or body).
	ErrTimeout = errors.New("request timed out")
	// ErrEncoding: the response uses a content encoding that could not be
	// decoded within the byte cap (e.g. gzip the transport did not undo).
	ErrEncoding = errors.New("unsupported content encoding")
)

// StatusError is returned for a final response whose status is not 2xx.
type StatusError struct {
	Code int
	URL  string
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("http status %d %s", e.Code, http.StatusText(e.Code))
}

// IsSkip reports whether err means the URL was deliberately not processed
// (robots.txt, not HTML, not an image) rather than a failure.
func IsSkip(err error) bool {
	return errors.Is(err, ErrRobots) || errors.Is(err, ErrNotHTML) || errors.Is(err, ErrNotImage)
}

// classify wraps a transport-level error with the sentinel it amounts to.
func classify(err error) error {
	var ne net.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, ErrTooManyRedirects):
		return err
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}
