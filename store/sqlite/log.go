package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/attrib/attrib/store"
)

// rootHashSize is the length of a tree head's root hash (SHA-256).
const rootHashSize = 32

// AppendLeaves implements store.Log in one write transaction: the single
// writer connection and BEGIN IMMEDIATE serialise appends of every
// goroutine and process, so indexes are consecutive.
func (db *DB) AppendLeaves(ctx context.Context, data [][]byte) (uint64, error) {
	const op = "append log leaves"
	if err := db.check(ctx); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	if err := validLeaves(data); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	var first uint64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		if first, err = logSize(ctx, tx); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO log_leaves (idx, data) VALUES (?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, d := range data {
			if _, err := stmt.ExecContext(ctx, int64(first)+int64(i), d); err != nil {
				return fmt.Errorf("leaf %d: %w", first+uint64(i), err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, db.fail(ctx, op, err)
	}
	return first, nil
}

// validLeaves checks an append batch, wrapping store.ErrInvalid.
func validLeaves(data [][]byte) error {
	if len(data) == 0 {
		return fmt.Errorf("%w: empty batch", store.ErrInvalid)
	}
	for i, d := range data {
		if len(d) == 0 {
			return fmt.Errorf("%w: leaf %d of the batch is empty", store.ErrInvalid, i)
		}
	}
	return nil
}

// logSize is the number of leaves: one more than the largest index, as
// indexes have no gaps.
func logSize(ctx context.Context, q querier) (uint64, error) {
	var last sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT max(idx) FROM log_leaves`).Scan(&last); err != nil {
		return 0, err
	}
	if !last.Valid {
		return 0, nil
	}
	return uint64(last.Int64) + 1, nil
}

// LogLeaves implements store.Log. start > end is store.ErrInvalid too.
func (db *DB) LogLeaves(ctx context.Context, start, end uint64) ([]store.LogLeaf, error) {
	op := fmt.Sprintf("log leaves [%d, %d)", start, end)
	if err := db.check(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if start > end {
		return nil, fmt.Errorf("%s: %w: start after end", op, store.ErrInvalid)
	}
	// Leaves are never removed: once the size covers end, so do the rows.
	size, err := logSize(ctx, db.reader)
	if err != nil {
		return nil, db.fail(ctx, op, err)
	}
	if end > size {
		return nil, fmt.Errorf("%s: %w: the log has %d leaves", op, store.ErrInvalid, size)
	}
	if start == end {
		return []store.LogLeaf{}, nil
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT idx, data FROM log_leaves WHERE idx >= ? AND idx < ? ORDER BY idx`,
		int64(start), int64(end))
	if err != nil {
		return nil, db.fail(ctx, op, err)
	}
	defer rows.Close()
	leaves := make([]store.LogLeaf, 0, end-start)
	for rows.Next() {
		var l store.LogLeaf
		var idx int64
		if err := rows.Scan(&idx, &l.Data); err != nil {
			return nil, db.fail(ctx, op, err)
		}
		l.Index = uint64(idx)
		leaves = append(leaves, l)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail(ctx, op, err)
	}
	if uint64(len(leaves)) != end-start {
		return nil, fmt.Errorf("%s: read %d leaves, want %d (gap in the log)", op, len(leaves), end-start)
	}
	return leaves, nil
}

// LogSize implements store.Log.
func (db *DB) LogSize(ctx context.Context) (uint64, error) {
	const op = "log size"
	if err := db.check(ctx); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	n, err := logSize(ctx, db.reader)
	if err != nil {
		return 0, db.fail(ctx, op, err)
	}
	return n, nil
}

// PutTreeHead implements store.Log. A root hash of other than 32 bytes is
// store.ErrInvalid. The timestamp is kept to the nanosecond, because the
// signature covers it.
func (db *DB) PutTreeHead(ctx context.Context, h store.TreeHead) error {
	op := fmt.Sprintf("put tree head %d", h.Size)
	if err := db.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := validHead(h); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		size, err := logSize(ctx, tx)
		if err != nil {
			return err
		}
		if h.Size > size {
			return fmt.Errorf("%w: the log has %d leaves", store.ErrInvalid, size)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO tree_heads (size, root_hash, timestamp, signature)
			VALUES (?, ?, ?, ?) ON CONFLICT (size) DO NOTHING`,
			int64(h.Size), h.RootHash, nanosArg(h.Timestamp), append([]byte{}, h.Signature...))
		return err
	})
	if err != nil {
		return db.fail(ctx, op, err)
	}
	return nil
}

// validHead checks what PutTreeHead requires of h alone.
func validHead(h store.TreeHead) error {
	switch {
	case h.Size == 0:
		return fmt.Errorf("%w: tree head of size 0", store.ErrInvalid)
	case h.Size > 1<<62:
		return fmt.Errorf("%w: tree head size %d beyond any log", store.ErrInvalid, h.Size)
	case len(h.RootHash) != rootHashSize:
		return fmt.Errorf("%w: root hash of %d bytes, want %d", store.ErrInvalid, len(h.RootHash), rootHashSize)
	}
	return nil
}

const headColumns = `size, root_hash, timestamp, signature`

// TreeHead implements store.Log.
func (db *DB) TreeHead(ctx context.Context, size uint64) (store.TreeHead, error) {
	if size > 1<<62 {
		return db.oneHead(ctx, fmt.Sprintf("tree head %d", size), `SELECT `+headColumns+` FROM tree_heads WHERE 0`)
	}
	return db.oneHead(ctx, fmt.Sprintf("tree head %d", size),
		`SELECT `+headColumns+` FROM tree_heads WHERE size = ?`, int64(size))
}

// LatestTreeHead implements store.Log.
func (db *DB) LatestTreeHead(ctx context.Context) (store.TreeHead, error) {
	return db.oneHead(ctx, "latest tree head", `SELECT `+headColumns+` FROM tree_heads ORDER BY size DESC LIMIT 1`)
}

func (db *DB) oneHead(ctx context.Context, op, query string, args ...any) (store.TreeHead, error) {
	if err := db.check(ctx); err != nil {
		return store.TreeHead{}, fmt.Errorf("%s: %w", op, err)
	}
	var h store.TreeHead
	var size int64
	var ts sql.NullInt64
	err := db.reader.QueryRowContext(ctx, query, args...).Scan(&size, &h.RootHash, &ts, &h.Signature)
	if errors.Is(err, sql.ErrNoRows) {
		return store.TreeHead{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.TreeHead{}, db.fail(ctx, op, err)
	}
	h.Size, h.Timestamp = uint64(size), nanosOf(ts)
	if len(h.Signature) == 0 {
		h.Signature = nil
	}
	return h, nil
}

// nanosArg encodes t as Unix nanoseconds, or NULL for the zero time.
func nanosArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// nanosOf decodes a column written by nanosArg.
func nanosOf(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(0, v.Int64).UTC()
}
