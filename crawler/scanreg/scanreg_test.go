package scanreg

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/redistest"
)

func TestRegistry(t *testing.T) {
	ctx := context.Background()
	c, prefix := redistest.Client(t)
	r := New(c, strings.TrimSuffix(prefix, ":"))
	spec := Spec{Name: "nightly-1", Seeds: []string{"http://a.example/"}, Scope: "domain", Depth: 2, Rate: 1.5}
	if err := r.Create(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if err := r.Create(ctx, spec); !errors.Is(err, ErrExists) {
		t.Errorf("second create: %v, want ErrExists", err)
	}
	later := time.Now().Add(time.Hour)
	if err := r.Create(ctx, Spec{Name: "b", Seeds: []string{"http://b/"}, CreatedAt: later}); err != nil {
		t.Fatal(err)
	}
	got, err := r.Spec(ctx, "nightly-1")
	if err != nil || got.Scope != "domain" || got.Depth != 2 || got.Rate != 1.5 || got.CreatedAt.IsZero() || !slices.Equal(got.Seeds, spec.Seeds) {
		t.Errorf("spec %+v, %v", got, err)
	}
	if _, err := r.Spec(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown spec: %v", err)
	}
	if names, _ := r.Names(ctx); !slices.Equal(names, []string{"nightly-1", "b"}) {
		t.Errorf("names %v", names)
	}
	if err := r.Activate(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if act, _ := r.Active(ctx); !slices.Equal(act, []string{"b"}) {
		t.Errorf("active %v", act)
	}
	if err := r.Deactivate(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := r.IsActive(ctx, "b"); ok {
		t.Error("b still active")
	}
	for range 2 {
		if err := r.AddStats(ctx, "b", store.Stats{Pages: 3, Bytes: 100, Errors: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if st, err := r.Stats(ctx, "b"); err != nil || st != (store.Stats{Pages: 6, Bytes: 200, Errors: 2}) {
		t.Errorf("stats %+v, %v", st, err)
	}
	if err := r.Delete(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Spec(ctx, "b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted spec: %v", err)
	}
}

func TestValidName(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"nightly-2026-11-27", true}, {"a.b_c", true}, {"", false}, {"a b", false}, {"{tag}", false},
		{"a/b", false}, {strings.Repeat("x", 101), false}, {"é", false},
	} {
		if err := ValidName(tt.name); (err == nil) != tt.ok {
			t.Errorf("ValidName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
	c, prefix := redistest.Client(t)
	if err := New(c, prefix).Create(context.Background(), Spec{Name: "x", Seeds: nil}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("spec without seeds: %v", err)
	}
}
