package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/attrib/attrib/store"
)

// workColumns are the listed columns of a work, in scanWork order.
const workColumns = `w.id, c.name, w.title, w.license, w.kind, w.sha256, w.size, w.created_at`

// PutWork implements store.Registry. It is idempotent on (w.Creator,
// w.SHA256). Fingerprints' WorkID fields are ignored: they are stored under
// the work's ID.
func (db *DB) PutWork(ctx context.Context, w store.Work, fps []store.Fingerprint) (store.Work, bool, error) {
	if err := db.check(ctx); err != nil {
		return store.Work{}, false, fmt.Errorf("put work: %w", err)
	}
	if err := validWork(w, fps); err != nil {
		return store.Work{}, false, fmt.Errorf("put work: %w", err)
	}
	var stored store.Work
	var created bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		stored, created, err = db.putWork(ctx, tx, w, fps)
		return err
	})
	if err != nil {
		return store.Work{}, false, db.fail(ctx, "put work", err)
	}
	return stored, created, nil
}

func (db *DB) putWork(ctx context.Context, tx *sql.Tx, w store.Work, fps []store.Fingerprint) (store.Work, bool, error) {
	now := stamp(db.now())
	cid := creatorID(w.Creator)
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO creators (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		cid, w.Creator, now.UnixMicro()); err != nil {
		return store.Work{}, false, fmt.Errorf("creator %q: %w", w.Creator, err)
	}
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM works WHERE creator_id = ? AND sha256 = ?`, cid, w.SHA256).Scan(&id)
	if err == nil {
		old, err := loadWork(ctx, tx, id)
		return old, false, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return store.Work{}, false, err
	}
	w.ID, w.CreatedAt = workID(w.Creator, w.SHA256), now
	if err := insertWork(ctx, tx, cid, w); err != nil {
		return store.Work{}, false, err
	}
	if err := insertFingerprints(ctx, tx, w.ID, fps); err != nil {
		return store.Work{}, false, err
	}
	return w, true, nil
}

func insertWork(ctx context.Context, tx *sql.Tx, cid string, w store.Work) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO works
		(id, creator_id, title, license, kind, sha256, size, created_at, thumb) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.ID, cid, w.Title, w.License, string(w.Kind), w.SHA256, w.Size, w.CreatedAt.UnixMicro(), blobArg(w.Thumb))
	if err != nil {
		return fmt.Errorf("insert work %s: %w", w.ID, err)
	}
	if w.Text == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO work_texts (work_id, text) VALUES (?, ?)`, w.ID, w.Text); err != nil {
		return fmt.Errorf("insert text of work %s: %w", w.ID, err)
	}
	return nil
}

func insertFingerprints(ctx context.Context, tx *sql.Tx, id string, fps []store.Fingerprint) error {
	if len(fps) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO fingerprints (work_id, algorithm, version, data) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, fp := range fps {
		data := fp.Data
		if data == nil {
			data = []byte{}
		}
		if _, err := stmt.ExecContext(ctx, id, fp.Algorithm, fp.Version, data); err != nil {
			return fmt.Errorf("insert fingerprint %d of work %s: %w", i, id, err)
		}
	}
	return nil
}

// validWork checks what PutWork requires, wrapping store.ErrInvalid.
func validWork(w store.Work, fps []store.Fingerprint) error {
	switch {
	case strings.TrimSpace(w.Creator) == "":
		return fmt.Errorf("%w: empty creator", store.ErrInvalid)
	case !w.Kind.Valid():
		return fmt.Errorf("%w: unknown kind %q", store.ErrInvalid, w.Kind)
	case !isSHA256(w.SHA256):
		return fmt.Errorf("%w: sha256 %q is not 64 lowercase hex digits", store.ErrInvalid, w.SHA256)
	case w.Size < 0:
		return fmt.Errorf("%w: negative size %d", store.ErrInvalid, w.Size)
	}
	for i, fp := range fps {
		if fp.Algorithm == "" {
			return fmt.Errorf("%w: fingerprint %d has no algorithm", store.ErrInvalid, i)
		}
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Work implements store.Registry.
func (db *DB) Work(ctx context.Context, id string) (store.Work, error) {
	if err := db.check(ctx); err != nil {
		return store.Work{}, fmt.Errorf("work %s: %w", id, err)
	}
	w, err := loadWork(ctx, db.reader, id)
	if err != nil {
		return store.Work{}, db.fail(ctx, "work "+id, err)
	}
	return w, nil
}

// loadWork reads one work with its text and thumbnail.
func loadWork(ctx context.Context, q querier, id string) (store.Work, error) {
	row := q.QueryRowContext(ctx, `SELECT `+workColumns+`, coalesce(t.text, ''), w.thumb
		FROM works w JOIN creators c ON c.id = w.creator_id LEFT JOIN work_texts t ON t.work_id = w.id
		WHERE w.id = ?`, id)
	w, err := scanWork(row.Scan, true)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Work{}, store.ErrNotFound
	}
	return w, err
}

// scanWork scans workColumns, plus text and thumbnail when full.
func scanWork(scan func(...any) error, full bool) (store.Work, error) {
	var w store.Work
	var kind string
	var created sql.NullInt64
	var text sql.NullString
	dest := []any{&w.ID, &w.Creator, &w.Title, &w.License, &kind, &w.SHA256, &w.Size, &created}
	if full {
		dest = append(dest, &text, &w.Thumb)
	}
	if err := scan(dest...); err != nil {
		return store.Work{}, err
	}
	w.Kind, w.CreatedAt, w.Text = store.WorkKind(kind), timeOf(created), text.String
	if len(w.Thumb) == 0 {
		w.Thumb = nil
	}
	return w, nil
}

// Works implements store.Registry.
func (db *DB) Works(ctx context.Context, f store.WorkFilter) ([]store.Work, error) {
	if err := db.check(ctx); err != nil {
		return nil, fmt.Errorf("list works: %w", err)
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT `+workColumns+`
		FROM works w JOIN creators c ON c.id = w.creator_id
		WHERE ? = '' OR c.name = ?
		ORDER BY w.created_at, w.id`, f.Creator, f.Creator)
	if err != nil {
		return nil, db.fail(ctx, "list works", err)
	}
	defer rows.Close()
	var ws []store.Work
	for rows.Next() {
		w, err := scanWork(rows.Scan, false)
		if err != nil {
			return nil, db.fail(ctx, "list works", err)
		}
		ws = append(ws, w)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail(ctx, "list works", err)
	}
	return ws, nil
}

// Creators implements store.Registry.
func (db *DB) Creators(ctx context.Context) ([]store.Creator, error) {
	if err := db.check(ctx); err != nil {
		return nil, fmt.Errorf("list creators: %w", err)
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT id, name, created_at FROM creators ORDER BY name`)
	if err != nil {
		return nil, db.fail(ctx, "list creators", err)
	}
	defer rows.Close()
	var cs []store.Creator
	for rows.Next() {
		var c store.Creator
		var created sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Name, &created); err != nil {
			return nil, db.fail(ctx, "list creators", err)
		}
		c.CreatedAt = timeOf(created)
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail(ctx, "list creators", err)
	}
	return cs, nil
}

// Fingerprints implements store.Registry. fn runs while a read connection is
// held; it may call the store. An error from fn is returned unwrapped.
func (db *DB) Fingerprints(ctx context.Context, algorithm string, fn func(store.Fingerprint) error) error {
	const op = "list fingerprints"
	if err := db.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT work_id, algorithm, version, data FROM fingerprints
		WHERE ? = '' OR algorithm = ?`, algorithm, algorithm)
	if err != nil {
		return db.fail(ctx, op, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		var fp store.Fingerprint
		if err := rows.Scan(&fp.WorkID, &fp.Algorithm, &fp.Version, &fp.Data); err != nil {
			return db.fail(ctx, op, err)
		}
		if err := fn(fp); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return db.fail(ctx, op, err)
	}
	return nil
}
