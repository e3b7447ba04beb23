package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/attrib/attrib/store"
)

// PutPageStates implements store.Pages: the whole batch in one transaction.
func (db *DB) PutPageStates(ctx context.Context, states []store.PageState) error {
	const op = "put page states"
	if err := db.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	for i, p := range states {
		if p.URL == "" {
			return fmt.Errorf("%s: %w: state %d has no URL", op, store.ErrInvalid, i)
		}
	}
	if len(states) == 0 {
		return nil
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO page_states (url, etag, last_modified, scan_id, checked_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,
			last_modified = excluded.last_modified, scan_id = excluded.scan_id, checked_at = excluded.checked_at`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, p := range states {
			if _, err := stmt.ExecContext(ctx, p.URL, p.ETag, p.LastModified, p.ScanID, timeArg(stamp(p.CheckedAt))); err != nil {
				return fmt.Errorf("page %s: %w", p.URL, err)
			}
		}
		return nil
	})
	if err != nil {
		return db.fail(ctx, op, err)
	}
	return nil
}

// PageState implements store.Pages.
func (db *DB) PageState(ctx context.Context, url string) (store.PageState, error) {
	op := "page state " + url
	if err := db.check(ctx); err != nil {
		return store.PageState{}, fmt.Errorf("%s: %w", op, err)
	}
	p := store.PageState{URL: url}
	var checked sql.NullInt64
	err := db.reader.QueryRowContext(ctx, `SELECT etag, last_modified, scan_id, checked_at FROM page_states WHERE url = ?`, url).
		Scan(&p.ETag, &p.LastModified, &p.ScanID, &checked)
	if errors.Is(err, sql.ErrNoRows) {
		return store.PageState{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.PageState{}, db.fail(ctx, op, err)
	}
	p.CheckedAt = timeOf(checked)
	return p, nil
}
