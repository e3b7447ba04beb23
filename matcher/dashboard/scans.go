package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/attrib/attrib/crawler/launch"
	"github.com/attrib/attrib/store"
)

// maxTargets bounds the seed URLs of one scan started from the form.
const maxTargets = 100

// scansPage lists scans; the admin also gets the form to start one.
type scansPage struct {
	Scans    []store.Scan
	CanStart bool
	CSRF     string
	Error    string
	Form     scanForm
}

func (scansPage) PageTitle() string { return "Scans" }

// scanForm is the admin's crawl form, kept when it is shown again with an
// error.
type scanForm struct {
	Targets  string
	Depth    string
	MaxPages string
}

type scanPage struct{ Scan store.Scan }

func (p scanPage) PageTitle() string { return "Scan " + p.Scan.ID }

// RefreshSeconds reloads the status while the scan runs.
func (p scanPage) RefreshSeconds() int {
	if p.Scan.State == store.ScanQueued || p.Scan.State == store.ScanRunning {
		return 3
	}
	return 0
}

func (h *Handler) scans(w http.ResponseWriter, r *http.Request, s session) {
	h.showScans(w, r, s, http.StatusOK, "", scanForm{Depth: "2", MaxPages: "100"})
}

func (h *Handler) showScans(w http.ResponseWriter, r *http.Request, s session, status int, msg string, f scanForm) {
	scans, err := h.opts.Store.ListScans(r.Context())
	if err != nil {
		h.fail(w, r, s, fmt.Errorf("list scans: %w", err))
		return
	}
	h.render(w, r, status, "scans", s, scansPage{
		Scans: scans, CanStart: s.Admin && h.opts.Launcher != nil, CSRF: s.CSRF, Error: msg, Form: f,
	})
}

// startScan starts a crawl from the admin's form.
func (h *Handler) startScan(w http.ResponseWriter, r *http.Request, s session) {
	if !s.Admin || h.opts.Launcher == nil {
		h.render(w, r, http.StatusForbidden, "error", s, errorPage{Title: "Not allowed",
			Message: "Only the operator can start scans."})
		return
	}
	f := scanForm{Targets: r.PostForm.Get("targets"), Depth: r.PostForm.Get("depth"), MaxPages: r.PostForm.Get("max_pages")}
	spec, err := f.spec()
	if err != nil {
		h.showScans(w, r, s, http.StatusBadRequest, err.Error(), f)
		return
	}
	sc, err := h.opts.Launcher.Start(r.Context(), spec)
	if errors.Is(err, launch.ErrInvalid) {
		h.showScans(w, r, s, http.StatusBadRequest, "The scan could not be started: "+err.Error(), f)
		return
	}
	if err != nil {
		h.fail(w, r, s, fmt.Errorf("start scan: %w", err))
		return
	}
	http.Redirect(w, r, "/scans/"+url.PathEscape(sc.ID), http.StatusSeeOther)
}

// spec checks the form and turns it into a crawl.
func (f scanForm) spec() (launch.Spec, error) {
	spec := launch.Spec{Kind: "crawl"}
	for _, line := range strings.Fields(f.Targets) {
		u, err := url.Parse(line)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return spec, fmt.Errorf("%q is not an http or https address", line)
		}
		spec.Targets = append(spec.Targets, u.String())
	}
	switch {
	case len(spec.Targets) == 0:
		return spec, errors.New("give at least one address to start from")
	case len(spec.Targets) > maxTargets:
		return spec, fmt.Errorf("give at most %d addresses", maxTargets)
	}
	var err error
	if spec.Options.Depth, err = formInt(f.Depth, "depth", 0, 100); err != nil {
		return spec, err
	}
	if spec.Options.MaxPages, err = formInt(f.MaxPages, "max pages", 0, 10_000_000); err != nil {
		return spec, err
	}
	return spec, nil
}

// formInt parses an optional whole number field within [lo, hi].
func formInt(s, name string, lo, hi int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}

func (h *Handler) scan(w http.ResponseWriter, r *http.Request, s session) {
	sc, err := h.opts.Store.Scan(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		h.render(w, r, http.StatusNotFound, "error", s, notFoundPage)
		return
	}
	if err != nil {
		h.fail(w, r, s, fmt.Errorf("scan %s: %w", r.PathValue("id"), err))
		return
	}
	if sc.Error != "" && !s.Admin {
		// The error is the server's own message (store addresses,
		// paths): creators learn only that the scan failed.
		sc.Error = "The scan failed; the operator's log has the details."
	}
	h.render(w, r, http.StatusOK, "scan", s, scanPage{Scan: sc})
}
