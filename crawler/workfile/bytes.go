package workfile

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/attrib/attrib/store"
)

// ReadBytes is Read for content already in memory (an upload, a fetched
// URL): name gives the kind by its extension and the title by its base
// name; data is checked against lim like a file's bytes.
func ReadBytes(name string, data []byte, lim Limits) (File, error) {
	kind, ok := KindOf(name)
	if !ok {
		return File{}, fmt.Errorf("%s: %w", name, ErrUnsupported)
	}
	max := lim.MaxTextBytes
	if kind == store.KindImage {
		max = lim.MaxImageBytes
	}
	if int64(len(data)) > max {
		return File{}, fmt.Errorf("%s: %w (limit %d bytes)", name, ErrTooLarge, max)
	}
	f := File{Path: name, Kind: kind, Title: path.Base(name), Data: data}
	if kind == store.KindImage {
		return f, nil
	}
	var err error
	f.Text, err = textOf(name, data)
	return f, err
}

// ErrContentMismatch: a file's bytes do not sniff as the type its extension
// names (a renamed executable, a PNG called poem.txt).
var ErrContentMismatch = errors.New("content does not match the file type")

// sniffedImage is, per image extension, the content type net/http's sniffer
// must find; texts must sniff as some text/* type.
var sniffedImage = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp",
}

// contentError says what a mismatched file's bytes are; it unwraps to
// ErrContentMismatch.
type contentError struct{ name, got, want string }

func (e contentError) Error() string { return e.name + ": content is " + e.got + ", not " + e.want }
func (e contentError) Unwrap() error { return ErrContentMismatch }

// CheckContent refuses untrusted bytes (uploads, fetched URLs) before any
// decoder sees them: name's extension must be a supported work type
// (ErrUnsupported) and data must sniff as that type (ErrContentMismatch).
func CheckContent(name string, data []byte) error {
	kind, ok := KindOf(name)
	if !ok {
		return fmt.Errorf("%s: %w (want .txt .md .rst .html .htm .jpg .jpeg .png .gif .webp)", name, ErrUnsupported)
	}
	media, _, _ := strings.Cut(http.DetectContentType(data), ";")
	switch want := sniffedImage[strings.ToLower(path.Ext(name))]; {
	case kind == store.KindImage && media != want:
		return contentError{name, media, want}
	case kind == store.KindText && !strings.HasPrefix(media, "text/"):
		return contentError{name, media, "text"}
	}
	return nil
}
