package access_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

func openStore(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func putToken(t testing.TB, db store.Tokens, tok store.Token) string {
	t.Helper()
	secret, hash, err := access.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	tok.Hash = hash
	if err := db.PutToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	return secret
}

func TestNewTokenShape(t *testing.T) {
	a, ha, err := access.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := access.NewToken()
	if a == b {
		t.Fatal("two tokens are equal")
	}
	if !strings.HasPrefix(a, access.TokenPrefix) || len(a) != len(access.TokenPrefix)+43 {
		t.Errorf("secret %q: want attrib_ + 43 base64url characters", a)
	}
	if ha != access.HashToken(a) || len(ha) != 64 || strings.ToLower(ha) != ha {
		t.Errorf("hash %q is not the lowercase hex SHA-256 of the secret", ha)
	}
}

// echo reports the principal the middleware stored.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	p, ok := access.FromContext(r.Context())
	if !ok {
		w.Write([]byte("anonymous"))
		return
	}
	json.NewEncoder(w).Encode(p)
})

func TestRequire(t *testing.T) {
	db := openStore(t)
	creator := putToken(t, db, store.Token{Creator: "Ada"})
	admin := putToken(t, db, store.Token{Admin: true})
	unknown, _, _ := access.NewToken()
	var logs bytes.Buffer
	auth := access.NewAuthenticator(db, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	srv := httptest.NewServer(auth.Require(echo))
	defer srv.Close()

	cases := []struct {
		name       string
		header     string
		cookie     string
		wantStatus int
		wantBody   string
	}{
		{"no credentials", "", "", 401, `"error":"missing token`},
		{"creator bearer", "Bearer " + creator, "", 200, `"Creator":"Ada","Admin":false`},
		{"lowercase scheme", "bearer " + creator, "", 200, `"Creator":"Ada"`},
		{"admin bearer", "Bearer " + admin, "", 200, `"Admin":true`},
		{"session cookie", "", creator, 200, `"Creator":"Ada"`},
		{"bearer wins over cookie", "Bearer " + admin, creator, 200, `"Admin":true`},
		{"unknown token", "Bearer " + unknown, "", 401, `"error":"invalid token"`},
		{"malformed token", "Bearer hello", "", 401, `"error":"invalid token"`},
		{"basic auth", "Basic YTpi", "", 401, `"error":"missing token`},
		{"bad cookie", "", "attrib_xyz", 401, `"error":"invalid token"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL, nil)
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			if c.cookie != "" {
				req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: c.cookie})
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body bytes.Buffer
			body.ReadFrom(resp.Body)
			if resp.StatusCode != c.wantStatus || !strings.Contains(body.String(), c.wantBody) {
				t.Errorf("got %d %s, want %d containing %s", resp.StatusCode, body.String(), c.wantStatus, c.wantBody)
			}
			if c.wantStatus == 401 && resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("401 content type %q", resp.Header.Get("Content-Type"))
			}
		})
	}
	for _, secret := range []string{creator, admin, unknown} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("a secret reached the log: %s", logs.String())
		}
	}
}

func TestOptionalPassesAnonymous(t *testing.T) {
	db := openStore(t)
	creator := putToken(t, db, store.Token{Creator: "Ada"})
	h := access.NewAuthenticator(db, nil).Optional(echo)
	for _, c := range []struct{ cookie, want string }{
		{"", "anonymous"}, {"attrib_bogus", "anonymous"}, {creator, `"Creator":"Ada"`},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		if c.cookie != "" {
			req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: c.cookie})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("cookie %q: got %d %s, want %s", c.cookie, rec.Code, rec.Body, c.want)
		}
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	for _, secure := range []bool{true, false} {
		rec := httptest.NewRecorder()
		access.SetSession(rec, "attrib_x", secure)
		c := rec.Result().Cookies()[0]
		if c.Name != access.SessionCookie || c.Value != "attrib_x" || !c.HttpOnly || c.Secure != secure ||
			c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.MaxAge <= 0 {
			t.Errorf("SetSession(secure=%v) = %+v", secure, c)
		}
		rec = httptest.NewRecorder()
		access.ClearSession(rec, secure)
		if c := rec.Result().Cookies()[0]; c.MaxAge >= 0 || c.Value != "" || !c.HttpOnly {
			t.Errorf("ClearSession = %+v", c)
		}
	}
}

func TestPrincipalScope(t *testing.T) {
	ada := access.Principal{Creator: "Ada"}
	admin := access.Principal{Admin: true}
	w := store.Work{Creator: "Bob"}
	if ada.CanSeeWork(w) || !ada.CanSeeWork(store.Work{Creator: "Ada"}) || !admin.CanSeeWork(w) {
		t.Error("CanSeeWork")
	}
	if (access.Principal{}).CanSeeCreator("") {
		t.Error("an empty principal sees the empty creator")
	}
	if ada.Scope() != "Ada" || admin.Scope() != "" {
		t.Error("Scope")
	}
	ctx := access.WithPrincipal(context.Background(), access.Principal{})
	if _, ok := access.FromContext(ctx); ok {
		t.Error("an empty principal counts as authenticated")
	}
}
