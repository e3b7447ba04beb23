package access

import (
	"net/http"
	"time"
)

// SessionCookie is the dashboard's login cookie. It holds the token secret
// itself, so a session is exactly as valid as its token.
const SessionCookie = "attrib_session"

// SessionMaxAge is how long a browser keeps the session cookie.
const SessionMaxAge = 7 * 24 * time.Hour

// SetSession logs the browser in with secret: an HttpOnly, SameSite=Strict
// cookie, Secure unless secure is false (plain-http loopback and tests).
func SetSession(w http.ResponseWriter, secret string, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    secret,
		Path:     "/",
		MaxAge:   int(SessionMaxAge / time.Second),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteStrictMode,
	})
}

// ClearSession logs the browser out: it expires the cookie.
func ClearSession(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteStrictMode,
	})
}
