package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Crawl settings resolve as flag > ATTRIB_* env > config file > default.
func TestCrawlOptionPrecedence(t *testing.T) {
	cfgFile := filepath.Join(t.TempDir(), "attrib.yaml")
	if err := os.WriteFile(cfgFile, []byte("crawl:\n  depth: 7\n  rate: 1.5\n  scope: domain\n  timeout: 3s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ATTRIB_CONFIG", cfgFile)
	t.Setenv("ATTRIB_CRAWL_RATE", "2.5")
	t.Setenv("ATTRIB_CRAWL_SCOPE", "prefix")

	g := &globalOptions{stdout: io.Discard, stderr: io.Discard}
	root := newRootCommand(g)
	cmd, args, err := root.Find([]string{"crawl", "--scope", "any", "http://127.0.0.1/"})
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	if err := g.resolve(cmd); err != nil {
		t.Fatal(err)
	}
	var o crawlOptions
	if o.scope, err = cmd.Flags().GetString("scope"); err != nil {
		t.Fatal(err)
	}
	opts, err := crawlerOptions(o, g, cmd.Flags(), []string{"http://127.0.0.1/"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"file over default", opts.MaxDepth, 7},
		{"env over file", opts.Rate, 2.5},
		{"flag over env", opts.Scope.String(), "any"},
		{"file duration", opts.Timeout, 3 * time.Second},
		{"default", opts.MaxRedirects, 10},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
