package workfile

import (
	"errors"
	"testing"

	"github.com/attrib/attrib/store"
)

func TestReadBytes(t *testing.T) {
	lim := Limits{MaxTextBytes: 64, MaxImageBytes: 8}
	cases := []struct {
		name     string
		data     string
		wantKind store.WorkKind
		wantText string
		wantErr  error
	}{
		{"poem.txt", "a quiet harbour", store.KindText, "a quiet harbour", nil},
		{"dir/page.html", "<html><body><p>tide and stone</p></body></html>", store.KindText, "tide and stone", nil},
		{"pic.png", "\x89PNG", store.KindImage, "", nil},
		{"pic.png", "123456789", "", "", ErrTooLarge},
		{"notes.txt", "   ", "", "", ErrEmpty},
		{"bin.txt", "a\x00b", "", "", ErrBinary},
		{"tool.exe", "MZ", "", "", ErrUnsupported},
	}
	for _, c := range cases {
		f, err := ReadBytes(c.name, []byte(c.data), lim)
		if !errors.Is(err, c.wantErr) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if f.Kind != c.wantKind || (c.wantText != "" && f.Text != c.wantText) || string(f.Data) != c.data {
			t.Errorf("%s: got kind %s text %q", c.name, f.Kind, f.Text)
		}
	}
	if f, _ := ReadBytes("dir/page.html", []byte("<p>x</p>"), lim); f.Title != "page.html" {
		t.Errorf("title %q", f.Title)
	}
}
