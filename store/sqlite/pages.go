package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
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
		if err := p.Check(); err != nil {
			return fmt.Errorf("%s: state %d: %w", op, i, err)
		}
	}
	if len(states) == 0 {
		return nil
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO page_states (url, etag, last_modified, scan_id, checked_at, links)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,
			last_modified = excluded.last_modified, scan_id = excluded.scan_id, checked_at = excluded.checked_at,
			links = excluded.links`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, p := range states {
			links, err := linksArg(p.Links)
			if err != nil {
				return fmt.Errorf("page %s: %w", p.URL, err)
			}
			if _, err := stmt.ExecContext(ctx, p.URL, p.ETag, p.LastModified, p.ScanID, timeArg(stamp(p.CheckedAt)), links); err != nil {
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
	var links sql.NullString
	err := db.reader.QueryRowContext(ctx, `SELECT etag, last_modified, scan_id, checked_at, links FROM page_states WHERE url = ?`, url).
		Scan(&p.ETag, &p.LastModified, &p.ScanID, &checked, &links)
	if errors.Is(err, sql.ErrNoRows) {
		return store.PageState{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.PageState{}, db.fail(ctx, op, err)
	}
	p.CheckedAt = timeOf(checked)
	if links.Valid {
		if err := json.Unmarshal([]byte(links.String), &p.Links); err != nil {
			return store.PageState{}, fmt.Errorf("%s: links: %w", op, err)
		}
		if p.Links == nil {
			p.Links = []string{} // recorded, none: not the same as NULL
		}
	}
	return p, nil
}

// linksArg is the links column of a state: NULL when the links were not
// recorded, else a JSON array ('[]' for none).
func linksArg(links []string) (any, error) {
	if links == nil {
		return nil, nil
	}
	b, err := json.Marshal(links)
	if err != nil {
		return nil, fmt.Errorf("encode links: %w", err)
	}
	return string(b), nil
}
