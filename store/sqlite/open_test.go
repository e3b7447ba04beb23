package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

// rawQuery reads one value from the SQLite file at path, bypassing the store.
func rawQuery(t testing.TB, path, query string, dest any) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRowContext(t.Context(), query).Scan(dest); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func rawExec(t testing.TB, path, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "attrib.db")
	ctx := t.Context()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	w, _, err := db.PutWork(ctx, work("alice", "kept across restarts"), []store.Fingerprint{{Algorithm: "sha256", Data: []byte{7}}})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := db.CreateScan(ctx, store.Scan{Kind: "crawl", Targets: []string{"http://x.test/"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutMatches(ctx, sc.ID, []store.Match{{WorkID: w.ID, FoundURL: "http://x.test/", Score: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openAt(t, path)
	got, err := db.Work(ctx, w.ID)
	if err != nil || got.Text != w.Text || !got.CreatedAt.Equal(w.CreatedAt) {
		t.Errorf("reopened Work = %+v, %v; want %+v", got, err, w)
	}
	again, created, err := db.PutWork(ctx, work("alice", "kept across restarts"), nil)
	if err != nil || created || again.ID != w.ID {
		t.Errorf("re-registering after reopen = %s, created %v, %v; want %s, not created", again.ID, created, err, w.ID)
	}
	latest, err := db.LatestScan(ctx)
	if err != nil || latest.ID != sc.ID {
		t.Errorf("reopened LatestScan = %s, %v; want %s", latest.ID, err, sc.ID)
	}
	if ms, err := db.Matches(ctx, sc.ID, store.MatchFilter{}); err != nil || len(ms) != 1 {
		t.Errorf("reopened Matches = %v, %v; want 1 match", ms, err)
	}
}

func TestSchemaVersionRecorded(t *testing.T) {
	entries, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "attrib.db")
	openAt(t, path)
	var version int
	rawQuery(t, path, "PRAGMA user_version", &version)
	if version != len(entries) || version == 0 {
		t.Errorf("user_version = %d, want %d (one per migration)", version, len(entries))
	}
	var mode string
	rawQuery(t, path, "PRAGMA journal_mode", &mode)
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	openAt(t, path) // a second open finds nothing to migrate
	rawQuery(t, path, "PRAGMA user_version", &version)
	if version != len(entries) {
		t.Errorf("user_version after reopening = %d, want %d", version, len(entries))
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("this is not a database\n", 400)), 0o644); err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(dir, "newer.db")
	openAt(t, newer)
	rawExec(t, newer, "PRAGMA user_version = 999")

	tests := []struct {
		name  string
		path  string
		is    error
		wants []string
	}{
		{"not a database", garbage, nil, []string{garbage, "not a SQLite database"}},
		{"newer schema", newer, sqlite.ErrSchemaTooNew, []string{newer, "999", "upgrade"}},
		{"directory", dir, nil, []string{dir, "is a directory"}},
		{"empty path", "", nil, []string{"empty path"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sqlite.Open(t.Context(), tc.path)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("Open = %v, want %v", err, tc.is)
			}
			for _, want := range tc.wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Open = %q, want it to mention %q", err, want)
				}
			}
		})
	}
	if b, err := os.ReadFile(garbage); err != nil || !strings.HasPrefix(string(b), "this is not") {
		t.Errorf("Open modified the garbage file: %.20q, %v", b, err)
	}
}

func TestOpenCreatesDirectories(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "c", "attrib.db")
	openAt(t, path)
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file not created: %v", err)
	}
}

func TestOpenOddFileName(t *testing.T) {
	dir := t.TempDir()
	name := "odd ?name#1%20.db"
	db := openAt(t, filepath.Join(dir, name))
	if _, _, err := db.PutWork(t.Context(), work("alice", "x"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
		t.Errorf("file %q not created: %v", name, err)
	}
}

func TestConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "attrib.db")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			db, err := sqlite.Open(context.Background(), path)
			if err == nil {
				_, _, err = db.PutWork(context.Background(), work("alice", "racing opens"), nil)
				err = errors.Join(err, db.Close())
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent Open: %v", err)
	}
	if ws, err := openAt(t, path).Works(t.Context(), store.WorkFilter{}); err != nil || len(ws) != 1 {
		t.Errorf("Works = %d works, %v; want 1", len(ws), err)
	}
}

func TestCloseTwice(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "attrib.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}
