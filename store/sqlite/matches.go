package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/attrib/attrib/store"
)

// matchColumns are a match's columns, in scanMatch order.
const matchColumns = `m.work_id, m.found_url, m.page_url, m.dataset, m.record, m.method,
	m.score, m.work_coverage, m.found_coverage, m.evidence, m.optout`

const upsertMatch = `INSERT INTO matches (scan_id, work_id, found_url, page_url, dataset, record, method,
		score, work_coverage, found_coverage, evidence, optout)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (scan_id, work_id, found_url, dataset, record) DO UPDATE SET
		page_url = excluded.page_url, method = excluded.method, score = excluded.score,
		work_coverage = excluded.work_coverage, found_coverage = excluded.found_coverage,
		evidence = excluded.evidence, optout = excluded.optout`

// PutMatches implements store.Scans in one transaction with one prepared
// statement. It fails with store.ErrNotFound for an unknown scan and with
// store.ErrInvalid for a match without a work ID, of an unknown work, or
// with a NaN or infinite score; then nothing of the batch is stored.
func (db *DB) PutMatches(ctx context.Context, scanID string, ms []store.Match) error {
	op := "put matches of scan " + scanID
	if err := db.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	for i := range ms {
		if err := validMatch(&ms[i]); err != nil {
			return fmt.Errorf("%s: match %d: %w", op, i, err)
		}
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := scanExists(ctx, tx, scanID); err != nil {
			return err
		}
		if err := worksExist(ctx, tx, ms); err != nil {
			return err
		}
		return upsertMatches(ctx, tx, scanID, ms)
	})
	if err != nil {
		return db.fail(ctx, op, err)
	}
	return nil
}

func validMatch(m *store.Match) error {
	if m.WorkID == "" {
		return fmt.Errorf("%w: empty work id", store.ErrInvalid)
	}
	for _, f := range []float64{m.Score, m.WorkCoverage, m.FoundCoverage} {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w: score or coverage %v", store.ErrInvalid, f)
		}
	}
	return nil
}

// scanExists returns store.ErrNotFound when scan id does not exist.
func scanExists(ctx context.Context, q querier, id string) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM scans WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// worksExist checks every distinct work ID of ms once.
func worksExist(ctx context.Context, tx *sql.Tx, ms []store.Match) error {
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.WorkID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	stmt, err := tx.PrepareContext(ctx, `SELECT 1 FROM works WHERE id = ?`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, id := range ids {
		var one int
		err := stmt.QueryRowContext(ctx, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: unknown work %s", store.ErrInvalid, id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func upsertMatches(ctx context.Context, tx *sql.Tx, scanID string, ms []store.Match) error {
	if len(ms) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, upsertMatch)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, m := range ms {
		evidence, err := jsonArg(m.Evidence)
		if err != nil {
			return fmt.Errorf("match %d: evidence: %w", i, err)
		}
		var optout any // NULL for nil
		if m.OptOut != nil {
			if optout, err = jsonArg(m.OptOut); err != nil {
				return fmt.Errorf("match %d: optout: %w", i, err)
			}
		}
		if _, err := stmt.ExecContext(ctx, scanID, m.WorkID, m.FoundURL, m.PageURL, m.Dataset, m.Record,
			m.Method, m.Score, m.WorkCoverage, m.FoundCoverage, evidence, optout); err != nil {
			return fmt.Errorf("match %d: %w", i, err)
		}
	}
	return nil
}

// Matches implements store.Scans, ordered by work ID, found URL, dataset and
// record. An unknown scan is store.ErrNotFound; an unknown creator or work in
// f yields no matches.
func (db *DB) Matches(ctx context.Context, scanID string, f store.MatchFilter) ([]store.Match, error) {
	op := "matches of scan " + scanID
	if err := db.check(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	ms, err := db.matches(ctx, scanID, f)
	if err != nil {
		return nil, db.fail(ctx, op, err)
	}
	return ms, nil
}

func (db *DB) matches(ctx context.Context, scanID string, f store.MatchFilter) ([]store.Match, error) {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // one snapshot for both queries
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	if err := scanExists(ctx, tx, scanID); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+matchColumns+`
		FROM matches m JOIN works w ON w.id = m.work_id JOIN creators c ON c.id = w.creator_id
		WHERE m.scan_id = ? AND (? = '' OR m.work_id = ?) AND (? = '' OR c.name = ?)
		ORDER BY m.work_id, m.found_url, m.dataset, m.record`,
		scanID, f.WorkID, f.WorkID, f.Creator, f.Creator)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ms []store.Match
	for rows.Next() {
		m, err := scanMatch(rows.Scan)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

// scanMatch reads matchColumns.
func scanMatch(scan func(...any) error) (store.Match, error) {
	var m store.Match
	var evidence string
	var optout sql.NullString
	if err := scan(&m.WorkID, &m.FoundURL, &m.PageURL, &m.Dataset, &m.Record, &m.Method,
		&m.Score, &m.WorkCoverage, &m.FoundCoverage, &evidence, &optout); err != nil {
		return store.Match{}, err
	}
	if err := jsonOf("evidence", evidence, &m.Evidence); err != nil {
		return store.Match{}, err
	}
	if optout.Valid {
		m.OptOut = new(store.OptOut)
		if err := jsonOf("optout", optout.String, m.OptOut); err != nil {
			return store.Match{}, err
		}
	}
	return m, nil
}
