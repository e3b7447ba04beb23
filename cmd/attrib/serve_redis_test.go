package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attrib/attrib/matcher/shareddata"
	"github.com/attrib/attrib/matcher/transparency"
	"github.com/attrib/attrib/store/redistest"
)

// bgCommand is an attrib command running in this process (a worker or a
// matcher), as its own process would: run with a context that SIGTERM
// would cancel.
type bgCommand struct {
	stderr *syncBuffer
	stop   func() int // cancels and returns the exit status
}

func startBackground(t *testing.T, args ...string) *bgCommand {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b := &bgCommand{stderr: &syncBuffer{}}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, &syncBuffer{}, b.stderr) }()
	var once sync.Once
	code := 0
	b.stop = func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}
	t.Cleanup(func() {
		b.stop()
		if t.Failed() {
			t.Logf("attrib %s:\n%s", strings.Join(args, " "), b.stderr)
		}
	})
	return b
}

// TestServeRedisEndToEnd is the creator's path through `attrib serve
// --redis` with the crawl done elsewhere: one `attrib worker` and one
// `attrib matcher` on the same Redis namespace and transparency key. A
// creator uploads a text and an image, the admin starts a crawl of a site
// that quotes the text and shows a smaller copy of the image, the serve
// process sees the matcher close the scan, and the creator finds both
// appearances, new since the last scan, in a report that verifies offline.
// A schedule created through the API then runs in Redis mode too.
func TestServeRedisEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs serve, a worker and a matcher against Redis")
	}
	text, photo := chapterOne(t), shareddata.Read(t, "images/skimage/astronaut.png")
	site := quotingSite(t, text, photo)

	_, prefix := redistest.Client(t) // a namespace of our own, deleted afterwards
	cfg := filepath.Join(t.TempDir(), "attrib.yaml")
	writeFile(t, cfg, []byte("transparency:\n  key_file: "+filepath.Join(t.TempDir(), "instance.key")+"\n"))
	global := []string{"--redis", "redis://" + redistest.Addr() + "/0", "--namespace", strings.TrimSuffix(prefix, ":"), "--config", cfg}
	cmd := func(args ...string) []string { return append(append([]string{}, global...), args...) }

	s := startServe(t, global...)
	admin := secretRE.FindString(s.stdout.String())
	if admin == "" {
		t.Fatalf("no admin token printed: %q", s.stdout)
	}
	worker := startBackground(t, cmd("worker", "--workers", "2")...)
	matcher := startBackground(t, cmd("matcher", "--workers", "2")...)

	code, out := s.call(t, "POST", "/api/v1/tokens", admin, `{"creator":"Mark Twain"}`)
	var creator struct{ Token string }
	if err := json.Unmarshal([]byte(out), &creator); err != nil || code != 201 {
		t.Fatalf("creator token: %d %s", code, out)
	}
	textID := s.upload(t, creator.Token, "tom-sawyer-chapter-1.txt", text)
	photoID := s.upload(t, creator.Token, "astronaut.png", string(photo))

	code, out = s.call(t, "POST", "/api/v1/scans", admin, `{"kind":"crawl","targets":["`+site.URL+`/"],"options":{"depth":1,"rate":100}}`)
	var started struct{ ID string }
	if err := json.Unmarshal([]byte(out), &started); err != nil || code != 202 || started.ID == "" {
		t.Fatalf("start scan: %d %s", code, out)
	}
	waitScan(t, s, creator.Token, started.ID)
	if _, out := s.call(t, "GET", "/api/v1/scans/"+started.ID, creator.Token, ""); !strings.Contains(out, `"state":"finished"`) {
		t.Fatalf("scan did not finish: %s", out)
	}

	// The crawl went through the Redis queues, not through serve itself.
	var stOut, stErr syncBuffer
	if code := run(context.Background(), cmd("status", "--scan", started.ID, "--json"), &stOut, &stErr); code != 0 {
		t.Fatalf("status: %d %s", code, &stErr)
	}
	var status struct{ Scans []statusRow }
	if err := json.Unmarshal([]byte(stOut.String()), &status); err != nil || len(status.Scans) != 1 ||
		!status.Scans[0].Finished || status.Scans[0].Done < 1 || status.Scans[0].Dead != 0 {
		t.Errorf("distributed status of %s: %v %s", started.ID, err, &stOut)
	}

	for _, w := range []struct{ id, method, url string }{
		{textID, "text", site.URL + "/"},
		{photoID, "image", site.URL + "/img/astronaut-small.jpg"},
	} {
		code, out := s.call(t, "GET", "/api/v1/works/"+w.id+"/appearances", creator.Token, "")
		var page struct {
			Appearances []struct {
				Scan   struct{ ID string }
				Found  struct{ URL string }
				Method string
			}
		}
		if err := json.Unmarshal([]byte(out), &page); err != nil || code != 200 {
			t.Fatalf("appearances of %s: %d %s", w.method, code, out)
		}
		if len(page.Appearances) != 1 || page.Appearances[0].Method != w.method ||
			page.Appearances[0].Found.URL != w.url || page.Appearances[0].Scan.ID != started.ID {
			t.Errorf("appearances of the %s work: %+v, want one %s match at %s in %s", w.method, page.Appearances, w.method, w.url, started.ID)
		}
	}

	code, out = s.call(t, "GET", "/api/v1/changes", creator.Token, "")
	var ch struct {
		Scan, Previous string
		New, Removed   []struct{ Found struct{ URL string } }
	}
	if err := json.Unmarshal([]byte(out), &ch); err != nil || code != 200 {
		t.Fatalf("changes: %d %s", code, out)
	}
	if ch.Scan != started.ID || ch.Previous != "" || len(ch.New) != 2 || len(ch.Removed) != 0 {
		t.Errorf("changes: %s, want both appearances new in %s", out, started.ID)
	}

	// The serve process and the matcher sign with the same key file: the
	// report verifies with the key `attrib key --public` prints.
	var keyOut, keyErr syncBuffer
	if code := run(context.Background(), cmd("key", "--public"), &keyOut, &keyErr); code != 0 {
		t.Fatalf("key --public: %d %s", code, &keyErr)
	}
	pub, err := transparency.ParsePublicKey(strings.TrimSpace(keyOut.String()))
	if err != nil {
		t.Fatal(err)
	}
	code, out = s.call(t, "GET", "/api/v1/scans/"+started.ID+"/report?format=json", creator.Token, "")
	if _, err := transparency.VerifyReport([]byte(out), pub); code != 200 || err != nil {
		t.Errorf("JSON report does not verify offline: %d %v", code, err)
	}
	if rep := decodeReport(t, out); len(rep.Matches) != 2 {
		t.Errorf("report has %d matches, want 2", len(rep.Matches))
	}

	// A schedule created through the API runs as a Redis scan as well.
	code, out = s.call(t, "POST", "/api/v1/schedules", admin, `{"name":"often","cron":"@every 1s","kind":"crawl","targets":["`+site.URL+`/"],"options":{"depth":1,"rate":100}}`)
	var sched struct{ ID string }
	if err := json.Unmarshal([]byte(out), &sched); err != nil || code != 201 {
		t.Fatalf("create schedule: %d %s", code, out)
	}
	var ran struct {
		LastScan string `json:"last_scan"`
	}
	for deadline := time.Now().Add(20 * time.Second); ran.LastScan == ""; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the schedule did not run: %s", out)
		}
		_, out = s.call(t, "GET", "/api/v1/schedules/"+sched.ID, admin, "")
		if err := json.Unmarshal([]byte(out), &ran); err != nil {
			t.Fatalf("schedule: %s", out)
		}
	}
	if code, out := s.call(t, "DELETE", "/api/v1/schedules/"+sched.ID, admin, ""); code != 204 {
		t.Errorf("delete schedule: %d %s", code, out)
	}
	waitScan(t, s, admin, ran.LastScan)
	if _, out := s.call(t, "GET", "/api/v1/scans/"+ran.LastScan, admin, ""); !strings.Contains(out, `"state":"finished"`) || !strings.Contains(out, `"pages":1`) {
		t.Errorf("the scheduled scan: %s", out)
	}

	// serve first: it stops watching; then the processes it queued for.
	for i, stop := range []func() int{s.stop, worker.stop, matcher.stop} {
		if code := stop(); code != 0 {
			t.Errorf("%s exited with %d", []string{"serve", "worker", "matcher"}[i], code)
		}
	}
}
