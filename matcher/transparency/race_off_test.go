//go:build !race

package transparency

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = false
