package dir

import (
	"cmp"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// walker lists a folder depth-first, each folder's entries sorted by name,
// holding one folder listing per level.
type walker struct {
	root  *os.Root
	stack []listing
	from  string // skip entries that sort before this path (resume)
}

type listing struct {
	rel     string // the folder, "." for the root
	entries []fs.DirEntry
	i       int
}

// step is one walk event: a file (or symlink, or special file), entering
// a folder (entry.IsDir()), or leaving one (entry nil: the clean copy sets
// a folder's mode once its files are in).
type step struct {
	rel   string
	entry fs.DirEntry
}

func newWalker(root *os.Root, from string) (*walker, error) {
	w := &walker{root: root, from: from}
	if err := w.push("."); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *walker) push(rel string) error {
	f, err := w.root.Open(rel)
	if err != nil {
		return err
	}
	defer f.Close()
	entries, err := f.ReadDir(-1)
	if err != nil {
		return fmt.Errorf("list %s: %w", rel, err)
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return cmp.Compare(a.Name(), b.Name()) })
	w.stack = append(w.stack, listing{rel: rel, entries: entries})
	return nil
}

// next returns the next step, or ok false after the last. A folder that
// cannot be listed is an error after which the walk goes on without it.
func (w *walker) next() (s step, ok bool, err error) {
	for len(w.stack) > 0 {
		top := &w.stack[len(w.stack)-1]
		if top.i == len(top.entries) {
			w.stack = w.stack[:len(w.stack)-1]
			if top.rel == "." {
				return step{}, false, nil
			}
			return step{rel: top.rel}, true, nil
		}
		e := top.entries[top.i]
		top.i++
		rel := path.Join(top.rel, e.Name())
		if w.from != "" && comparePaths(rel, w.from) < 0 && !strings.HasPrefix(w.from, rel+"/") {
			continue // wholly before the resume point
		}
		if e.IsDir() {
			if err := w.push(rel); err != nil {
				return step{rel: rel}, true, err
			}
		}
		return step{rel: rel, entry: e}, true, nil
	}
	return step{}, false, nil
}

// comparePaths orders slash-separated paths as the walk meets them:
// component by component.
func comparePaths(a, b string) int {
	return slices.Compare(strings.Split(a, "/"), strings.Split(b, "/"))
}
