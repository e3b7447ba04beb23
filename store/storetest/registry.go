package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
)

func testPutWorkCreates(t *testing.T, s store.Store) {
	w := textWork("alice", "the raven, once upon a midnight dreary")
	before := time.Now()
	got, created, err := s.PutWork(t.Context(), w, []store.Fingerprint{{Algorithm: "sha256", Version: 1, Data: []byte{1, 2}}})
	after := time.Now()
	if err != nil || !created {
		t.Fatalf("PutWork = created %v, %v; want created, no error", created, err)
	}
	if got.ID == "" {
		t.Fatal("PutWork returned no ID")
	}
	if got.CreatedAt.Before(before.Add(-time.Second)) || got.CreatedAt.After(after.Add(time.Second)) {
		t.Errorf("CreatedAt = %v, want between %v and %v", got.CreatedAt, before, after)
	}
	want := w
	want.ID, want.CreatedAt = got.ID, got.CreatedAt
	checkWork(t, got, want, true)
	stored, err := s.Work(t.Context(), got.ID)
	if err != nil {
		t.Fatalf("Work(%s): %v", got.ID, err)
	}
	checkWork(t, stored, want, true)
}

func testPutWorkIdempotent(t *testing.T, s store.Store) {
	w := textWork("alice", "same content")
	fps := []store.Fingerprint{{Algorithm: "text-winnow", Version: 1, Data: []byte("a")}, {Algorithm: "sha256", Version: 1, Data: []byte("b")}}
	first := putWork(t, s, w, fps...)
	again := w
	again.Title, again.License = "another title", "MIT"
	got, created, err := s.PutWork(t.Context(), again, []store.Fingerprint{{Algorithm: "text-winnow", Version: 2, Data: []byte("c")}})
	if err != nil || created {
		t.Fatalf("second PutWork = created %v, %v; want not created, no error", created, err)
	}
	checkWork(t, got, first, false)
	stored, err := s.Work(t.Context(), first.ID)
	if err != nil {
		t.Fatalf("Work: %v", err)
	}
	checkWork(t, stored, first, true)
	if n := len(fingerprintsOf(t, s, "")); n != len(fps) {
		t.Errorf("%d fingerprints stored after re-registering, want %d", n, len(fps))
	}
	if ws := works(t, s, store.WorkFilter{}); len(ws) != 1 {
		t.Errorf("Works lists %d works, want 1", len(ws))
	}
}

func testPutWorkOtherCreator(t *testing.T, s store.Store) {
	fp := store.Fingerprint{Algorithm: "sha256", Version: 1, Data: []byte("x")}
	a := putWork(t, s, textWork("alice", "shared content"), fp)
	b, created, err := s.PutWork(t.Context(), textWork("bob", "shared content"), []store.Fingerprint{fp})
	if err != nil || !created {
		t.Fatalf("PutWork for bob = created %v, %v; want created", created, err)
	}
	if a.ID == b.ID {
		t.Fatalf("alice's and bob's works share ID %s", a.ID)
	}
	if b.Creator != "bob" {
		t.Errorf("Creator = %q, want bob", b.Creator)
	}
	owners := map[string]bool{}
	for _, fp := range fingerprintsOf(t, s, "sha256") {
		owners[fp.WorkID] = true
	}
	if !owners[a.ID] || !owners[b.ID] || len(owners) != 2 {
		t.Errorf("fingerprints belong to %v, want %s and %s", owners, a.ID, b.ID)
	}
}

func testPutWorkInvalid(t *testing.T, s store.Store) {
	valid := textWork("alice", "content")
	tests := []struct {
		name   string
		change func(w *store.Work)
		fps    []store.Fingerprint
	}{
		{"empty creator", func(w *store.Work) { w.Creator = "" }, nil},
		{"blank creator", func(w *store.Work) { w.Creator = " \t" }, nil},
		{"empty kind", func(w *store.Work) { w.Kind = "" }, nil},
		{"unknown kind", func(w *store.Work) { w.Kind = "video" }, nil},
		{"empty sha256", func(w *store.Work) { w.SHA256 = "" }, nil},
		{"short sha256", func(w *store.Work) { w.SHA256 = "abc123" }, nil},
		{"uppercase sha256", func(w *store.Work) { w.SHA256 = strings.ToUpper(w.SHA256) }, nil},
		{"fingerprint without algorithm", func(*store.Work) {}, []store.Fingerprint{{Version: 1, Data: []byte{1}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := valid
			tc.change(&w)
			_, _, err := s.PutWork(t.Context(), w, tc.fps)
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("PutWork = %v, want ErrInvalid", err)
			}
		})
	}
	if ws := works(t, s, store.WorkFilter{}); len(ws) != 0 {
		t.Errorf("invalid works were stored: %v", ws)
	}
	if n := len(fingerprintsOf(t, s, "")); n != 0 {
		t.Errorf("%d fingerprints of invalid works were stored", n)
	}
}

func testPutWorkConcurrent(t *testing.T, s store.Store) {
	const n = 16
	w := textWork("alice", "everyone registers this at once")
	fps := []store.Fingerprint{{Algorithm: "sha256", Version: 1, Data: []byte("d")}}
	var wg sync.WaitGroup
	ids := make([]string, n)
	created := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			var got store.Work
			got, created[i], errs[i] = s.PutWork(t.Context(), w, fps)
			ids[i] = got.ID
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent PutWork: %v", err)
	}
	if c := count(created, true); c != 1 {
		t.Errorf("%d of %d calls created the work, want 1", c, n)
	}
	if ids[0] == "" || slices.ContainsFunc(ids, func(id string) bool { return id != ids[0] }) {
		t.Errorf("calls returned IDs %v, want one ID", ids)
	}
	if ws := works(t, s, store.WorkFilter{}); len(ws) != 1 {
		t.Errorf("Works lists %d works, want 1", len(ws))
	}
	if got := len(fingerprintsOf(t, s, "")); got != len(fps) {
		t.Errorf("%d fingerprints stored, want %d", got, len(fps))
	}
}

func testWorkText(t *testing.T, s store.Store) {
	big := strings.Repeat("All work and no play makes Jack a dull boy. ünïcödé ✓\n", 20000) // ~1.1 MB
	w := putWork(t, s, textWork("alice", big))
	img := putWork(t, s, store.Work{Creator: "alice", Title: "img", Kind: store.KindImage, SHA256: hash("png"), Size: 3})
	got, err := s.Work(t.Context(), w.ID)
	if err != nil {
		t.Fatalf("Work: %v", err)
	}
	if got.Text != big {
		t.Errorf("Work returned %d bytes of text, want the %d registered", len(got.Text), len(big))
	}
	if got, err := s.Work(t.Context(), img.ID); err != nil || got.Text != "" || got.Kind != store.KindImage {
		t.Errorf("image Work = %+v, %v; want kind image without text", brief(got), err)
	}
	for _, lw := range works(t, s, store.WorkFilter{}) {
		if lw.Text != "" {
			t.Errorf("Works returned text for %s", lw.ID)
		}
	}
}

func testWorkThumb(t *testing.T, s store.Store) {
	// Binary bytes of every value, and the documented maximum size.
	thumb := make([]byte, 64<<10)
	for i := range thumb {
		thumb[i] = byte(i * 7)
	}
	thumb[0], thumb[1], thumb[len(thumb)-2], thumb[len(thumb)-1] = 0xff, 0xd8, 0xff, 0xd9
	img := store.Work{Creator: "alice", Title: "photo", Kind: store.KindImage, SHA256: hash("jpeg bytes"), Size: 1 << 20, Thumb: thumb}
	got, created, err := s.PutWork(t.Context(), img, nil)
	if err != nil || !created {
		t.Fatalf("PutWork(image with thumb) = created %v, %v", created, err)
	}
	want := img
	want.ID, want.CreatedAt = got.ID, got.CreatedAt
	checkWork(t, got, want, true)
	stored, err := s.Work(t.Context(), got.ID)
	if err != nil {
		t.Fatalf("Work: %v", err)
	}
	checkWork(t, stored, want, true)

	// Re-registering with another thumbnail keeps the first.
	again := img
	again.Thumb = []byte{0xff, 0xd8, 1, 2, 3}
	if _, created, err := s.PutWork(t.Context(), again, nil); err != nil || created {
		t.Fatalf("PutWork again = created %v, %v", created, err)
	}
	if stored, err := s.Work(t.Context(), got.ID); err != nil || !bytes.Equal(stored.Thumb, thumb) {
		t.Errorf("after re-registering: Work = %d-byte thumb, %v; want the first %d bytes", len(stored.Thumb), err, len(thumb))
	}

	text := putWork(t, s, textWork("alice", "no picture"))
	if stored, err := s.Work(t.Context(), text.ID); err != nil || len(stored.Thumb) != 0 {
		t.Errorf("text Work = %d-byte thumb, %v; want none", len(stored.Thumb), err)
	}
	checkListing(t, works(t, s, store.WorkFilter{}), map[string]store.Work{got.ID: want, text.ID: text})
}

func testWorkNotFound(t *testing.T, s store.Store) {
	putWork(t, s, textWork("alice", "exists"))
	if _, err := s.Work(t.Context(), "no-such-work"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Work(missing) = %v, want ErrNotFound", err)
	}
}

func testWorksOrderAndFilter(t *testing.T, s store.Store) {
	if ws := works(t, s, store.WorkFilter{}); len(ws) != 0 {
		t.Fatalf("empty store lists %d works", len(ws))
	}
	stored := map[string]store.Work{}
	var alice []string
	for i := range 6 {
		creator := []string{"alice", "bob"}[i%2]
		w := putWork(t, s, textWork(creator, fmt.Sprintf("work %d", i)))
		stored[w.ID] = w
		if creator == "alice" {
			alice = append(alice, w.ID)
		}
	}
	all := works(t, s, store.WorkFilter{})
	checkListing(t, all, stored)
	if len(all) != len(stored) {
		t.Errorf("Works lists %d works, want %d", len(all), len(stored))
	}
	mine := works(t, s, store.WorkFilter{Creator: "alice"})
	checkListing(t, mine, stored)
	var ids []string
	for _, w := range mine {
		ids = append(ids, w.ID)
	}
	slices.Sort(ids)
	slices.Sort(alice)
	if !slices.Equal(ids, alice) {
		t.Errorf("alice's works = %v, want %v", ids, alice)
	}
	if ws := works(t, s, store.WorkFilter{Creator: "nobody"}); len(ws) != 0 {
		t.Errorf("unknown creator lists %d works, want 0", len(ws))
	}
}

// checkListing checks that listed works match stored ones and are ordered by
// (CreatedAt, ID).
func checkListing(t testing.TB, ws []store.Work, stored map[string]store.Work) {
	t.Helper()
	for i, w := range ws {
		want, ok := stored[w.ID]
		if !ok {
			t.Errorf("listed unknown work %s", w.ID)
			continue
		}
		checkWork(t, w, want, false)
		if w.Text != "" || len(w.Thumb) != 0 {
			t.Errorf("listed work %s has %d bytes of text and a %d-byte thumb, want neither", w.ID, len(w.Text), len(w.Thumb))
		}
		if i == 0 {
			continue
		}
		prev := ws[i-1]
		if w.CreatedAt.Before(prev.CreatedAt) || (w.CreatedAt.Equal(prev.CreatedAt) && w.ID < prev.ID) {
			t.Errorf("works out of order: %s (%v) listed after %s (%v)", w.ID, w.CreatedAt, prev.ID, prev.CreatedAt)
		}
	}
}

func testCreators(t *testing.T, s store.Store) {
	if cs, err := s.Creators(t.Context()); err != nil || len(cs) != 0 {
		t.Fatalf("Creators on empty store = %v, %v", cs, err)
	}
	for i, c := range []string{"carol", "alice", "bob", "alice"} {
		putWork(t, s, textWork(c, fmt.Sprintf("text %d by %s", i, c)))
	}
	cs, err := s.Creators(t.Context())
	if err != nil {
		t.Fatalf("Creators: %v", err)
	}
	var names []string
	ids := map[string]bool{}
	for _, c := range cs {
		names = append(names, c.Name)
		ids[c.ID] = true
		if c.ID == "" || c.CreatedAt.IsZero() {
			t.Errorf("creator %+v lacks ID or CreatedAt", c)
		}
	}
	if want := []string{"alice", "bob", "carol"}; !slices.Equal(names, want) {
		t.Errorf("Creators = %v, want %v", names, want)
	}
	if len(ids) != len(cs) {
		t.Errorf("creator IDs are not unique: %+v", cs)
	}
}

func testFingerprints(t *testing.T, s store.Store) {
	a := putWork(t, s, textWork("alice", "a"),
		store.Fingerprint{Algorithm: "text-winnow", Version: 3, Data: []byte{0, 1, 2, 255}},
		store.Fingerprint{Algorithm: "sha256", Version: 1, Data: []byte("sa")},
		store.Fingerprint{WorkID: "ignored", Algorithm: "empty", Version: 1})
	b := putWork(t, s, textWork("bob", "b"), store.Fingerprint{Algorithm: "text-winnow", Version: 3, Data: []byte{9}})
	want := []store.Fingerprint{
		{WorkID: a.ID, Algorithm: "text-winnow", Version: 3, Data: []byte{0, 1, 2, 255}},
		{WorkID: a.ID, Algorithm: "sha256", Version: 1, Data: []byte("sa")},
		{WorkID: a.ID, Algorithm: "empty", Version: 1},
		{WorkID: b.ID, Algorithm: "text-winnow", Version: 3, Data: []byte{9}},
	}
	tests := []struct {
		algorithm string
		want      []store.Fingerprint
	}{
		{"", want},
		{"text-winnow", []store.Fingerprint{want[0], want[3]}},
		{"sha256", want[1:2]},
		{"empty", want[2:3]},
		{"image-phash", nil},
	}
	for _, tc := range tests {
		got, want := sorted(fingerprintsOf(t, s, tc.algorithm)), sorted(tc.want)
		if !slices.EqualFunc(got, want, sameFingerprint) {
			t.Errorf("Fingerprints(%q) = %v, want %v", tc.algorithm, got, want)
		}
	}
}

func testFingerprintsCallbackError(t *testing.T, s store.Store) {
	putWork(t, s, textWork("alice", "a"),
		store.Fingerprint{Algorithm: "x", Data: []byte{1}},
		store.Fingerprint{Algorithm: "x", Data: []byte{2}},
		store.Fingerprint{Algorithm: "x", Data: []byte{3}})
	stop := errors.New("stop here")
	calls := 0
	err := s.Fingerprints(t.Context(), "", func(store.Fingerprint) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) {
		t.Errorf("Fingerprints = %v, want the callback's error", err)
	}
	if calls != 1 {
		t.Errorf("callback called %d times after failing, want 1", calls)
	}
}

func sameFingerprint(a, b store.Fingerprint) bool {
	return a.WorkID == b.WorkID && a.Algorithm == b.Algorithm && a.Version == b.Version && bytes.Equal(a.Data, b.Data)
}

// sorted returns a sorted copy of fps.
func sorted(fps []store.Fingerprint) []store.Fingerprint {
	fps = slices.Clone(fps)
	slices.SortFunc(fps, func(a, b store.Fingerprint) int {
		return strings.Compare(a.WorkID+"\x00"+a.Algorithm, b.WorkID+"\x00"+b.Algorithm)
	})
	return fps
}

func works(t testing.TB, s store.Store, f store.WorkFilter) []store.Work {
	t.Helper()
	ws, err := s.Works(t.Context(), f)
	if err != nil {
		t.Fatalf("Works(%+v): %v", f, err)
	}
	return ws
}

func count[T comparable](xs []T, x T) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}
