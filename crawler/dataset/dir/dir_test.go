package dir

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
	"github.com/attrib/attrib/matcher/shareddata"
)

var jpeg = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01rest of a jpeg")

// fixture builds a folder with every kind of entry the reader meets.
func fixture(tb testing.TB) string {
	tb.Helper()
	base := tb.TempDir()
	root := filepath.Join(base, "data")
	files := map[string]string{
		"a.html":       "<html><p>page a</p></html>",
		"a-b.txt":      "after a/ (component-wise), though a-b.txt < a/x.txt as strings",
		"a/x.txt":      "in folder a",
		"b/c.txt":      "text c",
		"b/d.md":       "# markdown d",
		"b/deep/e.rst": "rst e\n=====",
		"README":       "no extension, plain words\n",
		"overstruck":   "b\bbo\bol\bld\n",
		"photo":        string(jpeg),
		"fake.jpg":     "not an image at all",
		"img.PNG":      "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
		"script.js":    "let x = 1;",
		"data.bin":     "\x00\x01\x02\x03",
		"empty.txt":    "",
		"big.txt":      strings.Repeat("big ", 400),
		"z/restricted": "mode 0640",
		"Upper.HTM":    "<p>upper-case extension</p>",
	}
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		must(tb, os.MkdirAll(filepath.Dir(p), 0o755))
		must(tb, os.WriteFile(p, []byte(content), 0o644))
	}
	must(tb, os.Chmod(filepath.Join(root, "z/restricted"), 0o640))
	must(tb, os.Mkdir(filepath.Join(root, "empty-dir"), 0o750))
	must(tb, os.WriteFile(filepath.Join(base, "outside.txt"), []byte("secret outside"), 0o644))
	must(tb, os.Symlink("b/c.txt", filepath.Join(root, "link-in.txt")))
	must(tb, os.Symlink("../outside.txt", filepath.Join(root, "link-out.txt")))
	must(tb, os.Symlink(filepath.Join(root, "a.html"), filepath.Join(root, "link-abs.html")))
	must(tb, os.Symlink("b", filepath.Join(root, "link-dir")))
	must(tb, os.Symlink("missing", filepath.Join(root, "link-broken")))
	must(tb, syscall.Mkfifo(filepath.Join(root, "pipe"), 0o644))
	return root
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// outcome is a Next result as "locator kind" or "error@locator".
func outcomes(tb testing.TB, r *Reader) []string {
	tb.Helper()
	var out []string
	for {
		rec, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return out
		}
		var re *RecordError
		switch {
		case errors.As(err, &re):
			out = append(out, "error@"+re.Locator)
		case err != nil:
			tb.Fatal(err)
		default:
			out = append(out, rec.Locator+" "+string(rec.Kind))
		}
	}
}

func TestReadFolder(t *testing.T) {
	root := fixture(t)
	r, err := Open(root, dataset.Limits{MaxRecordBytes: 1000})
	must(t, err)
	defer r.Close()
	want := []string{
		"file:README text",
		"file:Upper.HTM html",
		"file:a/x.txt text",
		"file:a-b.txt text",
		"file:a.html html",
		"file:b/c.txt text",
		"file:b/d.md text",
		"file:b/deep/e.rst text",
		"error@file:big.txt", // 1,600 bytes, bound 1,000
		"file:data.bin other",
		"file:empty.txt other",
		"file:fake.jpg other",
		"file:img.PNG image",
		"error@file:link-abs.html", // absolute: os.Root does not follow it
		"error@file:link-broken",
		"file:link-in.txt text",
		"error@file:link-out.txt",
		"file:overstruck text",
		"file:photo image",
		"file:script.js other",
		"file:z/restricted text",
	}
	if got := outcomes(t, r); !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRecordContent(t *testing.T) {
	root := fixture(t)
	r, err := Open(root, dataset.Limits{MaxRecordBytes: 1000})
	must(t, err)
	defer r.Close()
	recs := map[string]dataset.Record{}
	for {
		rec, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil {
			recs[rec.Locator] = rec
			continue
		}
		if !errors.Is(err, dataset.ErrRecord) {
			t.Fatal(err)
		}
		if strings.Contains(err.Error(), "big.txt") && !errors.Is(err, dataset.ErrTooLarge) {
			t.Errorf("big file: %v, want ErrTooLarge", err)
		}
		if strings.Contains(err.Error(), "link-out") && !errors.Is(err, ErrOutside) {
			t.Errorf("link out: %v, want ErrOutside", err)
		}
	}
	if got := recs["file:photo"]; !bytes.Equal(got.Body, jpeg) || got.Dataset != root {
		t.Errorf("photo: %q from %s", got.Body, got.Dataset)
	}
	if got := recs["file:link-in.txt"]; string(got.Body) != "text c" {
		t.Errorf("link inside the folder reads %q, want the file it leads to", got.Body)
	}
	if got := recs["file:data.bin"]; got.Body != nil {
		t.Errorf("other records carry no body, got %q", got.Body)
	}
}

// Real folders: the shared texts (fortune files have no extension, some
// use backspace overstriking) and photos.
func TestSharedFolders(t *testing.T) {
	tests := []struct {
		rel  string
		want map[string]int
	}{
		{"texts", map[string]int{"text": 46}},
		{"images/skimage", map[string]int{"image": 18}},
		{"pdq", map[string]int{"image": 12, "other": 2}}, // two .tsv files
	}
	for _, tt := range tests {
		t.Run(tt.rel, func(t *testing.T) {
			r, err := Open(shareddata.Path(t, tt.rel), dataset.Limits{})
			must(t, err)
			defer r.Close()
			got := map[string]int{}
			for _, o := range outcomes(t, r) {
				_, kind, _ := strings.Cut(o, " ")
				got[kind]++
			}
			if !mapsEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestResume(t *testing.T) {
	root := fixture(t)
	all := func() []string {
		r, err := Open(root, dataset.Limits{MaxRecordBytes: 1000})
		must(t, err)
		defer r.Close()
		return outcomes(t, r)
	}()
	tests := []struct {
		loc  string
		from int // index in all where the resumed read starts
	}{
		{"file:README", 0},
		{"file:a-b.txt", 3},
		{"file:b/d.md", 6},
		{"file:b/deep/e.rst", 7},
		{"file:b/zz-gone.txt", 8}, // a file gone since: resume where it sorted
		{"file:script.js", 19},
		{"file:zzz", len(all)},
	}
	for _, tt := range tests {
		t.Run(tt.loc, func(t *testing.T) {
			r, err := OpenAt(root, dataset.Limits{MaxRecordBytes: 1000}, tt.loc)
			must(t, err)
			defer r.Close()
			if got := outcomes(t, r); !slices.Equal(got, all[tt.from:]) {
				t.Errorf("got %v\nwant %v", got, all[tt.from:])
			}
		})
	}
	for _, bad := range []string{"offset:3", "file:", "file:../x", "file:/abs", "file:a//b"} {
		if _, err := OpenAt(root, dataset.Limits{}, bad); err == nil {
			t.Errorf("OpenAt(%q): no error", bad)
		}
	}
}

func TestClean(t *testing.T) {
	root := fixture(t)
	dst := filepath.Join(t.TempDir(), "clean")
	drop := map[string]bool{"file:a.html": true, "file:b/deep/e.rst": true, "file:photo": true}
	st, err := Clean(context.Background(), root, dst, func(loc string) bool { return drop[loc] })
	must(t, err)
	// 20 files (links to files count as their files), 3 dropped; the links
	// out of the folder, the broken and the absolute one are unreadable.
	if st != (dataset.CleanStats{Kept: 15, Dropped: 3, Unreadable: 3}) {
		t.Errorf("stats = %+v", st)
	}
	for _, rel := range []string{"README", "Upper.HTM", "a/x.txt", "a-b.txt", "b/c.txt", "b/d.md", "big.txt", "data.bin", "empty.txt",
		"fake.jpg", "img.PNG", "overstruck", "script.js", "z/restricted"} {
		sameFile(t, filepath.Join(root, rel), filepath.Join(dst, rel))
	}
	if got, _ := os.ReadFile(filepath.Join(dst, "link-in.txt")); string(got) != "text c" {
		t.Errorf("link-in.txt copied as %q, want the file it leads to", got)
	}
	for _, rel := range []string{"a.html", "b/deep/e.rst", "photo", "link-out.txt", "link-abs.html", "link-broken", "link-dir", "pipe"} {
		if _, err := os.Lstat(filepath.Join(dst, rel)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is in the copy", rel)
		}
	}
	for _, d := range []string{"empty-dir", "b/deep", "."} {
		a, _ := os.Stat(filepath.Join(root, d))
		b, err := os.Stat(filepath.Join(dst, d))
		if err != nil || !b.IsDir() || a.Mode().Perm() != b.Mode().Perm() {
			t.Errorf("folder %s: %v, mode %v want %v", d, err, b, a.Mode().Perm())
		}
	}
	// The copy re-reads as the input minus the dropped files and the bad links.
	r, err := Open(dst, dataset.Limits{MaxRecordBytes: 1000})
	must(t, err)
	defer r.Close()
	if got := outcomes(t, r); len(got) != 15 || slices.Contains(got, "file:a.html html") {
		t.Errorf("the copy reads as %v", got)
	}
	if _, err := Clean(context.Background(), root, dst, func(string) bool { return false }); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("cleaning into an existing folder: %v", err)
	}
}

// A read-only source (the shared data: 0444 files, 0555 folders) is
// copied with its modes.
func TestCleanReadOnlyTree(t *testing.T) {
	src := shareddata.Path(t, "images/skimage")
	dst := filepath.Join(t.TempDir(), "copy")
	t.Cleanup(func() { removeTemp(dst) })
	st, err := Clean(context.Background(), src, dst, func(loc string) bool { return loc == "file:truncated.jpg" })
	must(t, err)
	if st != (dataset.CleanStats{Kept: 17, Dropped: 1}) {
		t.Errorf("stats = %+v", st)
	}
	sameFile(t, filepath.Join(src, "astronaut.png"), filepath.Join(dst, "astronaut.png"))
	info, err := os.Stat(dst)
	if err != nil || info.Mode().Perm() != 0o555 {
		t.Errorf("copy's folder mode %v, %v", info.Mode(), err)
	}
}

func TestCleanCancelled(t *testing.T) {
	root := fixture(t)
	base := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Clean(ctx, root, filepath.Join(base, "out"), func(string) bool { return false }); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if entries, _ := os.ReadDir(base); len(entries) != 0 {
		t.Errorf("a failed clean left %d entries", len(entries))
	}
}

func sameFile(tb testing.TB, a, b string) {
	tb.Helper()
	ia, err := os.Stat(a)
	must(tb, err)
	ib, err := os.Stat(b)
	if err != nil {
		tb.Errorf("%s: %v", b, err)
		return
	}
	if ia.Mode() != ib.Mode() {
		tb.Errorf("%s: mode %v, want %v", b, ib.Mode(), ia.Mode())
	}
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if !bytes.Equal(da, db) {
		tb.Errorf("%s: %d bytes differ from the source's %d", b, len(db), len(da))
	}
}
