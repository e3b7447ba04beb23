package shareddata

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Find returns the shared data folder, or an error saying where it was
// looked for.
func Find() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(data); err != nil {
		return "", err
	}
	return data, nil
}

// Dir returns the shared data folder, skipping or failing tb when it is
// absent.
func Dir(tb testing.TB) string {
	tb.Helper()
	return Path(tb, "")
}

// Path returns a file or folder inside the shared data (rel uses '/'),
// skipping or failing tb when it is absent.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	data, err := Find()
	if err == nil {
		p := filepath.Join(data, filepath.FromSlash(rel))
		if _, err = os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("shared test data missing (CI is set): %v", err)
	}
	tb.Skipf("shared test data not available, skipping: %v", err)
	return ""
}

// Read returns the bytes of a file inside the shared data.
func Read(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Path(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
