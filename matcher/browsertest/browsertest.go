// Package browsertest starts headless Chromium (Debian's chromium, through
// chromedp) for tests that check pages in a real browser. Without Chromium
// those tests skip with a message, unless ATTRIB_REQUIRE_BROWSER is set (CI),
// when they fail: CI never passes by skipping.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium returns the path of a Chromium executable, skipping or failing
// the test when there is none.
func Chromium(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("ATTRIB_REQUIRE_BROWSER") != "" {
		tb.Fatal("no Chromium found and ATTRIB_REQUIRE_BROWSER is set")
	}
	tb.Skip("no Chromium found (set ATTRIB_REQUIRE_BROWSER to fail instead)")
	return ""
}

// Tab starts headless Chromium at exe and returns a context driving one
// tab; the browser is closed when the test ends. extra adds allocator
// options (a window size, say).
func Tab(tb testing.TB, exe string, extra ...chromedp.ExecAllocatorOption) context.Context {
	tb.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU)
	opts = append(opts, extra...)
	// The deadline only guards against a hung browser; nothing is timed.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	tb.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tb.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	tb.Cleanup(cancelTab)
	return ctx
}
