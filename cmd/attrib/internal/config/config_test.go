package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

func noEnv(string) (string, bool) { return "", false }

// Every file in configs/ must load; the example documents every default.
func TestConfigsLoad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "configs", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no configs found: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg, err := Load(f, noEnv)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if strings.HasSuffix(f, "attrib.example.yaml") && !reflect.DeepEqual(cfg, Default()) {
				t.Errorf("example config differs from defaults:\n got %+v\nwant %+v", cfg, Default())
			}
		})
	}
}

// The example must name every option, so a new option cannot go undocumented.
func TestExampleNamesEveryOption(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "configs", "attrib.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range EnvNames() {
		parts := strings.Split(strings.ToLower(strings.TrimPrefix(env, EnvPrefix)), "_")
		last := parts[len(parts)-1]
		if !strings.Contains(string(data), last) {
			t.Errorf("option %s is not in attrib.example.yaml", env)
		}
	}
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(file, []byte("db: from-file.db\ncrawl:\n  depth: 7\n  rate: 1.5\n  timeout: 3s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ATTRIB_CRAWL_DEPTH": "9", "ATTRIB_CRAWL_IGNORE_ROBOTS": "true"}
	cfg, err := Load(file, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"file over default", cfg.DB, "from-file.db"},
		{"env over file", cfg.Crawl.Depth, 9},
		{"file float", cfg.Crawl.Rate, 1.5},
		{"file duration", time.Duration(cfg.Crawl.Timeout), 3 * time.Second},
		{"env bool", cfg.Crawl.IgnoreRobots, true},
		{"default kept", cfg.Crawl.Scope, "host"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, file string
		env        map[string]string
		want       string
	}{
		{"unknown key", write("u.yaml", "crawl:\n  deepth: 3\n"), nil, "deepth"},
		{"bad duration", write("d.yaml", "crawl:\n  timeout: soon\n"), nil, "duration"},
		{"binary file", write("b.yaml", "\x00\x01\x02\xff"), nil, "config"},
		{"missing file", filepath.Join(dir, "nope.yaml"), nil, "no such file"},
		{"bad env int", "", map[string]string{"ATTRIB_CRAWL_DEPTH": "three"}, "ATTRIB_CRAWL_DEPTH"},
		{"bad env bool", "", map[string]string{"ATTRIB_QUIET": "yes please"}, "ATTRIB_QUIET"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.file, func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestEmptyFileKeepsDefaults(t *testing.T) {
	p := filepath.Join(t.TempDir(), "empty.yaml")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(p, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Errorf("empty file changed defaults: %+v", cfg)
	}
}
