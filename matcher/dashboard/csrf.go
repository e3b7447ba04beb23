package dashboard

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
)

// csrfField is the form field every POST form carries.
const csrfField = "csrf"

// loginCookie holds the random nonce the login form's CSRF token is bound
// to: before login there is no session to bind it to.
const loginCookie = "attrib_login"

// csrf makes and checks per-session form tokens: the HMAC of the session's
// secret under the server's key, so nothing is stored and a token is
// useless with another session. The session cookie is SameSite=Strict and
// the Origin is checked too: three locks, any of which stops a forged form.
type csrf struct{ key []byte }

// token returns the form token of a session (or login nonce) secret.
func (c csrf) token(secret string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte("attrib dashboard csrf\x00"))
	m.Write([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// check reports whether a parsed POST comes from this site's own form: a
// same-origin Origin (or, without one, Referer) header and the right token.
func (c csrf) check(r *http.Request, want string) bool {
	if !sameOrigin(r) {
		return false
	}
	got := r.PostForm.Get(csrfField)
	return want != "" && hmac.Equal([]byte(got), []byte(want))
}

// sameOrigin reports whether the request's Origin, or its Referer when the
// browser sent no Origin, names this host (as the request or a proxy's
// X-Forwarded-Host names it). A request with neither is let
// through to the token check (old browsers, privacy settings).
func sameOrigin(r *http.Request) bool {
	src := r.Header.Get("Origin")
	if src == "null" {
		return false // sandboxed or opaque origins never post our forms
	}
	if src == "" {
		src = r.Header.Get("Referer")
	}
	if src == "" {
		return true
	}
	u, err := url.Parse(src)
	if err != nil {
		return false
	}
	// Behind a reverse proxy that rewrites Host, the public host is in
	// X-Forwarded-Host; a forged form cannot set that header.
	fwd, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Host"), ",")
	return strings.EqualFold(u.Host, r.Host) || (fwd != "" && strings.EqualFold(u.Host, strings.TrimSpace(fwd)))
}

// newNonce returns a random login nonce.
func newNonce() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
