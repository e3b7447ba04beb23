package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/attrib/attrib/store"
)

// scanColumns are a scan's columns, in scanScan order.
const scanColumns = `id, kind, targets, state, error, started_at, finished_at, stats`

// newestFirst orders scans by start time, ties by insertion, newest first.
const newestFirst = ` ORDER BY started_at DESC, seq DESC`

// CreateScan implements store.Scans. An empty State becomes store.ScanQueued
// and a zero StartedAt the current time; an unknown State is
// store.ErrInvalid, and so is an ID already in use.
func (db *DB) CreateScan(ctx context.Context, s store.Scan) (store.Scan, error) {
	const op = "create scan"
	if err := db.check(ctx); err != nil {
		return store.Scan{}, fmt.Errorf("%s: %w", op, err)
	}
	if s.State == "" {
		s.State = store.ScanQueued
	}
	if err := validState(s.State); err != nil {
		return store.Scan{}, fmt.Errorf("%s: %w", op, err)
	}
	if s.StartedAt.IsZero() {
		s.StartedAt = db.now()
	}
	s.StartedAt, s.FinishedAt = stamp(s.StartedAt), stamp(s.FinishedAt)
	if len(s.Targets) == 0 {
		s.Targets = nil
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		s.ID, err = db.freeScanID(ctx, tx, s)
		if err != nil {
			return err
		}
		return insertScan(ctx, tx, s)
	})
	if err != nil {
		return store.Scan{}, db.fail(ctx, op, err)
	}
	return s, nil
}

// freeScanID returns s.ID if unused, or a new unused ID when s.ID is empty.
func (db *DB) freeScanID(ctx context.Context, tx *sql.Tx, s store.Scan) (string, error) {
	id := s.ID
	for try := 0; ; try++ {
		if s.ID == "" {
			var err error
			if id, err = newScanID(s.StartedAt); err != nil {
				return "", err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM scans WHERE id = ?`, id).Scan(&n); err != nil {
			return "", err
		}
		switch {
		case n == 0:
			return id, nil
		case s.ID != "":
			return "", fmt.Errorf("%w: scan id %q is already in use", store.ErrInvalid, id)
		case try == 10:
			return "", fmt.Errorf("no free scan id after %d tries", try)
		}
	}
}

func insertScan(ctx context.Context, tx *sql.Tx, s store.Scan) error {
	targets, err := jsonArg(append([]string{}, s.Targets...)) // "[]", never "null"
	if err != nil {
		return err
	}
	stats, err := jsonArg(s.Stats)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO scans (`+scanColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.Kind, targets, string(s.State), s.Error, timeArg(s.StartedAt), timeArg(s.FinishedAt), stats)
	return err
}

func validState(st store.ScanState) error {
	switch st {
	case store.ScanQueued, store.ScanRunning, store.ScanFinished, store.ScanFailed:
		return nil
	}
	return fmt.Errorf("%w: unknown scan state %q", store.ErrInvalid, st)
}

// UpdateScan implements store.Scans.
func (db *DB) UpdateScan(ctx context.Context, s store.Scan) error {
	op := "update scan " + s.ID
	if err := db.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := validState(s.State); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	stats, err := jsonArg(s.Stats)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	res, err := db.writer.ExecContext(ctx,
		`UPDATE scans SET state = ?, error = ?, finished_at = ?, stats = ? WHERE id = ?`,
		string(s.State), s.Error, timeArg(stamp(s.FinishedAt)), stats, s.ID)
	if err != nil {
		return db.fail(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return db.fail(ctx, op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return nil
}

// Scan implements store.Scans.
func (db *DB) Scan(ctx context.Context, id string) (store.Scan, error) {
	return db.oneScan(ctx, "scan "+id, `SELECT `+scanColumns+` FROM scans WHERE id = ?`, id)
}

// LatestScan implements store.Scans. Of scans started at the same
// microsecond, the last created wins.
func (db *DB) LatestScan(ctx context.Context) (store.Scan, error) {
	return db.oneScan(ctx, "latest scan", `SELECT `+scanColumns+` FROM scans`+newestFirst+` LIMIT 1`)
}

func (db *DB) oneScan(ctx context.Context, op, query string, args ...any) (store.Scan, error) {
	if err := db.check(ctx); err != nil {
		return store.Scan{}, fmt.Errorf("%s: %w", op, err)
	}
	s, err := scanScan(db.reader.QueryRowContext(ctx, query, args...).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Scan{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.Scan{}, db.fail(ctx, op, err)
	}
	return s, nil
}

// ListScans implements store.Scans: newest start first, ties by creation.
func (db *DB) ListScans(ctx context.Context) ([]store.Scan, error) {
	const op = "list scans"
	if err := db.check(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT `+scanColumns+` FROM scans`+newestFirst)
	if err != nil {
		return nil, db.fail(ctx, op, err)
	}
	defer rows.Close()
	var ss []store.Scan
	for rows.Next() {
		s, err := scanScan(rows.Scan)
		if err != nil {
			return nil, db.fail(ctx, op, err)
		}
		ss = append(ss, s)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail(ctx, op, err)
	}
	return ss, nil
}

// scanScan reads scanColumns.
func scanScan(scan func(...any) error) (store.Scan, error) {
	var s store.Scan
	var targets, stats, state string
	var started, finished sql.NullInt64
	if err := scan(&s.ID, &s.Kind, &targets, &state, &s.Error, &started, &finished, &stats); err != nil {
		return store.Scan{}, err
	}
	s.State, s.StartedAt, s.FinishedAt = store.ScanState(state), timeOf(started), timeOf(finished)
	if err := jsonOf("targets", targets, &s.Targets); err != nil {
		return store.Scan{}, fmt.Errorf("scan %s: %w", s.ID, err)
	}
	if len(s.Targets) == 0 {
		s.Targets = nil
	}
	if err := jsonOf("stats", stats, &s.Stats); err != nil {
		return store.Scan{}, fmt.Errorf("scan %s: %w", s.ID, err)
	}
	return s, nil
}
