package polite

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// Defaults for Options fields left zero.
const (
	// DefaultConcurrency is two requests in flight per host: enough to keep
	// a 4 requests/s rate with responses of up to half a second, few enough
	// that a slow host slows the crawl down instead of piling up requests.
	DefaultConcurrency = 2
	// DefaultMaxCrawlDelay caps a robots.txt Crawl-delay at one request a
	// minute per host: higher values (some sites ask for an hour) would make
	// a crawl of a few hundred pages last days.
	DefaultMaxCrawlDelay = time.Minute
	// DefaultLeaseTTL is how long an unreleased lease blocks its slot: longer
	// than a request may take (the crawler's timeout is 20 s by default), so
	// that only a holder that died loses its lease.
	DefaultLeaseTTL = time.Minute
)

// maxConcurrency bounds Options.Concurrency.
const maxConcurrency = 1 << 16

// ErrEmptyHost is returned for a lease on the empty host name.
var ErrEmptyHost = errors.New("polite: empty host")

// Options configure a gate. Zero fields take the defaults above.
type Options struct {
	// Rate is requests per second per host; 0 sets no rate of its own, but
	// the site's Crawl-delay still spaces requests.
	Rate float64
	// Concurrency is how many leases of one host may be held at once.
	Concurrency int
	// MaxCrawlDelay caps the Crawl-delay a site may ask for.
	MaxCrawlDelay time.Duration
	// LeaseTTL is how long a lease lives after its slot unless released:
	// the bound on how long a holder that died blocks a concurrency slot.
	LeaseTTL time.Duration
}

// withDefaults validates o and fills in its zero fields.
func (o Options) withDefaults() (Options, error) {
	switch {
	case o.Rate < 0 || math.IsNaN(o.Rate) || math.IsInf(o.Rate, 0):
		return o, fmt.Errorf("polite: rate %v must be a finite number ≥ 0 (0: no limit)", o.Rate)
	case o.Concurrency < 0 || o.Concurrency > maxConcurrency:
		return o, fmt.Errorf("polite: concurrency %d must be between 1 and %d (0: default)", o.Concurrency, maxConcurrency)
	case o.MaxCrawlDelay < 0 || o.LeaseTTL < 0:
		return o, errors.New("polite: max crawl delay and lease TTL must not be negative")
	}
	o.Concurrency = cmp.Or(o.Concurrency, DefaultConcurrency)
	o.MaxCrawlDelay = cmp.Or(o.MaxCrawlDelay, DefaultMaxCrawlDelay)
	o.LeaseTTL = cmp.Or(o.LeaseTTL, DefaultLeaseTTL)
	return o, nil
}

// Interval returns the spacing of requests to a host whose robots.txt asks
// for crawlDelay: the larger of 1/Rate and crawlDelay, the latter capped at
// MaxCrawlDelay. o must have its defaults filled in.
func (o Options) Interval(crawlDelay time.Duration) time.Duration {
	var iv time.Duration
	if o.Rate > 0 {
		iv = time.Duration(float64(time.Second) / o.Rate)
	}
	return max(iv, min(max(crawlDelay, 0), o.MaxCrawlDelay))
}

// Lease is a granted request slot of a host. Release it once the response
// has been read.
type Lease struct {
	Host string
	// Slot is when the request was allowed to start, on the gate's clock
	// (Redis's TIME for the Redis gate). Slots of one host are spaced by at
	// least the interval in force when each was granted.
	Slot time.Time
	// Interval is the spacing this lease booked after its slot.
	Interval time.Duration

	once    sync.Once
	release func()
}

// Release frees the lease's concurrency slot. It is idempotent and safe to
// call after the lease expired.
func (l *Lease) Release() { l.once.Do(l.release) }
