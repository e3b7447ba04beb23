package dashboard

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/attrib/attrib/crawler/launch"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

// env is a dashboard over a real SQLite store, matcher and authenticator.
type env struct {
	t        *testing.T
	db       *sqlite.DB
	m        *matcher.Matcher
	srv      *httptest.Server
	launched []launch.Spec
}

// recordingLauncher stores the scan as queued and remembers the spec; the
// crawl itself is crawler/launch's business and tested there.
type recordingLauncher struct{ e *env }

func (l recordingLauncher) Start(ctx context.Context, spec launch.Spec) (store.Scan, error) {
	l.e.launched = append(l.e.launched, spec)
	return l.e.db.CreateScan(ctx, store.Scan{Kind: spec.Kind, Targets: spec.Targets, State: store.ScanQueued})
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m, err := matcher.New(db, matcher.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, m: m}
	opts.Store, opts.Auth = db, access.NewAuthenticator(db, nil)
	if opts.Registrar == nil {
		opts.Registrar = MatcherRegistrar{Matcher: m}
	}
	if opts.Launcher == nil {
		opts.Launcher = recordingLauncher{e}
	}
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

// token stores a token for creator ("" with admin) and returns its secret.
func (e *env) token(creator string, admin bool) string {
	e.t.Helper()
	secret, hash, err := access.NewToken()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.PutToken(context.Background(), store.Token{Hash: hash, Creator: creator, Admin: admin}); err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// register registers a work directly through the matcher.
func (e *env) register(in matcher.Input) store.Work {
	e.t.Helper()
	w, _, err := e.m.Register(context.Background(), in)
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

// finishedScan stores a finished scan with matches.
func (e *env) finishedScan(ms ...store.Match) store.Scan {
	e.t.Helper()
	ctx := context.Background()
	sc, err := e.db.CreateScan(ctx, store.Scan{Kind: "crawl", Targets: []string{"http://site.test/"}, State: store.ScanRunning})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.PutMatches(ctx, sc.ID, ms); err != nil {
		e.t.Fatal(err)
	}
	sc.State, sc.FinishedAt = store.ScanFinished, time.Now()
	if err := e.db.UpdateScan(ctx, sc); err != nil {
		e.t.Fatal(err)
	}
	return sc
}

// browser is a client with a cookie jar that does not follow redirects and
// sends the Origin a browser would.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// loggedIn returns a browser logged in with secret.
func (e *env) loggedIn(secret string) *browser {
	e.t.Helper()
	b := e.browser()
	form := b.get("/login")
	res := b.postForm("/login", url.Values{"token": {secret}, "csrf": {csrfOf(e.t, form.body)}})
	if res.code != http.StatusSeeOther || res.header.Get("Location") != "/works" {
		e.t.Fatalf("login: %d to %q, want 303 to /works\n%s", res.code, res.header.Get("Location"), res.body)
	}
	return b
}

type response struct {
	code   int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) response {
	b.e.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{code: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *browser) get(path string) response {
	b.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	return b.do(req)
}

func (b *browser) postForm(path string, v url.Values) response {
	b.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.e.srv.URL)
	return b.do(req)
}

// file is one file part of an upload.
type file struct {
	name string
	data []byte
}

func (b *browser) postUpload(fields url.Values, files ...file) response {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile("file", f.name)
		_, _ = fw.Write(f.data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+"/upload", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.e.srv.URL)
	return b.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf returns the CSRF token of the first form on a page.
func csrfOf(t testing.TB, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field in page:\n%s", page)
	}
	return m[1]
}

// picture is a PNG test image; seed varies its structure.
func picture(t testing.TB, seed int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 400, 300))
	for y := range 300 {
		for x := range 400 {
			v := uint8((x*seed + y*(7-seed)) * 255 / 700 % 256)
			if (x/100+y/100)%2 == seed%2 {
				v = 255 - v
			}
			img.Set(x, y, color.RGBA{v, v / 2, 255 - v, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const poem = `Every evening at the turning of the tide she climbs the ninety steps of salted iron,
counting them the way her mother counted rosaries, and lights the lamp that no ship needs any more.
The harbour has been silent for a decade; the trawlers rust like sleeping animals along the
breakwater, their names half eaten by the patient grammar of the sea.`
