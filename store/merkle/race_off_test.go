//go:build !race

package merkle

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = false
