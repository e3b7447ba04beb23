package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
)

func listTokens(t testing.TB, s store.Store) []store.Token {
	t.Helper()
	ts, err := s.ListTokens(t.Context())
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	return ts
}

func checkToken(t testing.TB, got, want store.Token) {
	t.Helper()
	if got.Hash != want.Hash || got.Creator != want.Creator || got.Admin != want.Admin ||
		!sameTime(got.CreatedAt, want.CreatedAt) {
		t.Errorf("token = %+v, want %+v", got, want)
	}
}

func testTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	if ts := listTokens(t, s); len(ts) != 0 {
		t.Fatalf("ListTokens on an empty store = %v", ts)
	}
	if _, err := s.TokenByHash(ctx, hash("nothing")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TokenByHash on an empty store = %v, want ErrNotFound", err)
	}
	// Stored out of order; two share a creation time (listed by hash). All
	// well before the token stamped with the current time below.
	base := baseTime().AddDate(-1, 0, 0)
	tokens := []store.Token{
		{Hash: hash("late"), Creator: "alice", CreatedAt: base.Add(2 * time.Hour)},
		{Hash: hash("early"), Admin: true, CreatedAt: base},
		{Hash: hash("tie b"), Creator: "bob", CreatedAt: base.Add(time.Hour)},
		{Hash: hash("tie a"), Creator: "bob", Admin: true, CreatedAt: base.Add(time.Hour)},
	}
	for _, tok := range tokens {
		if err := s.PutToken(ctx, tok); err != nil {
			t.Fatalf("PutToken(%+v): %v", tok, err)
		}
	}
	before := time.Now()
	now := store.Token{Hash: hash("now"), Creator: "carol"}
	if err := s.PutToken(ctx, now); err != nil {
		t.Fatalf("PutToken without CreatedAt: %v", err)
	}
	got, err := s.TokenByHash(ctx, now.Hash)
	if err != nil {
		t.Fatalf("TokenByHash: %v", err)
	}
	if got.CreatedAt.Before(before.Add(-time.Second)) || got.CreatedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("CreatedAt set by the store = %v, want about %v", got.CreatedAt, before)
	}
	now.CreatedAt = got.CreatedAt
	checkToken(t, got, now)
	for _, want := range tokens {
		got, err := s.TokenByHash(ctx, want.Hash)
		if err != nil {
			t.Fatalf("TokenByHash(%s): %v", want.Hash, err)
		}
		checkToken(t, got, want)
	}
	tieA, tieB := tokens[3], tokens[2]
	if tieB.Hash < tieA.Hash {
		tieA, tieB = tieB, tieA
	}
	want := []store.Token{tokens[1], tieA, tieB, tokens[0], now}
	list := listTokens(t, s)
	if len(list) != len(want) {
		t.Fatalf("ListTokens = %d tokens, want %d", len(list), len(want))
	}
	for i := range want {
		checkToken(t, list[i], want[i])
	}
	if _, err := s.TokenByHash(ctx, strings.ToUpper(now.Hash)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TokenByHash(upper case hash) = %v, want ErrNotFound", err)
	}
}

func testTokensInvalid(t *testing.T, s store.Store) {
	ctx := t.Context()
	stored := store.Token{Hash: hash("secret"), Creator: "alice", CreatedAt: baseTime()}
	if err := s.PutToken(ctx, stored); err != nil {
		t.Fatalf("PutToken: %v", err)
	}
	for _, tc := range []struct {
		name string
		tok  store.Token
	}{
		{"empty hash", store.Token{Creator: "alice"}},
		{"upper case hash", store.Token{Hash: strings.ToUpper(hash("x")), Creator: "alice"}},
		{"short hash", store.Token{Hash: hash("x")[:63], Creator: "alice"}},
		{"long hash", store.Token{Hash: hash("x") + "0", Creator: "alice"}},
		{"not hex", store.Token{Hash: strings.Repeat("g", 64), Creator: "alice"}},
		{"neither creator nor admin", store.Token{Hash: hash("y")}},
		{"hash taken", store.Token{Hash: stored.Hash, Admin: true}},
	} {
		if err := s.PutToken(ctx, tc.tok); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutToken(%s) = %v, want ErrInvalid", tc.name, err)
		}
	}
	list := listTokens(t, s)
	if len(list) != 1 {
		t.Fatalf("ListTokens after rejected tokens = %v, want only the first", list)
	}
	checkToken(t, list[0], stored)
}

func testTokensDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	keep := store.Token{Hash: hash("keep"), Creator: "alice", CreatedAt: baseTime()}
	gone := store.Token{Hash: hash("gone"), Admin: true, CreatedAt: baseTime().Add(time.Minute)}
	for _, tok := range []store.Token{keep, gone} {
		if err := s.PutToken(ctx, tok); err != nil {
			t.Fatalf("PutToken: %v", err)
		}
	}
	if err := s.DeleteToken(ctx, gone.Hash); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	if _, err := s.TokenByHash(ctx, gone.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TokenByHash after DeleteToken = %v, want ErrNotFound", err)
	}
	list := listTokens(t, s)
	if len(list) != 1 {
		t.Fatalf("ListTokens after DeleteToken = %v, want only the kept token", list)
	}
	checkToken(t, list[0], keep)
	for _, tc := range []struct{ name, hash string }{
		{"deleted again", gone.Hash},
		{"never stored", hash("never")},
		{"upper case of a stored hash", strings.ToUpper(keep.Hash)},
		{"prefix of a stored hash", keep.Hash[:12]},
		{"empty", ""},
	} {
		if err := s.DeleteToken(ctx, tc.hash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteToken(%s) = %v, want ErrNotFound", tc.name, err)
		}
	}
	got, err := s.TokenByHash(ctx, keep.Hash)
	if err != nil {
		t.Fatalf("TokenByHash of the kept token: %v", err)
	}
	checkToken(t, got, keep)
	// The hash of a revoked token may be stored again (it never will be in
	// practice: secrets are random), as a new token.
	again := store.Token{Hash: gone.Hash, Creator: "bob", CreatedAt: baseTime().Add(time.Hour)}
	if err := s.PutToken(ctx, again); err != nil {
		t.Fatalf("PutToken of a deleted hash: %v", err)
	}
	got, err = s.TokenByHash(ctx, again.Hash)
	if err != nil {
		t.Fatalf("TokenByHash: %v", err)
	}
	checkToken(t, got, again)
}
