package storetest

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
)

func nightly() store.Schedule {
	return store.Schedule{
		Name:    "nightly crawl",
		Cron:    "0 3 * * *",
		Kind:    "crawl",
		Targets: []string{"http://127.0.0.1:8080/", "http://example.test/{a}?b=c"},
		Options: []byte(`{"max_pages":100,"depth":2}`),
		Enabled: true,
	}
}

func putSchedule(t testing.TB, s store.Store, sc store.Schedule) store.Schedule {
	t.Helper()
	got, err := s.PutSchedule(t.Context(), sc)
	if err != nil {
		t.Fatalf("PutSchedule(%q): %v", sc.Name, err)
	}
	return got
}

func loadSchedule(t testing.TB, s store.Store, id string) store.Schedule {
	t.Helper()
	got, err := s.Schedule(t.Context(), id)
	if err != nil {
		t.Fatalf("Schedule(%s): %v", id, err)
	}
	return got
}

func listSchedules(t testing.TB, s store.Store) []store.Schedule {
	t.Helper()
	ss, err := s.ListSchedules(t.Context())
	if err != nil {
		t.Fatalf("ListSchedules: %v", err)
	}
	return ss
}

// checkSchedule compares got with want; CreatedAt to TimePrecision, nil and
// empty Targets and Options alike.
func checkSchedule(t testing.TB, got, want store.Schedule) {
	t.Helper()
	if got.ID != want.ID || got.Name != want.Name || got.Cron != want.Cron || got.Kind != want.Kind ||
		!slices.Equal(got.Targets, want.Targets) || !bytes.Equal(got.Options, want.Options) ||
		got.Enabled != want.Enabled || got.LastScan != want.LastScan || !sameTime(got.CreatedAt, want.CreatedAt) {
		t.Errorf("schedule = %+v\nwant %+v", got, want)
	}
}

func testSchedulesCreate(t *testing.T, s store.Store) {
	if ss := listSchedules(t, s); len(ss) != 0 {
		t.Fatalf("ListSchedules on an empty store = %v", ss)
	}
	before := time.Now()
	a := putSchedule(t, s, nightly())
	b := putSchedule(t, s, nightly())
	if a.ID == "" || b.ID == "" || a.ID == b.ID {
		t.Fatalf("PutSchedule assigned IDs %q and %q, want two distinct IDs", a.ID, b.ID)
	}
	if a.CreatedAt.Before(before.Add(-time.Second)) || a.CreatedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("CreatedAt set by the store = %v, want about %v", a.CreatedAt, before)
	}
	want := nightly()
	want.ID, want.CreatedAt = a.ID, a.CreatedAt
	checkSchedule(t, a, want)
	checkSchedule(t, loadSchedule(t, s, a.ID), want)

	bare := putSchedule(t, s, store.Schedule{Cron: "@daily", Kind: "audit"})
	got := loadSchedule(t, s, bare.ID)
	if got.Name != "" || len(got.Targets) != 0 || len(got.Options) != 0 || got.Enabled || got.LastScan != "" {
		t.Errorf("schedule without name, targets, options = %+v", got)
	}
	if _, err := s.Schedule(t.Context(), "sch_missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Schedule(missing) = %v, want ErrNotFound", err)
	}
}

func testSchedulesReplace(t *testing.T, s store.Store) {
	orig := putSchedule(t, s, nightly())
	upd := store.Schedule{
		ID: orig.ID, Name: "weekly audit", Cron: "@weekly", Kind: "audit",
		Targets: []string{"/data/a.warc.gz"}, Options: []byte(`{}`), Enabled: false,
		LastScan: "s_20261127T030000Z-abcdef", CreatedAt: baseTime(), // CreatedAt is kept
	}
	got, err := s.PutSchedule(t.Context(), upd)
	if err != nil {
		t.Fatalf("PutSchedule(replace): %v", err)
	}
	want := upd
	want.CreatedAt = orig.CreatedAt
	checkSchedule(t, got, want)
	checkSchedule(t, loadSchedule(t, s, orig.ID), want)

	// Replacing with empty lists clears them.
	upd.Targets, upd.Options, upd.LastScan = nil, nil, ""
	putSchedule(t, s, upd)
	got = loadSchedule(t, s, orig.ID)
	if len(got.Targets) != 0 || len(got.Options) != 0 || got.LastScan != "" {
		t.Errorf("after clearing targets, options and last scan: %+v", got)
	}

	missing := nightly()
	missing.ID = "sch_missing"
	if _, err := s.PutSchedule(t.Context(), missing); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutSchedule(unknown ID) = %v, want ErrNotFound", err)
	}
	if ss := listSchedules(t, s); len(ss) != 1 {
		t.Errorf("ListSchedules = %d schedules after replacing, want 1", len(ss))
	}
}

func testSchedulesDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := putSchedule(t, s, nightly())
	b := putSchedule(t, s, nightly())
	if err := s.DeleteSchedule(ctx, a.ID); err != nil {
		t.Fatalf("DeleteSchedule: %v", err)
	}
	if _, err := s.Schedule(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Schedule(deleted) = %v, want ErrNotFound", err)
	}
	if err := s.DeleteSchedule(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteSchedule(deleted) = %v, want ErrNotFound", err)
	}
	if _, err := s.PutSchedule(ctx, a); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutSchedule(deleted ID) = %v, want ErrNotFound", err)
	}
	ss := listSchedules(t, s)
	if len(ss) != 1 || ss[0].ID != b.ID {
		t.Errorf("ListSchedules after deleting %s = %v, want only %s", a.ID, ss, b.ID)
	}
}

func testSchedulesListOrder(t *testing.T, s store.Store) {
	// A CreatedAt given on creation is kept; ties list by ID.
	var want []store.Schedule
	for _, offset := range []time.Duration{time.Hour, 0, 2 * time.Hour, time.Hour, time.Hour} {
		sc := nightly()
		sc.CreatedAt = baseTime().Add(offset)
		got := putSchedule(t, s, sc)
		if !sameTime(got.CreatedAt, sc.CreatedAt) {
			t.Errorf("PutSchedule CreatedAt = %v, want the given %v", got.CreatedAt, sc.CreatedAt)
		}
		want = append(want, got)
	}
	slices.SortFunc(want, func(a, b store.Schedule) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	got := listSchedules(t, s)
	if len(got) != len(want) {
		t.Fatalf("ListSchedules = %d schedules, want %d", len(got), len(want))
	}
	for i := range want {
		checkSchedule(t, got[i], want[i])
	}
}

func testSchedulesInvalid(t *testing.T, s store.Store) {
	stored := putSchedule(t, s, nightly())
	for _, tc := range []struct {
		name   string
		change func(*store.Schedule)
	}{
		{"blank cron", func(sc *store.Schedule) { sc.Cron = " " }},
		{"blank kind", func(sc *store.Schedule) { sc.Kind = "" }},
	} {
		sc := nightly()
		tc.change(&sc)
		if _, err := s.PutSchedule(t.Context(), sc); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutSchedule(new, %s) = %v, want ErrInvalid", tc.name, err)
		}
		sc.ID = stored.ID
		if _, err := s.PutSchedule(t.Context(), sc); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutSchedule(replace, %s) = %v, want ErrInvalid", tc.name, err)
		}
	}
	ss := listSchedules(t, s)
	if len(ss) != 1 {
		t.Fatalf("ListSchedules after rejected schedules = %d, want 1", len(ss))
	}
	checkSchedule(t, ss[0], stored)
}
