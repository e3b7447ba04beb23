package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/redistest"
	"github.com/attrib/attrib/store/sqlite"
)

// tokenCLI runs attrib with the global flags of one backend.
type tokenCLI struct {
	t       *testing.T
	backend []string // --db PATH, or --redis URL --namespace NS
}

func (c tokenCLI) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append(append([]string{}, c.backend...), args...), &out, &errb)
	return out.String(), errb.String(), code
}

func (c tokenCLI) ok(args ...string) (stdout, stderr string) {
	c.t.Helper()
	out, errs, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("attrib %s: exit %d\nstderr: %s", strings.Join(args, " "), code, errs)
	}
	return out, errs
}

// create makes a token with `token create --json` and returns its secret.
func (c tokenCLI) create(args ...string) string {
	c.t.Helper()
	out, _ := c.ok(append([]string{"token", "create", "--json"}, args...)...)
	var tok struct{ Token string }
	if err := json.Unmarshal([]byte(out), &tok); err != nil || tok.Token == "" {
		c.t.Fatalf("token create %v: %q %v", args, out, err)
	}
	return tok.Token
}

type tokenListJSON struct {
	Tokens []struct {
		ID        string `json:"id"`
		Creator   string `json:"creator"`
		Admin     bool   `json:"admin"`
		CreatedAt string `json:"created_at"`
	} `json:"tokens"`
}

func (c tokenCLI) list() tokenListJSON {
	c.t.Helper()
	out, _ := c.ok("token", "list", "--json")
	var l tokenListJSON
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		c.t.Fatalf("token list --json: %q: %v", out, err)
	}
	return l
}

// cookieCall sends GET path with only the dashboard's session cookie and
// returns the status and the redirect target, if any.
func cookieCall(t *testing.T, s *server, path, secret string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.base+path, nil)
	req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: secret})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location")
}

// List, then revoke while attrib serve runs: the token and sessions
// carrying it are refused at once; on SQLite and on Redis.
func TestTokenListAndRevoke(t *testing.T) {
	backends := []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"sqlite", func(t *testing.T) []string { return []string{"--db", filepath.Join(t.TempDir(), "attrib.db")} }},
		{"redis", func(t *testing.T) []string {
			_, prefix := redistest.Client(t)
			return []string{"--redis", "redis://" + redistest.Addr() + "/0", "--namespace", strings.TrimSuffix(prefix, ":")}
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { testTokenListAndRevoke(t, tokenCLI{t: t, backend: b.args(t)}) })
	}
}

func testTokenListAndRevoke(t *testing.T, c tokenCLI) {
	if out, _ := c.ok("token", "list"); strings.TrimSpace(out) != "ID  CREATOR  ADMIN  CREATED" {
		t.Errorf("token list of an empty store = %q, want the header only", out)
	}
	admin, ada, bob := c.create("--admin"), c.create("--creator", "Ada"), c.create("--creator", "Bob")
	adminID, adaID, bobID := access.TokenID(access.HashToken(admin)), access.TokenID(access.HashToken(ada)), access.TokenID(access.HashToken(bob))

	// Both listings show IDs, never a secret or more of a hash.
	human, _ := c.ok("token", "list")
	jsonOut, _ := c.ok("token", "list", "--json")
	for _, secret := range []string{admin, ada, bob} {
		for name, out := range map[string]string{"human": human, "json": jsonOut} {
			if h := access.HashToken(secret); strings.Contains(out, secret) || strings.Contains(out, h[:access.TokenIDLen+1]) {
				t.Errorf("%s list shows a secret or hash: %s", name, out)
			}
		}
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^` + adminID + `\s+-\s+yes\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`),
		regexp.MustCompile(`(?m)^` + adaID + `\s+Ada\s+no\s+`),
		regexp.MustCompile(`(?m)^` + bobID + `\s+Bob\s+no\s+`),
	} {
		if !want.MatchString(human) {
			t.Errorf("token list = %q, want a line matching %s", human, want)
		}
	}
	// Tokens made within one millisecond are listed by hash, so compare
	// the set, not the order.
	l := c.list()
	byID := map[string]string{}
	for _, tk := range l.Tokens {
		who := tk.Creator
		if tk.Admin {
			who = "admin:" + tk.Creator
		}
		byID[tk.ID] = who
		if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT`).MatchString(tk.CreatedAt) {
			t.Errorf("token %s created_at = %q, want RFC 3339", tk.ID, tk.CreatedAt)
		}
	}
	if len(l.Tokens) != 3 || byID[adminID] != "admin:" || byID[adaID] != "Ada" || byID[bobID] != "Bob" {
		t.Errorf("token list --json = %+v, want the admin, Ada and Bob tokens", l)
	}

	s := startServe(t, c.backend...)
	if code, body := s.call(t, "GET", "/api/v1/whoami", bob, ""); code != 200 {
		t.Fatalf("Bob before revocation: %d %s", code, body)
	}
	if code, _ := cookieCall(t, s, "/works", bob); code != 200 {
		t.Fatalf("Bob's dashboard session before revocation: %d", code)
	}

	out, _ := c.ok("token", "revoke", bobID)
	if want := "revoked token " + bobID + " (creator Bob)\n"; out != want {
		t.Errorf("token revoke = %q, want %q", out, want)
	}
	if code, body := s.call(t, "GET", "/api/v1/whoami", bob, ""); code != 401 {
		t.Errorf("Bob's revoked token: %d %s, want 401", code, body)
	}
	if code, _ := cookieCall(t, s, "/api/v1/whoami", bob); code != 401 {
		t.Errorf("API with a session carrying Bob's revoked token: %d, want 401", code)
	}
	if code, loc := cookieCall(t, s, "/works", bob); code != http.StatusSeeOther || loc != "/login" {
		t.Errorf("dashboard with Bob's revoked session: %d to %q, want 303 to /login", code, loc)
	}
	if code, body := s.call(t, "GET", "/api/v1/whoami", ada, ""); code != 200 {
		t.Errorf("Ada after Bob's revocation: %d %s", code, body)
	}
	// What the CLI revoked, the API no longer lists.
	if code, body := s.call(t, "GET", "/api/v1/tokens", admin, ""); code != 200 || strings.Contains(body, bobID) || !strings.Contains(body, adaID) {
		t.Errorf("GET /api/v1/tokens after revoking Bob: %d %s", code, body)
	}

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"revoked already", []string{bobID}, 1, "attrib: no token has ID " + bobID},
		{"unknown", []string{"ffffffffffff"}, 1, "attrib: no token has ID ffffffffffff"},
		{"not hex", []string{"nonexistent"}, 2, "hex digits"},
		{"too short", []string{adaID[:5]}, 2, "hex digits"},
		{"no ID", nil, 2, "attrib: "},
		{"two IDs", []string{adaID, adminID}, 2, "attrib: "},
	} {
		_, stderr, code := c.run(append([]string{"token", "revoke"}, tc.args...)...)
		if code != tc.code || !strings.HasPrefix(stderr, "attrib: ") || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%s: token revoke %v: exit %d %q, want %d with %q", tc.name, tc.args, code, stderr, tc.code, tc.stderr)
		}
	}
	if l := c.list(); len(l.Tokens) != 2 {
		t.Errorf("after revoking Bob and failed revocations: %+v, want admin and Ada", l)
	}

	// A unique prefix is enough; the last admin token gone, stderr says how
	// to make one.
	out, stderr := c.ok("token", "revoke", strings.ToUpper(adminID[:8]))
	if out != "revoked token "+adminID+" (admin)\n" || !strings.Contains(stderr, "attrib token create --admin") {
		t.Errorf("revoking the last admin token: %q %q", out, stderr)
	}
	if code, _ := s.call(t, "GET", "/api/v1/tokens", admin, ""); code != 401 {
		t.Errorf("the revoked admin token: %d, want 401", code)
	}
	if _, stderr := c.ok("token", "revoke", adaID); stderr != "" {
		t.Errorf("revoking a creator token warned: %q", stderr)
	}
}

// Two tokens whose IDs agree: revoking by that ID is refused, a longer
// prefix works.
func TestTokenRevokeAmbiguous(t *testing.T) {
	c := tokenCLI{t: t, backend: []string{"--db", filepath.Join(t.TempDir(), "attrib.db")}}
	c.create("--admin") // creates the store
	db, err := sqlite.Open(context.Background(), c.backend[1])
	if err != nil {
		t.Fatal(err)
	}
	twinA, twinB := "abcdef012345a"+strings.Repeat("0", 51), "abcdef012345a"+strings.Repeat("1", 51)
	for _, h := range []string{twinA, twinB} {
		if err := db.PutToken(context.Background(), store.Token{Hash: h, Creator: "Twin"}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if _, stderr, code := c.run("token", "revoke", "abcdef012345"); code != 1 || !strings.Contains(stderr, "give more digits") {
		t.Errorf("ambiguous ID: exit %d %q, want 1 asking for more digits", code, stderr)
	}
	if out, _ := c.ok("token", "revoke", twinB[:14]); out != "revoked token abcdef012345 (creator Twin)\n" {
		t.Errorf("revoke by a longer prefix: %q", out)
	}
	if l := c.list(); len(l.Tokens) != 2 {
		t.Errorf("after revoking one twin: %+v", l)
	}
}
