package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
)

// acquireLeaseScript takes or extends a lease: the key holds the owner and
// expires with the lease (PX), so expiry is the Redis server's clock, the
// same for every process. Returns 1 when the owner holds the lease after
// the call.
//
// KEYS: lease. ARGV: owner, ttl ms.
var acquireLeaseScript = goredis.NewScript(`
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`)

// releaseLeaseScript deletes a lease if the owner holds it.
//
// KEYS: lease. ARGV: owner.
var releaseLeaseScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`)

// AcquireLease implements store.Leases. A ttl below a millisecond counts as
// one; a ttl <= 0 or an empty name or owner is store.ErrInvalid.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	op := "acquire lease " + name
	if err := s.check(ctx); err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	switch {
	case name == "":
		return false, fmt.Errorf("%s: %w: empty lease name", op, store.ErrInvalid)
	case owner == "":
		return false, fmt.Errorf("%s: %w: empty lease owner", op, store.ErrInvalid)
	case ttl <= 0:
		return false, fmt.Errorf("%s: %w: lease ttl %v is not positive", op, store.ErrInvalid, ttl)
	}
	ms := strconv.FormatInt(max(ttl.Milliseconds(), 1), 10)
	ok, err := acquireLeaseScript.Run(ctx, s.c, []string{s.k.lease(name)}, owner, ms).Int()
	if err != nil {
		return false, s.fail(ctx, op, err)
	}
	return ok == 1, nil
}

// ReleaseLease implements store.Leases.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	op := "release lease " + name
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := releaseLeaseScript.Run(ctx, s.c, []string{s.k.lease(name)}, owner).Err(); err != nil {
		return s.fail(ctx, op, err)
	}
	return nil
}
