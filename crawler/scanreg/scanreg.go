package scanreg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
)

// Spec is what a worker needs to crawl a scan: the options `attrib
// enqueue` was given. Zero fields take the worker's own defaults.
type Spec struct {
	Name         string    `json:"name"`
	Seeds        []string  `json:"seeds"`
	Scope        string    `json:"scope"`
	Depth        int       `json:"depth"`
	MaxPages     int       `json:"max_pages"`
	Rate         float64   `json:"rate"`
	IgnoreRobots bool      `json:"ignore_robots,omitempty"`
	SkipImages   bool      `json:"skip_images,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// ErrExists is returned by Create for a scan name already used.
var ErrExists = errors.New("scan already exists")

// maxSeeds bounds a spec's seed list, and so its key.
const maxSeeds = 10_000

// Registry is the distributed scans of one namespace.
type Registry struct {
	c  redis.UniversalClient
	ns string
}

// New returns the registry of namespace ns ("" = "attrib") on c.
func New(c redis.UniversalClient, ns string) *Registry {
	if ns == "" {
		ns = "attrib"
	}
	return &Registry{c: c, ns: ns}
}

func (r *Registry) specKey(name string) string  { return r.ns + ":scan:{" + name + "}:spec" }
func (r *Registry) statsKey(name string) string { return r.ns + ":scan:{" + name + "}:stats" }
func (r *Registry) allKey() string              { return r.ns + ":scans" }
func (r *Registry) activeKey() string           { return r.ns + ":scans:active" }

// Create stores a new scan's spec, or fails with ErrExists.
func (r *Registry) Create(ctx context.Context, s Spec) error {
	if err := ValidName(s.Name); err != nil {
		return err
	}
	if len(s.Seeds) == 0 || len(s.Seeds) > maxSeeds {
		return fmt.Errorf("%w: scan %s has %d seeds (1..%d)", store.ErrInvalid, s.Name, len(s.Seeds), maxSeeds)
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = time.Now().UTC()
	}
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode scan spec %s: %w", s.Name, err)
	}
	ok, err := r.c.SetNX(ctx, r.specKey(s.Name), data, 0).Result()
	if err != nil {
		return fmt.Errorf("store scan spec %s: %w", s.Name, err)
	}
	if !ok {
		return fmt.Errorf("%w: %s", ErrExists, s.Name)
	}
	if err := r.c.ZAdd(ctx, r.allKey(), redis.Z{Score: float64(s.CreatedAt.UnixMilli()), Member: s.Name}).Err(); err != nil {
		return fmt.Errorf("list scan %s: %w", s.Name, err)
	}
	return nil
}

// Spec returns a scan's spec, or store.ErrNotFound.
func (r *Registry) Spec(ctx context.Context, name string) (Spec, error) {
	data, err := r.c.Get(ctx, r.specKey(name)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Spec{}, fmt.Errorf("scan %s: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return Spec{}, fmt.Errorf("read scan spec %s: %w", name, err)
	}
	var s Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return Spec{}, fmt.Errorf("decode scan spec %s: %w", name, err)
	}
	return s, nil
}

// Names lists every scan, oldest first.
func (r *Registry) Names(ctx context.Context) ([]string, error) {
	names, err := r.c.ZRange(ctx, r.allKey(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("list scans: %w", err)
	}
	return names, nil
}

// Activate marks a scan as being crawled.
func (r *Registry) Activate(ctx context.Context, name string) error {
	if err := r.c.SAdd(ctx, r.activeKey(), name).Err(); err != nil {
		return fmt.Errorf("activate scan %s: %w", name, err)
	}
	return nil
}

// Deactivate marks a scan as finished.
func (r *Registry) Deactivate(ctx context.Context, name string) error {
	if err := r.c.SRem(ctx, r.activeKey(), name).Err(); err != nil {
		return fmt.Errorf("deactivate scan %s: %w", name, err)
	}
	return nil
}

// Active lists the active scans.
func (r *Registry) Active(ctx context.Context) ([]string, error) {
	names, err := r.c.SMembers(ctx, r.activeKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("list active scans: %w", err)
	}
	return names, nil
}

// IsActive reports whether a scan is active.
func (r *Registry) IsActive(ctx context.Context, name string) (bool, error) {
	ok, err := r.c.SIsMember(ctx, r.activeKey(), name).Result()
	if err != nil {
		return false, fmt.Errorf("scan %s: %w", name, err)
	}
	return ok, nil
}

// AddStats adds a worker's counts to a scan's.
func (r *Registry) AddStats(ctx context.Context, name string, d store.Stats) error {
	if d == (store.Stats{}) {
		return nil
	}
	_, err := r.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		k := r.statsKey(name)
		for f, v := range statFields(&d) {
			if *v != 0 {
				p.HIncrBy(ctx, k, f, *v)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add stats of scan %s: %w", name, err)
	}
	return nil
}

// Stats returns a scan's counts so far.
func (r *Registry) Stats(ctx context.Context, name string) (store.Stats, error) {
	m, err := r.c.HGetAll(ctx, r.statsKey(name)).Result()
	if err != nil {
		return store.Stats{}, fmt.Errorf("stats of scan %s: %w", name, err)
	}
	var s store.Stats
	for f, v := range statFields(&s) {
		if raw, ok := m[f]; ok {
			fmt.Sscan(raw, v)
		}
	}
	return s, nil
}

func statFields(s *store.Stats) map[string]*int64 {
	return map[string]*int64{"pages": &s.Pages, "images": &s.Images, "records": &s.Records,
		"bytes": &s.Bytes, "errors": &s.Errors, "skipped": &s.Skipped}
}

// Delete removes every key of a scan from the registry.
func (r *Registry) Delete(ctx context.Context, name string) error {
	_, err := r.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, r.specKey(name))
		p.Del(ctx, r.statsKey(name))
		p.ZRem(ctx, r.allKey(), name)
		p.SRem(ctx, r.activeKey(), name)
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete scan %s: %w", name, err)
	}
	return nil
}

// maxNameLen bounds a scan name.
const maxNameLen = 100

// ValidName checks a scan name: 1-100 letters, digits, '.', '_' or '-' (it
// appears in keys, file names and URLs).
func ValidName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return fmt.Errorf("%w: scan name must be 1 to %d characters", store.ErrInvalid, maxNameLen)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			return fmt.Errorf("%w: scan name %q: only letters, digits, '.', '_' and '-' are allowed", store.ErrInvalid, name)
		}
	}
	return nil
}
