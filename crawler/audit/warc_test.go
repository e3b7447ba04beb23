package audit

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
	"github.com/attrib/attrib/crawler/dataset/warc"
	"github.com/attrib/attrib/crawler/extract"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/shareddata"
	"github.com/attrib/attrib/store"
)

// TestAuditRealWARC registers an excerpt of one page of the real iana.org
// crawl and audits the WARC: the page's response record is attributed at
// its exact offset, and every other attribution is a record whose text
// really contains the excerpt.
func TestAuditRealWARC(t *testing.T) {
	ctx := context.Background()
	path := shareddata.Path(t, "warc/iana.warc.gz")
	texts := map[string]string{} // locator -> extracted text of HTML records
	rd, err := warc.Open(path, dataset.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	var target, excerpt string
	for {
		rec, err := rd.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			continue
		}
		if rec.Kind != dataset.KindHTML {
			continue
		}
		res, err := extract.FromReader(strings.NewReader(string(rec.Body)), nil, 0)
		if err != nil {
			continue
		}
		texts[rec.Locator] = res.Text
		if words := strings.Fields(res.Text); target == "" && len(words) >= 120 {
			target, excerpt = rec.Locator, strings.Join(words[40:100], " ")
		}
	}
	rd.Close()
	if target == "" {
		t.Fatal("no HTML record of 120 words in iana.warc.gz")
	}
	e := newEnv(t)
	if _, _, err := e.m.Register(ctx, matcher.Input{Creator: "iana", Title: "excerpt", Kind: store.KindText, Data: []byte(excerpt), Text: excerpt}); err != nil {
		t.Fatal(err)
	}
	files, err := Files([]string{path}, FormatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&Runner{Store: e.st, Matcher: e.m}).Audit(ctx, files, Options{}, "")
	if err != nil {
		t.Fatal(err)
	}
	sc := res.Scan
	if sc.Stats.Records != 343 {
		t.Errorf("audited %d records, want the 343 of iana.warc.gz", sc.Stats.Records)
	}
	ms, err := e.st.Matches(ctx, sc.ID, store.MatchFilter{Creator: "iana"})
	if err != nil {
		t.Fatal(err)
	}
	hit := false
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, m := range ms {
		hit = hit || m.Record == target
		if m.Dataset != path || !strings.Contains(norm(texts[m.Record]), excerpt) {
			t.Errorf("match at %s %s: that record does not contain the excerpt", m.Dataset, m.Record)
		}
	}
	if !hit {
		t.Errorf("the excerpt's own record %s was not attributed; matches: %d", target, len(ms))
	}
}
