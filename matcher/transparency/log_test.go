package transparency

import (
	"bytes"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/store"
)

func TestReceiptVerifies(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := t.Context()
		l := newLog(st)
		m := newMatcher(t, st, l)
		w := registerText(t, m, "Ada", poem)
		other := registerText(t, m, "Grace", poem+" And then the rain came.")
		rc, err := l.WorkReceipt(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		data := rc.MarshalFile()
		v, err := VerifyReceipt(data, l.PublicKey(), []byte(poem))
		if err != nil {
			t.Fatalf("VerifyReceipt: %v\n%s", err, data)
		}
		if v.Entry.WorkID != w.ID || v.Entry.Creator != "Ada" || v.Entry.SHA256 != w.SHA256 || v.LeafIndex != 0 {
			t.Errorf("verified %+v, want work %s of Ada at leaf 0", v, w.ID)
		}
		if _, err := VerifyReceipt(data, l.PublicKey(), []byte(poem+" ")); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "not the registered work") {
			t.Errorf("another work file: err = %v", err)
		}
		otherKey := New(st, ed25519Key(7)).PublicKey()
		if _, err := VerifyReceipt(data, otherKey, nil); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "not signed by key") {
			t.Errorf("another key: err = %v", err)
		}
		orc, err := l.WorkReceipt(ctx, other.ID)
		if err != nil {
			t.Fatal(err)
		}
		if orc.LeafIndex != 1 || orc.Entry.Creator != "Grace" {
			t.Errorf("second work: leaf %d creator %q", orc.LeafIndex, orc.Entry.Creator)
		}
		// Re-registering the same content adds nothing to the log.
		again := registerText(t, m, "Ada", poem)
		if again.ID != w.ID {
			t.Fatalf("re-registration gave %s, want %s", again.ID, w.ID)
		}
		if n, _ := st.LogSize(ctx); n != 2 {
			t.Errorf("log size after re-registration = %d, want 2", n)
		}
		rc2, err := l.WorkReceipt(ctx, w.ID)
		if err != nil || rc2.LeafIndex != 0 {
			t.Errorf("receipt after re-registration: leaf %d, %v", rc2.LeafIndex, err)
		}
		if _, err := VerifyReceipt(rc2.MarshalFile(), l.PublicKey(), []byte(poem)); err != nil {
			t.Errorf("newer receipt: %v", err)
		}
	})
}

func TestReceiptEveryBitFlipFails(t *testing.T) {
	st := openSQLite(t, t.TempDir()+"/attrib.db")
	l := newLog(st)
	m := newMatcher(t, st, l)
	var ws []store.Work
	for i, c := range []string{"Ada", "Grace", "Edsger"} {
		ws = append(ws, registerText(t, m, c, poem+strings.Repeat(" Again.", i)))
	}
	rc, err := l.WorkReceipt(t.Context(), ws[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	data := rc.MarshalFile()
	if len(rc.InclusionProof) != 2 {
		t.Fatalf("want a proof of 2 hashes in a 3-leaf tree, got %d", len(rc.InclusionProof))
	}
	if _, err := VerifyReceipt(data, l.PublicKey(), nil); err != nil {
		t.Fatal(err)
	}
	flipEveryBit(t, data, func(b []byte) error {
		_, err := VerifyReceipt(b, l.PublicKey(), nil)
		return err
	})
}

func TestReportEveryBitFlipFails(t *testing.T) {
	st := openSQLite(t, t.TempDir()+"/attrib.db")
	l := newLog(st)
	m := newMatcher(t, st, l)
	w := registerText(t, m, "Ada", poem)
	scanID := storeScan(t, st, w)
	if err := l.RecordScan(t.Context(), scanID); err != nil {
		t.Fatal(err)
	}
	data := renderAttached(t, l, st, scanID)
	v, err := VerifyReport(data, l.PublicKey())
	if err != nil {
		t.Fatalf("VerifyReport: %v\n%s", err, data)
	}
	if v.Entry.ScanID != scanID || v.LeafIndex != 1 {
		t.Errorf("verified %+v, want scan %s at leaf 1", v.Entry, scanID)
	}
	flipEveryBit(t, data, func(b []byte) error {
		_, err := VerifyReport(b, l.PublicKey())
		return err
	})
}

// storeScan stores a finished scan with one match of w.
func storeScan(t testing.TB, st store.Store, w store.Work) string {
	t.Helper()
	ctx := t.Context()
	sc, err := st.CreateScan(ctx, store.Scan{Kind: "crawl", Targets: []string{"http://example.test/"}, State: store.ScanRunning,
		StartedAt: mustTime("2026-11-27T09:00:00.000Z")})
	if err != nil {
		t.Fatal(err)
	}
	err = st.PutMatches(ctx, sc.ID, []store.Match{{
		WorkID: w.ID, FoundURL: "http://example.test/copy", PageURL: "http://example.test/copy", Method: "text",
		Score: 0.9, WorkCoverage: 1, FoundCoverage: 0.5,
		Evidence: store.Evidence{Passages: []store.Passage{{WorkStart: 0, WorkEnd: 20, FoundStart: 5, FoundEnd: 25, Text: poem[:20]}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	sc.State, sc.FinishedAt = store.ScanFinished, mustTime("2026-11-27T09:01:00.000Z")
	sc.Stats = store.Stats{Pages: 2}
	if err := st.UpdateScan(ctx, sc); err != nil {
		t.Fatal(err)
	}
	return sc.ID
}

func mustTime(s string) (tm timeT) {
	tm, err := parseTime(s)
	if err != nil {
		panic(err)
	}
	return tm
}

// renderAttached renders a scan's full report as JSON with its proof.
func renderAttached(t testing.TB, l *Log, st store.Store, scanID string) []byte {
	t.Helper()
	rep, err := report.FromStore(t.Context(), st, scanID, "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err = l.Attach(t.Context(), rep)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, rep, report.FormatJSON); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRecordScanIsIdempotent(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := t.Context()
		l := newLog(st)
		w := registerText(t, newMatcher(t, st, l), "Ada", poem)
		scanID := storeScan(t, st, w)
		for range 2 {
			if err := l.RecordScan(ctx, scanID); err != nil {
				t.Fatal(err)
			}
		}
		if n, _ := st.LogSize(ctx); n != 2 {
			t.Fatalf("log size = %d, want 2 (one work, one scan)", n)
		}
		// Another process (a fresh Log) finds the recorded digest.
		data := renderAttached(t, newLog(st), st, scanID)
		if n, _ := st.LogSize(ctx); n != 2 {
			t.Errorf("log size after rendering = %d, want 2", n)
		}
		if _, err := VerifyReport(data, l.PublicKey()); err != nil {
			t.Error(err)
		}
		// A creator-filtered report is recorded under its own digest.
		rep, _ := report.FromStore(ctx, st, scanID, "Nobody")
		rep, err := l.Attach(ctx, rep)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		report.Render(&buf, rep, report.FormatJSON)
		if _, err := VerifyReport(buf.Bytes(), l.PublicKey()); err != nil {
			t.Errorf("filtered report: %v", err)
		}
		if n, _ := st.LogSize(ctx); n != 3 {
			t.Errorf("log size after a filtered report = %d, want 3", n)
		}
	})
}

func TestReportChangedAfterRecording(t *testing.T) {
	st := openSQLite(t, t.TempDir()+"/attrib.db")
	l := newLog(st)
	w := registerText(t, newMatcher(t, st, l), "Ada", poem)
	scanID := storeScan(t, st, w)
	data := renderAttached(t, l, st, scanID)
	// Change a score in a way that keeps the JSON canonical.
	changed := bytes.Replace(data, []byte(`"score": 0.9`), []byte(`"score": 0.8`), 1)
	if bytes.Equal(changed, data) {
		t.Fatal("score not found in the report")
	}
	_, err := VerifyReport(changed, l.PublicKey())
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "the report was changed") {
		t.Errorf("err = %v, want the report was changed", err)
	}
	noProof := bytes.Replace(data, []byte(`"transparency"`), []byte(`"transparencx"`), 1)
	if _, err := VerifyReport(noProof, l.PublicKey()); err == nil {
		t.Error("unknown field accepted")
	}
}

func TestConsistency(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := t.Context()
		l := newLog(st)
		m := newMatcher(t, st, l)
		w := registerText(t, m, "Ada", poem)
		rc, err := l.WorkReceipt(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		old, err := l.ExportHead(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 4 {
			registerText(t, m, "Grace", poem+strings.Repeat(" More.", i+1))
		}
		newer, err := l.ExportHead(ctx, old.TreeHead.Size)
		if err != nil {
			t.Fatal(err)
		}
		if newer.TreeHead.Size != 5 || old.TreeHead.Size != 1 {
			t.Fatalf("sizes %d -> %d, want 1 -> 5", old.TreeHead.Size, newer.TreeHead.Size)
		}
		pub := l.PublicKey()
		for name, oldData := range map[string][]byte{"head": old.MarshalFile(), "receipt": rc.MarshalFile()} {
			if v, err := VerifyConsistency(oldData, newer.MarshalFile(), pub); err != nil || v.OldSize != 1 || v.Size != 5 {
				t.Errorf("%s -> newer: %+v, %v", name, v, err)
			}
		}
		if _, err := VerifyConsistency(newer.MarshalFile(), old.MarshalFile(), pub); !errors.Is(err, ErrInvalid) {
			t.Errorf("swapped: err = %v", err)
		}
		noProof, _ := l.ExportHead(ctx, 0)
		if _, err := VerifyConsistency(old.MarshalFile(), noProof.MarshalFile(), pub); err == nil || !strings.Contains(err.Error(), "--from") {
			t.Errorf("without a proof: err = %v", err)
		}
		wrongFrom, _ := l.ExportHead(ctx, 2)
		if _, err := VerifyConsistency(old.MarshalFile(), wrongFrom.MarshalFile(), pub); err == nil || !strings.Contains(err.Error(), "starts at size 2") {
			t.Errorf("proof from another size: err = %v", err)
		}
		if _, err := VerifyConsistency(newer.MarshalFile(), noProof.MarshalFile(), pub); err != nil {
			t.Errorf("equal heads: %v", err)
		}
		fromFile, err := l.ExportHeadFrom(ctx, rc.MarshalFile())
		if err != nil || fromFile.Consistency == nil || fromFile.Consistency.FromSize != 1 {
			t.Fatalf("ExportHeadFrom(receipt): %+v, %v", fromFile, err)
		}
		if _, err := VerifyConsistency(rc.MarshalFile(), fromFile.MarshalFile(), pub); err != nil {
			t.Errorf("receipt -> ExportHeadFrom: %v", err)
		}
		if _, err := New(st, ed25519Key(3)).ExportHeadFrom(ctx, old.MarshalFile()); !errors.Is(err, ErrInvalid) {
			t.Errorf("ExportHeadFrom with another key: err = %v", err)
		}
	})
}

func TestConsistencyEveryBitFlipFails(t *testing.T) {
	st := openSQLite(t, t.TempDir()+"/attrib.db")
	ctx := t.Context()
	l := newLog(st)
	m := newMatcher(t, st, l)
	for i := range 3 {
		registerText(t, m, "Ada", poem+strings.Repeat(" More.", i))
	}
	old, err := l.ExportHead(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		registerText(t, m, "Grace", poem+strings.Repeat(" Less.", i+1))
	}
	newer, err := l.ExportHead(ctx, old.TreeHead.Size)
	if err != nil {
		t.Fatal(err)
	}
	oldData, newData := old.MarshalFile(), newer.MarshalFile()
	if _, err := VerifyConsistency(oldData, newData, l.PublicKey()); err != nil {
		t.Fatal(err)
	}
	flipEveryBit(t, oldData, func(b []byte) error {
		_, err := VerifyConsistency(b, newData, l.PublicKey())
		return err
	})
	flipEveryBit(t, newData, func(b []byte) error {
		_, err := VerifyConsistency(oldData, b, l.PublicKey())
		return err
	})
}

// Two processes (two Logs over one store) appending at once: every receipt
// verifies and the final head is consistent with every earlier one.
func TestConcurrentLogs(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := t.Context()
		logs := []*Log{New(st, testKey()), New(st, testKey())}
		var wg sync.WaitGroup
		receipts := make([][]Receipt, len(logs))
		for p, l := range logs {
			wg.Go(func() {
				m := newMatcher(t, st, l)
				for i := range 10 {
					w := registerText(t, m, "Ada", poem+strings.Repeat(" x", 20*p+i+1))
					rc, err := l.WorkReceipt(ctx, w.ID)
					if err != nil {
						t.Error(err)
						return
					}
					receipts[p] = append(receipts[p], rc)
				}
			})
		}
		wg.Wait()
		final, err := logs[0].ExportHead(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if final.TreeHead.Size != 20 {
			t.Fatalf("final size %d, want 20", final.TreeHead.Size)
		}
		for _, rs := range receipts {
			for _, rc := range rs {
				if _, err := VerifyReceipt(rc.MarshalFile(), logs[0].PublicKey(), nil); err != nil {
					t.Errorf("leaf %d: %v", rc.LeafIndex, err)
				}
				head, err := logs[1].ExportHead(ctx, rc.TreeHead.Size)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := VerifyConsistency(rc.MarshalFile(), head.MarshalFile(), logs[0].PublicKey()); err != nil {
					t.Errorf("leaf %d head %d -> %d: %v", rc.LeafIndex, rc.TreeHead.Size, head.TreeHead.Size, err)
				}
			}
		}
	})
}

func TestBackfillWork(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := t.Context()
		l := newLog(st)
		m := newMatcher(t, st, nil)
		w := registerText(t, m, "Ada", poem) // registered before the log existed
		if n, _ := st.LogSize(ctx); n != 0 {
			t.Fatalf("log size %d, want 0 without a recorder", n)
		}
		rc, err := l.WorkReceipt(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		var fps []store.Fingerprint
		st.Fingerprints(ctx, "", func(fp store.Fingerprint) error { fps = append(fps, fp); return nil })
		if rc.Entry.Fingerprints != FingerprintDigest(fps) || len(fps) == 0 {
			t.Errorf("backfilled digest %s, want the stored fingerprints' %s", rc.Entry.Fingerprints, FingerprintDigest(fps))
		}
		if _, err := VerifyReceipt(rc.MarshalFile(), l.PublicKey(), []byte(poem)); err != nil {
			t.Error(err)
		}
		if _, err := l.WorkReceipt(ctx, "no-such-work"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown work: err = %v", err)
		}
	})
}

// A stored log whose heads were signed by another key (the key file was
// replaced) is reported, not papered over with receipts that cannot verify.
func TestKeyReplacedIsReported(t *testing.T) {
	st := openSQLite(t, t.TempDir()+"/attrib.db")
	l := newLog(st)
	w := registerText(t, newMatcher(t, st, l), "Ada", poem)
	other := New(st, ed25519Key(9))
	_, err := other.WorkReceipt(t.Context(), w.ID)
	if err == nil || !strings.Contains(err.Error(), "was the key file replaced") {
		t.Errorf("err = %v, want a replaced key reported", err)
	}
}

// A bit flipped in a stored leaf (the SQLite file edited behind attrib's
// back) is found before any receipt is made or head signed over it, whether
// the leaf still decodes (a letter of the creator's name) or not.
func TestAlteredStoredLeafIsReported(t *testing.T) {
	for name, alter := range map[string]func([]byte){
		"decodes":         func(d []byte) { d[bytes.Index(d, []byte("Ada"))] ^= 0x20 },
		"does not decode": func(d []byte) { d[0] ^= 0x01 },
	} {
		t.Run(name, func(t *testing.T) {
			path := t.TempDir() + "/attrib.db"
			st := openSQLite(t, path)
			l := newLog(st)
			w := registerText(t, newMatcher(t, st, l), "Ada", poem)
			raw, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			var data []byte
			if err := raw.QueryRow(`SELECT data FROM log_leaves WHERE idx = 0`).Scan(&data); err != nil {
				t.Fatal(err)
			}
			alter(data)
			if _, err := raw.Exec(`UPDATE log_leaves SET data = ? WHERE idx = 0`, data); err != nil {
				t.Fatal(err)
			}
			_, err = newLog(st).WorkReceipt(t.Context(), w.ID)
			if err == nil || !strings.Contains(err.Error(), "the stored log was altered") {
				t.Errorf("err = %v, want the altered log reported", err)
			}
		})
	}
}
