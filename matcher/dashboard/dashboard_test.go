package dashboard

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
)

func TestLogin(t *testing.T) {
	e := newEnv(t, Options{})
	secret := e.token("Mara", false)
	b := e.browser()
	if res := b.get("/works"); res.code != http.StatusSeeOther || res.header.Get("Location") != "/login" {
		t.Fatalf("signed-out /works: %d to %q, want 303 to /login", res.code, res.header.Get("Location"))
	}
	form := b.get("/login")
	csrf := csrfOf(t, form.body) // the current form's token; each refusal shows a new form
	valid := func(c string) string { return c }
	tests := []struct {
		name   string
		token  string
		csrf   func(current string) string
		origin string
		want   int
	}{
		{"wrong token", "attrib_nope", valid, "", http.StatusUnauthorized},
		{"another token's shape", strings.Repeat("x", len(secret)), valid, "", http.StatusUnauthorized},
		{"missing csrf", secret, func(string) string { return "" }, "", http.StatusForbidden},
		{"forged csrf", secret, func(c string) string { return c[:len(c)-2] + "xx" }, "", http.StatusForbidden},
		{"foreign origin", secret, valid, "https://evil.test", http.StatusForbidden},
		{"right token", secret, valid, "", http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/login",
				strings.NewReader(url.Values{"token": {tt.token}, "csrf": {tt.csrf(csrf)}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", e.srv.URL)
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			res := b.do(req)
			if res.code != tt.want {
				t.Fatalf("status %d, want %d\n%s", res.code, tt.want, res.body)
			}
			if tt.want != http.StatusSeeOther {
				if strings.Contains(strings.Join(res.header.Values("Set-Cookie"), ";"), "attrib_session=attrib_") {
					t.Error("a refused login set the session cookie")
				}
				csrf = csrfOf(t, res.body) // the form shown again has a fresh nonce
				return
			}
			cookie := strings.Join(res.header.Values("Set-Cookie"), "\n")
			for _, want := range []string{"attrib_session=" + secret, "HttpOnly", "SameSite=Strict"} {
				if !strings.Contains(cookie, want) {
					t.Errorf("session cookie %q lacks %q", cookie, want)
				}
			}
		})
	}
	if res := b.get("/works"); res.code != http.StatusOK || !strings.Contains(res.body, "My works") {
		t.Fatalf("after login /works: %d\n%s", res.code, res.body)
	}
}

// Logging out needs the form's token too; then the session is gone.
func TestLogout(t *testing.T) {
	e := newEnv(t, Options{})
	b := e.loggedIn(e.token("Mara", false))
	if res := b.postForm("/logout", url.Values{}); res.code != http.StatusForbidden {
		t.Errorf("logout without csrf: %d, want 403", res.code)
	}
	page := b.get("/works")
	if res := b.postForm("/logout", url.Values{"csrf": {csrfOf(t, page.body)}}); res.code != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.code)
	}
	if res := b.get("/works"); res.code != http.StatusSeeOther {
		t.Errorf("after logout /works: %d, want 303 to the login", res.code)
	}
}

// TestAuthorisationWalk asks for creator B's data as creator A on every
// dashboard route that names a work, and checks that listings hold only
// A's works while the admin sees both.
func TestAuthorisationWalk(t *testing.T) {
	e := newEnv(t, Options{})
	wa := e.register(matcher.Input{Creator: "Ada", Title: "ada-poem.txt", Kind: store.KindText, Data: []byte(poem), Text: poem})
	wb := e.register(matcher.Input{Creator: "Bea", Title: "bea-picture.png", Kind: store.KindImage, Data: picture(t, 3)})
	d := 3
	e.finishedScan(
		store.Match{WorkID: wa.ID, FoundURL: "http://site.test/a", PageURL: "http://site.test/a", Method: "text", Score: 1,
			Evidence: store.Evidence{Algorithm: "winnow", Passages: []store.Passage{{WorkStart: 0, WorkEnd: 40, FoundStart: 0, FoundEnd: 40, Text: poem[:40]}}}},
		store.Match{WorkID: wb.ID, FoundURL: "http://site.test/secret-b.jpg", PageURL: "http://site.test/b", Method: "image", Score: 1,
			Evidence: store.Evidence{Algorithm: "pdq", Distance: &d, Bits: 256}},
	)
	ada := e.loggedIn(e.token("Ada", false))
	for _, path := range []string{"/works/" + wb.ID, "/works/" + wb.ID + "/thumb", "/works/no-such-work", "/works/no-such-work/thumb"} {
		res := ada.get(path)
		if res.code != http.StatusNotFound {
			t.Errorf("Ada GET %s: %d, want 404", path, res.code)
		}
		if strings.Contains(res.body, "bea-picture") || strings.Contains(res.body, "secret-b") {
			t.Errorf("Ada GET %s shows Bea's data", path)
		}
	}
	if res := ada.get("/works/" + wa.ID); res.code != http.StatusOK || !strings.Contains(res.body, "http://site.test/a") {
		t.Errorf("Ada's own work: %d", res.code)
	}
	list := ada.get("/works")
	if !strings.Contains(list.body, "ada-poem.txt") || strings.Contains(list.body, "bea-picture") {
		t.Errorf("Ada's works list:\n%s", list.body)
	}
	upload := ada.get("/upload")
	if strings.Contains(upload.body, `name="creator"`) || strings.Contains(upload.body, "Bea") {
		t.Error("a creator's upload form offers other creators")
	}

	admin := e.loggedIn(e.token("", true))
	all := admin.get("/works")
	for _, want := range []string{"All works", "<h3 id=\"creator-0\">Ada</h3>", "<h3 id=\"creator-1\">Bea</h3>", "ada-poem.txt", "bea-picture.png"} {
		if !strings.Contains(all.body, want) {
			t.Errorf("admin's works list lacks %q", want)
		}
	}
	if res := admin.get("/works/" + wb.ID + "/thumb"); res.code != http.StatusOK || res.header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("admin thumb: %d %s", res.code, res.header.Get("Content-Type"))
	}
}

func TestCSRFOnSignedInForms(t *testing.T) {
	e := newEnv(t, Options{})
	b := e.loggedIn(e.token("Mara", false))
	token := csrfOf(t, b.get("/upload").body)
	other := csrfOf(t, e.loggedIn(e.token("Other", false)).get("/upload").body)
	if token == other {
		t.Fatal("two sessions got the same CSRF token")
	}
	tests := []struct {
		name   string
		csrf   string
		origin string
		want   int
	}{
		{"no token", "", "", http.StatusForbidden},
		{"another session's token", other, "", http.StatusForbidden},
		{"foreign origin", token, "https://evil.test", http.StatusForbidden},
		{"opaque origin", token, "null", http.StatusForbidden},
		{"own token", token, "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res response
			if tt.origin == "" {
				res = b.postUpload(url.Values{"csrf": {tt.csrf}}, file{"poem.txt", []byte(poem)})
			} else {
				// postUpload sets our Origin; build the forged request by hand.
				res = forged(t, b, tt.origin, url.Values{"csrf": {tt.csrf}})
			}
			if res.code != tt.want {
				t.Fatalf("status %d, want %d\n%s", res.code, tt.want, res.body)
			}
		})
	}
	if ws, _ := e.db.Works(t.Context(), store.WorkFilter{Creator: "Mara"}); len(ws) != 1 {
		t.Errorf("Mara has %d works, want 1 (only the upload with her token)", len(ws))
	}
}

func forged(t *testing.T, b *browser, origin string, v url.Values) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+"/logout", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	return b.do(req)
}

func TestSecureCookies(t *testing.T) {
	for _, secure := range []bool{false, true} {
		e := newEnv(t, Options{SecureCookies: secure})
		b := e.browser()
		form := b.get("/login")
		res := b.postForm("/login", url.Values{"token": {e.token("Mara", false)}, "csrf": {csrfOf(t, form.body)}})
		for _, c := range append(res.header.Values("Set-Cookie"), form.header.Values("Set-Cookie")...) {
			if got := strings.Contains(c, "; Secure"); got != secure {
				t.Errorf("SecureCookies %v: cookie %q", secure, c)
			}
		}
	}
}
