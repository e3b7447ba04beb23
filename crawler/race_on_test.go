//go:build race

package crawler

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = true
