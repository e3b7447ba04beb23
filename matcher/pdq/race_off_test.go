//go:build !race

package pdq

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = false
