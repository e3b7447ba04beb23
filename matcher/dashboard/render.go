package dashboard

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/matcher/passagediff"
)

// session is who is looking at a page and the token its forms carry.
type session struct {
	access.Principal
	CSRF string
}

// SignedIn reports whether the page is shown to a logged-in principal.
func (s session) SignedIn() bool { return s.Valid() }

// pageNames are the templates in templates/, each rendered inside
// layout.html.
var pageNames = []string{"login", "works", "work", "upload", "uploaded", "scans", "scan", "error"}

// frame is what layout.html renders: the session (navigation, logout form)
// and the page's own data.
type frame struct {
	Title   string
	Session session
	Page    any
	// Refresh, when positive, reloads the page after that many seconds
	// (a running scan's status, without JavaScript).
	Refresh int
}

// titled is a page that names itself.
type titled interface{ PageTitle() string }

// refresher is a page that reloads itself while something runs.
type refresher interface{ RefreshSeconds() int }

var funcs = template.FuncMap{
	"percent": func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"score":   func(f float64) string { return fmt.Sprintf("%.2f", f) },
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"isDel": func(s passagediff.Span) bool { return s.Kind == passagediff.Delete },
	"isIns": func(s passagediff.Span) bool { return s.Kind == passagediff.Insert },
	"join":  strings.Join,
}

func parsePages() (map[string]*template.Template, error) {
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/appearance.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("dashboard: template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes page inside the layout. It renders into a buffer first so
// a template error becomes a clean 500, not half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, s session, page any) {
	f := frame{Session: s, Page: page}
	if t, ok := page.(titled); ok {
		f.Title = t.PageTitle()
	}
	if rf, ok := page.(refresher); ok {
		f.Refresh = rf.RefreshSeconds()
	}
	var buf bytes.Buffer
	if err := h.pages[name].Execute(&buf, f); err != nil {
		h.log.Error("dashboard: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show private data: never cache them.
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage is a message page (404, 403, failed forms).
type errorPage struct {
	Title   string
	Message string
}

func (p errorPage) PageTitle() string { return p.Title }

var notFoundPage = errorPage{Title: "Not found", Message: "There is no such page, or it is not yours to see."}

// fail logs err and answers 500 without its details (which may name
// internals).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, s session, err error) {
	h.log.Error("dashboard: request failed", "path", r.URL.Path, "err", err)
	h.render(w, r, http.StatusInternalServerError, "error", s, errorPage{Title: "Something went wrong",
		Message: "The dashboard could not complete this request. Try again; if it keeps failing, tell the operator."})
}
