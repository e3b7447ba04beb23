package api

import (
	"bytes"
	"errors"
	"net/http"
	"time"

	"github.com/attrib/attrib/crawler/launch"
	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/store"
)

// ScanJSON is a scan as the API shows it.
type ScanJSON struct {
	ID         string      `json:"id"`
	Kind       string      `json:"kind"`
	Targets    []string    `json:"targets"`
	State      string      `json:"state"`
	Error      string      `json:"error,omitempty"`
	StartedAt  string      `json:"started_at,omitempty"`
	FinishedAt string      `json:"finished_at,omitempty"`
	Stats      store.Stats `json:"stats"`
}

// scanFailed is what a creator reads of a failed scan's error.
const scanFailed = "the scan failed; the operator's log has the details"

// scanJSON shows s to p. A scan's error is the server's own message (it
// may name store addresses or paths): only the admin reads it.
func scanJSON(s store.Scan, p access.Principal) ScanJSON {
	if s.Error != "" && !p.Admin {
		s.Error = scanFailed
	}
	targets := s.Targets
	if targets == nil {
		targets = []string{}
	}
	return ScanJSON{
		ID: s.ID, Kind: s.Kind, Targets: targets, State: string(s.State), Error: s.Error,
		StartedAt: stamp(s.StartedAt), FinishedAt: stamp(s.FinishedAt), Stats: s.Stats,
	}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// listScans: GET /api/v1/scans, newest first. Scans are the operator's
// crawls, not any creator's data: every caller sees them, while what was
// found in them is limited to the caller's works (appearances, report).
func (a *API) listScans(w http.ResponseWriter, r *http.Request, p access.Principal) {
	scans, err := a.Store.ListScans(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Scans []ScanJSON `json:"scans"`
	}{Scans: make([]ScanJSON, 0, len(scans))}
	for _, s := range scans {
		out.Scans = append(out.Scans, scanJSON(s, p))
	}
	writeJSON(w, http.StatusOK, out)
}

// getScan: GET /api/v1/scans/{id}; "latest" names the newest scan.
func (a *API) getScan(w http.ResponseWriter, r *http.Request, p access.Principal) {
	s, err := a.scanByID(r, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, scanJSON(s, p))
}

func (a *API) scanByID(r *http.Request, id string) (store.Scan, error) {
	var s store.Scan
	var err error
	if id == "latest" {
		s, err = a.Store.LatestScan(r.Context())
	} else {
		s, err = a.Store.Scan(r.Context(), id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return s, errStatus(http.StatusNotFound, "no scan %q", id)
	}
	return s, err
}

// postScan: POST /api/v1/scans (admin). The launcher runs the scan in the
// background; 202 with its ID.
func (a *API) postScan(w http.ResponseWriter, r *http.Request, p access.Principal) {
	var spec launch.Spec
	if err := decodeJSON(w, r, &spec); err != nil {
		a.fail(w, r, err)
		return
	}
	spec, err := checkSpec(spec)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if a.Launcher == nil {
		a.fail(w, r, errStatus(http.StatusNotImplemented, "this server cannot start scans"))
		return
	}
	s, err := a.Launcher.Start(r.Context(), spec)
	if errors.Is(err, store.ErrInvalid) || errors.Is(err, launch.ErrInvalid) {
		err = errStatus(http.StatusBadRequest, "%v", err)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.Logger.Info("scan started", "id", s.ID, "kind", s.Kind, "targets", len(s.Targets), "token", access.HashPrefix(p.TokenHash))
	state := s.State
	if state == "" {
		state = store.ScanQueued
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": s.ID, "state": string(state)})
}

// checkSpec validates a scan request before anything starts, with the
// launcher's own rules (launch.Spec.Normalize), and returns it normalised.
func checkSpec(s launch.Spec) (launch.Spec, error) {
	n, err := s.Normalize()
	if err != nil {
		return s, errStatus(http.StatusBadRequest, "%v", err)
	}
	return n, nil
}

// reportTypes are the Content-Types of the report formats.
var reportTypes = map[report.Format]string{
	report.FormatJSON:     "application/json",
	report.FormatMarkdown: "text/markdown; charset=utf-8",
	report.FormatCSV:      "text/csv; charset=utf-8",
	report.FormatHTML:     "text/html; charset=utf-8",
}

// getReport: GET /api/v1/scans/{id}/report?format=json|md|csv|html,
// limited to the caller's works unless admin.
func (a *API) getReport(w http.ResponseWriter, r *http.Request, p access.Principal) {
	f := report.FormatJSON
	if s := r.URL.Query().Get("format"); s != "" {
		var err error
		if f, err = report.ParseFormat(s); err != nil {
			a.fail(w, r, errStatus(http.StatusBadRequest, "%v", err))
			return
		}
	}
	if err := report.Supported(f); err != nil {
		a.fail(w, r, errStatus(http.StatusNotImplemented, "%v", err))
		return
	}
	sc, err := a.scanByID(r, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rep, err := report.FromStore(r.Context(), a.Store, sc.ID, p.Scope())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if f == report.FormatJSON && a.Notary != nil && sc.State == store.ScanFinished {
		// Only finished scans: a running scan's report still changes.
		if rep, err = a.Notary.Attach(r.Context(), rep); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, rep, f); err != nil {
		a.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", reportTypes[f])
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if f == report.FormatHTML {
		// Found passages come from arbitrary web pages: even if escaping
		// failed, no script may run and nothing may load from elsewhere.
		h.Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}
