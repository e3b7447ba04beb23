package schedule

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/launch"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
	redisstore "github.com/attrib/attrib/store/redis"
	"github.com/attrib/attrib/store/redistest"
)

// Two servers sharing one Redis: while one runs a schedule, the other's
// run of it does not start; once the run ended, it can.
func TestLeaseSharedThroughRedis(t *testing.T) {
	c, prefix := redistest.Client(t)
	ctx := context.Background()
	st, err := redisstore.Open(ctx, c, strings.TrimSuffix(prefix, ":"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		fmt.Fprint(w, html("<p>Slow home.</p>"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	sched, err := st.PutSchedule(ctx, store.Schedule{Name: "shared", Cron: "@weekly", Kind: "crawl",
		Targets: []string{srv.URL + "/"}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	server := func(owner string) (*Scheduler, *launch.Launcher) {
		cfg := launch.Config{Crawl: crawler.DefaultOptions(), Matcher: matcher.DefaultOptions()}
		cfg.Crawl.Rate = 0
		l, err := launch.New(st, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		s, err := New(st, l, Config{Owner: owner})
		if err != nil {
			t.Fatal(err)
		}
		return s, l
	}
	a, la := server("server-a")
	b, _ := server("server-b")

	first, err := a.RunNow(ctx, sched.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.RunNow(ctx, sched.ID); !errors.Is(err, ErrBusy) {
		t.Errorf("server b while a runs: %v, want ErrBusy", err)
	}
	close(release)
	if _, err := la.Await(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	// The lease is released as the run ends; a's run goroutine does it
	// right after the scan's end is announced.
	waitFor(t, "server b to run the schedule", func() bool {
		_, err := b.RunNow(ctx, sched.ID)
		return err == nil
	})
	got, err := st.Schedule(ctx, sched.ID)
	if err != nil || got.LastScan == "" || got.LastScan == first.ID {
		t.Errorf("last scan %q after b's run (a's was %s), %v", got.LastScan, first.ID, err)
	}
}
