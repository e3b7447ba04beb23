package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attrib/attrib/matcher/browsertest"
)

// TestHTMLInChromium opens the fixture's HTML report in headless Chromium
// (one browser, one page) and checks that it renders what the report holds
// without console errors, exceptions or blocked resources.
func TestHTMLInChromium(t *testing.T) {
	exe := browsertest.Chromium(t)
	r := fixtureReport(t)
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, []byte(renderHTMLString(t, r)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.Tab(t, exe)

	// Subscribe before navigating: the queue keeps every message in order.
	messages := chromedp.Console(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path), chromedp.WaitReady("main")); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	count := func(expr string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](expr))
		if err != nil {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
		return n
	}
	summaryRows := count(`document.querySelectorAll('#summary tbody tr').length`)
	shareRows := count(`document.querySelectorAll('#shares tbody tr').length`)
	marks := count(`document.querySelectorAll('blockquote mark').length`)
	thumbWidth := count(`(() => { const i = document.querySelector('img.thumb'); return i && i.complete ? i.naturalWidth : -1 })()`)
	matchCount, err := chromedp.Run(ctx, chromedp.Text("#match-count"))
	if err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	const end = "attrib: end of browser test"
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`console.info(`+"`"+end+"`"+`)`)); err != nil {
		t.Fatal(err)
	}
	var problems []string
	for m, err := range messages {
		if err != nil {
			t.Fatalf("console: %v", err)
		}
		if m.Type == chromedp.ConsoleInfo && m.Text == end {
			break
		}
		if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() {
			problems = append(problems, m.String()+" ("+m.Source+")")
		}
	}
	passages := 0
	for _, m := range r.Matches {
		passages += len(m.Evidence.Passages)
	}
	shares := 0
	for _, d := range r.Documents {
		shares += len(d.Shares)
	}
	if summaryRows != len(r.Matches) || shareRows != shares || marks != passages || matchCount != fmt.Sprint(len(r.Matches)) {
		t.Errorf("rendered %d summary rows, %d share rows, %d highlighted passages, count %q; want %d, %d, %d",
			summaryRows, shareRows, marks, matchCount, len(r.Matches), shares, passages)
	}
	if thumbWidth != 48 {
		t.Errorf("thumbnail natural width %d, want the 48 px test JPEG decoded", thumbWidth)
	}
	if !strings.HasPrefix(title, "Attribution report scan-0001") {
		t.Errorf("title %q", title)
	}
	if len(problems) > 0 {
		t.Errorf("the page reported problems:\n%s", strings.Join(problems, "\n"))
	}
}
