package access

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/attrib/attrib/store"
)

// Errors of Authenticate; both mean 401 to an API client.
var (
	// ErrNoCredentials: the request carries neither a bearer token nor a
	// session cookie.
	ErrNoCredentials = errors.New("missing token: send Authorization: Bearer TOKEN")
	// ErrInvalidToken: the token is malformed, unknown or revoked.
	ErrInvalidToken = errors.New("invalid token")
)

// TokenSource is the part of the store the Authenticator needs.
type TokenSource interface {
	TokenByHash(ctx context.Context, hash string) (store.Token, error)
}

// Authenticator resolves a request's credentials into a Principal.
type Authenticator struct {
	tokens TokenSource
	log    *slog.Logger
}

// NewAuthenticator returns an Authenticator looking tokens up in tokens.
// log may be nil; it never receives a secret, at most a hash prefix.
func NewAuthenticator(tokens TokenSource, log *slog.Logger) *Authenticator {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Authenticator{tokens: tokens, log: log}
}

// Authenticate returns the principal of r's bearer token, or else of its
// session cookie. Errors wrap ErrNoCredentials or ErrInvalidToken, or are
// store failures (which the caller should answer with 500, not 401).
func (a *Authenticator) Authenticate(r *http.Request) (Principal, error) {
	secret, ok := credentials(r)
	if !ok {
		return Principal{}, ErrNoCredentials
	}
	return a.Resolve(r.Context(), secret)
}

// Resolve returns the principal of a token secret (the dashboard's login
// form checks a pasted token with it).
func (a *Authenticator) Resolve(ctx context.Context, secret string) (Principal, error) {
	if !wellFormed(secret) {
		return Principal{}, ErrInvalidToken
	}
	hash := HashToken(secret)
	t, err := a.tokens.TokenByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		a.log.Debug("unknown token", "token", HashPrefix(hash))
		return Principal{}, ErrInvalidToken
	}
	if err != nil {
		return Principal{}, fmt.Errorf("look up token: %w", err)
	}
	// The lookup is by hash, so the store's comparison leaks nothing about
	// the secret; this constant-time check guards against a backend that
	// matched loosely (prefix, case folding).
	if subtle.ConstantTimeCompare([]byte(t.Hash), []byte(hash)) != 1 {
		return Principal{}, ErrInvalidToken
	}
	p := FromToken(t)
	if !p.Valid() {
		return Principal{}, ErrInvalidToken
	}
	return p, nil
}

// credentials returns the bearer token, else the session cookie's value.
func credentials(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok), true
		}
		return "", false
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return c.Value, true
	}
	return "", false
}

// Require is middleware for API routes: a request without a valid token
// gets 401 {"error":...}; otherwise next runs with the principal in the
// request's context (FromContext).
func (a *Authenticator) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.Authenticate(r)
		switch {
		case errors.Is(err, ErrNoCredentials), errors.Is(err, ErrInvalidToken):
			w.Header().Set("WWW-Authenticate", `Bearer realm="attrib"`)
			writeError(w, http.StatusUnauthorized, err.Error())
			return
		case err != nil:
			a.log.Error("authentication failed", "err", err)
			writeError(w, http.StatusInternalServerError, "authentication unavailable")
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// Optional is middleware for the dashboard: it adds the principal to the
// context when the request carries valid credentials and otherwise passes
// the request on unchanged, so the page can redirect to its login form
// (FromContext reports false). Store failures are 500.
func (a *Authenticator) Optional(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.Authenticate(r)
		switch {
		case err == nil:
			r = r.WithContext(WithPrincipal(r.Context(), p))
		case !errors.Is(err, ErrNoCredentials) && !errors.Is(err, ErrInvalidToken):
			a.log.Error("authentication failed", "err", err)
			http.Error(w, "authentication unavailable", http.StatusInternalServerError)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
