package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/attrib/attrib/cmd/attrib/internal/config"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/transparency"
	"github.com/attrib/attrib/store"
	redisstore "github.com/attrib/attrib/store/redis"
	"github.com/attrib/attrib/store/sqlite"
)

// globalOptions are the flags every command has, resolved with the config
// file and environment into cfg before a command runs.
type globalOptions struct {
	configFile string
	db         string
	redis      string
	namespace  string
	verbose    bool
	quiet      bool

	cfg    config.Config
	stdout io.Writer
	stderr io.Writer
	logger *slog.Logger

	// tlog is the transparency log over tlogStore, opened once per
	// command: each Log reads every leaf of the store when first used.
	tlog      *transparency.Log
	tlogStore store.Store
}

func (g *globalOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&g.configFile, "config", "", "YAML config file (default $ATTRIB_CONFIG); flags override env, env overrides file")
	fs.StringVar(&g.db, "db", "", "embedded SQLite store (default $ATTRIB_DB, else ./attrib.db)")
	fs.StringVar(&g.redis, "redis", "", "Redis URL to use as queue and store instead of SQLite (default $ATTRIB_REDIS)")
	fs.StringVar(&g.namespace, "namespace", "", "key prefix of the Redis deployment (default $ATTRIB_DISTRIBUTED_NAMESPACE, else attrib)")
	fs.BoolVarP(&g.verbose, "verbose", "v", false, "debug logging on stderr")
	fs.BoolVar(&g.quiet, "quiet", false, "no progress output; only warnings and errors on stderr")
}

// resolve loads the config with flag > env > file > default precedence.
func (g *globalOptions) resolve(cmd *cobra.Command) error {
	path := g.configFile
	if path == "" {
		path = os.Getenv("ATTRIB_CONFIG")
	}
	cfg, err := config.Load(path, os.LookupEnv)
	if err != nil {
		return usageError{err}
	}
	fs := cmd.Flags()
	if fs.Changed("db") {
		cfg.DB = g.db
	}
	if fs.Changed("redis") {
		cfg.Redis = g.redis
	}
	if fs.Changed("namespace") {
		cfg.Dist.Namespace = g.namespace
	}
	if fs.Changed("verbose") {
		cfg.Verbose = g.verbose
	}
	if fs.Changed("quiet") {
		cfg.Quiet = g.quiet
	}
	if cfg.Verbose && cfg.Quiet {
		return usageError{errors.New("--verbose and --quiet exclude each other")}
	}
	g.cfg = cfg
	level := slog.LevelInfo
	switch {
	case cfg.Verbose:
		level = slog.LevelDebug
	case cfg.Quiet:
		level = slog.LevelWarn
	}
	g.logger = slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level}))
	return nil
}

// openStore opens the configured backend.
func (g *globalOptions) openStore(ctx context.Context) (store.Store, error) {
	if g.cfg.Redis != "" {
		st, err := redisstore.OpenURL(ctx, g.cfg.Redis, g.cfg.Dist.Namespace)
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	db, err := sqlite.Open(ctx, g.cfg.DB)
	if err != nil {
		return nil, err
	}
	return db, nil
}

// progress reports whether progress lines should go to stderr.
func (g *globalOptions) progress() bool { return !g.cfg.Quiet }

// defaults returns the built-in defaults, shown in --help.
func (g *globalOptions) defaults() config.Config { return config.Default() }

// openMatcher opens the store and a matcher over it with the configured
// thresholds; every work it registers is recorded in the transparency log.
// The caller closes the store.
func (g *globalOptions) openMatcher(ctx context.Context) (store.Store, *matcher.Matcher, error) {
	st, err := g.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	m, err := matcher.New(st, matcherOptions(g))
	if err != nil {
		st.Close()
		return nil, nil, usageError{err}
	}
	tlog, err := g.openLog(st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	m.SetRecorder(tlog)
	return st, m, nil
}
