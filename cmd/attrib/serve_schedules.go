package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/attrib/attrib/cmd/attrib/internal/config"
	"github.com/attrib/attrib/crawler/launch"
	"github.com/attrib/attrib/crawler/scanreg"
	"github.com/attrib/attrib/crawler/schedule"
	"github.com/attrib/attrib/store"
)

// startScheduler runs serve's schedules (the config file's and the
// store's) through l. stop ends scheduling and makes the runs in progress
// give up their leases; close the launcher after it to cancel their scans.
func startScheduler(ctx context.Context, g *globalOptions, st store.Store, l *launch.Launcher) (s *schedule.Scheduler, stop func(), err error) {
	static, err := configSchedules(g.cfg.Schedules)
	if err != nil {
		return nil, nil, usageError{err}
	}
	s, err = schedule.New(st, l, schedule.Config{Static: static, Logger: g.logger})
	if err != nil {
		return nil, nil, usageError{err}
	}
	if err := s.Start(ctx); err != nil {
		return nil, nil, err
	}
	return s, func() {
		done, cancel := context.WithCancel(context.Background())
		cancel() // no waiting: the launcher's Close ends the scans
		_ = s.Stop(done)
	}, nil
}

// configSchedules turns the config file's schedules into the records the
// scheduler runs.
func configSchedules(cs []config.Schedule) ([]store.Schedule, error) {
	out := make([]store.Schedule, len(cs))
	for i, c := range cs {
		o := c.Options
		opts, err := json.Marshal(launch.Options{Depth: o.Depth, MaxPages: o.MaxPages, Scope: o.Scope, Rate: o.Rate, Format: o.Format, Full: o.Full})
		if err != nil {
			return nil, fmt.Errorf("schedule %s: %w", c.Name, err)
		}
		out[i] = store.Schedule{Name: c.Name, Cron: c.Cron, Kind: c.Kind, Targets: c.Targets, Options: opts, Enabled: true}
	}
	return out, nil
}

// launchDist returns the launcher's Redis mode: crawls queued for remote
// workers and matchers, as attrib enqueue queues them. nil without --redis.
func launchDist(ctx context.Context, g *globalOptions) (*launch.Dist, func(), error) {
	if g.cfg.Redis == "" {
		return nil, func() {}, nil
	}
	d, err := g.openDist(ctx)
	if err != nil {
		return nil, nil, err
	}
	e := &scanreg.Enqueuer{Registry: d.scans, Store: d.st, Frontier: d.openFrontier}
	return &launch.Dist{Enqueuer: e}, func() { _ = d.Close() }, nil
}
