package redis

import (
	"context"
	"errors"
	"time"

	"github.com/attrib/attrib/store"
)

// Placeholders while the service/transparency parts of the contract are built.
var errPending = errors.New("not implemented yet")

func (s *Store) PutToken(ctx context.Context, t store.Token) error { return errPending }
func (s *Store) TokenByHash(ctx context.Context, hash string) (store.Token, error) {
	return store.Token{}, errPending
}
func (s *Store) PutSchedule(ctx context.Context, sc store.Schedule) (store.Schedule, error) {
	return store.Schedule{}, errPending
}
func (s *Store) Schedule(ctx context.Context, id string) (store.Schedule, error) {
	return store.Schedule{}, errPending
}
func (s *Store) ListSchedules(ctx context.Context) ([]store.Schedule, error) { return nil, errPending }
func (s *Store) DeleteSchedule(ctx context.Context, id string) error         { return errPending }
func (s *Store) PutPageStates(ctx context.Context, states []store.PageState) error {
	return errPending
}
func (s *Store) PageState(ctx context.Context, url string) (store.PageState, error) {
	return store.PageState{}, errPending
}
func (s *Store) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	return false, errPending
}
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error { return errPending }
func (s *Store) AppendLeaves(ctx context.Context, data [][]byte) (uint64, error) {
	return 0, errPending
}
func (s *Store) LogLeaves(ctx context.Context, start, end uint64) ([]store.LogLeaf, error) {
	return nil, errPending
}
func (s *Store) LogSize(ctx context.Context) (uint64, error)             { return 0, errPending }
func (s *Store) PutTreeHead(ctx context.Context, h store.TreeHead) error { return errPending }
func (s *Store) TreeHead(ctx context.Context, size uint64) (store.TreeHead, error) {
	return store.TreeHead{}, errPending
}
func (s *Store) LatestTreeHead(ctx context.Context) (store.TreeHead, error) {
	return store.TreeHead{}, errPending
}

func (s *Store) ListTokens(ctx context.Context) ([]store.Token, error) { return nil, errPending }
