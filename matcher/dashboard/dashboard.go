package dashboard

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/attrib/attrib/crawler/launch"
	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var staticFS embed.FS

// Store is the part of the store the dashboard reads.
type Store interface {
	Work(ctx context.Context, id string) (store.Work, error)
	Works(ctx context.Context, f store.WorkFilter) ([]store.Work, error)
	Creators(ctx context.Context) ([]store.Creator, error)
	Scan(ctx context.Context, id string) (store.Scan, error)
	ListScans(ctx context.Context) ([]store.Scan, error)
	Matches(ctx context.Context, scanID string, f store.MatchFilter) ([]store.Match, error)
}

// Authenticator resolves credentials into a principal;
// *access.Authenticator is the implementation.
type Authenticator interface {
	// Authenticate returns the principal of a request's session cookie (or
	// bearer token).
	Authenticate(r *http.Request) (access.Principal, error)
	// Resolve returns the principal of a pasted token secret.
	Resolve(ctx context.Context, secret string) (access.Principal, error)
}

// Registrar registers one uploaded file as a work of creator. title may be
// empty (the file name is used); created is false when the same content was
// already registered for that creator. The upload page shows the errors
// that say what is wrong with the file (wrapping workfile's, imagefp's or
// matcher.ErrNoContent, as MatcherRegistrar's do); any other error is
// logged and reported as a server failure.
type Registrar interface {
	RegisterUpload(ctx context.Context, u Upload) (w store.Work, created bool, err error)
}

// Upload is one file of the upload form.
type Upload struct {
	Creator  string
	Title    string
	License  string
	Filename string // as the browser sent it; its extension decides the kind
	Data     []byte
}

// Launcher starts a scan in the background and returns it as stored
// (queued or running); crawler/launch provides one.
type Launcher interface {
	Start(ctx context.Context, spec launch.Spec) (store.Scan, error)
}

// Options configure the dashboard. Store, Auth and Registrar are required.
type Options struct {
	Store     Store
	Auth      Authenticator
	Registrar Registrar
	// Launcher starts scans from the admin's form; nil hides the form.
	Launcher Launcher
	// Key signs CSRF tokens. Empty: a random key, so forms opened before a
	// restart must be reloaded.
	Key []byte
	// MaxUploadBytes bounds one upload request (all files together);
	// zero means DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// SecureCookies marks the session and login cookies Secure, as a
	// server behind a TLS-terminating proxy needs; requests that arrive
	// over TLS get Secure cookies anyway.
	SecureCookies bool
	Logger        *slog.Logger
}

// DefaultMaxUploadBytes fits a camera photo and a long text in one upload.
const DefaultMaxUploadBytes = 32 << 20

// Handler serves the dashboard. Mount it at "/" (the API is under /api/v1).
type Handler struct {
	opts  Options
	csrf  csrf
	pages map[string]*template.Template
	mux   *http.ServeMux
	log   *slog.Logger
}

// New returns the dashboard handler.
func New(opts Options) (*Handler, error) {
	if opts.Store == nil || opts.Auth == nil || opts.Registrar == nil {
		return nil, errors.New("dashboard: Store, Auth and Registrar are required")
	}
	if len(opts.Key) == 0 {
		opts.Key = make([]byte, 32)
		if _, err := rand.Read(opts.Key); err != nil {
			return nil, fmt.Errorf("dashboard: csrf key: %w", err)
		}
	}
	if opts.MaxUploadBytes <= 0 {
		opts.MaxUploadBytes = DefaultMaxUploadBytes
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	h := &Handler{opts: opts, csrf: csrf{key: opts.Key}, pages: pages, log: log}
	h.mux = h.routes()
	return h, nil
}

func (h *Handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.ServeFileFS(w, r, staticFS, "static/style.css")
	})
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /login", h.loginForm)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("POST /logout", h.signedIn(h.logout))
	mux.HandleFunc("GET /works", h.signedIn(h.works))
	mux.HandleFunc("GET /works/{id}", h.signedIn(h.work))
	mux.HandleFunc("GET /works/{id}/thumb", h.signedIn(h.thumb))
	mux.HandleFunc("GET /upload", h.signedIn(h.uploadForm))
	mux.HandleFunc("POST /upload", h.signedInWithFiles(h.upload))
	mux.HandleFunc("GET /scans", h.signedIn(h.scans))
	mux.HandleFunc("POST /scans", h.signedIn(h.startScan))
	mux.HandleFunc("GET /scans/{id}", h.signedIn(h.scan))
	mux.HandleFunc("/", h.notFound)
	return mux
}

// ServeHTTP serves the dashboard with its security headers.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	// Found images are shown from their own sites (img-src http: https:);
	// everything else, styles included, comes from here.
	hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' http: https:; style-src 'self'; "+
		"script-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	h.mux.ServeHTTP(w, r)
}

// signedIn runs next with the request's principal, sending a browser
// without a valid session to the login form. A POST must be a small form
// (maxFormBytes) carrying the session's CSRF token.
func (h *Handler) signedIn(next func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return h.signedInForm(next, false)
}

// signedInWithFiles is signedIn for the upload form, whose body may hold
// files up to MaxUploadBytes.
func (h *Handler) signedInWithFiles(next func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return h.signedInForm(next, true)
}

func (h *Handler) signedInForm(next func(http.ResponseWriter, *http.Request, session), files bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := h.opts.Auth.Authenticate(r)
		switch {
		case errors.Is(err, access.ErrNoCredentials), errors.Is(err, access.ErrInvalidToken):
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		case err != nil:
			h.fail(w, r, session{}, fmt.Errorf("authenticate: %w", err))
			return
		}
		s := session{Principal: p, CSRF: h.csrf.token(credential(r))}
		if r.Method != http.MethodPost {
			next(w, r, s)
			return
		}
		if err := h.parseForm(w, r, files); err != nil {
			h.formError(w, r, s, err)
			return
		}
		if !h.csrf.check(r, s.CSRF) {
			h.render(w, r, http.StatusForbidden, "error", s, errorPage{Title: "Form expired",
				Message: "The form was not sent from this dashboard or has expired. Go back, reload the page and try again."})
			return
		}
		next(w, r, s)
	}
}

// maxFormBytes bounds a form without files.
const maxFormBytes = 64 << 10

// uploadMemory is how much of an upload is held in memory; the rest of
// the (bounded) body spills to temporary files.
const uploadMemory = 8 << 20

// parseForm reads a POST body within bounds: MaxUploadBytes for a form
// that may send files, maxFormBytes for any other, whatever its content
// type (the login form is open to anyone: a large multipart body there
// must not be read, let alone spooled to disk).
func (h *Handler) parseForm(w http.ResponseWriter, r *http.Request, files bool) error {
	multi := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
	switch {
	case multi && files:
		r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxUploadBytes)
		return r.ParseMultipartForm(uploadMemory)
	case multi:
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		return r.ParseMultipartForm(maxFormBytes)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	return r.ParseForm()
}

// formError answers a body that could not be read: too large, or not a
// form.
func (h *Handler) formError(w http.ResponseWriter, r *http.Request, s session, err error) {
	if mb, ok := errors.AsType[*http.MaxBytesError](err); ok {
		page := errorPage{Title: "Upload too large",
			Message: fmt.Sprintf("An upload may hold at most %d MiB in all. Send fewer or smaller files.", h.opts.MaxUploadBytes>>20)}
		if mb.Limit == maxFormBytes {
			page = errorPage{Title: "Form too large", Message: fmt.Sprintf("This form may hold at most %d KiB.", maxFormBytes>>10)}
		}
		h.render(w, r, http.StatusRequestEntityTooLarge, "error", s, page)
		return
	}
	h.render(w, r, http.StatusBadRequest, "error", s, errorPage{Title: "Bad form", Message: "The form could not be read."})
}

// secure reports whether cookies set in reply to r must be Secure.
func (h *Handler) secure(r *http.Request) bool { return h.opts.SecureCookies || r.TLS != nil }

// credential returns the secret the request authenticated with, in the
// Authenticator's order: a bearer token, else the session cookie. The
// CSRF token is bound to it.
func credential(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	if c, err := r.Cookie(access.SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/works", http.StatusSeeOther)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusNotFound, "error", session{}, notFoundPage)
}
