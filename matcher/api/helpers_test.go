package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attrib/attrib/crawler/launch"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/matcher/transparency"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

const (
	adaPoem = `Every evening at the turning of the tide she climbs the ninety steps of salted iron,
counting them the way her mother counted rosaries, and lights the lamp that no ship needs any more.`
	bobEssay = `The harbour has been silent for a decade; the trawlers rust like sleeping animals along the
breakwater, their names half eaten by the patient grammar of the sea and the gulls that own it now.`
)

// env is a server with creators Ada and Bob, each with a work and matches
// in two scans, and tokens for both and for the admin.
type env struct {
	t                testing.TB
	db               *sqlite.DB
	api              *API
	srv              *httptest.Server
	ada, bob, admin  string // token secrets
	adaWork, bobWork store.Work
	older, newer     store.Scan
	launcher         *testLauncher
	reloads          *countReloads
	pub              ed25519.PublicKey // the transparency log's key
}

// testLauncher stores the scan it is asked to start, as the real launcher
// does before running it in the background.
type testLauncher struct {
	db    *sqlite.DB
	mu    sync.Mutex // guards specs
	specs []launch.Spec
}

func (l *testLauncher) Start(ctx context.Context, spec launch.Spec) (store.Scan, error) {
	l.mu.Lock()
	l.specs = append(l.specs, spec)
	l.mu.Unlock()
	return l.db.CreateScan(ctx, store.Scan{Kind: spec.Kind, Targets: spec.Targets, State: store.ScanQueued, StartedAt: time.Now()})
}

type countReloads struct {
	mu sync.Mutex // guards n
	n  int
}

func (c *countReloads) Reload(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return nil
}

func (c *countReloads) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// latestChanges reports every appearance of the latest scan as new: enough
// to exercise the route; matcher/changes computes the real difference.
type latestChanges struct{ db *sqlite.DB }

func (c latestChanges) Changes(ctx context.Context, creator, scanID string) (ChangeSet, error) {
	// Deliberately unscoped (creator ignored): the handler must filter.
	r, err := report.FromStore(ctx, c.db, scanID, "")
	if err != nil {
		return ChangeSet{}, err
	}
	return ChangeSet{Scan: r.Scan.ID, New: r.Matches, Removed: []report.Match{}}, nil
}

func newEnv(t testing.TB, opts Options) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m, err := matcher.New(db, matcher.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, launcher: &testLauncher{db: db}, reloads: &countReloads{}}
	e.ada, e.bob, e.admin = e.token(store.Token{Creator: "Ada"}), e.token(store.Token{Creator: "Bob"}), e.token(store.Token{Admin: true})
	reg := func(creator, title, text string) store.Work {
		w, _, err := m.Register(ctx, matcher.Input{Creator: creator, Title: title, Kind: store.KindText, Data: []byte(text), Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	e.adaWork = reg("Ada", "Lamp Poem", adaPoem)
	e.bobWork = reg("Bob", "Bobs Secret Essay", bobEssay)
	match := func(w store.Work, url string) store.Match {
		return store.Match{WorkID: w.ID, FoundURL: url, Method: "text", Score: 0.9, WorkCoverage: 1, FoundCoverage: 0.5,
			Evidence: store.Evidence{Passages: []store.Passage{{WorkEnd: 20, FoundEnd: 20, Text: "found passage"}}}}
	}
	scan := func(start time.Time, ms ...store.Match) store.Scan {
		s, err := db.CreateScan(ctx, store.Scan{Kind: "crawl", Targets: []string{"http://site.test/"}, State: store.ScanFinished,
			StartedAt: start, FinishedAt: start.Add(time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PutMatches(ctx, s.ID, ms); err != nil {
			t.Fatal(err)
		}
		return s
	}
	t0 := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	e.older = scan(t0, match(e.adaWork, "http://site.test/ada-1"), match(e.bobWork, "http://site.test/bob-hidden-1"))
	e.newer = scan(t0.Add(24*time.Hour), match(e.adaWork, "http://site.test/ada-2"), match(e.bobWork, "http://site.test/bob-hidden-2"))
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	e.pub = pub
	e.api = New(Deps{
		Store: db, Registrar: m, Auth: access.NewAuthenticator(db, nil),
		Launcher: e.launcher, Changes: latestChanges{db}, Reloader: e.reloads, Metrics: NewMetrics(),
		Notary: transparency.New(db, key),
	}, opts)
	e.srv = httptest.NewServer(e.api)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) token(tok store.Token) string {
	e.t.Helper()
	secret, hash, err := access.NewToken()
	if err != nil {
		e.t.Fatal(err)
	}
	tok.Hash = hash
	if err := e.db.PutToken(context.Background(), tok); err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   string
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
}

func (e *env) do(method, path, token string, body io.Reader, contentType string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (e *env) getJSON(path, token string) response { return e.do("GET", path, token, nil, "") }

func (e *env) sendJSON(method, path, token, body string) response {
	return e.do(method, path, token, strings.NewReader(body), "application/json")
}

// part is one multipart part: a file when filename is set, else a field.
type part struct{ name, filename, data string }

func multipartBody(t testing.TB, parts ...part) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.filename != "" {
			w, err = mw.CreateFormFile(p.name, p.filename)
		} else {
			w, err = mw.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.data)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func (e *env) upload(token string, parts ...part) response {
	e.t.Helper()
	body, ct := multipartBody(e.t, parts...)
	return e.do("POST", "/api/v1/works", token, body, ct)
}

// pngBytes returns a PNG of a smooth pattern, distinct per seed.
func pngBytes(t testing.TB, seed int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 96, 96))
	for y := 0; y < 96; y++ {
		for x := 0; x < 96; x++ {
			img.Set(x, y, color.RGBA{uint8(x*2 + seed*40), uint8(y*2 + seed*13), uint8((x*y)/40 + seed), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func storeStats(pages, images, errors int64) store.Stats {
	return store.Stats{Pages: pages, Images: images, Errors: errors}
}
