//go:build race

package jpegscale

// raceEnabled reports whether the tests run under the race detector, which
// slows single-goroutine numeric loops tenfold without checking anything in
// them: heavy property loops sample a fixed subset of their cases then.
const raceEnabled = true
