package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
	"github.com/attrib/attrib/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return openTemp(t)
	})
}

// openTemp opens a store in a fresh temporary directory, closed at cleanup.
func openTemp(t testing.TB, opts ...sqlite.Option) *sqlite.DB {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "attrib.db"), opts...)
}

// openAt opens the store at path, closed at cleanup.
func openAt(t testing.TB, path string, opts ...sqlite.Option) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}
