package api

import (
	"context"
	"net/http"

	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/matcher/transparency"
)

// Notary is the transparency log as the API uses it: JSON reports carry
// their proof, and a work's registration receipt can be downloaded.
type Notary interface {
	// Attach returns rep with its transparency field set (recording the
	// report's digest when this rendering is new to the log).
	Attach(ctx context.Context, rep report.Report) (report.Report, error)
	// WorkReceipt returns the receipt of a work's registration.
	WorkReceipt(ctx context.Context, workID string) (transparency.Receipt, error)
}

// getReceipt serves GET /api/v1/works/{id}/receipt: the file `attrib verify
// --receipt` checks offline. Another creator's work is 404, like a missing one.
func (a *API) getReceipt(w http.ResponseWriter, r *http.Request, p access.Principal) {
	if a.Notary == nil {
		a.fail(w, r, errStatus(http.StatusNotImplemented, "this server keeps no transparency log"))
		return
	}
	wk, err := a.visibleWork(r, p, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rc, err := a.Notary.WorkReceipt(r.Context(), wk.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", `attachment; filename="`+wk.ID+`.receipt.json"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(rc.MarshalFile())
}
