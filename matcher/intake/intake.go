package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
)

// Page is one crawled document as a matcher needs it.
type Page struct {
	Scan    string               `json:"scan"`
	URL     string               `json:"url"`
	SHA256  string               `json:"sha256,omitempty"`
	Text    string               `json:"text,omitempty"`
	Signals []store.OptOutSignal `json:"signals,omitempty"`
	Images  []Image              `json:"images,omitempty"`
}

// Image is one fetched image of a page with its encoded fingerprint
// (imagefp.Encode).
type Image struct {
	URL    string `json:"url"`
	Hashes []byte `json:"hashes"`
	// Signals are the image's opt-out signals, the page's included.
	Signals []store.OptOutSignal `json:"signals,omitempty"`
}

// Delivery is a leased page. Ack it once its matches are stored.
type Delivery struct {
	Page       Page
	ID         string // stream entry ID
	Deliveries int64  // how often it was handed out, this time included
}

// Options configure a Queue. Zero fields take the defaults.
type Options struct {
	Namespace     string        // key prefix; "" = "attrib"
	Consumer      string        // this process's consumer name; "" = host-pid
	Visibility    time.Duration // lease after which another matcher reclaims an entry (default 2m)
	MaxDeliveries int64         // deliveries before an entry is dead-lettered (default 5)
	MaxBacklog    int64         // Send waits while a scan has this many unmatched pages (default 10000)
	MaxPageBytes  int           // Send refuses larger encoded pages (default 8 MiB)
	Block         time.Duration // how long Receive blocks on an idle stream (default 500ms)
}

// Defaults for Options.
const (
	DefaultVisibility    = 2 * time.Minute
	DefaultMaxDeliveries = 5
	DefaultMaxBacklog    = 10_000
	DefaultMaxPageBytes  = 8 << 20
	DefaultBlock         = 500 * time.Millisecond
	deadCap              = 10_000 // dead letters kept per scan
	group                = "matchers"
)

// ErrTooLarge is returned by Send for a page over Options.MaxPageBytes.
var ErrTooLarge = errors.New("page too large for the intake stream")

// Queue is the intake of one namespace. It is safe for concurrent use.
type Queue struct {
	c    redis.UniversalClient
	opts Options
}

// New returns the intake queue of a namespace on c.
func New(c redis.UniversalClient, o Options) *Queue {
	if o.Namespace == "" {
		o.Namespace = "attrib"
	}
	if o.Consumer == "" {
		host, _ := os.Hostname()
		o.Consumer = host + "-" + strconv.Itoa(os.Getpid())
	}
	o.Visibility = cmpOr(o.Visibility, DefaultVisibility)
	o.MaxDeliveries = cmpOr(o.MaxDeliveries, DefaultMaxDeliveries)
	o.MaxBacklog = cmpOr(o.MaxBacklog, DefaultMaxBacklog)
	o.MaxPageBytes = cmpOr(o.MaxPageBytes, DefaultMaxPageBytes)
	o.Block = cmpOr(o.Block, DefaultBlock)
	return &Queue{c: c, opts: o}
}

func cmpOr[T int | int64 | time.Duration](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}

// Options returns the options in effect.
func (q *Queue) Options() Options { return q.opts }

func (q *Queue) stream(scan string) string { return q.opts.Namespace + ":in:{" + scan + "}" }
func (q *Queue) dead(scan string) string   { return q.stream(scan) + ":dead" }

// ensureGroup creates the matchers' group on a scan's stream (and the
// stream) if needed.
func (q *Queue) ensureGroup(ctx context.Context, scan string) error {
	err := q.c.XGroupCreateMkStream(ctx, q.stream(scan), group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("intake: create group on %s: %w", q.stream(scan), err)
	}
	return nil
}

// Send appends p to its scan's stream. While the scan has MaxBacklog pages
// not yet matched it waits (polling), so stalled matchers throttle workers
// instead of filling Redis.
func (q *Queue) Send(ctx context.Context, p Page) error {
	if p.Scan == "" || p.URL == "" {
		return errors.New("intake: page needs a scan and a URL")
	}
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("intake: encode %s: %w", p.URL, err)
	}
	if len(data) > q.opts.MaxPageBytes {
		return fmt.Errorf("%w: %s is %d bytes (limit %d)", ErrTooLarge, p.URL, len(data), q.opts.MaxPageBytes)
	}
	if err := q.waitBacklog(ctx, p.Scan); err != nil {
		return err
	}
	if err := q.c.XAdd(ctx, &redis.XAddArgs{Stream: q.stream(p.Scan), Values: []any{"p", data}}).Err(); err != nil {
		return fmt.Errorf("intake: send %s: %w", p.URL, err)
	}
	return nil
}

func (q *Queue) waitBacklog(ctx context.Context, scan string) error {
	wait := 50 * time.Millisecond
	for {
		n, err := q.c.XLen(ctx, q.stream(scan)).Result()
		if err != nil {
			return fmt.Errorf("intake: backlog of %s: %w", scan, err)
		}
		if n < q.opts.MaxBacklog {
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// Backlog returns how many pages of a scan wait to be matched, leased ones
// included; 0 means every page sent was matched.
func (q *Queue) Backlog(ctx context.Context, scan string) (int64, error) {
	n, err := q.c.XLen(ctx, q.stream(scan)).Result()
	if err != nil {
		return 0, fmt.Errorf("intake: backlog of %s: %w", scan, err)
	}
	return n, nil
}

// Dead returns how many pages of a scan were dead-lettered.
func (q *Queue) Dead(ctx context.Context, scan string) (int64, error) {
	n, err := q.c.XLen(ctx, q.dead(scan)).Result()
	if err != nil {
		return 0, fmt.Errorf("intake: dead letters of %s: %w", scan, err)
	}
	return n, nil
}

// Receive leases up to max pages of the given scans: entries other
// matchers leased longer than the visibility timeout first, then new ones.
// It blocks up to Options.Block when there is nothing, and returns an empty
// slice then. Entries that cannot be decoded or were delivered too often
// are moved to the dead-letter stream and not returned.
func (q *Queue) Receive(ctx context.Context, scans []string, max int) ([]Delivery, error) {
	if max <= 0 {
		max = 16
	}
	var out []Delivery
	for _, s := range scans {
		if err := q.ensureGroup(ctx, s); err != nil {
			return out, err
		}
		ds, err := q.reclaim(ctx, s, max-len(out))
		out = append(out, ds...)
		if err != nil {
			return out, err
		}
		if len(out) >= max {
			return out, nil
		}
	}
	for i, s := range scans {
		block := time.Duration(-1) // no BLOCK argument
		if i == len(scans)-1 && len(out) == 0 {
			block = q.opts.Block
		}
		ds, err := q.readNew(ctx, s, max-len(out), block)
		out = append(out, ds...)
		if err != nil || len(out) >= max {
			return out, err
		}
	}
	if len(scans) == 0 {
		t := time.NewTimer(q.opts.Block)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	return out, nil
}

// readNew reads entries never delivered before.
func (q *Queue) readNew(ctx context.Context, scan string, n int, block time.Duration) ([]Delivery, error) {
	res, err := q.c.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: group, Consumer: q.opts.Consumer, Streams: []string{q.stream(scan), ">"}, Count: int64(n), Block: block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("intake: read %s: %w", scan, err)
	}
	var out []Delivery
	for _, st := range res {
		for _, m := range st.Messages {
			if d, ok := q.decode(ctx, scan, m, 1); ok {
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// reclaim claims entries idle past the visibility timeout, dead-lettering
// those delivered MaxDeliveries times already.
func (q *Queue) reclaim(ctx context.Context, scan string, n int) ([]Delivery, error) {
	if n <= 0 {
		return nil, nil
	}
	pend, err := q.c.XPendingExt(ctx, &redis.XPendingExtArgs{
		Stream: q.stream(scan), Group: group, Idle: q.opts.Visibility, Start: "-", End: "+", Count: int64(n),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("intake: pending of %s: %w", scan, err)
	}
	var out []Delivery
	for _, p := range pend {
		msgs, err := q.c.XClaim(ctx, &redis.XClaimArgs{
			Stream: q.stream(scan), Group: group, Consumer: q.opts.Consumer, MinIdle: q.opts.Visibility, Messages: []string{p.ID},
		}).Result()
		if err != nil {
			return out, fmt.Errorf("intake: claim %s of %s: %w", p.ID, scan, err)
		}
		for _, m := range msgs { // empty when another matcher claimed it first
			if p.RetryCount >= q.opts.MaxDeliveries {
				q.deadLetter(ctx, scan, m, fmt.Sprintf("delivered %d times without being matched", p.RetryCount))
				continue
			}
			if d, ok := q.decode(ctx, scan, m, p.RetryCount+1); ok {
				out = append(out, d)
			}
		}
	}
	return out, nil
}

func (q *Queue) decode(ctx context.Context, scan string, m redis.XMessage, deliveries int64) (Delivery, bool) {
	raw, _ := m.Values["p"].(string)
	var p Page
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		q.deadLetter(ctx, scan, m, "undecodable entry: "+err.Error())
		return Delivery{}, false
	}
	return Delivery{Page: p, ID: m.ID, Deliveries: deliveries}, true
}

// deadLetter moves an entry to the dead-letter stream.
func (q *Queue) deadLetter(ctx context.Context, scan string, m redis.XMessage, reason string) {
	raw, _ := m.Values["p"].(string)
	var p Page
	_ = json.Unmarshal([]byte(raw), &p)
	// On error the entry stays pending and is dead-lettered at a later reclaim.
	_, _ = q.c.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: q.dead(scan), MaxLen: deadCap, Approx: true,
			Values: []any{"url", p.URL, "id", m.ID, "reason", reason, "at", time.Now().UTC().Format(time.RFC3339)}})
		pipe.XAck(ctx, q.stream(scan), group, m.ID)
		pipe.XDel(ctx, q.stream(scan), m.ID)
		return nil
	})
}

// Ack acknowledges and deletes delivered entries of one scan.
func (q *Queue) Ack(ctx context.Context, scan string, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := q.c.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.XAck(ctx, q.stream(scan), group, ids...)
		pipe.XDel(ctx, q.stream(scan), ids...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("intake: ack %d pages of %s: %w", len(ids), scan, err)
	}
	return nil
}

// Delete removes a scan's intake keys.
func (q *Queue) Delete(ctx context.Context, scan string) error {
	if err := q.c.Del(ctx, q.stream(scan), q.dead(scan)).Err(); err != nil {
		return fmt.Errorf("intake: delete %s: %w", scan, err)
	}
	return nil
}
