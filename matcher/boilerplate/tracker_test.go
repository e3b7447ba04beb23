package boilerplate

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

const (
	nav    = "Home | About us | Archive | Contact"
	footer = "© 2026 Example Press. All rights reserved."
)

// page returns a page of host with the template and a unique body.
func page(i int) string {
	return nav + "\n" + fmt.Sprintf("Article %d: the body of this page is its own, number %d.", i, i) + "\n" + footer + "\n"
}

func TestMaskTemplateLines(t *testing.T) {
	tr := New(DefaultOptions())
	for i := range 10 {
		tr.Observe("example.org", page(i))
	}
	p := page(99)
	got := tr.Mask("example.org", p)
	if len(got) != len(p) {
		t.Fatalf("masked length %d, want %d", len(got), len(p))
	}
	lines := strings.Split(got, "\n")
	if strings.TrimSpace(lines[0]) != "" || strings.TrimSpace(lines[2]) != "" {
		t.Errorf("template lines not masked: %q", got)
	}
	if lines[1] != strings.Split(p, "\n")[1] {
		t.Errorf("body line changed: %q", lines[1])
	}
	if strings.Count(got, "\n") != strings.Count(p, "\n") {
		t.Errorf("line ends changed: %q", got)
	}
	if other := tr.Mask("other.org", p); other != p {
		t.Errorf("another host's page was masked: %q", other)
	}
}

func TestMaskThresholds(t *testing.T) {
	tests := []struct {
		name       string
		withLine   int // pages holding the line
		without    int // pages without it
		wantMasked bool
	}{
		{"too few pages", 4, 0, false},
		{"enough pages", 5, 0, true},
		{"enough pages but rare", 5, 12, false}, // 5/17 < 30%
		{"enough pages and share", 5, 11, true}, // 5/16 >= 30%
		{"common on a big site", 40, 60, true},
	}
	line := "Subscribe to our newsletter for weekly updates"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := New(DefaultOptions())
			for i := range tc.withLine {
				tr.Observe("h", fmt.Sprintf("%s\nunique body text number %d here", line, i))
			}
			for i := range tc.without {
				tr.Observe("h", fmt.Sprintf("other unique body text number %d here", i))
			}
			text := "Intro line that is only here.\n" + line + "\n"
			got := tr.Mask("h", text)
			masked := !strings.Contains(got, line)
			if masked != tc.wantMasked {
				t.Errorf("masked = %v, want %v (%q)", masked, tc.wantMasked, got)
			}
			if !strings.HasPrefix(got, "Intro line that is only here.\n") {
				t.Errorf("unique line changed: %q", got)
			}
		})
	}
}

func TestNormalisation(t *testing.T) {
	tr := New(DefaultOptions())
	variants := []string{
		"Read more about Example Press",
		"  read MORE about example press!  ",
		"Read more — about Example\tPress",
		"Read more about Example Press\r",
		"READ MORE ABOUT EXAMPLE PRESS",
	}
	for i, v := range variants {
		tr.Observe("h", fmt.Sprintf("%s\nbody %d", v, i))
	}
	for _, v := range variants {
		if got := tr.Mask("h", v); strings.TrimSpace(got) != "" || len(got) != len(v) {
			t.Errorf("Mask(%q) = %q: want all spaces of the same length", v, got)
		}
	}
	if got := tr.Mask("h", "Read more about Example Presses"); got == "    " {
		t.Errorf("a different line was masked")
	}
}

func TestShortLinesAndMultibyte(t *testing.T) {
	tr := New(DefaultOptions())
	jp := "ホーム｜会社概要｜お問い合わせ｜サイトマップ"
	for i := range 6 {
		tr.Observe("jp", fmt.Sprintf("%s\nOK\n本文%d", jp, i))
	}
	text := jp + "\nOK\n本文です"
	got := tr.Mask("jp", text)
	want := strings.Repeat(" ", len(jp)) + "\nOK\n本文です"
	if got != want {
		t.Errorf("Mask = %q, want %q", got, want)
	}
}

func TestMasksNothingUnobserved(t *testing.T) {
	tr := New(DefaultOptions())
	text := page(1)
	if got := tr.Mask("example.org", text); got != text {
		t.Errorf("unobserved host masked: %q", got)
	}
	if got := tr.Mask("", ""); got != "" {
		t.Errorf("empty text: %q", got)
	}
}

func TestBounds(t *testing.T) {
	opts := DefaultOptions()
	opts.MaxHosts, opts.MaxLinesPerHost, opts.MaxLinesPerPage = 3, 100, 50
	tr := New(opts)
	for h := range 5 {
		for p := range 20 {
			var b strings.Builder
			for l := range 80 {
				fmt.Fprintf(&b, "host %d page %d distinct line number %d\n", h, p, l)
			}
			b.WriteString(nav + "\n")
			tr.Observe(fmt.Sprintf("h%d", h), b.String())
		}
	}
	s := tr.Stats()
	if s.Hosts != 3 || s.Lines > 3*100 {
		t.Errorf("stats %+v: want 3 hosts and at most 300 lines", s)
	}
	// A line past MaxLinesPerPage is neither counted nor masked.
	if got := tr.Mask("h0", nav); got != nav {
		t.Errorf("line beyond the page cap was counted: %q", got)
	}
	if got := tr.Mask("h4", nav); got != nav {
		t.Errorf("untracked host masked: %q", got)
	}
}

func TestTemplateSurvivesLineCap(t *testing.T) {
	opts := DefaultOptions()
	opts.MaxLinesPerHost = 64
	tr := New(opts)
	for p := range 30 {
		var b strings.Builder
		b.WriteString(nav + "\n")
		for l := range 20 {
			fmt.Fprintf(&b, "page %d has its own line number %d\n", p, l)
		}
		tr.Observe("h", b.String())
	}
	if got := tr.Mask("h", nav); strings.TrimSpace(got) != "" {
		t.Errorf("template line lost to the line cap: %q", got)
	}
	if s := tr.Stats(); s.Lines > 64 {
		t.Errorf("%d lines counted, cap 64", s.Lines)
	}
}

func TestConcurrentUse(t *testing.T) {
	tr := New(DefaultOptions())
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				host := fmt.Sprintf("h%d", i%3)
				tr.Observe(host, page(g*100+i))
				if got := tr.Mask(host, page(i)); len(got) != len(page(i)) {
					t.Errorf("length changed")
				}
			}
		}()
	}
	wg.Wait()
	if got := tr.Mask("h0", page(7)); strings.Contains(got, footer) {
		t.Errorf("footer not masked after concurrent observation: %q", got)
	}
}

func TestMenuLines(t *testing.T) {
	menu := "Home\nBlog\nShare this\nContact\n"
	tr := New(DefaultOptions())
	for i := range 6 {
		tr.Observe("h", fmt.Sprintf("%sPost number %d starts here.\n", menu, i))
	}
	got := tr.Mask("h", menu+"A new post.\n")
	if want := strings.Repeat(" ", 4) + "\n" + strings.Repeat(" ", 4) + "\n" + strings.Repeat(" ", 10) + "\n" + strings.Repeat(" ", 7) + "\nA new post.\n"; got != want {
		t.Errorf("Mask = %q, want %q", got, want)
	}
}

// TestObserveMaskEqualsObserveThenMask: the one-pass form gives what the
// two calls give, page after page.
func TestObserveMaskEqualsObserveThenMask(t *testing.T) {
	a, b := New(DefaultOptions()), New(DefaultOptions())
	chrome := "Home | Blog | About | Contact us for more\nCopyright 2026 The Harbour Gazette, all rights reserved\n"
	for i := range 12 {
		page := chrome + fmt.Sprintf("Story number %d about boats and the harbour at dusk\n", i) + chrome
		a.Observe("h", page)
		want := a.Mask("h", page)
		if got := b.ObserveMask("h", page); got != want {
			t.Fatalf("page %d: ObserveMask\n%q\nObserve+Mask\n%q", i, got, want)
		}
	}
	if a.Mask("h", chrome) == chrome {
		t.Error("chrome never became boilerplate: the test checks nothing")
	}
}
