package api

import (
	"errors"
	"net/http"

	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/store"
)

// ChangeSet is what changed between two scans for one creator (or all).
type ChangeSet struct {
	Scan     string `json:"scan"`               // the newer scan
	Previous string `json:"previous,omitempty"` // the scan compared with; empty when there was none
	// New are appearances present in Scan and absent from Previous;
	// Removed the ones present before and gone now.
	New     []report.Match `json:"new"`
	Removed []report.Match `json:"removed"`
}

// getChanges: GET /api/v1/changes[?scan=ID] — new and removed appearances
// of the caller's works (admin: all, or ?creator=NAME) since the previous
// scan.
func (a *API) getChanges(w http.ResponseWriter, r *http.Request, p access.Principal) {
	if a.Changes == nil {
		a.fail(w, r, errStatus(http.StatusNotImplemented, "this server does not compute changes"))
		return
	}
	creator := p.Scope()
	if c := r.URL.Query().Get("creator"); c != "" {
		if !p.CanSeeCreator(c) {
			a.fail(w, r, errStatus(http.StatusNotFound, "no such creator"))
			return
		}
		creator = c
	}
	cs, err := a.Changes.Changes(r.Context(), creator, r.URL.Query().Get("scan"))
	if errors.Is(err, store.ErrNotFound) {
		err = errStatus(http.StatusNotFound, "no such scan, or no finished scan yet")
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// Defence in depth: whatever the source returned, a creator sees only
	// its own works.
	cs.New, cs.Removed = onlyCreator(cs.New, creator), onlyCreator(cs.Removed, creator)
	writeJSON(w, http.StatusOK, cs)
}

func onlyCreator(ms []report.Match, creator string) []report.Match {
	out := make([]report.Match, 0, len(ms))
	for _, m := range ms {
		if creator == "" || m.Work.Creator == creator {
			out = append(out, m)
		}
	}
	return out
}
