package frontier

import (
	"errors"
	"strings"
	"testing"
)

func TestParseScope(t *testing.T) {
	for _, name := range []string{"host", "domain", "prefix", "any", " Domain "} {
		s, err := ParseScope(name)
		if err != nil {
			t.Fatalf("ParseScope(%q): %v", name, err)
		}
		if !strings.EqualFold(s.String(), strings.TrimSpace(name)) {
			t.Errorf("ParseScope(%q).String() = %q", name, s)
		}
	}
	_, err := ParseScope("site")
	if !errors.Is(err, ErrScope) || !strings.Contains(err.Error(), "host, domain, prefix, any") {
		t.Errorf("ParseScope(site) error %v: want ErrScope listing the valid scopes", err)
	}
}

func TestPolicyInScope(t *testing.T) {
	seeds := []string{"http://www.example.co.uk/docs/index.html", "http://127.0.0.1:8080/a/b"}
	tests := []struct {
		url  string
		want map[Scope]bool // scopes that admit url
	}{
		{"http://www.example.co.uk/other", map[Scope]bool{ScopeHost: true, ScopeDomain: true, ScopeAny: true}},
		{"https://www.example.co.uk/docs/x", map[Scope]bool{ScopeHost: true, ScopeDomain: true, ScopeAny: true}},
		{"http://www.example.co.uk/docs/sub/page", map[Scope]bool{ScopeHost: true, ScopeDomain: true, ScopePrefix: true, ScopeAny: true}},
		{"http://img.example.co.uk/docs/x", map[Scope]bool{ScopeDomain: true, ScopeAny: true}},
		{"http://example.co.uk/", map[Scope]bool{ScopeDomain: true, ScopeAny: true}},
		{"http://other.co.uk/", map[Scope]bool{ScopeAny: true}},
		{"http://www.example.co.uk:8443/docs/x", map[Scope]bool{ScopeDomain: true, ScopeAny: true}},
		{"http://127.0.0.1:8080/a/c", map[Scope]bool{ScopeHost: true, ScopeDomain: true, ScopePrefix: true, ScopeAny: true}},
		{"http://127.0.0.1:9090/a/c", map[Scope]bool{ScopeDomain: true, ScopeAny: true}},
		{"http://127.0.0.2:8080/a/c", map[Scope]bool{ScopeAny: true}},
		{"http://127.0.0.1:8080/ab", map[Scope]bool{ScopeHost: true, ScopeDomain: true, ScopeAny: true}},
	}
	for _, scope := range []Scope{ScopeHost, ScopeDomain, ScopePrefix, ScopeAny} {
		p, err := NewPolicy(scope, seeds, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			c, err := Canonical(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.InScope(c); got != tt.want[scope] {
				t.Errorf("scope %s: InScope(%s) = %v, want %v", scope, tt.url, got, tt.want[scope])
			}
		}
	}
}

func TestPolicyAdmit(t *testing.T) {
	p, err := NewPolicy(ScopeHost, []string{"http://example.com/"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		job  Job
		want error
	}{
		{"seed", Job{URL: "http://EXAMPLE.com#top"}, nil},
		{"max depth", Job{URL: "http://example.com/a", Depth: 2}, nil},
		{"too deep", Job{URL: "http://example.com/a", Depth: 3}, ErrTooDeep},
		{"other host", Job{URL: "http://example.org/a"}, ErrOutOfScope},
		{"javascript", Job{URL: "javascript:void(0)"}, ErrBadURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := p.Admit(tt.job)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Admit(%+v) error %v, want %v", tt.job, err, tt.want)
			}
			if err == nil && !strings.HasPrefix(j.URL, "http://example.com/") {
				t.Errorf("admitted URL %q is not canonical", j.URL)
			}
		})
	}
}

func TestNewPolicyErrors(t *testing.T) {
	if _, err := NewPolicy(ScopeHost, []string{"mailto:x@example.com"}, 1); !errors.Is(err, ErrBadURL) {
		t.Errorf("bad seed: error %v, want ErrBadURL", err)
	}
	if _, err := NewPolicy(Scope(9), nil, 1); !errors.Is(err, ErrScope) {
		t.Errorf("bad scope: error %v, want ErrScope", err)
	}
	if _, err := NewPolicy(ScopeHost, nil, -1); err == nil {
		t.Error("negative depth: no error")
	}
}
