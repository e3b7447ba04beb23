package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/attrib/attrib/matcher/appearances"
	"github.com/attrib/attrib/store"
)

// worksPage lists works, grouped by creator (one group for a creator).
type worksPage struct {
	Admin  bool
	Groups []creatorWorks
	// Latest is the newest finished scan the counts come from; nil before
	// any scan finished. Previous is the scan it was compared with (nil:
	// none, everything in Latest is new).
	Latest, Previous *store.Scan
	// Fresh are the appearances new in Latest, with their evidence (at
	// most maxFresh); FreshMore counts the ones left out.
	Fresh     []appearanceView
	FreshMore int
}

// maxFresh bounds the evidence shown on the works page; each work's page
// has all of it.
const maxFresh = 20

func (p worksPage) PageTitle() string {
	if p.Admin {
		return "All works"
	}
	return "My works"
}

type creatorWorks struct {
	Creator string
	Works   []workRow
}

type workRow struct {
	store.Work
	Found int // appearances in the latest finished scan
	New   int // of which new since the scan before
}

func (h *Handler) works(w http.ResponseWriter, r *http.Request, s session) {
	ctx := r.Context()
	ws, err := h.opts.Store.Works(ctx, store.WorkFilter{Creator: s.Scope()})
	if err != nil {
		h.fail(w, r, s, fmt.Errorf("list works: %w", err))
		return
	}
	n, err := latestNews(ctx, h.opts.Store, s.Scope(), "")
	if err != nil {
		h.fail(w, r, s, err)
		return
	}
	page := worksPage{Admin: s.Admin, Latest: n.latest, Previous: n.previous}
	byCreator := map[string]int{}
	for _, wk := range ws {
		i, ok := byCreator[wk.Creator]
		if !ok {
			i = len(page.Groups)
			byCreator[wk.Creator] = i
			page.Groups = append(page.Groups, creatorWorks{Creator: wk.Creator})
		}
		row := workRow{Work: wk, Found: n.found[wk.ID], New: n.newCount[wk.ID]}
		page.Groups[i].Works = append(page.Groups[i].Works, row)
	}
	if page.Fresh, page.FreshMore, err = h.fresh(ctx, s, n); err != nil {
		h.fail(w, r, s, err)
		return
	}
	h.render(w, r, http.StatusOK, "works", s, page)
}

// fresh returns the views of the appearances new in the latest scan, at
// most maxFresh, and how many more there are.
func (h *Handler) fresh(ctx context.Context, s session, n news) ([]appearanceView, int, error) {
	if n.latest == nil || len(n.isNew) == 0 {
		return nil, 0, nil
	}
	pg, err := appearances.List(ctx, h.opts.Store, appearances.Query{Creator: s.Scope(), ScanID: n.latest.ID, Limit: appearances.MaxLimit})
	if err != nil {
		return nil, 0, fmt.Errorf("appearances of scan %s: %w", n.latest.ID, err)
	}
	var out []appearanceView
	more := 0
	works := map[string]store.Work{} // with text and preview, read once each
	for _, it := range pg.Appearances {
		if !n.isFresh(it) {
			continue
		}
		if len(out) == maxFresh {
			more++
			continue
		}
		wk, ok := works[it.Work.ID]
		if !ok {
			if wk, err = h.opts.Store.Work(ctx, it.Work.ID); err != nil {
				return nil, 0, fmt.Errorf("work %s: %w", it.Work.ID, err)
			}
			works[wk.ID] = wk
		}
		if !s.CanSeeWork(wk) {
			continue // defence in depth: the query is already scoped
		}
		v := newAppearanceView(it, wk, true)
		v.Anchor, v.ShowWork = "new-"+strconv.Itoa(len(out)), true
		out = append(out, v)
	}
	return out, more, nil
}

// workPage is one work with its appearances.
type workPage struct {
	Work        store.Work
	ThumbURL    string
	Appearances []appearanceView
	Gone        []string // places the previous scan found and the latest did not
	Latest      *store.Scan
	Previous    *store.Scan
	Places      int    // distinct places found
	Truncated   bool   // the oldest scans were not read (maxHistory)
	Prev, Next  string // the neighbouring pages' queries, empty at the ends
}

func (p workPage) PageTitle() string { return p.Work.Title }

// visibleWork returns the work of the path's ID if s may see it; every
// other case (no such work, another creator's) is the same 404, so IDs of
// other creators' works cannot be probed.
func (h *Handler) visibleWork(w http.ResponseWriter, r *http.Request, s session) (store.Work, bool) {
	wk, err := h.opts.Store.Work(r.Context(), r.PathValue("id"))
	if err == nil && s.CanSeeWork(wk) {
		return wk, true
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.fail(w, r, s, fmt.Errorf("work %s: %w", r.PathValue("id"), err))
		return store.Work{}, false
	}
	h.render(w, r, http.StatusNotFound, "error", s, notFoundPage)
	return store.Work{}, false
}

func (h *Handler) work(w http.ResponseWriter, r *http.Request, s session) {
	wk, ok := h.visibleWork(w, r, s)
	if !ok {
		return
	}
	ctx := r.Context()
	pageNo, err := strconv.Atoi(r.URL.Query().Get("page"))
	if r.URL.Query().Get("page") == "" {
		pageNo, err = 1, nil
	}
	if err != nil || pageNo < 1 {
		h.render(w, r, http.StatusNotFound, "error", s, notFoundPage)
		return
	}
	seen, truncated, err := sightings(ctx, h.opts.Store, s.Scope(), wk.ID)
	if err != nil {
		h.fail(w, r, s, fmt.Errorf("appearances of %s: %w", wk.ID, err))
		return
	}
	n, err := latestNews(ctx, h.opts.Store, s.Scope(), wk.ID)
	if err != nil {
		h.fail(w, r, s, err)
		return
	}
	page := workPage{Work: wk, Latest: n.latest, Previous: n.previous, Gone: n.gone, Places: len(seen), Truncated: truncated}
	if len(wk.Thumb) > 0 {
		page.ThumbURL = "/works/" + wk.ID + "/thumb"
	}
	// Compare page numbers, not offsets: (pageNo-1)*placesPerPage
	// overflows for a large enough pageNo.
	if pages := (len(seen) + placesPerPage - 1) / placesPerPage; pageNo > max(pages, 1) {
		h.render(w, r, http.StatusNotFound, "error", s, notFoundPage)
		return
	}
	from := (pageNo - 1) * placesPerPage
	to := min(from+placesPerPage, len(seen))
	if pageNo > 1 {
		page.Prev = "?page=" + strconv.Itoa(pageNo-1)
	}
	if to < len(seen) {
		page.Next = "?page=" + strconv.Itoa(pageNo+1)
	}
	for i, sg := range seen[from:to] {
		v := newAppearanceView(sg.Item, wk, n.isFresh(sg.Item))
		v.Anchor, v.Scans = strconv.Itoa(from+i), sg.Scans
		page.Appearances = append(page.Appearances, v)
	}
	h.render(w, r, http.StatusOK, "work", s, page)
}

// thumb serves a work's preview to whoever may see the work.
func (h *Handler) thumb(w http.ResponseWriter, r *http.Request, s session) {
	wk, ok := h.visibleWork(w, r, s)
	if !ok {
		return
	}
	if len(wk.Thumb) == 0 {
		h.render(w, r, http.StatusNotFound, "error", s, notFoundPage)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "image/jpeg")
	// Private: it is behind the login; a work's preview never changes.
	hd.Set("Cache-Control", "private, max-age=86400")
	_, _ = w.Write(wk.Thumb)
}
