package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/attrib/attrib/store"
)

// AcquireLease implements store.Leases with one upsert: a row is written
// when the lease is free, expired or already the owner's. Expiry is in
// milliseconds of the store's clock (WithClock), which every process
// opening the same file shares with the machine. A ttl below a millisecond
// counts as one; a ttl <= 0 or an empty name or owner is store.ErrInvalid.
func (db *DB) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	op := "acquire lease " + name
	if err := db.check(ctx); err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	if err := validLease(name, owner, ttl); err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	now := db.now().UnixMilli()
	expires := now + max(ttl.Milliseconds(), 1)
	res, err := db.writer.ExecContext(ctx, `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
		WHERE leases.owner = excluded.owner OR leases.expires_at <= ?`, name, owner, expires, now)
	if err != nil {
		return false, db.fail(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, db.fail(ctx, op, err)
	}
	return n == 1, nil
}

// validLease checks the arguments of AcquireLease, wrapping store.ErrInvalid.
func validLease(name, owner string, ttl time.Duration) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty lease name", store.ErrInvalid)
	case owner == "":
		return fmt.Errorf("%w: empty lease owner", store.ErrInvalid)
	case ttl <= 0:
		return fmt.Errorf("%w: lease ttl %v is not positive", store.ErrInvalid, ttl)
	}
	return nil
}

// ReleaseLease implements store.Leases.
func (db *DB) ReleaseLease(ctx context.Context, name, owner string) error {
	op := "release lease " + name
	if err := db.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if _, err := db.writer.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND owner = ?`, name, owner); err != nil {
		return db.fail(ctx, op, err)
	}
	return nil
}
