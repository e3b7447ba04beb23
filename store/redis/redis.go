package redis

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
)

var _ store.Store = (*Store)(nil)

// DefaultNamespace is the key prefix used when Open is given "".
const DefaultNamespace = "attrib"

// formatVersion is the key layout this package writes, recorded in the
// namespace's format key; Open refuses a namespace written in another one.
const formatVersion = "1"

// ErrFormat: the namespace holds data in a key layout this binary does not
// know (written by a newer or older attrib).
var ErrFormat = errors.New("unknown store format")

// Store is a store.Store on Redis (one server or a Redis Cluster). It is safe
// for concurrent use by multiple goroutines and by many processes sharing
// one namespace.
type Store struct {
	c      goredis.UniversalClient
	owned  bool // Close closes c
	k      keys
	now    func() time.Time
	closed atomic.Bool
}

type config struct {
	now func() time.Time
}

// Option configures Open and OpenURL.
type Option func(*config)

// WithClock replaces time.Now for creation times and default scan start
// times (tests).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// Open returns a store on c whose keys all start with namespace + ":"
// ("attrib" when empty). The store does not own c: Close leaves it open. ctx
// bounds only the checks Open makes (the server answers; the namespace is in
// this package's format, recorded on first use).
func Open(ctx context.Context, c goredis.UniversalClient, namespace string, opts ...Option) (*Store, error) {
	s, err := open(ctx, c, namespace, opts)
	if err != nil {
		return nil, fmt.Errorf("open redis store %q: %w", namespace, err)
	}
	return s, nil
}

func open(ctx context.Context, c goredis.UniversalClient, ns string, opts []Option) (*Store, error) {
	cfg := config{now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	ns, err := resolveNamespace(ns)
	if err != nil {
		return nil, err
	}
	s := &Store{c: c, k: keys{ns: ns}, now: cfg.now}
	if err := s.checkFormat(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// checkFormat records formatVersion in a new namespace and checks it in an
// existing one.
func (s *Store) checkFormat(ctx context.Context) error {
	key := s.k.format()
	if err := s.c.SetNX(ctx, key, formatVersion, 0).Err(); err != nil {
		return err
	}
	got, err := s.c.Get(ctx, key).Result()
	if err != nil {
		return err
	}
	if got != formatVersion {
		return fmt.Errorf("%w: namespace has format %q, this binary writes %q", ErrFormat, got, formatVersion)
	}
	return nil
}

// OpenURL connects to the Redis named by rawURL and opens a store on it,
// which owns the connection. Forms:
//
//	redis://[user:password@]host:6379/0       one server, database 0
//	rediss://...                              the same over TLS
//	redis://h1:7000?addr=h2:7001&addr=h3:7002 a Redis Cluster, from seed addresses
//	redis://h1:7000?cluster=true              a Redis Cluster from one seed
//
// plus go-redis's query options (dial_timeout=3s, pool_size=20, ...).
func OpenURL(ctx context.Context, rawURL, namespace string, opts ...Option) (*Store, error) {
	c, err := NewClient(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open redis store: %w", err)
	}
	s, err := Open(ctx, c, namespace, opts...)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("%s: %w", redactURL(rawURL), err)
	}
	s.owned = true
	return s, nil
}

// NewClient returns a client for a URL of the forms OpenURL accepts; the
// caller closes it.
func NewClient(rawURL string) (goredis.UniversalClient, error) {
	single, cluster, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if cluster != nil {
		return goredis.NewClusterClient(cluster), nil
	}
	return goredis.NewClient(single), nil
}

// parseURL returns the options of one server or of a cluster (exactly one
// is non-nil). A URL is a cluster's when it has an "addr" parameter or
// cluster=true; a cluster has only database 0.
func parseURL(rawURL string) (*goredis.Options, *goredis.ClusterOptions, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, fmt.Errorf("redis url: %w", err)
	}
	q := u.Query()
	isCluster := q.Has("addr")
	if q.Has("cluster") {
		v, err := strconv.ParseBool(q.Get("cluster"))
		if err != nil {
			return nil, nil, fmt.Errorf("redis url %s: cluster=%q is not a boolean", redactURL(rawURL), q.Get("cluster"))
		}
		isCluster = isCluster || v
		q.Del("cluster")
		u.RawQuery = q.Encode()
	}
	if !isCluster {
		o, err := goredis.ParseURL(u.String())
		if err != nil {
			return nil, nil, fmt.Errorf("redis url %s: %w", redactURL(rawURL), err)
		}
		return o, nil, nil
	}
	if db := strings.Trim(u.Path, "/"); db != "" && db != "0" {
		return nil, nil, fmt.Errorf("redis url %s: a cluster has only database 0, not %q", redactURL(rawURL), db)
	}
	u.Path = ""
	o, err := goredis.ParseClusterURL(u.String())
	if err != nil {
		return nil, nil, fmt.Errorf("redis url %s: %w", redactURL(rawURL), err)
	}
	return nil, o, nil
}

// redactURL hides a password in rawURL for error messages.
func redactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable url)"
	}
	return u.Redacted()
}

// Close marks the store closed and closes the client if the store opened it
// (OpenURL). Calls after the first return nil; every other method then fails
// with store.ErrClosed.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	if s.owned {
		if err := s.c.Close(); err != nil {
			return fmt.Errorf("close redis store: %w", err)
		}
	}
	return nil
}

// check fails fast on a closed store or a done context.
func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

// fail wraps err with op, replacing client errors caused by a done context
// or a concurrent Close with ctx.Err() or store.ErrClosed.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	switch {
	case ctx.Err() != nil && !errors.Is(err, ctx.Err()):
		err = ctx.Err()
	case s.closed.Load() && !errors.Is(err, store.ErrClosed):
		err = store.ErrClosed
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Namespace returns the namespace the store's keys start with.
func (s *Store) Namespace() string { return s.k.ns }
