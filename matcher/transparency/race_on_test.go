//go:build race

package transparency

// raceEnabled reports whether the tests run under the race detector, where
// the exhaustive bit-flip loops (single-goroutine code the detector has
// nothing to find in) sample instead of covering every bit.
const raceEnabled = true
