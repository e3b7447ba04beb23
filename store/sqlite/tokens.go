package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/attrib/attrib/store"
)

// PutToken implements store.Tokens. A hash already stored is
// store.ErrInvalid and leaves the stored token unchanged.
func (db *DB) PutToken(ctx context.Context, t store.Token) error {
	const op = "put token"
	if err := db.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := validToken(t); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = db.now()
	}
	res, err := db.writer.ExecContext(ctx, `INSERT INTO tokens (hash, creator, admin, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
		t.Hash, t.Creator, boolArg(t.Admin), stamp(t.CreatedAt).UnixMicro())
	if err != nil {
		return db.fail(ctx, op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return db.fail(ctx, op, err)
	} else if n == 0 {
		return fmt.Errorf("%s: %w: hash %.12s... is already stored", op, store.ErrInvalid, t.Hash)
	}
	return nil
}

// validToken checks what PutToken requires, wrapping store.ErrInvalid.
func validToken(t store.Token) error {
	switch {
	case !isSHA256(t.Hash):
		return fmt.Errorf("%w: token hash is not 64 lowercase hex digits", store.ErrInvalid)
	case t.Creator == "" && !t.Admin:
		return fmt.Errorf("%w: token has neither a creator nor admin rights", store.ErrInvalid)
	}
	return nil
}

const tokenColumns = `hash, creator, admin, created_at`

// TokenByHash implements store.Tokens.
func (db *DB) TokenByHash(ctx context.Context, hash string) (store.Token, error) {
	const op = "token by hash"
	if err := db.check(ctx); err != nil {
		return store.Token{}, fmt.Errorf("%s: %w", op, err)
	}
	t, err := scanToken(db.reader.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Token{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.Token{}, db.fail(ctx, op, err)
	}
	return t, nil
}

// ListTokens implements store.Tokens: oldest first, ties by hash.
func (db *DB) ListTokens(ctx context.Context) ([]store.Token, error) {
	const op = "list tokens"
	if err := db.check(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY created_at, hash`)
	if err != nil {
		return nil, db.fail(ctx, op, err)
	}
	defer rows.Close()
	var ts []store.Token
	for rows.Next() {
		t, err := scanToken(rows.Scan)
		if err != nil {
			return nil, db.fail(ctx, op, err)
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail(ctx, op, err)
	}
	return ts, nil
}

// DeleteToken implements store.Tokens.
func (db *DB) DeleteToken(ctx context.Context, hash string) error {
	const op = "delete token"
	if err := db.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	res, err := db.writer.ExecContext(ctx, `DELETE FROM tokens WHERE hash = ?`, hash)
	if err != nil {
		return db.fail(ctx, op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return db.fail(ctx, op, err)
	} else if n == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return nil
}

func scanToken(scan func(...any) error) (store.Token, error) {
	var t store.Token
	var created sql.NullInt64
	if err := scan(&t.Hash, &t.Creator, &t.Admin, &created); err != nil {
		return store.Token{}, err
	}
	t.CreatedAt = timeOf(created)
	return t, nil
}
