package sqlite

import (
	"context"
	"errors"
	"time"

	"github.com/attrib/attrib/store"
)

// Placeholders while the service/transparency parts of the contract are built.
var errPending = errors.New("not implemented yet")

func (s *DB) PutToken(ctx context.Context, t store.Token) error { return errPending }
func (s *DB) TokenByHash(ctx context.Context, hash string) (store.Token, error) {
	return store.Token{}, errPending
}
func (s *DB) PutSchedule(ctx context.Context, sc store.Schedule) (store.Schedule, error) {
	return store.Schedule{}, errPending
}
func (s *DB) Schedule(ctx context.Context, id string) (store.Schedule, error) {
	return store.Schedule{}, errPending
}
func (s *DB) ListSchedules(ctx context.Context) ([]store.Schedule, error) { return nil, errPending }
func (s *DB) DeleteSchedule(ctx context.Context, id string) error         { return errPending }
func (s *DB) PutPageStates(ctx context.Context, states []store.PageState) error {
	return errPending
}
func (s *DB) PageState(ctx context.Context, url string) (store.PageState, error) {
	return store.PageState{}, errPending
}
func (s *DB) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	return false, errPending
}
func (s *DB) ReleaseLease(ctx context.Context, name, owner string) error { return errPending }
func (s *DB) AppendLeaves(ctx context.Context, data [][]byte) (uint64, error) {
	return 0, errPending
}
func (s *DB) LogLeaves(ctx context.Context, start, end uint64) ([]store.LogLeaf, error) {
	return nil, errPending
}
func (s *DB) LogSize(ctx context.Context) (uint64, error)             { return 0, errPending }
func (s *DB) PutTreeHead(ctx context.Context, h store.TreeHead) error { return errPending }
func (s *DB) TreeHead(ctx context.Context, size uint64) (store.TreeHead, error) {
	return store.TreeHead{}, errPending
}
func (s *DB) LatestTreeHead(ctx context.Context) (store.TreeHead, error) {
	return store.TreeHead{}, errPending
}

func (s *DB) ListTokens(ctx context.Context) ([]store.Token, error) { return nil, errPending }
