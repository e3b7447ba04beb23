package dashboard

import (
	"context"
	"errors"

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

// RegisterUpload implements Registrar.
func (m MatcherRegistrar) RegisterUpload(ctx context.Context, u Upload) (store.Work, bool, error) {
	lim := m.Limits
	if lim == (workfile.Limits{}) {
		lim = workfile.DefaultLimits()
	}
	if err := workfile.CheckContent(u.Filename, u.Data); err != nil {
		return store.Work{}, false, err
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

// refused reports whether err says what is wrong with an uploaded file
// (its type, size or content), so the page may show it. Any other error is
// the server's (a store failure, say) and may name internals.
func refused(err error) bool {
	for _, target := range []error{
		workfile.ErrUnsupported, workfile.ErrContentMismatch, workfile.ErrEmpty, workfile.ErrBinary, workfile.ErrTooLarge,
		matcher.ErrNoContent, imagefp.ErrDecode, imagefp.ErrTooLarge, store.ErrInvalid,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
