package fetch

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/temoto/robotstxt"
)

// Robots defaults.
const (
	// DefaultRobotsTTL is how long a fetched robots.txt is used (RFC 9309
	// asks for at most 24 h, as Google does).
	DefaultRobotsTTL = 24 * time.Hour
	// DefaultRobotsRetry is how long a robots.txt that could not be fetched
	// (5xx, 429, unreachable) disallows its host before it is fetched again:
	// one request a minute is no load, and a site that recovers is crawled
	// again soon.
	DefaultRobotsRetry = time.Minute
	// maxRobotsBytes bounds a robots.txt body; the rest of a longer file is
	// ignored (Google reads 500 KiB).
	maxRobotsBytes = 500 << 10
	// localRobotsTTL bounds how long a fetcher keeps a parsed robots.txt
	// before it asks its RobotsCache again.
	localRobotsTTL = time.Minute
	// maxLocalRobots bounds the parsed robots.txt files a fetcher keeps.
	maxLocalRobots = 1024
)

// RobotsRecord is one host's robots.txt as fetched: what a RobotsCache
// keeps.
type RobotsRecord struct {
	// Status is the HTTP status of the final response. 2xx: the rules are
	// in Body. 3xx (a redirect chain not followed to its end) and 4xx
	// other than 429: no robots.txt, everything is allowed. 429 and 5xx:
	// everything is disallowed, and so is 0: the host was unreachable
	// (network error or timeout). See RFC 9309, section 2.3.1.
	Status int
	// Body is the file, cut at 500 KiB; only kept for a 2xx status.
	Body []byte
}

// available reports whether the record tells the rules (or their absence)
// rather than a failure to learn them.
func (r RobotsRecord) available() bool { return availableStatus(r.Status) }

func availableStatus(status int) bool {
	return status != 0 && status != http.StatusTooManyRequests && status < 500
}

// RobotsFetch fetches a robots.txt and returns the record and how long it
// holds. It fails only when its context ends.
type RobotsFetch func(ctx context.Context) (RobotsRecord, time.Duration, error)

// RobotsCache keeps robots.txt records for the fetchers of a crawl, or of
// every worker of a distributed crawl (polite.RedisRobots). A Fetcher asks
// it again at most once a minute per host.
type RobotsCache interface {
	// Robots returns the record of origin ("scheme://host[:port]"). If no
	// fresh one is kept it calls fetch, keeps the record for the TTL fetch
	// returned and returns it; concurrent calls for one origin share one
	// fetch (across processes, for a shared cache). An error means there is
	// no record: ctx ended, or the cache's store failed.
	Robots(ctx context.Context, origin string, fetch RobotsFetch) (RobotsRecord, error)
}

// MemoryRobots is the in-process RobotsCache, the default of a Fetcher. It
// keeps at most 4096 hosts and 64 MiB of robots.txt bodies, forgetting
// expired records first. It is safe for concurrent use.
type MemoryRobots struct {
	m *loadMap[RobotsRecord]
}

// NewMemoryRobots returns an empty in-memory cache.
func NewMemoryRobots() *MemoryRobots {
	return &MemoryRobots{m: newLoadMap(4096, 64<<20, func(r RobotsRecord) int64 { return int64(len(r.Body)) })}
}

// Robots implements RobotsCache.
func (c *MemoryRobots) Robots(ctx context.Context, origin string, fetch RobotsFetch) (RobotsRecord, error) {
	return c.m.get(ctx, origin, func(ctx context.Context) (RobotsRecord, time.Duration, error) { return fetch(ctx) })
}

// robotsRules are a parsed robots.txt as it applies to our user agent.
type robotsRules struct {
	size   int64            // the body's length, a proxy for the rules' memory
	status int              // the record's
	group  *robotstxt.Group // nil: everything is allowed
	delay  time.Duration    // the group's Crawl-delay
}

// parseRobots returns the rules of rec for agent. A file that does not
// parse even once its bad lines are dropped allows everything, as an empty
// one does.
func parseRobots(rec RobotsRecord, agent string) *robotsRules {
	r := &robotsRules{status: rec.Status, size: int64(len(rec.Body))}
	if rec.Status < 200 || rec.Status > 299 {
		return r
	}
	data, err := robotstxt.FromBytes(rec.Body)
	if err != nil {
		data, err = robotstxt.FromBytes(sanitizeRobots(rec.Body))
	}
	if err != nil {
		return r
	}
	r.group = data.FindGroup(agent)
	r.delay = r.group.CrawlDelay
	return r
}

// sanitizeRobots drops the lines robotstxt refuses to parse at all: rules
// before any User-agent line and Crawl-delay values that are not numbers.
// Crawlers ignore such lines (RFC 9309, section 2.2).
func sanitizeRobots(body []byte) []byte {
	var out bytes.Buffer
	agent := false
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), maxRobotsBytes+1)
	for sc.Scan() {
		line := sc.Text()
		key, val, _ := strings.Cut(strings.SplitN(line, "#", 2)[0], ":")
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		switch key {
		case "user-agent", "useragent":
			agent = true
		case "allow", "disallow":
			if !agent {
				continue
			}
		case "crawl-delay", "crawldelay":
			if d, err := strconv.ParseFloat(val, 64); !agent || err != nil || d < 0 || math.IsInf(d, 0) {
				continue
			}
		}
		out.WriteString(line)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// allows reports whether the rules let us fetch u.
func (r *robotsRules) allows(u *url.URL) bool {
	if !availableStatus(r.status) {
		return false
	}
	if r.group == nil {
		return true
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return r.group.Test(path)
}

// CheckRobots reports whether robots.txt lets the fetcher fetch rawURL, and
// the Crawl-delay the site asks of it (0 when none). The host's robots.txt
// is fetched on first use and shared through Options.Robots. Errors wrap
// ErrRobots (disallowed: a skip), ErrRobotsUnavailable (robots.txt could
// not be fetched), ErrRobotsCache or the context's error. With
// IgnoreRobots it allows everything with no delay.
func (f *Fetcher) CheckRobots(ctx context.Context, rawURL string) (time.Duration, error) {
	if f.opts.IgnoreRobots {
		return 0, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, fmt.Errorf("fetch %s: not an absolute http(s) url", rawURL)
	}
	origin := strings.ToLower(u.Scheme + "://" + u.Host)
	rules, err := f.rules.get(ctx, origin, func(ctx context.Context) (*robotsRules, time.Duration, error) {
		return f.loadRules(ctx, origin)
	})
	switch {
	case err != nil && ctx.Err() != nil:
		return 0, fmt.Errorf("fetch %s: %w", rawURL, ctx.Err())
	case err != nil:
		return 0, fmt.Errorf("fetch %s: %w", rawURL, err)
	case !availableStatus(rules.status):
		reason := "unreachable"
		if rules.status != 0 {
			reason = fmt.Sprintf("status %d", rules.status)
		}
		return 0, fmt.Errorf("fetch %s: %w (%s)", rawURL, ErrRobotsUnavailable, reason)
	case !rules.allows(u):
		return 0, fmt.Errorf("fetch %s: %w (%w)", rawURL, ErrRobots, colly.ErrRobotsTxtBlocked)
	}
	return rules.delay, nil
}

// loadRules gets origin's record from the cache, fetching it on a miss,
// and parses it.
func (f *Fetcher) loadRules(ctx context.Context, origin string) (*robotsRules, time.Duration, error) {
	rec, err := f.opts.Robots.Robots(ctx, origin, func(ctx context.Context) (RobotsRecord, time.Duration, error) {
		return f.fetchRobots(ctx, origin)
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, fmt.Errorf("%w: %w", ErrRobotsCache, err)
	}
	return parseRobots(rec, f.opts.UserAgent), min(localRobotsTTL, f.robotsTTL(rec)), nil
}

// robotsTTL is how long rec holds.
func (f *Fetcher) robotsTTL(rec RobotsRecord) time.Duration {
	if rec.available() {
		return f.opts.RobotsTTL
	}
	return f.opts.RobotsRetry
}

// fetchRobots fetches origin's robots.txt through the robots collector:
// same client, timeout and redirect rules as pages, body cut at 500 KiB.
func (f *Fetcher) fetchRobots(ctx context.Context, origin string) (RobotsRecord, time.Duration, error) {
	cl := &call{robots: true, maxBytes: maxRobotsBytes}
	err := f.do(ctx, f.robotsC, origin+"/robots.txt", cl, "text/plain,*/*;q=0.1")
	var rec RobotsRecord
	switch {
	case ctx.Err() != nil:
		return rec, 0, ctx.Err()
	case err == nil:
		rec = RobotsRecord{Status: cl.status}
		if cl.status >= 200 && cl.status <= 299 {
			rec.Body = cl.body
		}
	case errors.Is(err, ErrTooManyRedirects):
		rec.Status = http.StatusFound // RFC 9309 2.3.1.2: may be taken as unavailable
	case errors.Is(err, ErrEncoding):
		rec.Status = cl.status // an undecodable file reads as an empty one
	}
	return rec, f.robotsTTL(rec), nil
}
