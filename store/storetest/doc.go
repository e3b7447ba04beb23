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
//   - nil and empty slices (Targets, Passages, Signals, Data) are equivalent;
//   - a done context makes every method fail with an error wrapping
//     ctx.Err(), and a closed store with store.ErrClosed.
package storetest
