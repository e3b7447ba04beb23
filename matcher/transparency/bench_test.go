package transparency

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
)

// fillLog appends n registration entries in batches, without signing.
func fillLog(b *testing.B, st store.Store, n int) {
	b.Helper()
	const batch = 1000
	for i := 0; i < n; i += batch {
		data := make([][]byte, 0, batch)
		for j := i; j < min(n, i+batch); j++ {
			e := Entry{Type: TypeRegistration, WorkID: fmt.Sprintf("w_%016x", j), Creator: "Ada", Title: "poem.txt", Kind: "text",
				SHA256: strings.Repeat("ab", 32), Fingerprints: strings.Repeat("cd", 32), Time: formatTime(time.Unix(int64(j), 0))}
			data = append(data, e.Encode())
		}
		if _, err := st.AppendLeaves(b.Context(), data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFreshProcessReceipt100k is what one `attrib register --receipt`
// pays on a log of 100,000 entries: read every leaf, rebuild the tree,
// sign a head, prove inclusion.
func BenchmarkFreshProcessReceipt100k(b *testing.B) {
	st := openSQLite(b, filepath.Join(b.TempDir(), "attrib.db"))
	fillLog(b, st, 100_000)
	b.ResetTimer()
	for b.Loop() {
		l := New(st, testKey())
		if _, err := l.WorkReceipt(b.Context(), "w_0000000000000007"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendOne is the cost a registration adds in a running process:
// one leaf appended, a head signed and stored.
func BenchmarkAppendOne(b *testing.B) {
	st := openSQLite(b, filepath.Join(b.TempDir(), "attrib.db"))
	l := New(st, testKey())
	e := Entry{Type: TypeScan, ScanID: "s", ReportSHA256: strings.Repeat("ab", 32), Time: formatTime(time.Now())}
	for b.Loop() {
		if _, err := l.Append(b.Context(), e); err != nil {
			b.Fatal(err)
		}
	}
}
