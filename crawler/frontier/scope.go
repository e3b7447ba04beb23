package frontier

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Scope says which URLs a crawl may follow, relative to its seeds. The zero
// value is ScopeHost.
type Scope int

// Scopes, from narrowest to widest.
const (
	// ScopeHost admits URLs on the same host (and port) as a seed.
	ScopeHost Scope = iota
	// ScopeDomain admits URLs on the same registrable domain as a seed
	// (public suffix + 1, e.g. example.co.uk); IP and single-label hosts
	// such as localhost only match themselves, on any port.
	ScopeDomain
	// ScopePrefix admits URLs that start with a seed's URL up to and
	// including the last '/' of its path.
	ScopePrefix
	// ScopeAny admits every http(s) URL.
	ScopeAny
)

var scopeNames = [...]string{ScopeHost: "host", ScopeDomain: "domain", ScopePrefix: "prefix", ScopeAny: "any"}

// ErrScope is wrapped by the error ParseScope returns for an unknown name.
var ErrScope = errors.New("unknown scope")

// ParseScope returns the Scope named s: host, domain, prefix or any.
func ParseScope(s string) (Scope, error) {
	for i, n := range scopeNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Scope(i), nil
		}
	}
	return 0, fmt.Errorf("%w %q (valid: %s)", ErrScope, s, strings.Join(scopeNames[:], ", "))
}

// String returns the scope's name as ParseScope accepts it.
func (s Scope) String() string {
	if s < 0 || int(s) >= len(scopeNames) {
		return fmt.Sprintf("Scope(%d)", int(s))
	}
	return scopeNames[s]
}

// Reasons a Policy refuses a job; test with errors.Is.
var (
	ErrOutOfScope = errors.New("out of scope")
	ErrTooDeep    = errors.New("beyond max depth")
)

// Policy decides which jobs a frontier admits: the URL must canonicalise,
// be in scope of the seeds, and the depth must not exceed the maximum. It is
// immutable and safe for concurrent use; every Frontier implementation
// shares it.
type Policy struct {
	scope    Scope
	maxDepth int
	keys     map[string]bool // scope keys of the seeds (host, domain)
	prefixes []string        // ScopePrefix: seed URLs up to their last '/'
}

// NewPolicy builds the policy for seeds under scope, admitting depths 0
// (the seeds) to maxDepth.
func NewPolicy(scope Scope, seeds []string, maxDepth int) (*Policy, error) {
	if scope < ScopeHost || scope > ScopeAny {
		return nil, fmt.Errorf("%w: %d", ErrScope, int(scope))
	}
	if maxDepth < 0 {
		return nil, fmt.Errorf("max depth %d is negative", maxDepth)
	}
	p := &Policy{scope: scope, maxDepth: maxDepth, keys: map[string]bool{}}
	for _, s := range seeds {
		c, err := Canonical(s)
		if err != nil {
			return nil, fmt.Errorf("seed %q: %w", s, err)
		}
		u, _ := url.Parse(c) // canonical URLs parse
		p.keys[scopeKey(scope, u)] = true
		p.prefixes = append(p.prefixes, dirOf(c))
	}
	return p, nil
}

// MaxDepth returns the deepest depth the policy admits.
func (p *Policy) MaxDepth() int { return p.maxDepth }

// Admit returns j with its URL in canonical form, or an error wrapping
// ErrBadURL, ErrOutOfScope or ErrTooDeep.
func (p *Policy) Admit(j Job) (Job, error) {
	if j.Depth > p.maxDepth {
		return j, fmt.Errorf("%w: depth %d > %d", ErrTooDeep, j.Depth, p.maxDepth)
	}
	c, err := Canonical(j.URL)
	if err != nil {
		return j, err
	}
	j.URL = c
	if !p.InScope(c) {
		return j, fmt.Errorf("%w: %s", ErrOutOfScope, c)
	}
	return j, nil
}

// InScope reports whether the canonical URL c is in the policy's scope.
func (p *Policy) InScope(c string) bool {
	switch p.scope {
	case ScopeAny:
		return true
	case ScopePrefix:
		for _, pre := range p.prefixes {
			if strings.HasPrefix(c, pre) {
				return true
			}
		}
		return false
	}
	u, err := url.Parse(c)
	return err == nil && p.keys[scopeKey(p.scope, u)]
}

// scopeKey is what two URLs must share to be in the same host or domain.
func scopeKey(s Scope, u *url.URL) string {
	if s != ScopeDomain {
		return u.Host
	}
	h := u.Hostname()
	if net.ParseIP(h) != nil || !strings.Contains(h, ".") {
		return h
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(h)
	if err != nil {
		return h // h is itself a public suffix
	}
	return d
}

// dirOf returns a canonical URL without its query and up to and including
// the last '/' of its path.
func dirOf(c string) string {
	c, _, _ = strings.Cut(c, "?")
	return c[:strings.LastIndexByte(c, '/')+1]
}
