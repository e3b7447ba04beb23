package workfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attrib/attrib/store"
)

func write(t testing.TB, path, body string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "b.md"), "b")
	write(t, filepath.Join(dir, "sub", "a.TXT"), "a")
	write(t, filepath.Join(dir, "sub", "pic.jpeg"), "x")
	write(t, filepath.Join(dir, "notes.docx"), "x")
	files, skipped, err := Expand(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, f := range files {
		r, _ := filepath.Rel(dir, f)
		rel = append(rel, filepath.ToSlash(r))
	}
	if got, want := strings.Join(rel, ","), "b.md,sub/a.TXT,sub/pic.jpeg"; got != want {
		t.Errorf("files %s, want %s", got, want)
	}
	if len(skipped) != 1 || !strings.HasSuffix(skipped[0], "notes.docx") {
		t.Errorf("skipped %v", skipped)
	}
	if _, _, err := Expand(context.Background(), []string{filepath.Join(dir, "notes.docx")}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("named unsupported file: %v", err)
	}
	if _, _, err := Expand(context.Background(), []string{filepath.Join(dir, "missing.txt")}); err == nil {
		t.Error("missing file: no error")
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, file, body string
		kind             store.WorkKind
		text             string // substring of Text
		notText          string
		err              error
	}{
		{name: "plain", file: "poem.txt", body: "Roses are red.\n", kind: store.KindText, text: "Roses are red."},
		{name: "html main text", file: "page.html", body: "<html><body><nav>Menu</nav><p>The body text.</p><script>x()</script></body></html>", kind: store.KindText, text: "The body text.", notText: "Menu"},
		{name: "invalid utf8 kept readable", file: "latin1.txt", body: "caf\xe9 au lait and more words here", kind: store.KindText, text: "au lait"},
		{name: "empty", file: "empty.md", body: "", err: ErrEmpty},
		{name: "only markup", file: "empty.html", body: "<html><script>x</script></html>", err: ErrEmpty},
		{name: "binary", file: "bin.txt", body: "\x00\x00\x01\x02", err: ErrBinary},
		{name: "mostly invalid utf8", file: "junk.txt", body: strings.Repeat("\xff\xfe\xfd", 100), err: ErrBinary},
		{name: "image bytes unchecked here", file: "a.png", body: "png?", kind: store.KindImage},
		{name: "unsupported", file: "a.pdf", body: "%PDF", err: ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, filepath.Join(dir, tc.file), tc.body)
			f, err := Read(p, DefaultLimits())
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Kind != tc.kind || f.Title != tc.file || string(f.Data) != tc.body {
				t.Errorf("got kind %s title %s", f.Kind, f.Title)
			}
			if !strings.Contains(f.Text, tc.text) || (tc.notText != "" && strings.Contains(f.Text, tc.notText)) {
				t.Errorf("text %q", f.Text)
			}
		})
	}
}

func TestReadTooLarge(t *testing.T) {
	p := write(t, filepath.Join(t.TempDir(), "big.txt"), strings.Repeat("word ", 300))
	if _, err := Read(p, Limits{MaxTextBytes: 1000, MaxImageBytes: 1000}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err %v, want ErrTooLarge", err)
	}
}
