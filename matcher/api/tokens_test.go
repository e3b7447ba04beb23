package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/redis"
	"github.com/attrib/attrib/store/redistest"
	"github.com/attrib/attrib/store/sqlite"
)

// Listing and revoking tokens behave alike on both backends.
func TestTokenRevocation(t *testing.T) {
	backends := []struct {
		name string
		open func(t *testing.T) store.Store
	}{
		{"sqlite", func(t *testing.T) store.Store {
			db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "tokens.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}},
		{"redis", func(t *testing.T) store.Store {
			c, prefix := redistest.Client(t)
			s, err := redis.Open(t.Context(), c, prefix+"attrib")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { testTokenRevocation(t, b.open(t)) })
	}
}

// tokenEnv is a server on st with the tokens of the revocation test.
type tokenEnv struct {
	*env
	st           store.Store
	twinA, twinB string // hashes of two tokens whose IDs are equal
}

func newTokenEnv(t *testing.T, st store.Store) *tokenEnv {
	m, err := matcher.New(st, matcher.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	a := New(Deps{Store: st, Registrar: m, Auth: access.NewAuthenticator(st, nil)}, Options{})
	e := &tokenEnv{env: &env{t: t, api: a, srv: httptest.NewServer(a)}, st: st,
		twinA: "abcdef012345a" + strings.Repeat("0", 51), twinB: "abcdef012345a" + strings.Repeat("1", 51)}
	t.Cleanup(e.srv.Close)
	put := func(tok store.Token) {
		if err := st.PutToken(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	}
	newToken := func(tok store.Token) string {
		secret, hash, err := access.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		tok.Hash = hash
		put(tok)
		return secret
	}
	e.admin, e.ada, e.bob = newToken(store.Token{Admin: true}), newToken(store.Token{Creator: "Ada"}), newToken(store.Token{Creator: "Bob"})
	// Hand-made hashes with a shared 13-digit prefix: no secret has them,
	// they only make an ambiguous ID.
	put(store.Token{Hash: e.twinA, Creator: "Twin"})
	put(store.Token{Hash: e.twinB, Creator: "Twin"})
	return e
}

// withCookie sends GET path with the dashboard's session cookie only.
func (e *tokenEnv) withCookie(path, secret string) int {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: secret})
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (e *tokenEnv) list() TokenListJSON {
	e.t.Helper()
	r := e.getJSON("/api/v1/tokens", e.admin)
	if r.status != 200 {
		e.t.Fatalf("list tokens: %d %s", r.status, r.body)
	}
	var l TokenListJSON
	r.json(e.t, &l)
	return l
}

func testTokenRevocation(t *testing.T, st store.Store) {
	e := newTokenEnv(t, st)
	secrets := []string{e.admin, e.ada, e.bob}
	adminID, bobID := access.TokenID(access.HashToken(e.admin)), access.TokenID(access.HashToken(e.bob))

	r := e.getJSON("/api/v1/tokens", e.admin)
	stored, err := st.ListTokens(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range stored {
		if strings.Contains(r.body, tok.Hash[:access.TokenIDLen+1]) {
			t.Errorf("the list shows more of hash %s than its ID: %s", tok.Hash, r.body)
		}
	}
	for _, s := range secrets {
		if strings.Contains(r.body, s) || strings.Contains(r.body, s[len(access.TokenPrefix):][:12]) {
			t.Errorf("the list shows a secret: %s", r.body)
		}
	}
	l := e.list()
	if len(l.Tokens) != 5 {
		t.Fatalf("list = %+v, want 5 tokens", l)
	}
	id := regexp.MustCompile(`^[0-9a-f]{12}$`)
	for _, tok := range l.Tokens {
		if !id.MatchString(tok.ID) || tok.CreatedAt == "" || tok.Current != (tok.ID == adminID) {
			t.Errorf("listed token %+v (the caller's is %s)", tok, adminID)
		}
	}
	if got := e.withCookie("/api/v1/whoami", e.bob); got != 200 {
		t.Fatalf("Bob's session before revocation: %d", got)
	}

	for _, c := range []struct {
		name, token, id string
		status          int
		body            string
	}{
		{"creator may not revoke", e.ada, bobID, 403, "admin token required"},
		{"unknown id", e.admin, "ffffffffffff", 404, "no token ffffffffffff"},
		{"not an id", e.admin, "nonexistent", 404, "hex digits"},
		{"too short a prefix", e.admin, bobID[:5], 404, "hex digits"},
		{"ambiguous id", e.admin, access.TokenID(e.twinA), 409, "give more digits"},
		{"revoke Bob", e.admin, bobID, 204, ""},
		{"Bob again", e.admin, bobID, 404, "no token"},
		{"a longer prefix tells twins apart", e.admin, e.twinB[:14], 204, ""},
	} {
		r := e.do("DELETE", "/api/v1/tokens/"+c.id, c.token, nil, "")
		if r.status != c.status || !strings.Contains(r.body, c.body) {
			t.Errorf("%s: DELETE %s = %d %s, want %d with %q", c.name, c.id, r.status, r.body, c.status, c.body)
		}
	}

	if r := e.getJSON("/api/v1/whoami", e.bob); r.status != 401 {
		t.Errorf("Bob's revoked token: %d %s, want 401", r.status, r.body)
	}
	if got := e.withCookie("/api/v1/whoami", e.bob); got != 401 {
		t.Errorf("a session carrying Bob's revoked token: %d, want 401", got)
	}
	if r := e.getJSON("/api/v1/whoami", e.ada); r.status != 200 {
		t.Errorf("Ada after Bob's revocation: %d %s", r.status, r.body)
	}
	var left []string
	for _, tok := range e.list().Tokens {
		left = append(left, tok.Creator)
	}
	sort.Strings(left) // tokens of one millisecond are listed by hash
	if want := ",Ada,Twin"; strings.Join(left, ",") != want {
		t.Errorf("creators listed after revocations = %q, want %q", strings.Join(left, ","), want)
	}
	if r := e.do("DELETE", "/api/v1/tokens/"+access.TokenID(e.twinA), e.admin, nil, ""); r.status != 204 {
		t.Errorf("the twin's ID once unambiguous: %d %s", r.status, r.body)
	}

	// The admin may revoke its own token: it signs out.
	if r := e.do("DELETE", "/api/v1/tokens/"+adminID, e.admin, nil, ""); r.status != 204 {
		t.Fatalf("revoke own token: %d %s", r.status, r.body)
	}
	if r := e.getJSON("/api/v1/tokens", e.admin); r.status != 401 {
		t.Errorf("after revoking itself: %d %s, want 401", r.status, r.body)
	}
}
