package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/attrib/attrib/cmd/attrib/internal/config"
)

// A request still running when the grace period ends is cut off: its
// context is cancelled before serve returns and the store is closed under
// it.
func TestServeShutdownCutsOffSlowRequests(t *testing.T) {
	g := &globalOptions{cfg: config.Default(), logger: slog.New(slog.DiscardHandler)}
	started, ended := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		close(ended)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- serveUntilDone(ctx, g, h, ln, serveOptions{grace: time.Millisecond}) }()

	cctx, ccancel := context.WithCancel(context.Background())
	defer ccancel()
	req, _ := http.NewRequestWithContext(cctx, http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
	go func() {
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	cancel()
	if err := <-served; err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("serve returned %v, want the shutdown deadline", err)
	}
	// Failure detection only: a request that is cut off ends at once.
	select {
	case <-ended:
	case <-time.After(30 * time.Second):
		t.Fatal("the request still runs after serve returned")
	}
}
