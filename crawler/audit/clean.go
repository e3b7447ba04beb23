package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// manifestName is the file in the clean-out folder listing every removed
// record and why.
const manifestName = "manifest.jsonl"

// ManifestEntry is one line of the manifest.
type ManifestEntry struct {
	Dataset string   `json:"dataset"`
	Record  string   `json:"record"`
	Output  string   `json:"output"`
	Reasons []string `json:"reasons"` // "matched:<work id>", "reserved"
}

// clean writes the clean copy of a finished file and appends its removed
// records to the manifest.
func (a *run) clean(ctx context.Context, f File) error {
	if a.opts.CleanOut == "" {
		return nil
	}
	if f.Clean == nil {
		a.log().Warn("audit: this format cannot write a clean copy", "file", f.Path)
		return nil
	}
	a.mu.Lock()
	drops := a.flagged[f.Path]
	delete(a.flagged, f.Path)
	a.mu.Unlock()
	for loc, why := range a.cp.flagged(f.Path) { // flagged before a resume
		if drops == nil {
			drops = map[string][]string{}
		}
		drops[loc] = append(drops[loc], why...)
	}
	if err := os.MkdirAll(a.opts.CleanOut, 0o755); err != nil {
		return fmt.Errorf("clean-out: %w", err)
	}
	dst := a.outputPath(f.Path)
	st, err := f.Clean(ctx, f.Path, dst, func(loc string) bool { _, ok := drops[loc]; return ok })
	if err != nil {
		return fmt.Errorf("clean copy %s: %w", dst, err)
	}
	a.log().Info("clean copy written", "file", f.Path, "output", dst, "kept", st.Kept, "dropped", st.Dropped)
	return a.appendManifest(f.Path, dst, drops)
}

// outputPath names a file's clean copy: its base name, numbered when two
// inputs share one.
func (a *run) outputPath(src string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.outputs == nil {
		a.outputs = map[string]string{}
	}
	if p, ok := a.outputs[src]; ok {
		return p
	}
	base := filepath.Base(src)
	name := base
	for i := 2; a.taken(name); i++ {
		name = strconv.Itoa(i) + "-" + base
	}
	p := filepath.Join(a.opts.CleanOut, name)
	a.outputs[src] = p
	return p
}

func (a *run) taken(name string) bool {
	for _, p := range a.outputs {
		if filepath.Base(p) == name {
			return true
		}
	}
	return name == manifestName
}

func (a *run) appendManifest(src, dst string, drops map[string][]string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	f, err := os.OpenFile(filepath.Join(a.opts.CleanOut, manifestName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	locs := make([]string, 0, len(drops))
	for l := range drops {
		locs = append(locs, l)
	}
	sort.Strings(locs)
	enc := json.NewEncoder(f)
	for _, l := range locs {
		if err := enc.Encode(ManifestEntry{Dataset: src, Record: l, Output: dst, Reasons: dedupe(drops[l])}); err != nil {
			f.Close()
			return fmt.Errorf("manifest: %w", err)
		}
	}
	return f.Close()
}

func dedupe(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}
