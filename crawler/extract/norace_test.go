//go:build !race

package extract

// raceEnabled is true under the race detector, which makes whole-site tests
// sample pages.
const raceEnabled = false
