package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/attrib/attrib/cmd/attrib/internal/config"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/matcher/api"
	"github.com/attrib/attrib/matcher/dashboard"
	"github.com/attrib/attrib/store"
)

type serveOptions struct {
	addr string
	// ready, when set, is called with the listening address (tests).
	ready func(addr string)
	// grace replaces shutdownGrace (tests).
	grace time.Duration
}

func newServeCommand(g *globalOptions) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080]",
		Short: "Serve the JSON API, the dashboard, /metrics and /healthz",
		Long: `Serve the creator service: the JSON API under /api/v1, the dashboard at /,
Prometheus metrics at /metrics and a health check at /healthz.

Every API route and the dashboard need a token: "Authorization: Bearer TOKEN"
or the dashboard's login. Make tokens with attrib token create, or as the
admin through POST /api/v1/tokens.

On its first start with no admin token in the store, serve creates one and
prints it ONCE to stdout (never to the log): keep it, it is not shown again.

Settings live in the serve: section of the config file (upload limit,
timeouts, private work URLs, secure cookies); see configs/attrib.example.yaml.
SIGINT or SIGTERM stops serving gracefully: running requests finish, running
scans are stopped and stored as failed with what they found.`,
		Example: `  attrib serve
  attrib serve --addr 0.0.0.0:8080 --config attrib.yaml
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/v1/works`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("addr") {
				o.addr = g.cfg.Serve.Addr
			}
			return runServe(cmd.Context(), o, g)
		},
	}
	cmd.Flags().StringVar(&o.addr, "addr", config.Default().Serve.Addr, "listen address (default from serve.addr)")
	return cmd
}

func runServe(ctx context.Context, o serveOptions, g *globalOptions) error {
	st, m, err := g.openMatcher(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := m.Load(ctx); err != nil {
		return err
	}
	if err := ensureAdminToken(ctx, g, st); err != nil {
		return err
	}
	h, closeScans, err := serviceHandler(ctx, g, st, m)
	if err != nil {
		return err
	}
	defer closeScans()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	return serveUntilDone(ctx, g, h, ln, o)
}

// ensureAdminToken creates an admin token when the store has none, and
// prints it once to stdout: the operator's way in. Only its hash is stored.
func ensureAdminToken(ctx context.Context, g *globalOptions, st store.Store) error {
	tokens, err := st.ListTokens(ctx)
	if err != nil {
		return fmt.Errorf("list tokens: %w", err)
	}
	for _, t := range tokens {
		if t.Admin {
			return nil
		}
	}
	secret, err := createToken(ctx, st, store.Token{Admin: true})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(g.stdout, `No admin token existed, so one was created. It is shown only this once:

  %s

Send it as "Authorization: Bearer TOKEN", or paste it into the dashboard's login.
Creator tokens: attrib token create --creator NAME (or POST /api/v1/tokens).
`, secret)
	return err
}

// serviceHandler wires API, dashboard, metrics and health into one handler.
func serviceHandler(ctx context.Context, g *globalOptions, st store.Store, m *matcher.Matcher) (http.Handler, func(), error) {
	sc := g.cfg.Serve
	metrics := api.NewMetrics()
	auth := access.NewAuthenticator(st, g.logger)
	tlog, err := g.openLog(st)
	if err != nil {
		return nil, nil, err
	}
	scans, err := newScanServices(ctx, g, st, metrics, tlog.RecordScan)
	if err != nil {
		return nil, nil, err
	}
	a := api.New(api.Deps{
		Store: st, Registrar: m, Auth: auth, Launcher: scans.launcher, Changes: scans.changes,
		Reloader: scans.reloader, Metrics: metrics, Notary: tlog, Logger: g.logger,
	}, api.Options{MaxUploadBytes: sc.MaxUploadBytes, AllowPrivateURLs: sc.AllowPrivateURLs})
	dash, err := dashboard.New(dashboard.Options{
		Store: st, Auth: auth, Registrar: dashboard.MatcherRegistrar{Matcher: m},
		Launcher: scans.launcher, MaxUploadBytes: sc.MaxUploadBytes, Logger: g.logger,
		SecureCookies: sc.SecureCookies,
	})
	if err != nil {
		scans.close()
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", a)
	mux.Handle("GET /metrics", metrics.Handler())
	mux.Handle("GET /healthz", api.Health(st))
	mux.Handle("/", dash)
	return metrics.Instrument(mux), scans.close, nil
}

// serveUntilDone serves on ln until ctx is cancelled, then shuts down
// gracefully: requests in flight get shutdownGrace to finish, and are then
// cut off (their contexts cancelled), before the caller closes the store
// they use.
func serveUntilDone(ctx context.Context, g *globalOptions, h http.Handler, ln net.Listener, o serveOptions) error {
	sc := g.cfg.Serve
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: time.Duration(sc.ReadHeaderTimeout),
		ReadTimeout:       time.Duration(sc.ReadTimeout),
		WriteTimeout:      time.Duration(sc.WriteTimeout),
		IdleTimeout:       time.Duration(sc.IdleTimeout),
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(g.logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	g.logger.Info("serving", "url", "http://"+ln.Addr().String()+"/", "api", "/api/v1", "metrics", "/metrics")
	if o.ready != nil {
		o.ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	g.logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cmp.Or(o.grace, shutdownGrace))
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// Requests' contexts do not end with ctx (BaseContext): closing
		// their connections is what stops them.
		_ = srv.Close()
		return fmt.Errorf("shutdown: requests still running were cut off: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// shutdownGrace is how long requests in flight may take after a signal.
const shutdownGrace = 10 * time.Second
