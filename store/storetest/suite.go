package storetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
)

// TimePrecision is the coarsest timestamp precision a backend may keep.
const TimePrecision = time.Millisecond

// Run runs the conformance suite. open must return a fresh, empty store and
// register its cleanup with t.Cleanup; some subtests close the store
// themselves, so that cleanup must tolerate a closed store.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"PutWorkCreates", testPutWorkCreates},
		{"PutWorkIdempotent", testPutWorkIdempotent},
		{"PutWorkSameContentOtherCreator", testPutWorkOtherCreator},
		{"PutWorkInvalid", testPutWorkInvalid},
		{"PutWorkConcurrent", testPutWorkConcurrent},
		{"WorkText", testWorkText},
		{"WorkThumb", testWorkThumb},
		{"WorkNotFound", testWorkNotFound},
		{"WorksOrderAndFilter", testWorksOrderAndFilter},
		{"Creators", testCreators},
		{"Fingerprints", testFingerprints},
		{"FingerprintsCallbackError", testFingerprintsCallbackError},
		{"CreateScan", testCreateScan},
		{"CreateScanExplicitID", testCreateScanExplicitID},
		{"ScanNotFound", testScanNotFound},
		{"UpdateScan", testUpdateScan},
		{"LatestAndListScans", testLatestAndListScans},
		{"MatchesRoundTrip", testMatchesRoundTrip},
		{"MatchesUpsert", testMatchesUpsert},
		{"MatchesFilterAndOrder", testMatchesFilterAndOrder},
		{"MatchesUnknownScan", testMatchesUnknownScan},
		{"PutMatchesInvalidStoresNothing", testPutMatchesInvalidStoresNothing},
		{"Tokens", testTokens},
		{"TokensInvalid", testTokensInvalid},
		{"TokensDelete", testTokensDelete},
		{"SchedulesCreate", testSchedulesCreate},
		{"SchedulesReplace", testSchedulesReplace},
		{"SchedulesDelete", testSchedulesDelete},
		{"SchedulesListOrder", testSchedulesListOrder},
		{"SchedulesInvalid", testSchedulesInvalid},
		{"PageStates", testPageStates},
		{"PageStatesInvalidStoresNothing", testPageStatesInvalid},
		{"LeaseExclusive", testLeaseExclusive},
		{"LeaseExpires", testLeaseExpires},
		{"LeaseRelease", testLeaseRelease},
		{"LeaseConcurrent", testLeaseConcurrent},
		{"LeaseInvalid", testLeaseInvalid},
		{"LogAppendAndRead", testLogAppendAndRead},
		{"LogInvalid", testLogInvalid},
		{"LogConcurrentAppends", testLogConcurrentAppends},
		{"TreeHeads", testTreeHeads},
		{"TreeHeadsInvalid", testTreeHeadsInvalid},
		{"ContextCancelled", testContextCancelled},
		{"FingerprintsCancelled", testFingerprintsCancelled},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// hash returns the lowercase hex SHA-256 of s.
func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// textWork returns an unsaved text work of creator with the given content.
func textWork(creator, content string) store.Work {
	return store.Work{
		Creator: creator,
		Title:   "title of " + content,
		License: "CC-BY-4.0",
		Kind:    store.KindText,
		SHA256:  hash(content),
		Size:    int64(len(content)),
		Text:    content,
	}
}

// putWork stores w with fps and fails the test on error.
func putWork(t testing.TB, s store.Store, w store.Work, fps ...store.Fingerprint) store.Work {
	t.Helper()
	got, _, err := s.PutWork(t.Context(), w, fps)
	if err != nil {
		t.Fatalf("PutWork(%s, %s): %v", w.Creator, w.Title, err)
	}
	return got
}

// createScan stores sc and fails the test on error.
func createScan(t testing.TB, s store.Store, sc store.Scan) store.Scan {
	t.Helper()
	got, err := s.CreateScan(t.Context(), sc)
	if err != nil {
		t.Fatalf("CreateScan(%q): %v", sc.ID, err)
	}
	return got
}

// sameTime reports whether a and b agree to TimePrecision.
func sameTime(a, b time.Time) bool {
	return a.Truncate(TimePrecision).Equal(b.Truncate(TimePrecision))
}

// checkWork compares got with want field by field; Text and Thumb only when
// withText.
func checkWork(t testing.TB, got, want store.Work, withText bool) {
	t.Helper()
	if got.ID != want.ID || got.Creator != want.Creator || got.Title != want.Title ||
		got.License != want.License || got.Kind != want.Kind || got.SHA256 != want.SHA256 ||
		got.Size != want.Size {
		t.Errorf("work = %+v, want %+v", brief(got), brief(want))
	}
	if !sameTime(got.CreatedAt, want.CreatedAt) {
		t.Errorf("work %s CreatedAt = %v, want %v", got.ID, got.CreatedAt, want.CreatedAt)
	}
	if withText && got.Text != want.Text {
		t.Errorf("work %s Text = %d bytes %.40q, want %d bytes %.40q",
			got.ID, len(got.Text), got.Text, len(want.Text), want.Text)
	}
	if withText && !bytes.Equal(got.Thumb, want.Thumb) {
		t.Errorf("work %s Thumb = %d bytes, want %d", got.ID, len(got.Thumb), len(want.Thumb))
	}
}

// brief drops a work's text and thumbnail so that failure messages stay
// readable.
func brief(w store.Work) store.Work {
	w.Text, w.Thumb = "", nil
	return w
}

// fingerprintsOf collects the stored fingerprints of algorithm (all if empty).
func fingerprintsOf(t testing.TB, s store.Store, algorithm string) []store.Fingerprint {
	t.Helper()
	var fps []store.Fingerprint
	err := s.Fingerprints(t.Context(), algorithm, func(fp store.Fingerprint) error {
		fps = append(fps, fp)
		return nil
	})
	if err != nil {
		t.Fatalf("Fingerprints(%q): %v", algorithm, err)
	}
	return fps
}
