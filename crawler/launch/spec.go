package launch

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/attrib/attrib/crawler/audit"
	"github.com/attrib/attrib/crawler/frontier"
)

// ErrInvalid is wrapped by every error about a Spec or a schedule the
// caller got wrong (a 400, not a 500).
var ErrInvalid = errors.New("invalid scan")

// Scan kinds a Spec may name.
const (
	KindCrawl = "crawl"
	KindAudit = "audit"
)

// Bounds of a Spec: what one API call or schedule may ask for.
const (
	MaxTargets = 1000
	MaxDepth   = 50
)

// Spec says what scan to start: the body of POST /api/v1/scans, and what a
// schedule runs.
type Spec struct {
	Kind    string   `json:"kind"`    // "crawl" or "audit"
	Targets []string `json:"targets"` // seed URLs (crawl) or dataset paths (audit)
	Options Options  `json:"options"`
}

// Options are a scan's settings; zero values take the configured defaults.
type Options struct {
	Depth    int     `json:"depth,omitempty"`
	MaxPages int     `json:"max_pages,omitempty"`
	Scope    string  `json:"scope,omitempty"` // host, domain, prefix or any
	Rate     float64 `json:"rate,omitempty"`
	// Audit only: the dataset format (auto when empty).
	Format string `json:"format,omitempty"`
	// Full fetches every page in full: no conditional requests, no matches
	// carried forward from earlier scans (after changing match thresholds).
	Full bool `json:"full,omitempty"`
}

// DecodeOptions decodes a schedule's options, which the store keeps as
// JSON. Empty means the defaults; unknown fields are errors.
func DecodeOptions(b []byte) (Options, error) {
	var o Options
	if len(b) == 0 {
		return o, nil
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return o, fmt.Errorf("%w: options: %w", ErrInvalid, err)
	}
	return o, nil
}

// Normalize checks s and returns it with canonical targets: crawl seeds
// as frontier.Canonical writes them (http and https only), audit paths
// cleaned and absolute. Errors wrap ErrInvalid.
func (s Spec) Normalize() (Spec, error) {
	if len(s.Targets) == 0 || len(s.Targets) > MaxTargets {
		return s, invalid("a scan needs 1 to %d targets, got %d", MaxTargets, len(s.Targets))
	}
	if err := s.Options.check(s.Kind); err != nil {
		return s, err
	}
	out := s
	out.Targets = make([]string, len(s.Targets))
	for i, t := range s.Targets {
		var err error
		switch s.Kind {
		case KindCrawl:
			out.Targets[i], err = seedURL(t)
		case KindAudit:
			out.Targets[i], err = datasetPath(t)
		default:
			return s, invalid("scan kind %q: want %q or %q", s.Kind, KindCrawl, KindAudit)
		}
		if err != nil {
			return s, err
		}
	}
	return out, nil
}

func (o Options) check(kind string) error {
	switch {
	case o.Depth < 0 || o.Depth > MaxDepth:
		return invalid("depth %d: want 0 to %d", o.Depth, MaxDepth)
	case o.MaxPages < 0:
		return invalid("max_pages %d is negative", o.MaxPages)
	case o.Rate < 0 || math.IsNaN(o.Rate) || math.IsInf(o.Rate, 0):
		return invalid("rate %v: want a finite number ≥ 0", o.Rate)
	case kind == KindAudit && o.Format != "" && !slices.Contains(audit.Formats, o.Format):
		return invalid("format %q: want one of %s", o.Format, strings.Join(audit.Formats, ", "))
	case kind == KindCrawl && o.Format != "":
		return invalid("format applies to audits only")
	}
	if o.Scope != "" {
		if _, err := frontier.ParseScope(o.Scope); err != nil {
			return invalid("%v", err)
		}
	}
	return nil
}

func seedURL(raw string) (string, error) {
	u, err := frontier.Canonical(raw)
	if err != nil {
		return "", invalid("seed %q: %v", raw, err)
	}
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return "", invalid("seed %q: only http and https URLs are crawled", raw)
	}
	return u, nil
}

func datasetPath(p string) (string, error) {
	if strings.TrimSpace(p) == "" || strings.ContainsRune(p, 0) {
		return "", invalid("dataset path %q is empty or malformed", p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", invalid("dataset path %q: %v", p, err)
	}
	return abs, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
