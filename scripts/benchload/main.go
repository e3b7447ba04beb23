package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

func main() {
	n := flag.Int("n", 100000, "works to register")
	size := flag.Int("size", 6000, "bytes per work")
	data := flag.String("data", "../shared/data/texts", "folder of .txt files to cut works from")
	dir := flag.String("dir", "", "folder for the store (default: a temporary one, removed)")
	flag.Parse()
	if err := run(context.Background(), *n, *size, *data, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "benchload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, n, size int, data, dir string) error {
	corpus, err := readCorpus(data)
	if err != nil {
		return err
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "benchload-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "load.db"))
	if err != nil {
		return err
	}
	m, err := matcher.New(db, matcher.DefaultOptions())
	if err != nil {
		return err
	}
	start := time.Now()
	for i := range n {
		text := work(corpus, i, size)
		in := matcher.Input{Creator: "bench", Title: fmt.Sprint(i), Kind: store.KindText, Data: []byte(text), Text: text}
		if _, _, err := m.Register(ctx, in); err != nil {
			return fmt.Errorf("register %d: %w", i, err)
		}
	}
	reg := time.Since(start)
	fmt.Printf("registered %d works of %d B in %.1fs (%.0f works/s)\n", n, size, reg.Seconds(), float64(n)/reg.Seconds())
	db.Close()
	return timeLoad(ctx, filepath.Join(dir, "load.db"))
}

// timeLoad opens the store afresh and times a matcher's Load, as at start.
func timeLoad(ctx context.Context, path string) error {
	runtime.GC()
	start := time.Now()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := matcher.New(db, matcher.DefaultOptions())
	if err != nil {
		return err
	}
	skipped, err := m.Load(ctx)
	if err != nil {
		return err
	}
	el := time.Since(start)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	fmt.Printf("load: %d works in %.2fs (store open + works + fingerprints + index), %d skipped, heap %.0f MiB\n",
		m.Len(), el.Seconds(), skipped, float64(ms.HeapAlloc)/(1<<20))
	return nil
}

func readCorpus(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no .txt files in %s", dir)
	}
	var words []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		words = append(words, strings.Fields(string(b))...)
	}
	return words, nil
}

// work cuts work i from the corpus: a window of real words starting at a
// position that steps through the corpus, with the work's number woven in
// every 50 words so that no two works are the same text.
func work(words []string, i, size int) string {
	var b strings.Builder
	pos := (i * 7919) % len(words)
	for k := 0; b.Len() < size; k++ {
		if k%50 == 0 {
			fmt.Fprintf(&b, "w%dx%d ", i, k)
		}
		b.WriteString(words[(pos+k)%len(words)])
		b.WriteByte(' ')
	}
	return b.String()
}
