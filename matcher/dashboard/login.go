package dashboard

import (
	"errors"
	"net/http"
	"strings"

	"github.com/attrib/attrib/matcher/access"
)

// loginPage is the login form.
type loginPage struct {
	CSRF  string
	Error string
}

func (loginPage) PageTitle() string { return "Log in" }

// loginForm shows the token form. Its CSRF token is bound to a fresh
// random nonce in a short-lived cookie, so a foreign site cannot log a
// browser into an account of its choosing.
func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	if _, err := h.opts.Auth.Authenticate(r); err == nil {
		http.Redirect(w, r, "/works", http.StatusSeeOther)
		return
	}
	h.showLogin(w, r, http.StatusOK, "")
}

func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	nonce, err := newNonce()
	if err != nil {
		h.fail(w, r, session{}, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: loginCookie, Value: nonce, Path: "/login", MaxAge: 3600,
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteStrictMode,
	})
	h.render(w, r, status, "login", session{}, loginPage{CSRF: h.csrf.token("login\x00" + nonce), Error: msg})
}

// login checks the pasted token and starts the session.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if err := h.parseForm(w, r, false); err != nil {
		h.formError(w, r, session{}, err)
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || !h.csrf.check(r, h.csrf.token("login\x00"+c.Value)) {
		h.showLogin(w, r, http.StatusForbidden, "The login form expired. Please paste your token again.")
		return
	}
	secret := strings.TrimSpace(r.PostForm.Get("token"))
	_, err = h.opts.Auth.Resolve(r.Context(), secret)
	switch {
	case errors.Is(err, access.ErrInvalidToken):
		h.showLogin(w, r, http.StatusUnauthorized, "That token is not valid. Check that you pasted all of it.")
		return
	case err != nil:
		h.fail(w, r, session{}, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Path: "/login", MaxAge: -1, Secure: h.secure(r)})
	access.SetSession(w, secret, h.secure(r))
	http.Redirect(w, r, "/works", http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, _ session) {
	access.ClearSession(w, h.secure(r))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
