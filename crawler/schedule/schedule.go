package schedule

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/attrib/attrib/crawler/launch"
	"github.com/attrib/attrib/store"
)

// Store is what the scheduler needs of the store.
type Store interface {
	ListSchedules(ctx context.Context) ([]store.Schedule, error)
	Schedule(ctx context.Context, id string) (store.Schedule, error)
	PutSchedule(ctx context.Context, s store.Schedule) (store.Schedule, error)
	AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, owner string) error
}

// Launcher starts a run's scan and tells when it ended
// (*launch.Launcher).
type Launcher interface {
	Start(ctx context.Context, spec launch.Spec) (store.Scan, error)
	Await(ctx context.Context, id string) (store.Scan, error)
}

// ConfigPrefix starts the IDs of schedules from the config file, which
// the store does not hold: "config:" + name.
const ConfigPrefix = "config:"

// DefaultLeaseTTL is how long a run's lease lasts unless renewed; the
// running server renews it every third of that, so a server that dies
// holds a schedule for at most this long.
const DefaultLeaseTTL = 2 * time.Minute

// Config configures a Scheduler.
type Config struct {
	// Static are the schedules of the config file: they run like stored
	// ones but are not in the store (no LastScan is kept for them). Their
	// ID is set to ConfigPrefix + Name.
	Static []store.Schedule
	// Owner names this scheduler in leases (default hostname-pid-random).
	Owner string
	// LeaseTTL: see DefaultLeaseTTL.
	LeaseTTL time.Duration
	// Location is the time zone of cron expressions (default: local).
	Location *time.Location
	Logger   *slog.Logger
}

// Scheduler runs schedules. Create it with New, then Start.
type Scheduler struct {
	st     Store
	l      Launcher
	cfg    Config
	log    *slog.Logger
	cron   *cron.Cron
	base   context.Context
	cancel context.CancelFunc
	jobs   sync.WaitGroup

	mu      sync.Mutex // guards entries, running, stopped
	entries map[string]cron.EntryID
	running map[string]bool // schedule ID -> a run is in progress in this process
	stopped bool            // no run starts any more
}

// New checks the static schedules and returns a Scheduler.
func New(st Store, l Launcher, cfg Config) (*Scheduler, error) {
	if st == nil || l == nil {
		return nil, errors.New("schedule: nil store or launcher")
	}
	seen := map[string]bool{}
	for i := range cfg.Static {
		s := &cfg.Static[i]
		if s.Name == "" || seen[s.Name] {
			return nil, fmt.Errorf("%w: config schedule %d: names must be set and unique", launch.ErrInvalid, i+1)
		}
		seen[s.Name] = true
		s.ID, s.Enabled = ConfigPrefix+s.Name, true
		if err := Validate(*s); err != nil {
			return nil, fmt.Errorf("config schedule %s: %w", s.Name, err)
		}
	}
	if cfg.Owner == "" {
		cfg.Owner = defaultOwner()
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	base, cancel := context.WithCancel(context.Background())
	return &Scheduler{st: st, l: l, cfg: cfg, log: log, base: base, cancel: cancel,
		cron:    cron.New(cron.WithLocation(cfg.Location), cron.WithLogger(cronLogger{log})),
		entries: map[string]cron.EntryID{}, running: map[string]bool{}}, nil
}

// defaultOwner is hostname-pid-random: two schedulers of one process are
// two owners too.
func defaultOwner() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Parse parses a cron expression: five fields (minute hour day-of-month
// month day-of-week) or a descriptor (@yearly, @monthly, @weekly, @daily,
// @hourly, @every 10m).
func Parse(expr string) (cron.Schedule, error) {
	s, err := cron.ParseStandard(expr)
	if err != nil {
		return nil, fmt.Errorf("%w: cron %q: %w", launch.ErrInvalid, expr, err)
	}
	return s, nil
}

// Validate checks what a schedule runs: its cron expression, kind,
// targets and options. Audit paths are made absolute but not opened (the
// files may appear before the first run). Errors wrap launch.ErrInvalid.
func Validate(s store.Schedule) error {
	if _, err := Parse(s.Cron); err != nil {
		return err
	}
	_, err := specOf(s)
	return err
}

// specOf returns the scan a schedule runs, normalised.
func specOf(s store.Schedule) (launch.Spec, error) {
	o, err := launch.DecodeOptions(s.Options)
	if err != nil {
		return launch.Spec{}, err
	}
	return launch.Spec{Kind: s.Kind, Targets: s.Targets, Options: o}.Normalize()
}

// Start loads the schedules and starts running them. ctx bounds loading.
func (s *Scheduler) Start(ctx context.Context) error {
	if err := s.Reload(ctx); err != nil {
		return err
	}
	s.cron.Start()
	return nil
}

// Stop stops starting runs and waits, until ctx ends, for the runs in
// progress: they end with their scans (close the launcher to cancel them).
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true // before waiting on s.jobs: no run is added to it after this
	s.mu.Unlock()
	<-s.cron.Stop().Done() // cron's job goroutines only hand runs to s.jobs
	done := make(chan struct{})
	go func() {
		s.jobs.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.cancel()
		return nil
	case <-ctx.Done():
		s.cancel() // the runs stop waiting for their scans and give up their leases
		<-done
		return ctx.Err()
	}
}

// Reload re-reads the stored schedules (after the API created, changed or
// deleted one) and reschedules them all. A run in progress goes on; its
// schedule's next run is by the new expression.
func (s *Scheduler) Reload(ctx context.Context) error {
	stored, err := s.st.ListSchedules(ctx)
	if err != nil {
		return fmt.Errorf("schedules: %w", err)
	}
	all := append(append([]store.Schedule(nil), s.cfg.Static...), stored...)
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, e := range s.entries {
		s.cron.Remove(e)
		delete(s.entries, id)
	}
	for _, sc := range all {
		if !sc.Enabled {
			continue
		}
		cs, err := Parse(sc.Cron)
		if err != nil {
			// Stored through the API after Validate: a bad one is skipped,
			// not allowed to stop the others.
			s.log.Error("schedule not run: bad cron expression", "schedule", sc.ID, "name", sc.Name, "err", err)
			continue
		}
		id := sc.ID
		s.entries[id] = s.cron.Schedule(cs, cron.FuncJob(func() { s.tick(id) }))
	}
	s.log.Info("schedules loaded", "config", len(s.cfg.Static), "stored", len(stored), "active", len(s.entries))
	return nil
}

// Entry is a schedule's place in the timetable.
type Entry struct {
	ID   string
	Next time.Time // zero before Start
	Prev time.Time // zero before the first run
}

// Entries lists the active schedules' next and previous run times.
func (s *Scheduler) Entries() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Entry, 0, len(s.entries))
	for id, e := range s.entries {
		ce := s.cron.Entry(e)
		out = append(out, Entry{ID: id, Next: ce.Next, Prev: ce.Prev})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// RunNow starts a run of schedule id at once, with the same overlap
// rules as a timed run. It returns the run's scan, or an error when the
// run did not start (ErrBusy when the previous run is still going).
func (s *Scheduler) RunNow(ctx context.Context, id string) (store.Scan, error) {
	return s.begin(ctx, id)
}

// cronLogger sends cron's own messages to slog.
type cronLogger struct{ log *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.log.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.log.Error("cron: "+msg, append(kv, "err", err)...)
}
