package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "out.jsonl")
	if err := Write(dst, func(w io.Writer) error { _, err := io.WriteString(w, "kept\n"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(dst); err != nil || string(b) != "kept\n" {
		t.Errorf("written %q, %v", b, err)
	}
	boom := errors.New("boom")
	failed := filepath.Join(dir, "failed.jsonl")
	if err := Write(failed, func(w io.Writer) error { io.WriteString(w, "half"); return boom }); !errors.Is(err, boom) {
		t.Errorf("fill error: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("a failed write left files behind: %v", entries)
	}
}
