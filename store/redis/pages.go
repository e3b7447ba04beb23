package redis

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
)

// PutPageStates implements store.Pages: the batch is checked first, then
// written with one pipelined HSET per state (in order, so the last state of
// a URL in a batch wins). The shards' hashes are in different slots, so a
// failure midway can leave part of a valid batch stored; storing it again
// completes it.
func (s *Store) PutPageStates(ctx context.Context, states []store.PageState) error {
	const op = "put page states"
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	for i, p := range states {
		if err := p.Check(); err != nil {
			return fmt.Errorf("%s: state %d: %w", op, i, err)
		}
	}
	err := s.pipe(ctx, func(pl goredis.Pipeliner) {
		for _, p := range states {
			pl.HSet(ctx, s.k.pages(p.URL), p.URL, encodePageState(p))
		}
	})
	if err != nil {
		return s.fail(ctx, op, err)
	}
	return nil
}

// encodePageState is four length-prefixed strings (uvarint length, bytes):
// checked (decimal ms, empty for none), ETag, Last-Modified, scan ID; then,
// when the links are recorded (non-nil), their count (uvarint) and each
// link length-prefixed. A record of the first version ends after the scan
// ID and decodes with Links nil.
func encodePageState(p store.PageState) []byte {
	var b []byte
	for _, f := range []string{timeArg(stamp(p.CheckedAt)), p.ETag, p.LastModified, p.ScanID} {
		b = appendString(b, f)
	}
	if p.Links != nil {
		b = binary.AppendUvarint(b, uint64(len(p.Links)))
		for _, l := range p.Links {
			b = appendString(b, l)
		}
	}
	return b
}

// readString reads a length-prefixed string off b.
func readString(b []byte) (string, []byte, bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return "", nil, false
	}
	return string(b[k : k+int(n)]), b[k+int(n):], true
}

func decodePageState(url string, b []byte) (store.PageState, error) {
	corrupt := fmt.Errorf("page state %s: %w", url, errCorrupt)
	var f [4]string
	for i := range f {
		var ok bool
		if f[i], b, ok = readString(b); !ok {
			return store.PageState{}, corrupt
		}
	}
	var links []string
	if len(b) != 0 {
		n, k := binary.Uvarint(b)
		// Each link takes at least its one-byte length: a count beyond
		// the bytes left is corrupt, not an allocation to make.
		if k <= 0 || n > store.MaxPageLinks || n > uint64(len(b)-k) {
			return store.PageState{}, corrupt
		}
		b = b[k:]
		links = make([]string, n)
		for i := range links {
			var ok bool
			if links[i], b, ok = readString(b); !ok {
				return store.PageState{}, corrupt
			}
		}
	}
	if len(b) != 0 {
		return store.PageState{}, corrupt
	}
	checked, err := timeOf(f[0])
	if err != nil {
		return store.PageState{}, fmt.Errorf("page state %s: %w: %w", url, errCorrupt, err)
	}
	return store.PageState{URL: url, ETag: f[1], LastModified: f[2], ScanID: f[3], CheckedAt: checked, Links: links}, nil
}

// PageState implements store.Pages.
func (s *Store) PageState(ctx context.Context, url string) (store.PageState, error) {
	op := "page state " + url
	if err := s.check(ctx); err != nil {
		return store.PageState{}, fmt.Errorf("%s: %w", op, err)
	}
	b, err := s.c.HGet(ctx, s.k.pages(url), url).Bytes()
	if errors.Is(err, goredis.Nil) {
		return store.PageState{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.PageState{}, s.fail(ctx, op, err)
	}
	p, err := decodePageState(url, b)
	if err != nil {
		return store.PageState{}, fmt.Errorf("%s: %w", op, err)
	}
	return p, nil
}
