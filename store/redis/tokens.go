package redis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
)

// PutToken implements store.Tokens with one HSETNX: a hash already stored
// is store.ErrInvalid and leaves the stored token unchanged.
func (s *Store) PutToken(ctx context.Context, t store.Token) error {
	const op = "put token"
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	switch {
	case len(t.Hash) != 64 || !isLowerHex(t.Hash):
		return fmt.Errorf("%s: %w: token hash is not 64 lowercase hex digits", op, store.ErrInvalid)
	case t.Creator == "" && !t.Admin:
		return fmt.Errorf("%s: %w: token has neither a creator nor admin rights", op, store.ErrInvalid)
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	ok, err := s.c.HSetNX(ctx, s.k.tokens(), t.Hash, encodeToken(t)).Result()
	if err != nil {
		return s.fail(ctx, op, err)
	}
	if !ok {
		return fmt.Errorf("%s: %w: hash %.12s... is already stored", op, store.ErrInvalid, t.Hash)
	}
	return nil
}

// encodeToken is "<created ms>:<admin 0|1>:<creator>".
func encodeToken(t store.Token) string {
	admin := "0"
	if t.Admin {
		admin = "1"
	}
	return timeArg(stamp(t.CreatedAt)) + ":" + admin + ":" + t.Creator
}

func decodeToken(hash, v string) (store.Token, error) {
	created, rest, ok1 := strings.Cut(v, ":")
	admin, creator, ok2 := strings.Cut(rest, ":")
	t := store.Token{Hash: hash, Creator: creator, Admin: admin == "1"}
	var err error
	if t.CreatedAt, err = timeOf(created); err != nil || !ok1 || !ok2 || (admin != "0" && admin != "1") {
		return store.Token{}, fmt.Errorf("token %.12s...: %w", hash, errCorrupt)
	}
	return t, nil
}

// TokenByHash implements store.Tokens.
func (s *Store) TokenByHash(ctx context.Context, hash string) (store.Token, error) {
	const op = "token by hash"
	if err := s.check(ctx); err != nil {
		return store.Token{}, fmt.Errorf("%s: %w", op, err)
	}
	v, err := s.c.HGet(ctx, s.k.tokens(), hash).Result()
	if errors.Is(err, goredis.Nil) {
		return store.Token{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.Token{}, s.fail(ctx, op, err)
	}
	t, err := decodeToken(hash, v)
	if err != nil {
		return store.Token{}, fmt.Errorf("%s: %w", op, err)
	}
	return t, nil
}

// ListTokens implements store.Tokens: oldest first, ties by hash. Tokens
// are few (one or two per creator), so they are one hash read whole.
func (s *Store) ListTokens(ctx context.Context) ([]store.Token, error) {
	const op = "list tokens"
	if err := s.check(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	all, err := s.c.HGetAll(ctx, s.k.tokens()).Result()
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	ts := make([]store.Token, 0, len(all))
	for hash, v := range all {
		t, err := decodeToken(hash, v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b store.Token) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.Hash, b.Hash))
	})
	return ts, nil
}

// DeleteToken implements store.Tokens with one HDEL, so a token is gone
// for every process at once.
func (s *Store) DeleteToken(ctx context.Context, hash string) error {
	const op = "delete token"
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	n, err := s.c.HDel(ctx, s.k.tokens(), hash).Result()
	if err != nil {
		return s.fail(ctx, op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return nil
}
