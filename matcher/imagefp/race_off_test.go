//go:build !race

package imagefp

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = false
