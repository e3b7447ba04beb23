//go:build !race

package textmatch

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = false
