package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The commented schedules example of attrib.example.yaml, uncommented,
// loads into what it says.
func TestExampleSchedulesLoad(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "configs", "attrib.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var block []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case line == "# schedules:":
			in = true
		case in && !strings.HasPrefix(line, "#"):
			in = false
		}
		if in {
			block = append(block, strings.TrimPrefix(strings.TrimPrefix(line, "#"), " "))
		}
	}
	if len(block) == 0 {
		t.Fatal("no commented schedules example in attrib.example.yaml")
	}
	file := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(file, []byte(strings.Join(block, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(file, noEnv)
	if err != nil {
		t.Fatalf("Load: %v\n%s", err, strings.Join(block, "\n"))
	}
	want := []Schedule{
		{Name: "nightly-blogs", Cron: "0 2 * * *", Kind: "crawl", Targets: []string{"https://example.org/blog/", "https://example.net/"},
			Options: ScheduleOptions{Depth: 2, MaxPages: 5000, Scope: "prefix"}},
		{Name: "weekly-corpus", Cron: "@weekly", Kind: "audit", Targets: []string{"/data/corpus/part-0001.jsonl.zst"},
			Options: ScheduleOptions{Format: "jsonl"}},
	}
	if !reflect.DeepEqual(cfg.Schedules, want) {
		t.Errorf("schedules %+v\nwant %+v", cfg.Schedules, want)
	}
}

// Lists have no environment variable: none is listed, none is read.
func TestSchedulesNotFromEnvironment(t *testing.T) {
	if slices.Contains(EnvNames(), EnvPrefix+"SCHEDULES") {
		t.Error("ATTRIB_SCHEDULES is listed")
	}
	cfg, err := Load("", func(k string) (string, bool) {
		if k == EnvPrefix+"SCHEDULES" {
			return "oops", true
		}
		return "", false
	})
	if err != nil || len(cfg.Schedules) != 0 {
		t.Errorf("Load: %+v, %v", cfg.Schedules, err)
	}
}
