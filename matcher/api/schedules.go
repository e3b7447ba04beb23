package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/attrib/attrib/crawler/launch"
	"github.com/attrib/attrib/crawler/schedule"
	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/store"
)

// ScheduleJSON is a schedule as the API reads and writes it. On POST and
// PUT, id, last_scan and created_at are ignored; enabled defaults to true.
type ScheduleJSON struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Cron      string         `json:"cron"`
	Kind      string         `json:"kind"`
	Targets   []string       `json:"targets"`
	Options   launch.Options `json:"options"`
	Enabled   *bool          `json:"enabled,omitempty"`
	LastScan  string         `json:"last_scan,omitempty"`
	CreatedAt string         `json:"created_at,omitempty"`
}

func scheduleJSON(s store.Schedule) (ScheduleJSON, error) {
	var o launch.Options
	if len(s.Options) > 0 {
		if err := json.Unmarshal(s.Options, &o); err != nil {
			return ScheduleJSON{}, err
		}
	}
	enabled := s.Enabled
	targets := s.Targets
	if targets == nil {
		targets = []string{}
	}
	return ScheduleJSON{
		ID: s.ID, Name: s.Name, Cron: s.Cron, Kind: s.Kind, Targets: targets, Options: o,
		Enabled: &enabled, LastScan: s.LastScan, CreatedAt: stamp(s.CreatedAt),
	}, nil
}

// toSchedule validates a request body into a store record.
func toSchedule(in ScheduleJSON) (store.Schedule, error) {
	in.Cron = strings.TrimSpace(in.Cron)
	// The scheduler's own parser (robfig/cron/v3's standard five fields or
	// a descriptor such as @daily or @every 6h): what it accepts here, it
	// runs.
	if _, err := schedule.Parse(in.Cron); err != nil {
		return store.Schedule{}, errStatus(http.StatusBadRequest, "%v", err)
	}
	spec, err := checkSpec(launch.Spec{Kind: in.Kind, Targets: in.Targets, Options: in.Options})
	if err != nil {
		return store.Schedule{}, err
	}
	opts, err := json.Marshal(spec.Options)
	if err != nil {
		return store.Schedule{}, err
	}
	enabled := in.Enabled == nil || *in.Enabled
	return store.Schedule{Name: strings.TrimSpace(in.Name), Cron: in.Cron, Kind: spec.Kind, Targets: spec.Targets, Options: opts, Enabled: enabled}, nil
}

func (a *API) listSchedules(w http.ResponseWriter, r *http.Request, _ access.Principal) {
	ss, err := a.Store.ListSchedules(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Schedules []ScheduleJSON `json:"schedules"`
	}{Schedules: make([]ScheduleJSON, 0, len(ss))}
	for _, s := range ss {
		sj, err := scheduleJSON(s)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		out.Schedules = append(out.Schedules, sj)
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getSchedule(w http.ResponseWriter, r *http.Request, _ access.Principal) {
	s, err := a.Store.Schedule(r.Context(), r.PathValue("id"))
	a.respondSchedule(w, r, http.StatusOK, s, err)
}

func (a *API) postSchedule(w http.ResponseWriter, r *http.Request, _ access.Principal) {
	s, err := a.readSchedule(w, r)
	if err == nil {
		s, err = a.Store.PutSchedule(r.Context(), s)
	}
	if err == nil {
		a.reload(r)
	}
	a.respondSchedule(w, r, http.StatusCreated, s, err)
}

// putSchedule replaces a schedule; the scheduler's bookkeeping (last scan)
// is kept.
func (a *API) putSchedule(w http.ResponseWriter, r *http.Request, _ access.Principal) {
	id := r.PathValue("id")
	old, err := a.Store.Schedule(r.Context(), id)
	if err != nil {
		a.respondSchedule(w, r, 0, old, err)
		return
	}
	s, err := a.readSchedule(w, r)
	if err == nil {
		s.ID, s.LastScan = id, old.LastScan
		s, err = a.Store.PutSchedule(r.Context(), s)
	}
	if err == nil {
		a.reload(r)
	}
	a.respondSchedule(w, r, http.StatusOK, s, err)
}

func (a *API) deleteSchedule(w http.ResponseWriter, r *http.Request, _ access.Principal) {
	if err := a.Store.DeleteSchedule(r.Context(), r.PathValue("id")); err != nil {
		a.respondSchedule(w, r, 0, store.Schedule{}, err)
		return
	}
	a.reload(r)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) readSchedule(w http.ResponseWriter, r *http.Request) (store.Schedule, error) {
	var in ScheduleJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return store.Schedule{}, err
	}
	return toSchedule(in)
}

func (a *API) respondSchedule(w http.ResponseWriter, r *http.Request, status int, s store.Schedule, err error) {
	if errors.Is(err, store.ErrNotFound) {
		err = errStatus(http.StatusNotFound, "no schedule %q", r.PathValue("id"))
	}
	var sj ScheduleJSON
	if err == nil {
		sj, err = scheduleJSON(s)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, status, sj)
}

// reload tells the scheduler; the change is stored either way, so a failed
// reload is logged (the scheduler also re-reads on restart).
func (a *API) reload(r *http.Request) {
	if a.Reloader == nil {
		return
	}
	if err := a.Reloader.Reload(r.Context()); err != nil {
		a.Logger.Error("schedules changed but the scheduler did not reload", "err", err)
	}
}
