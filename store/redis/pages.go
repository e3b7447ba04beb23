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
		if p.URL == "" {
			return fmt.Errorf("%s: %w: state %d has no URL", op, store.ErrInvalid, i)
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
// checked (decimal ms, empty for none), ETag, Last-Modified, scan ID.
func encodePageState(p store.PageState) []byte {
	var b []byte
	for _, f := range []string{timeArg(stamp(p.CheckedAt)), p.ETag, p.LastModified, p.ScanID} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

func decodePageState(url string, b []byte) (store.PageState, error) {
	var f [4]string
	for i := range f {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return store.PageState{}, fmt.Errorf("page state %s: %w", url, errCorrupt)
		}
		f[i], b = string(b[k:k+int(n)]), b[k+int(n):]
	}
	if len(b) != 0 {
		return store.PageState{}, fmt.Errorf("page state %s: %w", url, errCorrupt)
	}
	checked, err := timeOf(f[0])
	if err != nil {
		return store.PageState{}, fmt.Errorf("page state %s: %w: %w", url, errCorrupt, err)
	}
	return store.PageState{URL: url, ETag: f[1], LastModified: f[2], ScanID: f[3], CheckedAt: checked}, nil
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
