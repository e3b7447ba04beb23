package workfile

import (
	"errors"
	"strings"
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

func TestCheckContent(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
	for _, tc := range []struct {
		name, data string
		want       error // nil: accepted
		msg        string
	}{
		{"poem.txt", "Some words of a poem.", nil, ""},
		{"page.html", "<html><body><p>text</p></body></html>", nil, ""},
		{"photo.png", png, nil, ""},
		{"PHOTO.PNG", png, nil, ""},
		{"poem.txt", png, ErrContentMismatch, "poem.txt: content is image/png, not text"},
		{"photo.jpg", png, ErrContentMismatch, "photo.jpg: content is image/png, not image/jpeg"},
		{"photo.png", "just text", ErrContentMismatch, "photo.png: content is text/plain, not image/png"},
		{"tool.exe", "MZ", ErrUnsupported, "tool.exe"},
	} {
		err := CheckContent(tc.name, []byte(tc.data))
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("CheckContent(%s, %.8q) = %v, want %v", tc.name, tc.data, err, tc.want)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("CheckContent(%s) error %q lacks %q", tc.name, err, tc.msg)
		}
	}
}
