package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/attrib/attrib/crawler/workfile"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/store"
)

// WorkRegistrar is what MatcherRegistrar registers with; *matcher.Matcher
// is one.
type WorkRegistrar interface {
	Register(ctx context.Context, in matcher.Input) (store.Work, bool, error)
}

// MatcherRegistrar registers uploads through the matcher: the file's
// extension gives its kind, its bytes must sniff as that kind, and texts
// are read as `attrib register` reads files (HTML as the text a reader
// sees).
type MatcherRegistrar struct {
	Matcher WorkRegistrar
	Limits  workfile.Limits // zero: workfile.DefaultLimits
}

// sniffedImage is, per image extension, the content type net/http's
// sniffer must find: a renamed file is refused before a decoder sees it.
var sniffedImage = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp",
}

// RegisterUpload implements Registrar.
func (m MatcherRegistrar) RegisterUpload(ctx context.Context, u Upload) (store.Work, bool, error) {
	lim := m.Limits
	if lim == (workfile.Limits{}) {
		lim = workfile.DefaultLimits()
	}
	kind, ok := workfile.KindOf(u.Filename)
	if !ok {
		return store.Work{}, false, fmt.Errorf("%s: %w (want .txt .md .rst .html .htm .jpg .jpeg .png .gif .webp)", u.Filename, workfile.ErrUnsupported)
	}
	media, _, _ := strings.Cut(http.DetectContentType(u.Data), ";")
	if want := sniffedImage[strings.ToLower(path.Ext(u.Filename))]; kind == store.KindImage && media != want {
		return store.Work{}, false, refusedError(fmt.Sprintf("%s: content is %s, not %s", u.Filename, media, want))
	}
	if kind == store.KindText && !strings.HasPrefix(media, "text/") {
		return store.Work{}, false, refusedError(fmt.Sprintf("%s: content is %s, not text", u.Filename, media))
	}
	f, err := workfile.ReadBytes(u.Filename, u.Data, lim)
	if err != nil {
		return store.Work{}, false, err
	}
	title := u.Title
	if title == "" {
		title = f.Title
	}
	return m.Matcher.Register(ctx, matcher.Input{
		Creator: u.Creator, Title: title, License: u.License, Kind: f.Kind, Data: f.Data, Text: f.Text,
	})
}

// refusedError is a file refused for its content, which its uploader can
// change.
type refusedError string

func (e refusedError) Error() string { return string(e) }

// refused reports whether err says what is wrong with an uploaded file
// (its type, size or content), so the page may show it. Any other error is
// the server's (a store failure, say) and may name internals.
func refused(err error) bool {
	if _, ok := errors.AsType[refusedError](err); ok {
		return true
	}
	for _, target := range []error{
		workfile.ErrUnsupported, workfile.ErrEmpty, workfile.ErrBinary, workfile.ErrTooLarge,
		matcher.ErrNoContent, imagefp.ErrDecode, imagefp.ErrTooLarge, store.ErrInvalid,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
