package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/transparency"
)

func TestReceiptVerifiesOffline(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.getJSON("/api/v1/works/"+e.adaWork.ID+"/receipt", e.ada)
	if r.status != http.StatusOK {
		t.Fatalf("receipt: %d %s", r.status, r.body)
	}
	v, err := transparency.VerifyReceipt([]byte(r.body), e.pub, []byte(adaPoem))
	if err != nil {
		t.Fatalf("receipt served by the API does not verify: %v", err)
	}
	if !strings.Contains(r.body, e.adaWork.ID) {
		t.Errorf("receipt does not name the work: %s (%+v)", r.body, v)
	}
	// The receipt is bound to the work's content: another file fails.
	if _, err := transparency.VerifyReceipt([]byte(r.body), e.pub, []byte(bobEssay)); err == nil {
		t.Error("receipt verified against another work's bytes")
	}
	if r := e.getJSON("/api/v1/works/"+e.bobWork.ID+"/receipt", e.ada); r.status != http.StatusNotFound {
		t.Errorf("Ada asking for Bob's receipt: %d, want 404", r.status)
	}
}

func TestJSONReportCarriesVerifiableProof(t *testing.T) {
	e := newEnv(t, Options{})
	for _, tok := range []struct{ name, token string }{{"admin", e.admin}, {"creator", e.ada}} {
		r := e.getJSON("/api/v1/scans/"+e.newer.ID+"/report?format=json", tok.token)
		if r.status != http.StatusOK {
			t.Fatalf("%s: report: %d %s", tok.name, r.status, r.body)
		}
		if !strings.Contains(r.body, `"transparency"`) {
			t.Fatalf("%s: JSON report has no transparency field", tok.name)
		}
		if _, err := transparency.VerifyReport([]byte(r.body), e.pub); err != nil {
			t.Errorf("%s: report served by the API does not verify: %v", tok.name, err)
		}
	}
	if r := e.getJSON("/api/v1/scans/"+e.newer.ID+"/report?format=md", e.admin); strings.Contains(r.body, "transparency") {
		t.Error("Markdown report carries the JSON proof")
	}
}
