package changes

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

type fixture struct {
	st    *sqlite.DB
	works map[string]string // title -> ID
	t0    time.Time
	n     int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st, works: map[string]string{}, t0: time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)}
	for _, w := range []struct{ creator, title string }{{"ann", "a1"}, {"ann", "a2"}, {"bob", "b1"}} {
		sum := sha256.Sum256([]byte(w.title))
		stored, _, err := st.PutWork(ctx, store.Work{Creator: w.creator, Title: w.title, Kind: store.KindText,
			SHA256: hex.EncodeToString(sum[:]), Text: w.title}, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.works[w.title] = stored.ID
	}
	return f
}

// scan stores a scan started after the previous one with matches at the
// given (work title, URL) pairs.
func (f *fixture) scan(t *testing.T, state store.ScanState, targets []string, found ...[2]string) string {
	t.Helper()
	ctx := context.Background()
	f.n++
	sc, err := f.st.CreateScan(ctx, store.Scan{Kind: "crawl", Targets: targets, State: state,
		StartedAt: f.t0.Add(time.Duration(f.n) * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var ms []store.Match
	for _, fd := range found {
		ms = append(ms, store.Match{WorkID: f.works[fd[0]], FoundURL: fd[1], PageURL: fd[1], Method: "text", Score: 0.5 + float64(f.n)/100})
	}
	if len(ms) > 0 {
		if err := f.st.PutMatches(ctx, sc.ID, ms); err != nil {
			t.Fatal(err)
		}
	}
	return sc.ID
}

func urls(ms []store.Match, works map[string]string) [][2]string {
	title := map[string]string{}
	for k, v := range works {
		title[v] = k
	}
	var out [][2]string
	for _, m := range ms {
		out = append(out, [2]string{title[m.WorkID], m.FoundURL})
	}
	// Matches are ordered by work ID, which is opaque: compare as sets.
	slices.SortFunc(out, func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	return out
}

func TestSince(t *testing.T) {
	f := newFixture(t)
	site := []string{"https://s.example/"}
	first := f.scan(t, store.ScanFinished, site, [2]string{"a1", "u/1"}, [2]string{"a2", "u/2"}, [2]string{"b1", "u/3"})
	f.scan(t, store.ScanFinished, []string{"https://other.example/"}, [2]string{"a1", "o/1"}) // other targets
	f.scan(t, store.ScanFailed, site)                                                         // reached nothing
	second := f.scan(t, store.ScanFinished, site, [2]string{"a1", "u/1"}, [2]string{"a1", "u/4"}, [2]string{"b1", "u/5"})
	ctx := context.Background()

	tests := []struct {
		name             string
		filter           store.MatchFilter
		wantNew, wantRem [][2]string
	}{
		{"admin", store.MatchFilter{}, [][2]string{{"a1", "u/4"}, {"b1", "u/5"}}, [][2]string{{"a2", "u/2"}, {"b1", "u/3"}}},
		{"creator ann", store.MatchFilter{Creator: "ann"}, [][2]string{{"a1", "u/4"}}, [][2]string{{"a2", "u/2"}}},
		{"creator bob", store.MatchFilter{Creator: "bob"}, [][2]string{{"b1", "u/5"}}, [][2]string{{"b1", "u/3"}}},
		{"one work", store.MatchFilter{WorkID: f.works["a2"]}, nil, [][2]string{{"a2", "u/2"}}},
		{"unknown creator", store.MatchFilter{Creator: "eve"}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := Since(ctx, f.st, second, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Previous == nil || ch.Previous.ID != first {
				t.Fatalf("compared with %+v, want %s (same targets, finished)", ch.Previous, first)
			}
			if got := urls(ch.New, f.works); !slices.Equal(got, tc.wantNew) {
				t.Errorf("new %v, want %v", got, tc.wantNew)
			}
			if got := urls(ch.Removed, f.works); !slices.Equal(got, tc.wantRem) {
				t.Errorf("removed %v, want %v", got, tc.wantRem)
			}
		})
	}

	ch, err := Since(ctx, f.st, first, store.MatchFilter{})
	if err != nil || ch.Previous != nil || len(ch.New) != 3 || len(ch.Removed) != 0 {
		t.Errorf("first scan: %+v, %v; want everything new", ch, err)
	}
	if _, err := Since(ctx, f.st, "s_nope", store.MatchFilter{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown scan: %v", err)
	}
	latest, err := Latest(ctx, f.st, store.MatchFilter{Creator: "ann"})
	if err != nil || latest.Scan.ID != second || len(latest.New) != 1 {
		t.Errorf("Latest: %+v, %v", latest, err)
	}
	between, err := Between(ctx, f.st, second, first, store.MatchFilter{Creator: "ann"})
	if err != nil || len(between.New) != 1 || between.New[0].FoundURL != "u/2" {
		t.Errorf("Between (backwards): %+v, %v", between, err)
	}
}

func TestLatestWithoutFinishedScan(t *testing.T) {
	f := newFixture(t)
	f.scan(t, store.ScanRunning, []string{"https://s.example/"})
	if _, err := Latest(context.Background(), f.st, store.MatchFilter{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("err %v, want ErrNotFound", err)
	}
}

func TestComparableTargetsAsSet(t *testing.T) {
	a := store.Scan{ID: "a", Kind: "crawl", Targets: []string{"x", "y"}, State: store.ScanFinished}
	tests := []struct {
		name string
		prev store.Scan
		want bool
	}{
		{"same order", store.Scan{ID: "b", Kind: "crawl", Targets: []string{"x", "y"}, State: store.ScanFinished}, true},
		{"other order", store.Scan{ID: "b", Kind: "crawl", Targets: []string{"y", "x", "x"}, State: store.ScanFinished}, true},
		{"subset", store.Scan{ID: "b", Kind: "crawl", Targets: []string{"x"}, State: store.ScanFinished}, false},
		{"other kind", store.Scan{ID: "b", Kind: "audit", Targets: []string{"x", "y"}, State: store.ScanFinished}, false},
		{"running", store.Scan{ID: "b", Kind: "crawl", Targets: []string{"x", "y"}, State: store.ScanRunning}, false},
		{"itself", a, false},
	}
	for _, tc := range tests {
		if got := Comparable(a, tc.prev); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
