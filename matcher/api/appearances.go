package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/matcher/appearances"
	"github.com/attrib/attrib/store"
)

// workAppearances: GET /api/v1/works/{id}/appearances.
func (a *API) workAppearances(w http.ResponseWriter, r *http.Request, p access.Principal) {
	wk, err := a.visibleWork(r, p, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	q, err := appearanceQuery(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	q.Creator, q.WorkID = wk.Creator, wk.ID
	a.listAppearances(w, r, q)
}

// creatorAppearances: GET /api/v1/creators/{name}/appearances. Another
// creator's name is 404, as for an unknown one.
func (a *API) creatorAppearances(w http.ResponseWriter, r *http.Request, p access.Principal) {
	name := r.PathValue("name")
	if !p.CanSeeCreator(name) {
		a.fail(w, r, errStatus(http.StatusNotFound, "no such creator"))
		return
	}
	q, err := appearanceQuery(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	q.Creator = name
	a.listAppearances(w, r, q)
}

func (a *API) listAppearances(w http.ResponseWriter, r *http.Request, q appearances.Query) {
	page, err := appearances.List(r.Context(), a.Store, q)
	switch {
	case errors.Is(err, appearances.ErrBadCursor):
		err = errStatus(http.StatusBadRequest, "invalid cursor: pass the \"next\" value of the previous page")
	case errors.Is(err, store.ErrNotFound):
		err = errStatus(http.StatusNotFound, "no scan %q", q.ScanID)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// appearanceQuery reads the filters: scan, method, min_score, reserved,
// limit, cursor.
func appearanceQuery(r *http.Request) (appearances.Query, error) {
	v := r.URL.Query()
	q := appearances.Query{ScanID: v.Get("scan"), Method: v.Get("method"), Cursor: v.Get("cursor")}
	switch q.Method {
	case "", "exact", "text", "image":
	default:
		return q, errStatus(http.StatusBadRequest, "method %q: want exact, text or image", q.Method)
	}
	if s := v.Get("min_score"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || f > 1 {
			return q, errStatus(http.StatusBadRequest, "min_score %q: want a number in [0,1]", s)
		}
		q.MinScore = f
	}
	if s := v.Get("reserved"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return q, errStatus(http.StatusBadRequest, "reserved %q: want true or false", s)
		}
		q.Reserved = &b
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > appearances.MaxLimit {
			return q, errStatus(http.StatusBadRequest, "limit %q: want 1..%d", s, appearances.MaxLimit)
		}
		q.Limit = n
	}
	return q, nil
}
