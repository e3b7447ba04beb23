package redisfrontier

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/attrib/attrib/crawler/frontier"
)

func TestOpenChecksParameters(t *testing.T) {
	e := singleEnv(t, 0)
	scan := scanName(t)
	base := frontier.Options{MaxPages: 5, Seeds: []string{"http://example.com/"}}
	f := e.open(t, scan, Config{}, base)
	if f.Partitions() != 1 {
		t.Errorf("default partitions on one server: %d, want 1", f.Partitions())
	}
	tests := []struct {
		name    string
		cfg     Config
		opts    frontier.Options
		wantErr error
	}{
		{"same", Config{}, base, nil},
		{"stored partitions", Config{Partitions: 1}, base, nil},
		{"other partitions", Config{Partitions: 4}, base, ErrScanMismatch},
		{"other budget", Config{}, frontier.Options{MaxPages: 6}, ErrScanMismatch},
		{"other seen bound", Config{}, frontier.Options{MaxPages: 5, MaxSeen: 100}, ErrScanMismatch},
		{"recrawl on a once-only scan", Config{RecrawlAfter: time.Hour}, base, ErrScanMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := e.config()
			cfg.Partitions, cfg.RecrawlAfter = tt.cfg.Partitions, tt.cfg.RecrawlAfter
			tt.opts.Seeds = base.Seeds
			_, err := Open(context.Background(), cfg, scan, tt.opts)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("Open: %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestOpenRejectsBadConfig(t *testing.T) {
	e := singleEnv(t, 0)
	ok := e.config()
	tests := []struct {
		name string
		cfg  func(c Config) Config
		scan string
	}{
		{"nil client", func(c Config) Config { c.Client = nil; return c }, "s"},
		{"brace in namespace", func(c Config) Config { c.Namespace = "a{b"; return c }, "s"},
		{"bar in scan", func(c Config) Config { return c }, "a|b"},
		{"empty scan", func(c Config) Config { return c }, ""},
		{"negative visibility", func(c Config) Config { c.Visibility = -1; return c }, "s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Open(context.Background(), tt.cfg(ok), tt.scan, frontier.Options{}); err == nil {
				t.Error("Open accepted it")
			}
		})
	}
	if _, err := Open(context.Background(), ok, "s", frontier.Options{Seeds: []string{"ftp://x/"}}); err == nil {
		t.Error("Open accepted a bad seed")
	}
}

func TestOpenPrunesIdleConsumers(t *testing.T) {
	e := singleEnv(t, 0)
	scan := scanName(t)
	f := e.open(t, scan, Config{Consumer: "old"}, frontier.Options{})
	push(t, f, frontier.Job{URL: "http://example.com/"})
	pop(t, f) // "old" holds a lease: it must survive pruning
	ctx := context.Background()
	q := f.keys.parts[0].q
	if err := e.c.XGroupCreateConsumer(ctx, q, group, "idle").Err(); err != nil {
		t.Fatal(err)
	}
	g := e.open(t, scan, Config{Consumer: "new", Visibility: time.Millisecond}, frontier.Options{})
	eventually(t, "only the consumer with a lease is left", func() bool {
		if err := g.pruneConsumersIdle(ctx, 0); err != nil {
			t.Fatal(err)
		}
		cs, err := e.c.XInfoConsumers(ctx, q, group).Result()
		if err != nil {
			t.Fatal(err)
		}
		return len(cs) == 1 && cs[0].Name == "old"
	})
}
