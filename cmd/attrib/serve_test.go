package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/matcher/transparency"
	"github.com/attrib/attrib/store/redistest"
	"github.com/attrib/attrib/store/sqlite"
)

// syncBuffer is a bytes.Buffer safe for a command writing while the test
// reads.
type syncBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var (
	servingRE = regexp.MustCompile(`url=http://([0-9.:]+)/`)
	secretRE  = regexp.MustCompile(`attrib_[A-Za-z0-9_-]{43}`)
)

// server is a running `attrib serve`.
type server struct {
	base           string
	stdout, stderr *syncBuffer
	stop           func() int // cancels and returns the exit status
}

func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append(args, "serve", "--addr", "127.0.0.1:0"), s.stdout, s.stderr)
	}()
	var once sync.Once
	code := 0
	s.stop = func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}
	t.Cleanup(func() { s.stop() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := servingRE.FindStringSubmatch(s.stderr.String()); m != nil {
			s.base = "http://" + m[1]
			return s
		}
		select {
		case c := <-done:
			t.Fatalf("serve exited with %d: %s", c, s.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", s.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *server) call(t *testing.T, method, path, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServe(t *testing.T) {
	c := newCLI(t)
	s := startServe(t, "--db", c.db)
	admin := secretRE.FindString(s.stdout.String())
	if admin == "" || !strings.Contains(s.stdout.String(), "shown only this once") {
		t.Fatalf("first start printed no admin token: %q", s.stdout)
	}
	if strings.Contains(s.stderr.String(), admin) {
		t.Fatal("the admin token reached the log")
	}
	if code, body := s.call(t, "GET", "/healthz", "", ""); code != 200 || !strings.Contains(body, "ok") {
		t.Errorf("healthz: %d %s", code, body)
	}
	if code, body := s.call(t, "GET", "/api/v1/works", "", ""); code != 401 || !strings.Contains(body, `"error"`) {
		t.Errorf("anonymous API: %d %s", code, body)
	}
	code, body := s.call(t, "POST", "/api/v1/tokens", admin, `{"creator":"Ada"}`)
	var tok struct{ Token, Creator string }
	json.Unmarshal([]byte(body), &tok)
	if code != 201 || tok.Creator != "Ada" {
		t.Fatalf("create token: %d %s", code, body)
	}
	if code, body := s.call(t, "GET", "/api/v1/works", tok.Token, ""); code != 200 || body != "{\"works\":[]}\n" {
		t.Errorf("creator works: %d %q", code, body)
	}
	if code, _ := s.call(t, "GET", "/", "", ""); code != 200 && code != http.StatusSeeOther && code != http.StatusFound {
		t.Errorf("dashboard: %d", code)
	}
	if code, body := s.call(t, "GET", "/metrics", "", ""); code != 200 || !strings.Contains(body, `attrib_http_request_duration_seconds_count{code="201",route="POST /api/v1/tokens"} 1`) {
		t.Errorf("metrics: %d %s", code, body)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exit %d: %s", code, s.stderr)
	}
	// The second start finds the admin token and prints none.
	s2 := startServe(t, "--db", c.db)
	if secretRE.MatchString(s2.stdout.String()) {
		t.Errorf("second start printed a token: %q", s2.stdout)
	}
	if code, _ := s2.call(t, "GET", "/api/v1/works", tok.Token, ""); code != 200 {
		t.Errorf("token after restart: %d", code)
	}
}

func TestTokenCreate(t *testing.T) {
	c := newCLI(t)
	var got struct {
		Token   string `json:"token"`
		Creator string `json:"creator"`
		Admin   bool   `json:"admin"`
	}
	if err := json.Unmarshal([]byte(c.ok("token", "create", "--creator", "Ada", "--json")), &got); err != nil {
		t.Fatal(err)
	}
	if !secretRE.MatchString(got.Token) || got.Creator != "Ada" || got.Admin {
		t.Errorf("creator token: %+v", got)
	}
	out := c.ok("token", "create", "--admin")
	if !secretRE.MatchString(out) || strings.Count(out, "\n") != 1 {
		t.Errorf("admin token: %q", out)
	}
	for _, args := range [][]string{
		{"token", "create"}, {"token", "create", "--admin", "--creator", "X"}, {"token", "create", "--creator", " "}, {"token"},
	} {
		if _, stderr, code := c.run(args...); code != 2 || !strings.HasPrefix(stderr, "attrib: ") {
			t.Errorf("%v: exit %d %q, want 2", args, code, stderr)
		}
	}
	// The store holds hashes only.
	db, err := sqlite.Open(context.Background(), c.db)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := db.ListTokens(context.Background())
	db.Close()
	if err != nil || len(stored) != 2 {
		t.Fatalf("stored tokens: %v %+v", err, stored)
	}
	if stored[0].Hash != access.HashToken(got.Token) || stored[0].Creator != "Ada" {
		t.Errorf("stored %+v, want the hash of the printed token", stored[0])
	}
	s := startServe(t, "--db", c.db)
	if secretRE.MatchString(s.stdout.String()) {
		t.Error("serve created an admin token although one exists")
	}
	if code, body := s.call(t, "GET", "/api/v1/whoami", got.Token, ""); code != 200 || !strings.Contains(body, `"creator":"Ada"`) {
		t.Errorf("whoami: %d %s", code, body)
	}
}

// serve runs on the Redis store as on SQLite: tokens, works, the API.
func TestServeWithRedis(t *testing.T) {
	_, prefix := redistest.Client(t)
	args := []string{"--redis", "redis://" + redistest.Addr() + "/0", "--namespace", strings.TrimSuffix(prefix, ":")}
	s := startServe(t, args...)
	admin := secretRE.FindString(s.stdout.String())
	if admin == "" {
		t.Fatalf("no admin token printed: %q", s.stdout)
	}
	if code, body := s.call(t, "GET", "/healthz", "", ""); code != 200 {
		t.Errorf("healthz: %d %s", code, body)
	}
	code, body := s.call(t, "POST", "/api/v1/tokens", admin, `{"creator":"Ada"}`)
	var tok struct{ Token string }
	json.Unmarshal([]byte(body), &tok)
	if code != 201 {
		t.Fatalf("create token: %d %s", code, body)
	}
	if code, body := s.call(t, "GET", "/api/v1/whoami", tok.Token, ""); code != 200 || !strings.Contains(body, `"creator":"Ada"`) {
		t.Errorf("whoami: %d %s", code, body)
	}
	if code, body := s.call(t, "POST", "/api/v1/schedules", admin, `{"cron":"@daily","kind":"crawl","targets":["http://example.org/"]}`); code != 201 {
		t.Errorf("schedule: %d %s", code, body)
	}
}

// A creator's whole path through the API: register a work, the admin
// crawls a site that quotes it, the creator sees the appearance and the
// change.
func TestServeScanEndToEnd(t *testing.T) {
	poem := "Every evening at the turning of the tide she climbs the ninety steps of salted iron, " +
		"counting them the way her mother counted rosaries, and lights the lamp that no ship needs any more. " +
		"The harbour has been silent for a decade; the trawlers rust like sleeping animals along the breakwater."
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><body><article><h1>Quoted</h1><p>A reader wrote: %s</p></article></body></html>", poem)
	}))
	defer site.Close()
	c := newCLI(t)
	tokOut := c.ok("token", "create", "--creator", "Ada")
	ada := strings.TrimSpace(tokOut)
	admin := strings.TrimSpace(c.ok("token", "create", "--admin"))
	s := startServe(t, "--db", c.db)

	workID := s.upload(t, ada, "lamp.txt", poem)

	code, out := s.call(t, "POST", "/api/v1/scans", admin, `{"kind":"crawl","targets":["`+site.URL+`/"],"options":{"depth":1,"rate":100}}`)
	var started struct{ ID string }
	json.Unmarshal([]byte(out), &started)
	if code != 202 || started.ID == "" {
		t.Fatalf("start scan: %d %s", code, out)
	}
	var sc struct{ State string }
	for deadline := time.Now().Add(60 * time.Second); sc.State != "finished"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("scan not finished: %+v", sc)
		}
		_, out := s.call(t, "GET", "/api/v1/scans/"+started.ID, ada, "")
		json.Unmarshal([]byte(out), &sc)
		if sc.State == "failed" {
			t.Fatalf("scan failed: %s", out)
		}
	}
	code, out = s.call(t, "GET", "/api/v1/works/"+workID+"/appearances", ada, "")
	if code != 200 || !strings.Contains(out, `"url":"`+site.URL+`/"`) || !strings.Contains(out, `"method":"text"`) {
		t.Errorf("appearances: %d %s", code, out)
	}
	code, out = s.call(t, "GET", "/api/v1/changes", ada, "")
	if code != 200 || !strings.Contains(out, `"scan":"`+started.ID+`"`) || !strings.Contains(out, site.URL) {
		t.Errorf("changes: %d %s", code, out)
	}
	code, out = s.call(t, "GET", "/api/v1/scans/"+started.ID+"/report?format=md", ada, "")
	if code != 200 || !strings.Contains(out, "lamp.txt") {
		t.Errorf("md report: %d %s", code, out)
	}
	if _, out := s.call(t, "GET", "/metrics", "", ""); !strings.Contains(out, "attrib_pages_total 1") || !strings.Contains(out, "attrib_scan_duration_seconds_count 1") {
		t.Errorf("metrics after the scan lack pages or duration:\n%s", grepLines(out, "attrib_"))
	}
	// The transparency log: the JSON report and the work's receipt verify
	// offline with the instance's public key.
	pub, err := transparency.ParsePublicKey(strings.TrimSpace(c.ok("key", "--public")))
	if err != nil {
		t.Fatal(err)
	}
	code, out = s.call(t, "GET", "/api/v1/scans/"+started.ID+"/report?format=json", admin, "")
	if _, err := transparency.VerifyReport([]byte(out), pub); code != 200 || err != nil {
		t.Errorf("JSON report from serve does not verify: %d %v", code, err)
	}
	code, out = s.call(t, "GET", "/api/v1/works/"+workID+"/receipt", ada, "")
	if _, err := transparency.VerifyReceipt([]byte(out), pub, []byte(poem)); code != 200 || err != nil {
		t.Errorf("receipt from serve does not verify: %d %v", code, err)
	}
}

// upload registers one file through the API and returns the work's ID.
func (s *server) upload(t *testing.T, token, name, data string) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	io.WriteString(fw, data)
	mw.Close()
	req, _ := http.NewRequest("POST", s.base+"/api/v1/works", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var works struct{ Works []struct{ ID string } }
	if err := json.NewDecoder(resp.Body).Decode(&works); err != nil || resp.StatusCode != 201 || len(works.Works) != 1 {
		t.Fatalf("upload: %s %v", resp.Status, err)
	}
	return works.Works[0].ID
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
