package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/attrib/attrib/store"
)

const scheduleColumns = `id, name, cron, kind, targets, options, enabled, last_scan, created_at`

// PutSchedule implements store.Schedules. A new schedule keeps a CreatedAt
// the caller set and otherwise gets the current time.
func (db *DB) PutSchedule(ctx context.Context, sc store.Schedule) (store.Schedule, error) {
	const op = "put schedule"
	if err := db.check(ctx); err != nil {
		return store.Schedule{}, fmt.Errorf("%s: %w", op, err)
	}
	if err := validSchedule(sc); err != nil {
		return store.Schedule{}, fmt.Errorf("%s: %w", op, err)
	}
	if len(sc.Targets) == 0 {
		sc.Targets = nil
	}
	if len(sc.Options) == 0 {
		sc.Options = nil
	}
	targets, err := jsonArg(append([]string{}, sc.Targets...)) // "[]", never "null"
	if err != nil {
		return store.Schedule{}, fmt.Errorf("%s: %w", op, err)
	}
	options := append([]byte{}, sc.Options...) // NOT NULL column
	err = db.write(ctx, func(tx *sql.Tx) error {
		if sc.ID != "" {
			return db.replaceSchedule(ctx, tx, &sc, targets, options)
		}
		if sc.CreatedAt.IsZero() {
			sc.CreatedAt = db.now()
		}
		sc.CreatedAt = stamp(sc.CreatedAt)
		for try := 0; ; try++ {
			id, err := newScheduleID(sc.CreatedAt)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO schedules (`+scheduleColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
				id, sc.Name, sc.Cron, sc.Kind, targets, options, boolArg(sc.Enabled), sc.LastScan, sc.CreatedAt.UnixMicro())
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				sc.ID = id
				return nil
			}
			if try == 10 {
				return fmt.Errorf("no free schedule id after %d tries", try)
			}
		}
	})
	if err != nil {
		return store.Schedule{}, db.fail(ctx, op, err)
	}
	return sc, nil
}

// replaceSchedule overwrites every field of schedule sc.ID but its creation
// time, which it reads back into sc.
func (db *DB) replaceSchedule(ctx context.Context, tx *sql.Tx, sc *store.Schedule, targets string, options []byte) error {
	var created sql.NullInt64
	err := tx.QueryRowContext(ctx, `UPDATE schedules SET name = ?, cron = ?, kind = ?, targets = ?, options = ?,
		enabled = ?, last_scan = ? WHERE id = ? RETURNING created_at`,
		sc.Name, sc.Cron, sc.Kind, targets, options, boolArg(sc.Enabled), sc.LastScan, sc.ID).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("schedule %s: %w", sc.ID, store.ErrNotFound)
	}
	sc.CreatedAt = timeOf(created)
	return err
}

// validSchedule checks what PutSchedule requires, wrapping store.ErrInvalid.
func validSchedule(sc store.Schedule) error {
	switch {
	case strings.TrimSpace(sc.Cron) == "":
		return fmt.Errorf("%w: schedule has no cron expression", store.ErrInvalid)
	case strings.TrimSpace(sc.Kind) == "":
		return fmt.Errorf("%w: schedule has no kind", store.ErrInvalid)
	}
	return nil
}

// Schedule implements store.Schedules.
func (db *DB) Schedule(ctx context.Context, id string) (store.Schedule, error) {
	op := "schedule " + id
	if err := db.check(ctx); err != nil {
		return store.Schedule{}, fmt.Errorf("%s: %w", op, err)
	}
	sc, err := scanSchedule(db.reader.QueryRowContext(ctx,
		`SELECT `+scheduleColumns+` FROM schedules WHERE id = ?`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Schedule{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.Schedule{}, db.fail(ctx, op, err)
	}
	return sc, nil
}

// ListSchedules implements store.Schedules.
func (db *DB) ListSchedules(ctx context.Context) ([]store.Schedule, error) {
	const op = "list schedules"
	if err := db.check(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT `+scheduleColumns+` FROM schedules ORDER BY created_at, id`)
	if err != nil {
		return nil, db.fail(ctx, op, err)
	}
	defer rows.Close()
	var ss []store.Schedule
	for rows.Next() {
		sc, err := scanSchedule(rows.Scan)
		if err != nil {
			return nil, db.fail(ctx, op, err)
		}
		ss = append(ss, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail(ctx, op, err)
	}
	return ss, nil
}

// DeleteSchedule implements store.Schedules.
func (db *DB) DeleteSchedule(ctx context.Context, id string) error {
	op := "delete schedule " + id
	if err := db.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	res, err := db.writer.ExecContext(ctx, `DELETE FROM schedules WHERE id = ?`, id)
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

func scanSchedule(scan func(...any) error) (store.Schedule, error) {
	var sc store.Schedule
	var targets string
	var created sql.NullInt64
	if err := scan(&sc.ID, &sc.Name, &sc.Cron, &sc.Kind, &targets, &sc.Options, &sc.Enabled, &sc.LastScan, &created); err != nil {
		return store.Schedule{}, err
	}
	sc.CreatedAt = timeOf(created)
	if err := jsonOf("targets", targets, &sc.Targets); err != nil {
		return store.Schedule{}, fmt.Errorf("schedule %s: %w", sc.ID, err)
	}
	if len(sc.Targets) == 0 {
		sc.Targets = nil
	}
	if len(sc.Options) == 0 {
		sc.Options = nil
	}
	return sc, nil
}
