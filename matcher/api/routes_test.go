package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/appearances"
)

func TestWorksRegisterAndList(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.upload(e.ada, part{name: "file", filename: "harbour.md", data: "# Harbour\n\n" + bobEssay + " Written by Ada, twice over."},
		part{name: "license", data: "CC-BY-4.0"})
	if r.status != 201 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var got worksResponse
	r.json(t, &got)
	if len(got.Works) != 1 || got.Works[0].Creator != "Ada" || got.Works[0].Kind != "text" || got.Works[0].Title != "harbour.md" ||
		got.Works[0].License != "CC-BY-4.0" || len(got.Works[0].SHA256) != 64 || got.Works[0].Created == nil || !*got.Works[0].Created {
		t.Errorf("registered %+v", got.Works)
	}
	// Two files and an image; the same text again is not created twice.
	r = e.upload(e.ada, part{name: "file", filename: "harbour.md", data: "# Harbour\n\n" + bobEssay + " Written by Ada, twice over."},
		part{name: "file", filename: "sea.png", data: pngBytes(t, 1)})
	r.json(t, &got)
	if r.status != 201 || len(got.Works) != 2 || *got.Works[0].Created || got.Works[1].Kind != "image" {
		t.Errorf("second upload: %d %s", r.status, r.body)
	}
	// The admin registers for a named creator; a title applies to one work.
	r = e.upload(e.admin, part{name: "creator", data: "Cy"}, part{name: "title", data: "Night Ferry"},
		part{name: "file", filename: "n.txt", data: adaPoem + " Cy's version, with more lamps."})
	r.json(t, &got)
	if r.status != 201 || got.Works[0].Creator != "Cy" || got.Works[0].Title != "Night Ferry" {
		t.Errorf("admin upload: %d %s", r.status, r.body)
	}
	var list worksResponse
	e.getJSON("/api/v1/works", e.ada).json(t, &list)
	if len(list.Works) != 3 {
		t.Errorf("Ada lists %d works, want 3: %+v", len(list.Works), list.Works)
	}
	e.getJSON("/api/v1/works", e.admin).json(t, &list)
	if len(list.Works) != 5 {
		t.Errorf("admin lists %d works, want 5", len(list.Works))
	}
	if r := e.getJSON("/api/v1/works/"+e.adaWork.ID, e.ada); r.status != 200 || !strings.Contains(r.body, "Lamp Poem") {
		t.Errorf("get work: %d %s", r.status, r.body)
	}
}

func TestUploadRefusals(t *testing.T) {
	e := newEnv(t, Options{MaxUploadBytes: 64 << 10})
	big := strings.Repeat("word ", 20<<10) // 100 KiB
	cases := []struct {
		name   string
		parts  []part
		status int
		want   string
	}{
		{"too large", []part{{name: "file", filename: "big.txt", data: big}}, 413, "larger than"},
		{"unsupported extension", []part{{name: "file", filename: "tool.exe", data: "MZ\x90\x00"}}, 415, "unsupported file type"},
		{"png named txt", []part{{name: "file", filename: "poem.txt", data: pngBytes(t, 2)}}, 415, "not text"},
		{"text named png", []part{{name: "file", filename: "pic.png", data: adaPoem}}, 415, "not image/png"},
		{"jpeg named png", []part{{name: "file", filename: "pic.png", data: "\xff\xd8\xff\xe0\x00\x10JFIF\x00"}}, 415, "not image/png"},
		{"binary text", []part{{name: "file", filename: "a.txt", data: "abc\x00\x01\x02"}}, 415, ""},
		{"empty text", []part{{name: "file", filename: "a.txt", data: "   \n"}}, 400, "no text"},
		{"no files", []part{{name: "title", data: "x"}}, 400, "no works"},
		{"title with two files", []part{{name: "title", data: "x"}, {name: "file", filename: "a.txt", data: adaPoem}, {name: "file", filename: "b.txt", data: bobEssay}}, 400, "exactly one"},
		{"unknown field", []part{{name: "colour", data: "red"}}, 400, "unknown field"},
		{"no file name", []part{{name: "file", filename: "", data: adaPoem}}, 400, ""},
		{"too short to fingerprint", []part{{name: "file", filename: "a.txt", data: "!!! ... ???"}}, 422, "no content"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.upload(e.ada, c.parts...)
			if r.status != c.status || !strings.Contains(r.body, c.want) || !strings.Contains(r.body, `"error"`) {
				t.Errorf("got %d %s, want %d with %q", r.status, r.body, c.status, c.want)
			}
		})
	}
	if r := e.sendJSON("POST", "/api/v1/works", e.ada, `{"file":"x"}`); r.status != 415 {
		t.Errorf("JSON body: %d %s", r.status, r.body)
	}
	var list worksResponse
	e.getJSON("/api/v1/works", e.ada).json(t, &list)
	if len(list.Works) != 1 {
		t.Errorf("refused uploads registered works: %+v", list.Works)
	}
}

func TestAppearancesRoutes(t *testing.T) {
	e := newEnv(t, Options{})
	var p appearances.Page
	r := e.getJSON("/api/v1/works/"+e.adaWork.ID+"/appearances", e.ada)
	r.json(t, &p)
	if r.status != 200 || len(p.Appearances) != 2 || p.Appearances[0].Scan.ID != e.newer.ID || p.Appearances[0].Found.URL != "http://site.test/ada-2" ||
		p.Appearances[0].Scan.FinishedAt == "" || p.Appearances[0].Work.Title != "Lamp Poem" {
		t.Fatalf("work appearances: %d %s", r.status, r.body)
	}
	r = e.getJSON("/api/v1/creators/Ada/appearances?limit=1", e.ada)
	r.json(t, &p)
	if len(p.Appearances) != 1 || p.Next == "" {
		t.Fatalf("page 1: %s", r.body)
	}
	r = e.getJSON("/api/v1/creators/Ada/appearances?limit=1&cursor="+p.Next, e.ada)
	p = appearances.Page{}
	r.json(t, &p)
	if len(p.Appearances) != 1 || p.Appearances[0].Found.URL != "http://site.test/ada-1" || p.Next != "" {
		t.Fatalf("page 2: %s", r.body)
	}
	for q, want := range map[string]int{
		"?scan=" + e.older.ID: 1, "?method=text": 2, "?method=image": 0, "?min_score=0.95": 0, "?reserved=true": 0, "?reserved=false": 2,
	} {
		r := e.getJSON("/api/v1/works/"+e.adaWork.ID+"/appearances"+q, e.ada)
		r.json(t, &p)
		if r.status != 200 || len(p.Appearances) != want {
			t.Errorf("%s: %d, %d items, want %d", q, r.status, len(p.Appearances), want)
		}
	}
	for q, status := range map[string]int{
		"?scan=nope": 404, "?method=fuzzy": 400, "?min_score=2": 400, "?reserved=maybe": 400, "?limit=0": 400, "?cursor=%21%21": 400,
	} {
		if r := e.getJSON("/api/v1/works/"+e.adaWork.ID+"/appearances"+q, e.ada); r.status != status {
			t.Errorf("%s: %d %s, want %d", q, r.status, r.body, status)
		}
	}
}

func TestScansRoutes(t *testing.T) {
	e := newEnv(t, Options{})
	var list struct{ Scans []ScanJSON }
	e.getJSON("/api/v1/scans", e.ada).json(t, &list)
	if len(list.Scans) != 2 || list.Scans[0].ID != e.newer.ID || list.Scans[0].State != "finished" {
		t.Errorf("scans: %+v", list.Scans)
	}
	r := e.sendJSON("POST", "/api/v1/scans", e.admin, `{"kind":"crawl","targets":["http://site.test/"],"options":{"depth":2,"max_pages":10,"scope":"host","rate":1.5}}`)
	var started struct{ ID, State string }
	r.json(t, &started)
	if r.status != 202 || started.ID == "" || started.State != "queued" {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	if s := e.launcher.specs[0]; s.Options.Depth != 2 || s.Options.MaxPages != 10 || s.Options.Rate != 1.5 {
		t.Errorf("launcher got %+v", s)
	}
	var sj ScanJSON
	r = e.getJSON("/api/v1/scans/"+started.ID, e.ada)
	r.json(t, &sj)
	if r.status != 200 || sj.ID != started.ID || sj.State != "queued" {
		t.Errorf("status: %d %s", r.status, r.body)
	}
	if r := e.getJSON("/api/v1/scans/latest", e.ada); !strings.Contains(r.body, started.ID) {
		t.Errorf("latest: %s", r.body)
	}
	for _, body := range []string{
		`{"kind":"nap","targets":["http://x/"]}`, `{"kind":"crawl","targets":[]}`, `{"kind":"crawl","targets":["ftp://x/"]}`,
		`{"kind":"crawl","targets":["http://x/"],"options":{"depht":2}}`, `{"kind":"crawl","targets":["http://x/"],"options":{"scope":"galaxy"}}`,
		`{"kind":"crawl","targets":["http://x/"]} {}`, `not json`,
	} {
		if r := e.sendJSON("POST", "/api/v1/scans", e.admin, body); r.status != 400 {
			t.Errorf("%s: %d %s, want 400", body, r.status, r.body)
		}
	}
	if r := e.getJSON("/api/v1/scans/nope", e.ada); r.status != 404 {
		t.Errorf("unknown scan: %d", r.status)
	}
}

func TestReportRoute(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.getJSON("/api/v1/scans/"+e.newer.ID+"/report", e.ada)
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" || !strings.Contains(r.body, `"version": 1`) ||
		!strings.Contains(r.body, "ada-2") {
		t.Errorf("json report: %d %s", r.status, r.body)
	}
	r = e.getJSON("/api/v1/scans/"+e.newer.ID+"/report?format=md", e.ada)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/markdown") || !strings.Contains(r.body, "ada-2") {
		t.Errorf("md report: %d %s", r.status, r.body)
	}
	for _, f := range []string{"csv", "html"} {
		r = e.getJSON("/api/v1/scans/"+e.newer.ID+"/report?format="+f, e.ada)
		if r.status != 200 && r.status != 501 {
			t.Errorf("%s report: %d %s", f, r.status, r.body)
		}
		if r.status == 200 && f == "html" && !strings.Contains(r.header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Error("html report without a content security policy")
		}
	}
	if r := e.getJSON("/api/v1/scans/"+e.newer.ID+"/report?format=pdf", e.ada); r.status != 400 {
		t.Errorf("pdf: %d", r.status)
	}
	if r := e.getJSON("/api/v1/scans/nope/report", e.ada); r.status != 404 {
		t.Errorf("unknown scan: %d", r.status)
	}
}

func TestChangesRoute(t *testing.T) {
	e := newEnv(t, Options{})
	var cs ChangeSet
	r := e.getJSON("/api/v1/changes", e.ada)
	r.json(t, &cs)
	if r.status != 200 || cs.Scan != e.newer.ID || len(cs.New) != 1 || cs.New[0].Work.Creator != "Ada" {
		t.Errorf("changes: %d %s", r.status, r.body)
	}
	e.getJSON("/api/v1/changes?scan="+e.older.ID, e.admin).json(t, &cs)
	if cs.Scan != e.older.ID || len(cs.New) != 2 {
		t.Errorf("admin changes: %+v", cs)
	}
	e.api.Changes = nil
	if r := e.getJSON("/api/v1/changes", e.ada); r.status != 501 {
		t.Errorf("without a change source: %d", r.status)
	}
}

func TestSchedulesCRUD(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.sendJSON("POST", "/api/v1/schedules", e.admin, `{"name":"nightly","cron":"0 3 * * *","kind":"crawl","targets":["http://site.test/"],"options":{"depth":2}}`)
	var s ScheduleJSON
	r.json(t, &s)
	if r.status != 201 || s.ID == "" || s.Enabled == nil || !*s.Enabled || s.Options.Depth != 2 || s.CreatedAt == "" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	r = e.sendJSON("PUT", "/api/v1/schedules/"+s.ID, e.admin, `{"name":"weekly audit","cron":"@weekly","kind":"audit","targets":["/data/set.warc.gz"],"enabled":false}`)
	var u ScheduleJSON
	r.json(t, &u)
	if r.status != 200 || u.ID != s.ID || u.Kind != "audit" || *u.Enabled || u.Cron != "@weekly" {
		t.Errorf("update: %d %s", r.status, r.body)
	}
	var list struct{ Schedules []ScheduleJSON }
	e.getJSON("/api/v1/schedules", e.admin).json(t, &list)
	if len(list.Schedules) != 1 || list.Schedules[0].Name != "weekly audit" {
		t.Errorf("list: %+v", list)
	}
	if r := e.getJSON("/api/v1/schedules/"+s.ID, e.admin); r.status != 200 || !strings.Contains(r.body, "weekly audit") {
		t.Errorf("get: %d %s", r.status, r.body)
	}
	if r := e.do("DELETE", "/api/v1/schedules/"+s.ID, e.admin, nil, ""); r.status != 204 {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if r := e.do(m, "/api/v1/schedules/"+s.ID, e.admin, nil, ""); r.status != 404 {
			t.Errorf("%s deleted: %d", m, r.status)
		}
	}
	if r := e.sendJSON("PUT", "/api/v1/schedules/nope", e.admin, `{"cron":"@daily","kind":"crawl","targets":["http://x/"]}`); r.status != 404 {
		t.Errorf("put unknown: %d", r.status)
	}
	if n := e.reloads.count(); n != 3 {
		t.Errorf("%d reloads, want 3 (create, update, delete)", n)
	}
	for _, body := range []string{
		`{"cron":"every night","kind":"crawl","targets":["http://x/"]}`, `{"cron":"61 * * * *","kind":"crawl","targets":["http://x/"]}`,
		`{"cron":"@daily","kind":"crawl","targets":[]}`, `{"cron":"@daily","kind":"crawl","targets":["http://x/"],"extra":1}`,
	} {
		if r := e.sendJSON("POST", "/api/v1/schedules", e.admin, body); r.status != 400 {
			t.Errorf("%s: %d %s", body, r.status, r.body)
		}
	}
}

func TestTokensRoute(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.sendJSON("POST", "/api/v1/tokens", e.admin, `{"creator":"Dee"}`)
	var tok TokenJSON
	r.json(t, &tok)
	if r.status != 201 || tok.Creator != "Dee" || tok.Admin || !strings.HasPrefix(tok.Token, "attrib_") {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if r := e.getJSON("/api/v1/whoami", tok.Token); !strings.Contains(r.body, `"creator":"Dee"`) {
		t.Errorf("new token: %s", r.body)
	}
	for _, body := range []string{`{}`, `{"creator":"X","admin":true}`, `{"creator":"  "}`} {
		if r := e.sendJSON("POST", "/api/v1/tokens", e.admin, body); r.status != 400 {
			t.Errorf("%s: %d", body, r.status)
		}
	}
	r = e.sendJSON("POST", "/api/v1/tokens", e.admin, `{"admin":true}`)
	r.json(t, &tok)
	if r.status != 201 || !tok.Admin {
		t.Errorf("admin token: %s", r.body)
	}
}

func TestMetricsAndHealth(t *testing.T) {
	e := newEnv(t, Options{})
	m := e.api.Metrics
	m.Progress("s1", storeStats(10, 2, 1), 3)
	m.Progress("s1", storeStats(25, 4, 1), 5)
	m.Progress("s1", storeStats(20, 4, 1), 5) // out of order: adds nothing
	m.Progress("s2", storeStats(5, 0, 0), 1)
	m.SetQueueDepth(2)
	m.ScanFinished("s1", 90e9)
	srv := httptest.NewServer(m.Instrument(e.api))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/works/"+e.adaWork.ID, nil)
	req.Header.Set("Authorization", "Bearer "+e.ada)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("request: %v", err)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		"attrib_pages_total 30", "attrib_images_total 4", "attrib_scan_errors_total 1", "attrib_matches_total 6",
		"attrib_queue_depth 2", "attrib_scan_duration_seconds_count 1",
		`attrib_http_request_duration_seconds_count{code="200",route="GET /api/v1/works/{id}"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	rec = httptest.NewRecorder()
	Health(e.db).ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Errorf("healthz: %d %s", rec.Code, rec.Body)
	}
	e.db.Close()
	rec = httptest.NewRecorder()
	Health(e.db).ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil).WithContext(context.Background()))
	if rec.Code != 503 {
		t.Errorf("healthz on a closed store: %d %s", rec.Code, rec.Body)
	}
}
