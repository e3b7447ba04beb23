package access_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/store"
)

func TestTokenID(t *testing.T) {
	_, hash, err := access.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if id := access.TokenID(hash); id != hash[:12] {
		t.Errorf("TokenID = %q, want the first 12 hex digits of %s", id, hash)
	}
	if id := access.TokenID("abc"); id != "abc" {
		t.Errorf("TokenID of a short string = %q", id)
	}
}

func TestFindToken(t *testing.T) {
	db := openStore(t)
	// Hand-made hashes: two share their first 13 digits, one stands alone.
	twinA := "abcdef012345a" + strings.Repeat("0", 51)
	twinB := "abcdef012345a" + strings.Repeat("1", 51)
	alone := "0123456789ab" + strings.Repeat("2", 52)
	for _, tok := range []store.Token{
		{Hash: twinA, Creator: "Ada"}, {Hash: twinB, Creator: "Bob"}, {Hash: alone, Admin: true},
	} {
		if err := db.PutToken(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name, id string
		want     string // hash found
		err      error
	}{
		{"public id", "0123456789ab", alone, nil},
		{"shortest prefix", "012345", alone, nil},
		{"full hash", alone, alone, nil},
		{"upper case and spaces", " 0123456789AB ", alone, nil},
		{"longer prefix tells twins apart", twinB[:14], twinB, nil},
		{"public id of twins", "abcdef012345", "", access.ErrAmbiguousTokenID},
		{"unknown", "ffffffffffff", "", store.ErrNotFound},
		{"too short", "01234", "", access.ErrBadTokenID},
		{"not hex", "0123456789ag", "", access.ErrBadTokenID},
		{"longer than a hash", alone + "0", "", access.ErrBadTokenID},
		{"empty", "", "", access.ErrBadTokenID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := access.FindToken(t.Context(), db, c.id)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("FindToken(%q) = %v, want %v", c.id, err, c.err)
				}
				if strings.Contains(err.Error(), twinA[:13]) {
					t.Errorf("error %q shows more of a hash than asked for", err)
				}
				return
			}
			if err != nil || got.Hash != c.want {
				t.Fatalf("FindToken(%q) = %s, %v; want %s", c.id, got.Hash, err, c.want)
			}
		})
	}
}
