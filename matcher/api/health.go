package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/attrib/attrib/store"
)

// Pinger is the store call /healthz makes: cheap, and touching the backend.
type Pinger interface {
	LatestScan(ctx context.Context) (store.Scan, error)
}

// Health serves /healthz: 200 {"status":"ok"} when the store answers
// within 5 seconds, else 503 with the reason.
func Health(p Pinger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if _, err := p.LatestScan(ctx); err != nil && !errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusServiceUnavailable, "store unreachable")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}
