package redisfrontier

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/crawler/frontier"
)

// Defaults for Config and for the bounds of frontier.Options.
const (
	DefaultNamespace      = "attrib"
	DefaultVisibility     = 5 * time.Minute
	DefaultMaxAttempts    = 5
	DefaultRetryBackoff   = 10 * time.Second
	DefaultMaxBackoff     = 10 * time.Minute
	DefaultPollInterval   = time.Second
	DefaultMaxDeadLetters = 100_000
	// DefaultMaxQueued bounds the jobs one partition holds (queued, leased
	// or waiting for a retry): about 160 MB at ~150 bytes per job.
	DefaultMaxQueued = 1 << 20
	// DefaultMaxSeen bounds the URLs one partition remembers: about 80 MB
	// at ~4.7 bytes per URL.
	DefaultMaxSeen = 1 << 24
)

// Seen buckets are sized so that a full partition holds this many URLs per
// bucket on average: below Redis's default set-max-intset-entries (512)
// and hash-max-listpack-entries (128) by more than 5 standard deviations
// of the (Poisson) bucket fill, so buckets keep their compact encoding.
const (
	setFill  = 400 // intset of 32-bit members, 4 bytes each
	hashFill = 80  // listpack hash of member -> admission time (recrawl)
)

// layout is the version of the key layout new scans get, stored in their
// meta hash as "v". Version 1 kept whole 64-bit hashes in the seen
// buckets; version 2 keeps 32 bits and lets the bucket number carry the
// rest. Scans of both versions are read and written in their own layout.
const layout = 2

// ErrLayout is wrapped by Open's error (and Counts', DeadLetters',
// Drained's and Delete's) for a scan whose key layout this version does
// not know: it was created by a newer attrib.
var ErrLayout = errors.New("unknown scan key layout")

// ackTimeout bounds Done, Fail and Release, which do not stop when their
// context is cancelled: acknowledging finished work is always right.
const ackTimeout = 5 * time.Second

// consumerIdle is how long a consumer without leases stays in a scan's
// consumer groups after its last read (see pruneConsumers).
const consumerIdle = time.Hour

// ErrScanMismatch is wrapped by Open's error when the scan exists with
// other parameters (partitions, bounds, page budget or recrawl mode).
var ErrScanMismatch = errors.New("scan exists with other parameters")

// ErrNoScan is returned by Counts and DeadLetters for a scan that has no
// keys.
var ErrNoScan = errors.New("no such scan")

// Config configures the frontier of one process. Zero fields take the
// defaults above.
type Config struct {
	Client    redis.UniversalClient // a Client, a ClusterClient or a failover client
	Namespace string                // key prefix; "" = "attrib"
	// Consumer names this process in the scan's consumer groups; unique
	// per process ("" = hostname-pid-random).
	Consumer string
	// Visibility is how long a leased job may stay unacknowledged before
	// another consumer reclaims it (XAUTOCLAIM).
	Visibility time.Duration
	// MaxAttempts is how many deliveries (failed ones, and leases that
	// expired) a job gets before it goes to the dead-letter stream.
	MaxAttempts int
	// RecrawlAfter 0 crawls a URL once per scan; > 0 lets a URL admitted
	// at least this long ago (whole seconds, rounded up) be admitted again.
	// Whether it is 0 is fixed when the scan is created.
	RecrawlAfter time.Duration
	// Partitions splits the scan by host hash, each partition with its own
	// stream, seen buckets and counters under its own hash tag. 0 takes the
	// scan's stored value, or for a new scan 1 on a single Redis and 4 per
	// master on a Cluster. Fixed when the scan is created.
	Partitions int

	// RetryBackoff is the delay before the first retry after Fail; it
	// doubles with every delivery, up to MaxBackoff, with ±25 % jitter.
	RetryBackoff time.Duration
	MaxBackoff   time.Duration
	// PollInterval is the longest Pop blocks in one XREADGROUP BLOCK
	// before it checks for retries, expired leases and the end of the scan.
	PollInterval time.Duration
	// MaxDeadLetters bounds each partition's dead-letter stream (trimmed
	// approximately, oldest first); Counts().Dead counts every one.
	MaxDeadLetters int
}

// withDefaults validates c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	if c.Client == nil {
		return c, errors.New("redis frontier: nil client")
	}
	if c.Visibility < 0 || c.MaxAttempts < 0 || c.RecrawlAfter < 0 || c.Partitions < 0 ||
		c.RetryBackoff < 0 || c.MaxBackoff < 0 || c.PollInterval < 0 || c.MaxDeadLetters < 0 {
		return c, errors.New("redis frontier: negative config value")
	}
	c.Namespace = or(c.Namespace, DefaultNamespace)
	if c.Consumer == "" {
		c.Consumer = defaultConsumer()
	}
	c.Visibility = or(c.Visibility, DefaultVisibility)
	c.MaxAttempts = or(c.MaxAttempts, DefaultMaxAttempts)
	c.RetryBackoff = or(c.RetryBackoff, DefaultRetryBackoff)
	c.MaxBackoff = max(or(c.MaxBackoff, DefaultMaxBackoff), c.RetryBackoff)
	c.PollInterval = max(or(c.PollInterval, DefaultPollInterval), time.Millisecond)
	c.MaxDeadLetters = or(c.MaxDeadLetters, DefaultMaxDeadLetters)
	if c.Visibility < time.Millisecond {
		return c, errors.New("redis frontier: visibility under 1ms")
	}
	return c, checkName("namespace", c.Namespace)
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// defaultConsumer returns hostname-pid-random.
func defaultConsumer() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Frontier is the frontier of one scan on Redis Streams, shared by every
// process that opens the scan. It implements frontier.Frontier; all
// methods are safe for concurrent use. See the package documentation for
// its delivery guarantees and keys.
type Frontier struct {
	c      redis.UniversalClient
	cfg    Config
	scan   string
	policy *frontier.Policy
	keys   scanKeys
	hash   hasher
	p      params
	// recrawl is RecrawlAfter in whole seconds (0: never).
	recrawl int64

	next atomic.Uint64 // partition the next Pop sweep starts at
	wait atomic.Uint64 // partition the next blocking read waits on
	// maintainAt holds, per partition, when (unix ns) this process next
	// runs the lease script before reading (see Frontier.lease).
	maintainAt []atomic.Int64

	mu     sync.Mutex          // guards the fields below
	stats  frontier.Stats      // this process's counters
	leases map[string]struct{} // leases handed out by Pop and not settled
}

var _ frontier.Frontier = (*Frontier)(nil)

// Open returns the frontier of one scan, creating the scan's keys on first
// use. opts gives the admission policy exactly as frontier.NewMemory
// (scope, seeds, depth, page budget); every process of a scan must pass
// the same. MaxQueued and MaxSeen bound each partition (0: DefaultMaxQueued,
// DefaultMaxSeen); MaxPages bounds the whole scan.
func Open(ctx context.Context, cfg Config, scan string, opts frontier.Options) (*Frontier, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := checkName("scan name", scan); err != nil {
		return nil, err
	}
	policy, err := frontier.NewPolicy(opts.Scope, opts.Seeds, opts.MaxDepth)
	if err != nil {
		return nil, fmt.Errorf("redis frontier: %w", err)
	}
	want, err := wantParams(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	p, err := loadParams(ctx, cfg.Client, metaKey(cfg.Namespace, scan), want)
	if err != nil {
		return nil, err
	}
	if err := want.check(p, cfg.Partitions != 0); err != nil {
		return nil, fmt.Errorf("redis frontier: scan %q: %w", scan, err)
	}
	f := &Frontier{
		c: cfg.Client, cfg: cfg, scan: scan, policy: policy, p: p,
		keys:       newScanKeys(cfg.Namespace, scan, p.partitions),
		hash:       hasher{seed: p.seed, partitions: uint64(p.partitions), buckets: uint64(p.buckets), layout: p.layout},
		recrawl:    int64((cfg.RecrawlAfter + time.Second - 1) / time.Second),
		leases:     map[string]struct{}{},
		maintainAt: make([]atomic.Int64, p.partitions),
	}
	if err := f.createGroups(ctx); err != nil {
		return nil, err
	}
	if err := f.pruneConsumers(ctx); err != nil {
		return nil, err
	}
	return f, nil
}

// params are a scan's parameters, fixed when it is created.
type params struct {
	layout                       int // key layout version
	partitions, buckets          int
	recrawl                      bool
	maxPages, maxQueued, maxSeen int
	seed                         uint64
	epoch                        int64 // creation time, unix seconds
}

// wantParams returns the parameters cfg and opts ask for.
func wantParams(ctx context.Context, cfg Config, opts frontier.Options) (params, error) {
	if opts.MaxPages < 0 || opts.MaxQueued < 0 || opts.MaxSeen < 0 {
		return params{}, errors.New("redis frontier: frontier limits must not be negative")
	}
	p := params{
		layout: layout, partitions: cfg.Partitions, recrawl: cfg.RecrawlAfter > 0, maxPages: opts.MaxPages,
		maxQueued: or(opts.MaxQueued, DefaultMaxQueued), maxSeen: or(opts.MaxSeen, DefaultMaxSeen),
	}
	fill := setFill
	if p.recrawl {
		fill = hashFill
	}
	p.buckets = max(1, (p.maxSeen+fill-1)/fill)
	if p.buckets > maxBuckets {
		return p, fmt.Errorf("redis frontier: max seen %d over %d", p.maxSeen, fill*maxBuckets)
	}
	if p.partitions == 0 {
		n, err := defaultPartitions(ctx, cfg.Client)
		if err != nil {
			return p, err
		}
		p.partitions = n
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	p.seed = binary.LittleEndian.Uint64(b[:])
	return p, nil
}

// defaultPartitions is 1 on a single Redis and 4 per master on a Cluster,
// so every master holds a few partitions of a big scan.
func defaultPartitions(ctx context.Context, c redis.UniversalClient) (int, error) {
	cc, ok := c.(*redis.ClusterClient)
	if !ok {
		return 1, nil
	}
	var masters atomic.Int64
	err := cc.ForEachMaster(ctx, func(context.Context, *redis.Client) error {
		masters.Add(1)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("redis frontier: count cluster masters: %w", err)
	}
	return int(max(1, 4*masters.Load())), nil
}

// loadParams stores want as the scan's parameters unless the scan exists,
// and returns the stored ones.
func loadParams(ctx context.Context, c redis.UniversalClient, key string, want params) (params, error) {
	args := []any{
		"v", want.layout, "partitions", want.partitions, "buckets", want.buckets, "recrawl", boolInt(want.recrawl),
		"max_pages", want.maxPages, "max_queued", want.maxQueued, "max_seen", want.maxSeen,
		"seed", strconv.FormatUint(want.seed, 10),
	}
	raw, err := metaScript.Run(ctx, c, []string{key}, args...).StringSlice()
	if err != nil {
		return params{}, fmt.Errorf("redis frontier: open scan: %w", err)
	}
	m := map[string]string{}
	for i := 0; i+1 < len(raw); i += 2 {
		m[raw[i]] = raw[i+1]
	}
	return parseParams(m)
}

// parseParams reads a scan's stored parameters.
func parseParams(m map[string]string) (params, error) {
	var p params
	switch m["v"] {
	case "1":
		p.layout = 1
	case "2":
		p.layout = 2
	default:
		return params{}, fmt.Errorf("redis frontier: %w: version %q (this attrib knows 1 and 2; upgrade it, or delete the scan)",
			ErrLayout, m["v"])
	}
	var errs []error
	atoi := func(k string) int {
		n, err := strconv.Atoi(m[k])
		errs = append(errs, err)
		return n
	}
	p.partitions, p.buckets, p.recrawl = atoi("partitions"), atoi("buckets"), atoi("recrawl") == 1
	p.maxPages, p.maxQueued, p.maxSeen = atoi("max_pages"), atoi("max_queued"), atoi("max_seen")
	seed, err := strconv.ParseUint(m["seed"], 10, 64)
	epoch, err2 := strconv.ParseInt(m["created"], 10, 64)
	p.seed, p.epoch = seed, epoch
	if err := errors.Join(append(errs, err, err2)...); err != nil || p.partitions < 1 || p.buckets < 1 || p.buckets > maxBuckets {
		return params{}, fmt.Errorf("redis frontier: bad scan parameters %v: %w", m, err)
	}
	return p, nil
}

// check reports how the stored parameters differ from the wanted ones;
// the partition count counts only when it was asked for explicitly.
func (want params) check(got params, partitions bool) error {
	var diffs []string
	diff := func(name string, w, g any) {
		if w != g {
			diffs = append(diffs, fmt.Sprintf("%s %v (stored %v)", name, w, g))
		}
	}
	if partitions {
		diff("partitions", want.partitions, got.partitions)
	}
	diff("recrawl", want.recrawl, got.recrawl)
	diff("max pages", want.maxPages, got.maxPages)
	diff("max queued", want.maxQueued, got.maxQueued)
	diff("max seen", want.maxSeen, got.maxSeen)
	if len(diffs) > 0 {
		return fmt.Errorf("%w: %v", ErrScanMismatch, diffs)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// createGroups makes sure every partition's stream and consumer group
// exist.
func (f *Frontier) createGroups(ctx context.Context) error {
	for _, pk := range f.keys.parts {
		err := f.c.XGroupCreateMkStream(ctx, pk.q, group, "0").Err()
		if err != nil && !redis.HasErrorPrefix(err, "BUSYGROUP") {
			return fmt.Errorf("redis frontier: create consumer group: %w", err)
		}
	}
	return nil
}

// pruneConsumers deletes consumers that hold no lease and were idle for
// consumerIdle or 10 visibility timeouts, whichever is longer, so the
// consumer groups do not grow with every worker ever started.
func (f *Frontier) pruneConsumers(ctx context.Context) error {
	return f.pruneConsumersIdle(ctx, max(consumerIdle, 10*f.cfg.Visibility))
}

// pruneConsumersIdle deletes the consumers without leases idle longer
// than idle.
func (f *Frontier) pruneConsumersIdle(ctx context.Context, idle time.Duration) error {
	for _, pk := range f.keys.parts {
		cs, err := f.c.XInfoConsumers(ctx, pk.q, group).Result()
		if err != nil {
			return fmt.Errorf("redis frontier: list consumers: %w", err)
		}
		for _, c := range cs {
			if c.Pending > 0 || c.Idle <= idle || c.Name == f.cfg.Consumer {
				continue
			}
			// Checked again atomically: deleting a consumer drops its leases.
			if err := pruneScript.Run(ctx, f.c, []string{pk.q}, c.Name).Err(); err != nil {
				return fmt.Errorf("redis frontier: delete idle consumer: %w", err)
			}
		}
	}
	return nil
}

// Scan returns the scan's name.
func (f *Frontier) Scan() string { return f.scan }

// Consumer returns this process's consumer name.
func (f *Frontier) Consumer() string { return f.cfg.Consumer }

// Partitions returns how many partitions the scan has.
func (f *Frontier) Partitions() int { return f.p.partitions }

// Policy returns the policy the frontier admits jobs by.
func (f *Frontier) Policy() *frontier.Policy { return f.policy }

// Stats returns this process's view: the jobs it pushed and how they were
// admitted or refused, the jobs it leased and has not settled (InFlight),
// and the scan's queue length as last seen by Pop (Queued). Counts gives
// the scan-wide figures.
func (f *Frontier) Stats() frontier.Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.stats
	s.InFlight = len(f.leases)
	return s
}
