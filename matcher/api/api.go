package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/attrib/attrib/crawler/launch"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/store"
)

// Store is the part of the store the API reads and writes.
type Store interface {
	Work(ctx context.Context, id string) (store.Work, error)
	Works(ctx context.Context, f store.WorkFilter) ([]store.Work, error)
	Scan(ctx context.Context, id string) (store.Scan, error)
	LatestScan(ctx context.Context) (store.Scan, error)
	ListScans(ctx context.Context) ([]store.Scan, error)
	Matches(ctx context.Context, scanID string, f store.MatchFilter) ([]store.Match, error)
	PutToken(ctx context.Context, t store.Token) error
	ListTokens(ctx context.Context) ([]store.Token, error)
	DeleteToken(ctx context.Context, hash string) error
	PutSchedule(ctx context.Context, s store.Schedule) (store.Schedule, error)
	Schedule(ctx context.Context, id string) (store.Schedule, error)
	ListSchedules(ctx context.Context) ([]store.Schedule, error)
	DeleteSchedule(ctx context.Context, id string) error
}

// Registrar registers works; *matcher.Matcher is one.
type Registrar interface {
	Register(ctx context.Context, in matcher.Input) (store.Work, bool, error)
}

// Launcher starts scans in the background and returns them as stored
// (queued or running); the launcher of crawler/launch is one.
type Launcher interface {
	Start(ctx context.Context, spec launch.Spec) (store.Scan, error)
}

// ChangeSource says what changed for a creator between a scan and the one
// before it. matcher/changes computes it; cmd adapts it to this shape.
type ChangeSource interface {
	// Changes compares scanID (the latest finished scan when empty) with
	// the finished scan before it, limited to creator's works ("" for
	// every creator). Unknown scans are store.ErrNotFound.
	Changes(ctx context.Context, creator, scanID string) (ChangeSet, error)
}

// Reloader is told when schedules changed, so the scheduler re-reads them.
type Reloader interface {
	Reload(ctx context.Context) error
}

// Options configure the API.
type Options struct {
	// MaxUploadBytes bounds a registration request: its body and the
	// works it fetches from URLs, all together. 0: DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// AllowPrivateURLs lets work URLs reach loopback, private and
	// link-local addresses (tests, closed networks). Off by default: a
	// creator could otherwise make the server fetch internal services.
	AllowPrivateURLs bool
	// FetchTransport replaces the transport used to fetch work URLs
	// (tests). It bypasses the address guard; leave nil in production.
	FetchTransport http.RoundTripper
}

// DefaultMaxUploadBytes allows a long book or a camera photo with room to
// spare, as crawler/workfile's default limits do.
const DefaultMaxUploadBytes = 64 << 20

// Deps are what the API works with. Store, Registrar and Auth are
// required; a nil Launcher, Changes or Reloader makes the routes that need
// it answer 501 (or skip the reload).
type Deps struct {
	Store     Store
	Registrar Registrar
	Auth      *access.Authenticator
	Launcher  Launcher
	Changes   ChangeSource
	Reloader  Reloader
	Metrics   *Metrics
	// Notary, when set, puts the transparency proof in JSON reports and
	// serves registration receipts.
	Notary Notary
	Logger *slog.Logger
}

// API serves /api/v1.
type API struct {
	Deps
	opts  Options
	fetch *http.Client
	mux   *http.ServeMux
}

// New returns the API. It panics on missing required dependencies: that is
// a wiring bug, not a runtime condition.
func New(d Deps, opts Options) *API {
	if d.Store == nil || d.Registrar == nil || d.Auth == nil {
		panic("api.New: Store, Registrar and Auth are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxUploadBytes <= 0 {
		opts.MaxUploadBytes = DefaultMaxUploadBytes
	}
	a := &API{Deps: d, opts: opts, fetch: newFetchClient(opts)}
	a.mux = a.routes()
	return a
}

// ServeHTTP implements http.Handler; mount it at /api/v1/.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// Route is one route of the API, for documentation and the tests' walk.
type Route struct {
	Pattern string // ServeMux pattern: "GET /api/v1/works/{id}/appearances"
	Admin   bool   // admin only
}

// route binds a handler that needs a principal.
type route struct {
	Route
	h func(w http.ResponseWriter, r *http.Request, p access.Principal)
}

func (a *API) table() []route {
	return []route{
		{Route{"POST /api/v1/works", false}, a.postWorks},
		{Route{"GET /api/v1/works", false}, a.getWorks},
		{Route{"GET /api/v1/works/{id}", false}, a.getWork},
		{Route{"GET /api/v1/works/{id}/appearances", false}, a.workAppearances},
		{Route{"GET /api/v1/works/{id}/receipt", false}, a.getReceipt},
		{Route{"GET /api/v1/creators/{name}/appearances", false}, a.creatorAppearances},
		{Route{"GET /api/v1/changes", false}, a.getChanges},
		{Route{"GET /api/v1/scans", false}, a.listScans},
		{Route{"POST /api/v1/scans", true}, a.postScan},
		{Route{"GET /api/v1/scans/{id}", false}, a.getScan},
		{Route{"GET /api/v1/scans/{id}/report", false}, a.getReport},
		{Route{"GET /api/v1/schedules", true}, a.listSchedules},
		{Route{"POST /api/v1/schedules", true}, a.postSchedule},
		{Route{"GET /api/v1/schedules/{id}", true}, a.getSchedule},
		{Route{"PUT /api/v1/schedules/{id}", true}, a.putSchedule},
		{Route{"DELETE /api/v1/schedules/{id}", true}, a.deleteSchedule},
		{Route{"GET /api/v1/tokens", true}, a.listTokens},
		{Route{"POST /api/v1/tokens", true}, a.postToken},
		{Route{"DELETE /api/v1/tokens/{id}", true}, a.deleteToken},
		{Route{"GET /api/v1/whoami", false}, a.whoami},
	}
}

// Routes lists every route the API serves.
func (a *API) Routes() []Route {
	var out []Route
	for _, r := range a.table() {
		out = append(out, r.Route)
	}
	return out
}

func (a *API) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range a.table() {
		mux.Handle(rt.Pattern, sameOriginCookies(a.Auth.Require(a.guard(rt))))
	}
	// Unknown paths and methods under the API answer in JSON too (after
	// authentication, so the route table is not probed anonymously).
	mux.Handle("/api/v1/", a.Auth.Require(a.unrouted()))
	return mux
}

// sameOriginCookies refuses (403) a request that changes something with
// the dashboard's session cookie when the browser says it comes from
// another origin (Sec-Fetch-Site, else Origin against Host). SameSite=Strict
// keeps the cookie from other sites, but not from other hosts of the same
// site, and a text/plain form can carry a JSON body. Bearer requests pass:
// no other page can attach the token. Requests without those headers
// (curl, scripts) pass too.
func sameOriginCookies(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusForbidden, "cross-origin request refused: send the token as Authorization: Bearer TOKEN")
	}))
	checked := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			next.ServeHTTP(w, r)
			return
		}
		checked.ServeHTTP(w, r)
	})
}

// unrouted answers requests no route took: 405 with Allow when the path
// exists for other methods, else 404.
func (a *API) unrouted() http.Handler {
	paths := http.NewServeMux()
	allow := map[string][]string{}
	for _, rt := range a.table() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if allow[path] == nil {
			paths.Handle(path, http.NotFoundHandler())
		}
		allow[path] = append(allow[path], method)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := paths.Handler(r); pattern != "" && pattern != "/" {
			w.Header().Set("Allow", strings.Join(allow[pattern], ", "))
			writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed here")
			return
		}
		writeError(w, http.StatusNotFound, "no such route")
	})
}

// guard passes the principal to the handler and refuses creators on admin
// routes.
func (a *API) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := access.FromContext(r.Context())
		if !ok {
			writeError(w, http.StatusUnauthorized, access.ErrNoCredentials.Error())
			return
		}
		if rt.Admin && !p.Admin {
			writeError(w, http.StatusForbidden, "admin token required")
			return
		}
		rt.h(w, r, p)
	})
}

func (a *API) whoami(w http.ResponseWriter, _ *http.Request, p access.Principal) {
	writeJSON(w, http.StatusOK, map[string]any{"creator": p.Creator, "admin": p.Admin})
}
