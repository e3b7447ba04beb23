package api

import (
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/access"
)

// call is one request of the authorisation walk.
type call struct {
	method, path, body string
	multipart          []part
}

// bobMarkers are strings that only Bob's data contains.
func (e *env) bobMarkers() []string {
	return []string{e.bobWork.ID, "Bob", "Secret Essay", "bob-hidden", e.bobWork.SHA256}
}

// walk lists a request for every route, aimed at Bob's data where the route
// names data. The test fails when a route of the API is missing from it.
func (e *env) walk() map[string]call {
	return map[string]call{
		"POST /api/v1/works":                      {method: "POST", path: "/api/v1/works", multipart: []part{{name: "creator", data: "Bob"}, {name: "file", filename: "x.txt", data: adaPoem + " again"}}},
		"GET /api/v1/works":                       {method: "GET", path: "/api/v1/works"},
		"GET /api/v1/works/{id}":                  {method: "GET", path: "/api/v1/works/" + e.bobWork.ID},
		"GET /api/v1/works/{id}/appearances":      {method: "GET", path: "/api/v1/works/" + e.bobWork.ID + "/appearances"},
		"GET /api/v1/works/{id}/receipt":          {method: "GET", path: "/api/v1/works/" + e.bobWork.ID + "/receipt"},
		"GET /api/v1/creators/{name}/appearances": {method: "GET", path: "/api/v1/creators/Bob/appearances"},
		"GET /api/v1/changes":                     {method: "GET", path: "/api/v1/changes?creator=Bob"},
		"GET /api/v1/scans":                       {method: "GET", path: "/api/v1/scans"},
		"POST /api/v1/scans":                      {method: "POST", path: "/api/v1/scans", body: `{"kind":"crawl","targets":["http://site.test/"]}`},
		"GET /api/v1/scans/{id}":                  {method: "GET", path: "/api/v1/scans/" + e.older.ID},
		"GET /api/v1/scans/{id}/report":           {method: "GET", path: "/api/v1/scans/" + e.older.ID + "/report?format=json"},
		"GET /api/v1/schedules":                   {method: "GET", path: "/api/v1/schedules"},
		"POST /api/v1/schedules":                  {method: "POST", path: "/api/v1/schedules", body: `{"cron":"@daily","kind":"crawl","targets":["http://site.test/"]}`},
		"GET /api/v1/schedules/{id}":              {method: "GET", path: "/api/v1/schedules/SCHED"},
		"PUT /api/v1/schedules/{id}":              {method: "PUT", path: "/api/v1/schedules/SCHED", body: `{"cron":"@hourly","kind":"crawl","targets":["http://site.test/"]}`},
		"DELETE /api/v1/schedules/{id}":           {method: "DELETE", path: "/api/v1/schedules/SCHED"},
		"GET /api/v1/tokens":                      {method: "GET", path: "/api/v1/tokens"},
		"POST /api/v1/tokens":                     {method: "POST", path: "/api/v1/tokens", body: `{"creator":"Bob"}`},
		"DELETE /api/v1/tokens/{id}":              {method: "DELETE", path: "/api/v1/tokens/" + access.TokenID(access.HashToken(e.bob))},
		"GET /api/v1/whoami":                      {method: "GET", path: "/api/v1/whoami"},
	}
}

func (e *env) send(c call, token string) response {
	e.t.Helper()
	if c.multipart != nil {
		return e.upload(token, c.multipart...)
	}
	if c.body != "" {
		return e.sendJSON(c.method, c.path, token, c.body)
	}
	return e.do(c.method, c.path, token, nil, "")
}

// withSchedule replaces SCHED in paths with a stored schedule's ID.
func (e *env) withSchedule(c call) call {
	if !strings.Contains(c.path, "SCHED") {
		return c
	}
	r := e.sendJSON("POST", "/api/v1/schedules", e.admin, `{"name":"bob nightly","cron":"0 3 * * *","kind":"crawl","targets":["http://site.test/"]}`)
	var s ScheduleJSON
	r.json(e.t, &s)
	c.path = strings.ReplaceAll(c.path, "SCHED", s.ID)
	return c
}

// Creator Ada walks every route aimed at Bob's data: each answer is 403 or
// 404, or (for routes that list) 200 without a trace of Bob's data.
func TestAuthorisationWalk(t *testing.T) {
	e := newEnv(t, Options{})
	walk := e.walk()
	admin := map[string]bool{} // admin routes refuse a creator with 403, whatever it names
	for _, rt := range e.api.Routes() {
		if _, ok := walk[rt.Pattern]; !ok {
			t.Errorf("route %s is missing from the authorisation walk", rt.Pattern)
		}
		admin[rt.Pattern] = rt.Admin
	}
	// Routes whose answer is Ada's own view (200) rather than a refusal.
	ownView := map[string]bool{
		"GET /api/v1/works": true, "GET /api/v1/scans": true, "GET /api/v1/scans/{id}": true,
		"GET /api/v1/scans/{id}/report": true, "GET /api/v1/whoami": true,
	}
	for pattern, c := range walk {
		t.Run(pattern, func(t *testing.T) {
			r := e.send(e.withSchedule(c), e.ada)
			switch {
			case ownView[pattern] && r.status != 200:
				t.Errorf("status %d, want 200 (Ada's own view): %s", r.status, r.body)
			case admin[pattern] && r.status != 403:
				t.Errorf("status %d, want 403 (admin only): %s", r.status, r.body)
			case !ownView[pattern] && r.status != 403 && r.status != 404:
				t.Errorf("status %d, want 403 or 404: %s", r.status, r.body)
			}
			for _, m := range e.bobMarkers() {
				if strings.Contains(r.body, m) {
					t.Errorf("Bob's data %q in Ada's answer: %s", m, r.body)
				}
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type %q", ct)
			}
		})
	}
	// Other report formats are filtered the same way.
	for _, f := range []string{"md", "csv", "html"} {
		r := e.getJSON("/api/v1/scans/"+e.older.ID+"/report?format="+f, e.ada)
		for _, m := range e.bobMarkers() {
			if strings.Contains(r.body, m) {
				t.Errorf("format %s: Bob's data %q in Ada's report", f, m)
			}
		}
	}
}

// Without a token, or with a wrong one, every route answers 401 in JSON.
func TestEveryRouteNeedsAToken(t *testing.T) {
	e := newEnv(t, Options{})
	for pattern, c := range e.walk() {
		for _, tok := range []string{"", "attrib_notavalidtokennotavalidtokennotavalidtok", "garbage"} {
			r := e.send(c, tok)
			if r.status != 401 || !strings.Contains(r.body, `"error"`) {
				t.Errorf("%s with token %q: %d %s, want 401 JSON", pattern, tok, r.status, r.body)
			}
		}
	}
	if r := e.getJSON("/api/v1/nope", ""); r.status != 401 {
		t.Errorf("unknown route without token: %d", r.status)
	}
	if r := e.getJSON("/api/v1/nope", e.ada); r.status != 404 || !strings.Contains(r.body, `"error"`) {
		t.Errorf("unknown route: %d %s", r.status, r.body)
	}
}

// The admin sees Bob's data on every route that names it.
func TestAdminSeesAll(t *testing.T) {
	e := newEnv(t, Options{})
	for _, path := range []string{
		"/api/v1/works", "/api/v1/works/" + e.bobWork.ID, "/api/v1/works/" + e.bobWork.ID + "/appearances",
		"/api/v1/creators/Bob/appearances", "/api/v1/changes", "/api/v1/changes?creator=Bob",
		"/api/v1/scans/" + e.older.ID + "/report", "/api/v1/scans/" + e.older.ID + "/report?format=md",
	} {
		r := e.getJSON(path, e.admin)
		if r.status != 200 || !strings.Contains(r.body, "Secret Essay") && !strings.Contains(r.body, "bob-hidden") {
			t.Errorf("admin %s: %d %s", path, r.status, r.body)
		}
	}
	// Bob sees his own.
	r := e.getJSON("/api/v1/works/"+e.bobWork.ID+"/appearances", e.bob)
	if r.status != 200 || !strings.Contains(r.body, "bob-hidden-2") || strings.Contains(r.body, "ada-") {
		t.Errorf("Bob's own appearances: %d %s", r.status, r.body)
	}
}

func TestUnroutedRequests(t *testing.T) {
	e := newEnv(t, Options{})
	cases := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"PATCH", "/api/v1/works", 405, "POST, GET"},
		{"DELETE", "/api/v1/works/" + e.adaWork.ID, 405, "GET"},
		{"POST", "/api/v1/schedules/x", 405, "GET, PUT, DELETE"},
		{"GET", "/api/v1/nothing", 404, ""},
		{"GET", "/api/v1/works/a/b/c", 404, ""},
	}
	for _, c := range cases {
		r := e.do(c.method, c.path, e.ada, nil, "")
		if r.status != c.status || r.header.Get("Allow") != c.allow || !strings.Contains(r.body, `"error"`) {
			t.Errorf("%s %s: %d allow %q %s", c.method, c.path, r.status, r.header.Get("Allow"), r.body)
		}
		if r := e.do(c.method, c.path, "", nil, ""); r.status != 401 {
			t.Errorf("%s %s without token: %d", c.method, c.path, r.status)
		}
	}
}
