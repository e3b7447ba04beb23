package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Checkpoints keeps audit checkpoints as JSON files in a folder, one per
// scan, so that `attrib audit --resume` continues an interrupted audit.
type Checkpoints struct {
	Dir string
}

// checkpoint is one audit's progress. Its methods are safe on a nil
// receiver (no checkpointing) and for concurrent use.
type checkpoint struct {
	path string

	mu        sync.Mutex
	Scan      string                         `json:"scan"`
	Targets   []string                       `json:"targets"`
	Done      map[string]int64               `json:"done"`     // records finished from the start of each file
	Finished  map[string]bool                `json:"finished"` // files audited and cleaned
	Flagged   map[string]map[string][]string `json:"flagged"`  // clean-copy drops of unfinished files
	lastWrite time.Time
}

// saveEvery throttles checkpoint writes.
const saveEvery = 2 * time.Second

func (c *Checkpoints) file(scan string) string {
	return filepath.Join(c.Dir, "audit-"+scan+".json")
}

func (c *Checkpoints) create(scan string, targets []string) *checkpoint {
	return &checkpoint{path: c.file(scan), Scan: scan, Targets: targets, Done: map[string]int64{},
		Finished: map[string]bool{}, Flagged: map[string]map[string][]string{}}
}

// Latest returns the scan ID of the newest checkpoint whose targets are
// paths, or "" when there is none.
func (c *Checkpoints) Latest(paths []string) (string, error) {
	entries, err := os.ReadDir(c.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("audit checkpoints: %w", err)
	}
	var best string
	var bestTime time.Time
	for _, e := range entries {
		var cp checkpoint
		data, err := os.ReadFile(filepath.Join(c.Dir, e.Name()))
		if err != nil || json.Unmarshal(data, &cp) != nil || !sameStrings(cp.Targets, paths) {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().After(bestTime) {
			best, bestTime = cp.Scan, info.ModTime()
		}
	}
	return best, nil
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (c *Checkpoints) load(scan string) (*checkpoint, error) {
	data, err := os.ReadFile(c.file(scan))
	if err != nil {
		return nil, fmt.Errorf("no checkpoint of audit %s: %w", scan, err)
	}
	cp := c.create(scan, nil)
	if err := json.Unmarshal(data, cp); err != nil {
		return nil, fmt.Errorf("checkpoint of audit %s: %w", scan, err)
	}
	return cp, nil
}

// done returns how many records of a file are finished, or -1 when the
// whole file is.
func (c *checkpoint) done(file string) int64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Finished[file] {
		return -1
	}
	return c.Done[file]
}

// advance records that the first n records of a file are finished.
func (c *checkpoint) advance(file string, n int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Done[file] = n
	if time.Since(c.lastWrite) >= saveEvery {
		c.saveLocked()
	}
}

// flag remembers a clean-copy drop, so a resumed audit still drops it.
func (c *checkpoint) flag(file, locator string, why []string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Flagged[file] == nil {
		c.Flagged[file] = map[string][]string{}
	}
	c.Flagged[file][locator] = why
}

// flagged returns the drops remembered for a file.
func (c *checkpoint) flagged(file string) map[string][]string {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Flagged[file]
}

// finish records a file as audited and cleaned and saves at once.
func (c *checkpoint) finish(file string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Finished[file] = true
	delete(c.Flagged, file)
	c.saveLocked()
}

// save writes the checkpoint now (at the end of an interrupted audit).
func (c *checkpoint) save() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.saveLocked()
}

// saveLocked writes the checkpoint atomically (temp file, rename). Errors
// only cost resumability, so they are not fatal.
func (c *checkpoint) saveLocked() {
	c.lastWrite = time.Now()
	data, err := json.Marshal(c)
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return
	}
	tmp := c.path + ".tmp"
	if os.WriteFile(tmp, data, 0o644) == nil {
		_ = os.Rename(tmp, c.path)
	}
}

func (c *checkpoint) remove() error {
	if c == nil {
		return nil
	}
	if err := os.Remove(c.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// watermark turns out-of-order completions into the count of records
// finished from the start.
type watermark struct {
	mu      sync.Mutex
	next    int64
	pending map[int64]bool
}

func newWatermark(start int64) *watermark { return &watermark{next: start, pending: map[int64]bool{}} }

// done marks seq finished and returns the new count when it moved.
func (w *watermark) done(seq int64) (int64, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending[seq] = true
	moved := false
	for w.pending[w.next] {
		delete(w.pending, w.next)
		w.next++
		moved = true
	}
	return w.next, moved
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
