// Package storetest is the conformance suite every store.Store backend runs:
// a backend's test file calls Run with a function that opens a fresh, empty
// store. The suite uses only the store.Store interface, so any backend
// (store/sqlite, store/redis) runs it unchanged.
//
// Beyond what store.go spells out, the suite pins down these behaviours so
// that backends agree:
//   - timestamps keep at least TimePrecision (a millisecond), truncated,
//     never rounded; the suite compares times truncated to it;
//   - PutWork requires a non-blank creator, a valid kind, a SHA256 of 64
//     lowercase hex digits and fingerprints with an algorithm (else
//     store.ErrInvalid) and ignores fingerprints' WorkID fields;
//   - Works with an unknown creator and Matches with an unknown creator or
//     work in the filter return no records and no error;
//   - Matches of an unknown scan is store.ErrNotFound;
//   - CreateScan with an ID in use fails and leaves the existing scan alone;
//     UpdateScan ignores Kind, Targets and StartedAt;
//   - nil and empty slices (Targets, Passages, Signals, Data, Thumb,
//     Options) are equivalent;
//   - PutWork stores Thumb with the work; Work returns it, Works never does,
//     and re-registering keeps the first thumbnail;
//   - ListTokens orders tokens of one CreatedAt by hash; a hash is matched
//     exactly (an upper-case hash is another, unknown token);
//   - PutSchedule keeps a CreatedAt the caller sets on a new schedule (else
//     the current time), ignores it when replacing, and rejects a blank Cron
//     or Kind before looking the ID up; ListSchedules breaks CreatedAt ties
//     by ID;
//   - within one PutPageStates batch the last state of a URL wins; an empty
//     batch is a no-op;
//   - AcquireLease with an empty name or owner or a ttl <= 0 is
//     store.ErrInvalid; ReleaseLease of a lease not held is a no-op;
//   - the log's indexes start at 0; LogLeaves with start > end is
//     store.ErrInvalid and start == end (within the log) is empty;
//     PutTreeHead with a root hash of other than 32 bytes is
//     store.ErrInvalid, a second head of a stored size is ignored without
//     error, and a head's Timestamp comes back exactly (nanoseconds: the
//     signature covers it);
//   - a done context makes every method fail with an error wrapping
//     ctx.Err(), and a closed store with store.ErrClosed.
package storetest
