// Package periodic runs a function on a ticker in the background: progress
// lines, counter flushes. One place for the goroutine, ticker and stop
// handshake that long-running commands need.
package periodic

import "time"

// Every calls f every d until stop is called; stop returns once f is no
// longer running and will not run again. d <= 0 means one second.
func Every(d time.Duration, f func()) (stop func()) {
	if d <= 0 {
		d = time.Second
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				f()
			}
		}
	}()
	return func() { close(done); <-finished }
}
