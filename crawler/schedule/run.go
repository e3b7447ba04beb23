package schedule

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/attrib/attrib/store"
)

// Errors of RunNow.
var (
	// ErrBusy: a run did not start because the schedule's previous run
	// is still going, in this process or in another one sharing the store.
	ErrBusy = errors.New("the previous run of the schedule is still going")
	// ErrStopped: the scheduler was stopped.
	ErrStopped = errors.New("scheduler stopped")
)

// leaseName is the store lease that one run of a schedule holds.
func leaseName(id string) string { return "schedule:" + id }

// tick is a timed run of schedule id.
func (s *Scheduler) tick(id string) {
	sc, err := s.begin(s.base, id)
	switch {
	case errors.Is(err, ErrBusy):
		s.log.Info("scheduled run skipped: the previous run is still going", "schedule", id, "err", err)
	case errors.Is(err, store.ErrNotFound):
		s.log.Info("scheduled run skipped: schedule deleted or disabled", "schedule", id)
	case err != nil:
		s.log.Error("scheduled run did not start", "schedule", id, "err", err)
	default:
		s.log.Info("scheduled run started", "schedule", id, "scan", sc.ID)
	}
}

// begin starts a run of schedule id unless one is going: it claims the
// schedule in this process and its lease in the store, starts the scan,
// records it as the schedule's LastScan, and holds both claims until the
// scan ends.
func (s *Scheduler) begin(ctx context.Context, id string) (store.Scan, error) {
	if err := s.claim(id); err != nil {
		return store.Scan{}, err
	}
	ok, err := s.st.AcquireLease(ctx, leaseName(id), s.cfg.Owner, s.cfg.LeaseTTL)
	switch {
	case err != nil:
		s.unclaim(ctx, id, false)
		return store.Scan{}, fmt.Errorf("lease of schedule %s: %w", id, err)
	case !ok:
		s.unclaim(ctx, id, false)
		return store.Scan{}, fmt.Errorf("%w (in another process)", ErrBusy)
	}
	sc, err := s.launch(ctx, id)
	if err != nil {
		s.unclaim(ctx, id, true)
		return sc, err
	}
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		s.await(id, sc)
	}()
	return sc, nil
}

// launch starts the scan of schedule id and records it as LastScan.
func (s *Scheduler) launch(ctx context.Context, id string) (store.Scan, error) {
	sched, err := s.lookup(ctx, id)
	if err != nil {
		return store.Scan{}, err
	}
	spec, err := specOf(sched)
	if err != nil {
		return store.Scan{}, fmt.Errorf("schedule %s: %w", id, err)
	}
	sc, err := s.l.Start(ctx, spec)
	if err != nil {
		return sc, fmt.Errorf("schedule %s: start scan: %w", id, err)
	}
	if strings.HasPrefix(id, ConfigPrefix) {
		return sc, nil
	}
	// Read again: the schedule may have been edited while the scan was
	// being created; only LastScan is ours to change.
	cur, err := s.st.Schedule(ctx, id)
	if err == nil {
		cur.LastScan = sc.ID
		_, err = s.st.PutSchedule(ctx, cur)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Warn("schedule's last scan not recorded", "schedule", id, "scan", sc.ID, "err", err)
	}
	return sc, nil
}

// lookup returns the enabled schedule id, or ErrNotFound.
func (s *Scheduler) lookup(ctx context.Context, id string) (store.Schedule, error) {
	if strings.HasPrefix(id, ConfigPrefix) {
		for _, sc := range s.cfg.Static {
			if sc.ID == id {
				return sc, nil
			}
		}
		return store.Schedule{}, fmt.Errorf("schedule %s: %w", id, store.ErrNotFound)
	}
	sc, err := s.st.Schedule(ctx, id)
	if err != nil {
		return sc, fmt.Errorf("schedule %s: %w", id, err)
	}
	if !sc.Enabled {
		return sc, fmt.Errorf("schedule %s is disabled: %w", id, store.ErrNotFound)
	}
	return sc, nil
}

// await holds the schedule's claims until its scan ends, renewing the
// lease every third of its TTL.
func (s *Scheduler) await(id string, sc store.Scan) {
	ctx, stop := context.WithCancel(s.base)
	defer stop()
	go s.renew(ctx, id)
	final, err := s.l.Await(s.base, sc.ID)
	stop()
	if err != nil {
		s.log.Warn("scheduled run: end of scan not seen", "schedule", id, "scan", sc.ID, "err", err)
	} else {
		s.log.Info("scheduled run ended", "schedule", id, "scan", final.ID, "state", final.State,
			"pages", final.Stats.Pages, "records", final.Stats.Records, "skipped", final.Stats.Skipped, "errors", final.Stats.Errors)
	}
	s.unclaim(context.WithoutCancel(s.base), id, true)
}

// renew extends the run's lease until ctx ends.
func (s *Scheduler) renew(ctx context.Context, id string) {
	t := time.NewTicker(s.cfg.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ok, err := s.st.AcquireLease(ctx, leaseName(id), s.cfg.Owner, s.cfg.LeaseTTL)
		if (err != nil || !ok) && ctx.Err() == nil {
			s.log.Warn("schedule lease not renewed; another server may start an overlapping run", "schedule", id, "err", err)
		}
	}
}

// claim marks schedule id as running in this process. It fails with
// ErrBusy when it is, and with ErrStopped after Stop.
func (s *Scheduler) claim(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.stopped:
		return ErrStopped
	case s.running[id]:
		return fmt.Errorf("%w (in this process)", ErrBusy)
	}
	s.running[id] = true
	return nil
}

// unclaim gives up the claim in this process and, if held, the lease.
func (s *Scheduler) unclaim(ctx context.Context, id string, lease bool) {
	if lease {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := s.st.ReleaseLease(rctx, leaseName(id), s.cfg.Owner); err != nil {
			s.log.Warn("schedule lease not released; it expires by itself", "schedule", id, "err", err)
		}
	}
	s.mu.Lock()
	delete(s.running, id)
	s.mu.Unlock()
}
