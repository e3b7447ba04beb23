package transparency

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/attrib/attrib/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

// TestGoldenFiles pins the receipt and head file formats: a fixed key, clock
// and content give the same bytes, signatures included (ed25519 is
// deterministic).
func TestGoldenFiles(t *testing.T) {
	ctx := t.Context()
	st := openSQLite(t, filepath.Join(t.TempDir(), "attrib.db"))
	l := newLog(st)
	var ids []string
	for _, w := range []struct{ creator, text string }{{"Ada Lovelace", "first work"}, {"Grace Hopper", "second work"}, {"Ada Lovelace", "third"}} {
		sum := sha256.Sum256([]byte(w.text))
		fps := []store.Fingerprint{{Algorithm: "golden", Version: 1, Data: []byte(w.text)}}
		stored, _, err := st.PutWork(ctx, store.Work{Creator: w.creator, Title: w.text + ".txt", Kind: store.KindText,
			SHA256: hex.EncodeToString(sum[:]), Size: int64(len(w.text)), Text: w.text}, fps)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.RecordWork(ctx, stored, fps); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, stored.ID)
		if len(ids) == 1 {
			old, err := l.ExportHead(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "head1.json", old.MarshalFile())
		}
	}
	rc, err := l.WorkReceipt(ctx, ids[1])
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "receipt.json", rc.MarshalFile())
	hf, err := l.ExportHead(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "head3.json", hf.MarshalFile())
	pub := EncodePublicKey(l.PublicKey())
	golden(t, "key.pub", []byte(pub+"\n"))

	// The golden files verify, so the README's examples can be checked
	// by hand with attrib verify.
	if _, err := VerifyReceipt(rc.MarshalFile(), l.PublicKey(), []byte("second work")); err != nil {
		t.Error(err)
	}
	if _, err := VerifyConsistency(mustRead(t, "testdata/head1.json"), mustRead(t, "testdata/head3.json"), l.PublicKey()); err != nil {
		t.Error(err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
