package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/frontier"
	"github.com/attrib/attrib/crawler/frontier/redisfrontier"
	"github.com/attrib/attrib/crawler/polite"
	"github.com/attrib/attrib/crawler/scanreg"
	"github.com/attrib/attrib/matcher/intake"
	"github.com/attrib/attrib/store"
	redisstore "github.com/attrib/attrib/store/redis"
)

// dist is an open connection to a distributed deployment: the Redis
// client, the store on it and the queues of the namespace.
type dist struct {
	c      redis.UniversalClient
	st     *redisstore.Store
	ns     string
	scans  *scanreg.Registry
	intake *intake.Queue
	fcfg   redisfrontier.Config
}

// errNeedRedis is the usage error of distributed commands run without Redis.
var errNeedRedis = errors.New("this command runs in distributed mode: give --redis URL (or $ATTRIB_REDIS)")

// openDist connects to the configured Redis.
func (g *globalOptions) openDist(ctx context.Context) (*dist, error) {
	if g.cfg.Redis == "" {
		return nil, usageError{errNeedRedis}
	}
	c, err := redisstore.NewClient(g.cfg.Redis)
	if err != nil {
		return nil, usageError{err}
	}
	d := g.cfg.Dist
	st, err := redisstore.Open(ctx, c, d.Namespace)
	if err != nil {
		c.Close()
		return nil, err
	}
	host, _ := os.Hostname()
	consumer := fmt.Sprintf("%s-%d", host, os.Getpid())
	vis := time.Duration(d.Visibility)
	return &dist{
		c: c, st: st, ns: d.Namespace,
		scans:  scanreg.New(c, d.Namespace),
		intake: intake.New(c, intake.Options{Namespace: d.Namespace, Consumer: consumer, Visibility: vis, MaxDeliveries: int64(d.MaxAttempts)}),
		fcfg:   redisfrontier.Config{Client: c, Namespace: d.Namespace, Consumer: consumer, Visibility: vis, MaxAttempts: d.MaxAttempts},
	}, nil
}

func (d *dist) Close() error {
	return errors.Join(d.st.Close(), d.c.Close())
}

// openFrontier opens a scan's shared frontier.
func (d *dist) openFrontier(ctx context.Context, scan string, o frontier.Options) (frontier.Frontier, error) {
	return redisfrontier.Open(ctx, d.fcfg, scan, o)
}

// scanStatus is one scan's row of `attrib status`.
type scanStatus struct {
	Scan     string      `json:"scan"`
	Queued   int64       `json:"queued"`
	InFlight int64       `json:"in_flight"`
	Done     int64       `json:"done"`
	Dead     int64       `json:"dead"`
	Finished bool        `json:"finished"`
	Backlog  int64       `json:"matcher_backlog"`
	Stats    store.Stats `json:"stats"`
	Rate     float64     `json:"pages_per_second"`
	Started  time.Time   `json:"started_at"`
	State    string      `json:"state,omitempty"`
}

// status computes a scan's row from its frontier, intake and counters.
func (d *dist) status(ctx context.Context, name string) (scanStatus, error) {
	s := scanStatus{Scan: name}
	fc, err := redisfrontier.Counts(ctx, d.c, d.ns, name)
	if err != nil {
		return s, err
	}
	s.Queued, s.InFlight, s.Done, s.Dead = fc.Queued+fc.Delayed, fc.InFlight, fc.Done, fc.Dead
	if s.Backlog, err = d.intake.Backlog(ctx, name); err != nil {
		return s, err
	}
	dead, err := d.intake.Dead(ctx, name)
	if err != nil {
		return s, err
	}
	s.Dead += dead
	// Counts sums partitions one after another; Drained is the consistent
	// check that nothing is queued or leased anywhere.
	drained, err := d.crawlDone(ctx, name)
	if err != nil {
		return s, err
	}
	s.Finished = drained && s.Backlog == 0
	if s.Stats, err = d.scans.Stats(ctx, name); err != nil {
		return s, err
	}
	end := time.Now()
	if sc, err := d.st.Scan(ctx, name); err == nil {
		s.Started, s.State = sc.StartedAt, string(sc.State)
		if !sc.FinishedAt.IsZero() {
			end = sc.FinishedAt
		}
	}
	if el := end.Sub(s.Started).Seconds(); !s.Started.IsZero() && el > 0 {
		s.Rate = float64(s.Stats.Pages) / el
	}
	return s, nil
}

// crawlDone reports whether a scan's frontier has nothing queued or in
// flight: the matcher service's completion test.
func (d *dist) crawlDone(ctx context.Context, name string) (bool, error) {
	return redisfrontier.Drained(ctx, d.c, d.ns, name)
}

// drainOnSignal returns a context for a long-running process and a channel
// closed on the first SIGINT/SIGTERM (or when parent ends): the process
// stops taking work and finishes what it holds. A second signal, or
// grace passing after the first, cancels the context: held work is left
// for others to take over.
func drainOnSignal(parent context.Context, grace time.Duration) (ctx context.Context, drain <-chan struct{}, stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	dr := make(chan struct{})
	var once sync.Once
	startDrain := func() {
		once.Do(func() {
			close(dr)
			time.AfterFunc(grace, cancel)
		})
	}
	stopParent := context.AfterFunc(parent, startDrain)
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		for n := 1; ; n++ {
			select {
			case <-sig:
				startDrain()
				if n >= 2 {
					cancel()
				}
			case <-done:
				return
			}
		}
	}()
	return ctx, dr, func() {
		stopParent()
		signal.Stop(sig)
		close(done)
		cancel()
	}
}

// politeness makes every worker share per-host politeness through Redis:
// rate and concurrency per host, robots.txt fetched once per host.
func (d *dist) politeness(g *globalOptions, base *crawler.Options) (gate func(rate float64) (crawler.Gate, error), err error) {
	robots, err := polite.NewRedisRobots(d.c, d.ns+":", 0)
	if err != nil {
		return nil, err
	}
	base.Robots = robots
	conc := base.HostConcurrency
	return func(rate float64) (crawler.Gate, error) {
		return polite.NewRedis(d.c, d.ns+":", polite.Options{Rate: rate, Concurrency: conc})
	}, nil
}
