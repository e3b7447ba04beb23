package main

import (
	"testing"

	"github.com/attrib/attrib/cmd/attrib/internal/config"
	"github.com/attrib/attrib/crawler/launch"
	"github.com/attrib/attrib/crawler/schedule"
)

func TestConfigSchedules(t *testing.T) {
	in := []config.Schedule{
		{Name: "nightly", Cron: "0 2 * * *", Kind: "crawl", Targets: []string{"https://example.org/blog/"},
			Options: config.ScheduleOptions{Depth: 2, MaxPages: 100, Scope: "prefix", Full: true}},
		{Name: "weekly", Cron: "@weekly", Kind: "audit", Targets: []string{"/data/x.jsonl"}, Options: config.ScheduleOptions{Format: "jsonl"}},
	}
	got, err := configSchedules(in)
	if err != nil || len(got) != 2 {
		t.Fatalf("configSchedules: %+v, %v", got, err)
	}
	for _, s := range got {
		if err := schedule.Validate(s); err != nil || !s.Enabled {
			t.Errorf("%s: %v (enabled %v)", s.Name, err, s.Enabled)
		}
	}
	o, err := launch.DecodeOptions(got[0].Options)
	if err != nil || o != (launch.Options{Depth: 2, MaxPages: 100, Scope: "prefix", Full: true}) {
		t.Errorf("options %+v, %v", o, err)
	}
}
