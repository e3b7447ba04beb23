package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/attrib/attrib/store"
)

var _ store.Store = (*DB)(nil)

// DB is a store.Store backed by one SQLite file. It is safe for concurrent
// use by multiple goroutines.
type DB struct {
	path   string
	writer *sql.DB // one connection: every write, in BEGIN IMMEDIATE transactions
	reader *sql.DB // read-only connections for every read
	now    func() time.Time
	closed atomic.Bool
}

type config struct {
	busyTimeout time.Duration
	maxReaders  int
	now         func() time.Time
}

// Option configures Open.
type Option func(*config)

// WithBusyTimeout sets how long a statement waits for a lock held by another
// process before failing with SQLITE_BUSY (default 10s).
func WithBusyTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.busyTimeout = d
		}
	}
}

// WithMaxReaders caps the read connection pool (default 8).
func WithMaxReaders(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxReaders = n
		}
	}
}

// WithClock replaces time.Now for creation times and default scan start
// times (tests).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// Open opens the SQLite store at path, creating the file and its parent
// directories when missing, and migrates its schema to the version this
// binary knows. It fails with an error wrapping ErrSchemaTooNew when the file
// was written by a newer binary, and with a clear error when path is not a
// SQLite database. ctx bounds only the opening and migration.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	cfg := config{busyTimeout: 10 * time.Second, maxReaders: 8, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	db, err := open(ctx, path, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

func open(ctx context.Context, path string, cfg config) (*DB, error) {
	if path == "" {
		return nil, errors.New("empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, errors.New("is a directory")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	writer, err := sql.Open("sqlite", dsn(abs, cfg.busyTimeout, false))
	if err != nil {
		return nil, err
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxIdleTime(0)
	writer.SetConnMaxLifetime(0)
	if err := migrateWaiting(ctx, writer, cfg.busyTimeout); err != nil {
		writer.Close()
		return nil, explain(err)
	}
	reader, err := sql.Open("sqlite", dsn(abs, cfg.busyTimeout, true))
	if err != nil {
		writer.Close()
		return nil, err
	}
	reader.SetMaxOpenConns(cfg.maxReaders)
	reader.SetMaxIdleConns(cfg.maxReaders)
	if err := reader.PingContext(ctx); err != nil {
		writer.Close()
		reader.Close()
		return nil, explain(err)
	}
	return &DB{path: path, writer: writer, reader: reader, now: cfg.now}, nil
}

// dsn builds a modernc.org/sqlite URI for the absolute path abs. The path is
// escaped so that '?', '#' and '%' in file names are taken literally.
func dsn(abs string, busy time.Duration, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", strconv.FormatInt(busy.Milliseconds(), 10))
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "NORMAL")
		q.Set("_foreign_keys", "1")
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Path: filepath.ToSlash(abs)}
	return "file:" + u.EscapedPath() + "?" + q.Encode()
}

// explain makes the driver's "file is not a database" readable.
func explain(err error) error {
	var se *sqlitedrv.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_NOTADB {
		return fmt.Errorf("not a SQLite database: %w", err)
	}
	return err
}

// Close closes the store. Calls after the first return nil; every other
// method then fails with store.ErrClosed.
func (db *DB) Close() error {
	if !db.closed.CompareAndSwap(false, true) {
		return nil
	}
	rerr := db.reader.Close()
	werr := db.writer.Close()
	if err := errors.Join(werr, rerr); err != nil {
		return fmt.Errorf("close store %s: %w", db.path, err)
	}
	return nil
}

// check fails fast on a closed store or a done context.
func (db *DB) check(ctx context.Context) error {
	if db.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

// fail wraps err with op, replacing driver errors caused by a done context or
// a concurrent Close with ctx.Err() or store.ErrClosed.
func (db *DB) fail(ctx context.Context, op string, err error) error {
	switch {
	case ctx.Err() != nil && !errors.Is(err, ctx.Err()):
		err = ctx.Err()
	case db.closed.Load() && !errors.Is(err, store.ErrClosed):
		err = store.ErrClosed
	}
	return fmt.Errorf("%s: %w", op, err)
}

// write runs fn in one write transaction, committing when fn returns nil.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
