package extract

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/attrib/attrib/crawler/optout"
)

func TestHeaderSignals(t *testing.T) {
	const src = "https://example.com/img.png"
	tests := []struct {
		name   string
		header http.Header
		want   []string // "kind|value"
	}{
		{"none", http.Header{}, nil},
		{"noai noimageai", http.Header{"X-Robots-Tag": {"noai, noimageai"}}, []string{"x-robots-tag|noai", "x-robots-tag|noimageai"}},
		{"case and spacing", http.Header{"X-Robots-Tag": {"  NOAI ,NoImageAI  "}}, []string{"x-robots-tag|noai", "x-robots-tag|noimageai"}},
		{"search-only directives ignored", http.Header{"X-Robots-Tag": {"noindex, nofollow, noarchive"}}, nil},
		{"agent prefix", http.Header{"X-Robots-Tag": {"GPTBot: noai, noimageai"}}, []string{"x-robots-tag|gptbot: noai", "x-robots-tag|gptbot: noimageai"}},
		{"agent switch within a value", http.Header{"X-Robots-Tag": {"googlebot: noindex, otherbot: noai"}}, []string{"x-robots-tag|otherbot: noai"}},
		{"several fields", http.Header{"X-Robots-Tag": {"noindex", "CCBot: notrain", "noai"}}, []string{"x-robots-tag|ccbot: notrain", "x-robots-tag|noai"}},
		{"parameter directive is not an agent", http.Header{"X-Robots-Tag": {"max-snippet: 10, noai"}}, []string{"x-robots-tag|noai"}},
		{"date with colons is not an agent", http.Header{"X-Robots-Tag": {"unavailable_after: Friday, 25-Jun-2010 15:00:00 PST, noai"}}, []string{"x-robots-tag|noai"}},
		{"duplicates once", http.Header{"X-Robots-Tag": {"noai", "noai, noai"}}, []string{"x-robots-tag|noai"}},
		{"tdm reserved with policy", http.Header{"Tdm-Reservation": {"1"}, "Tdm-Policy": {" https://example.com/policy.json "}}, []string{"tdmrep|tdm-reservation: 1", "tdmrep|tdm-policy: https://example.com/policy.json"}},
		{"tdm reserved", http.Header{"Tdm-Reservation": {"1"}}, []string{"tdmrep|tdm-reservation: 1"}},
		{"tdm not reserved", http.Header{"Tdm-Reservation": {"0"}, "Tdm-Policy": {"https://example.com/p"}}, nil},
		{"tdm policy alone", http.Header{"Tdm-Policy": {"https://example.com/p"}}, nil},
		{"noindex for an AI crawler", http.Header{"X-Robots-Tag": {"GPTBot: noindex", "noindex"}}, []string{"x-robots-tag|gptbot: noindex"}},
		{"content-usage", http.Header{"Content-Usage": {"train-ai=n, search=y"}}, []string{"content-usage|train-ai=n, search=y"}},
		{"content-signal", http.Header{"Content-Signal": {"ai-train=no"}}, []string{"content-signal|ai-train=no"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range HeaderSignals(tt.header, src) {
				if s.Source != src {
					t.Errorf("Source = %q, want %q", s.Source, src)
				}
				got = append(got, s.Kind+"|"+s.Value)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("HeaderSignals = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestHeaderSignalsFromServer reads the headers of a real response, as the
// crawler does, including a header name in lower case on the wire.
func TestHeaderSignalsFromServer(t *testing.T) {
	srv := newHeaderServer(t, map[string][]string{
		"x-robots-tag":    {"noai", "GPTBot: noimageai"},
		"tdm-reservation": {"1"},
	})
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var got []string
	for _, s := range HeaderSignals(resp.Header, srv.URL) {
		got = append(got, s.Kind+"|"+s.Value)
	}
	want := []string{"x-robots-tag|noai", "x-robots-tag|gptbot: noimageai", "tdmrep|tdm-reservation: 1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("HeaderSignals = %q, want %q", got, want)
	}
}

// TestSignalsBounded checks that a page declaring thousands of distinct
// agents yields at most optout.MaxSignals signals.
func TestSignalsBounded(t *testing.T) {
	var page strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&page, `<meta name="bot%d" content="noai">`, i)
	}
	if n := len(extractString(t, page.String()).Signals); n != optout.MaxSignals {
		t.Errorf("%d signals, want %d", n, optout.MaxSignals)
	}
	h := http.Header{}
	for i := range 5000 {
		h.Add("X-Robots-Tag", fmt.Sprintf("bot%d: noai", i))
	}
	if n := len(HeaderSignals(h, "")); n != optout.MaxSignals {
		t.Errorf("%d header signals, want %d", n, optout.MaxSignals)
	}
}

func TestSignalParts(t *testing.T) {
	tests := []struct {
		sig              Signal
		agent, directive string
	}{
		{Signal{Kind: KindMeta, Value: "noai"}, "", "noai"},
		{Signal{Kind: KindMeta, Value: "gptbot: noimageai"}, "gptbot", "noimageai"},
		{Signal{Kind: KindXRobotsTag, Value: "ccbot: notrain"}, "ccbot", "notrain"},
		{Signal{Kind: KindTDMRep, Value: "tdm-policy: https://x/p"}, "", "tdm-policy: https://x/p"},
	}
	for _, tt := range tests {
		if a, d := tt.sig.Agent(), tt.sig.Directive(); a != tt.agent || d != tt.directive {
			t.Errorf("%v: Agent, Directive = %q, %q; want %q, %q", tt.sig, a, d, tt.agent, tt.directive)
		}
	}
}

func TestMetaSignals(t *testing.T) {
	tests := []struct{ name, html, want string }{
		{"robots", `<meta name="robots" content="noai">`, "[{meta noai " + testBase + "}]"},
		{"name case", `<meta name="ROBOTS" content="NOIMAGEAI">`, "[{meta noimageai " + testBase + "}]"},
		{"agent name", `<meta name="Bingbot" content="noai">`, "[{meta bingbot: noai " + testBase + "}]"},
		{"keywords ignored", `<meta name="keywords" content="noai">`, "[]"},
		{"noindex for an AI crawler", `<meta name="CCBot" content="noindex, nofollow"><meta name="robots" content="noindex">`, "[{meta ccbot: noindex " + testBase + "}]"},
		{"noindex for a search crawler", `<meta name="Googlebot" content="noindex">`, "[]"},
		{"AI crawler without bot in its name", `<meta name="cohere-ai" content="none">`, "[{meta cohere-ai: none " + testBase + "}]"},
		{"no content", `<meta name="robots">`, "[]"},
		{"meta in body", `<body><p>x</p><meta name="robots" content="noai"></body>`, "[{meta noai " + testBase + "}]"},
		{"tdm absolute policy", `<meta name="tdm-reservation" content=" 1 "><meta name="tdm-policy" content="https://p.example/x">`,
			"[{tdmrep tdm-reservation: 1 " + testBase + "} {tdmrep tdm-policy: https://p.example/x " + testBase + "}]"},
		{"tdm javascript policy dropped", `<meta name="tdm-reservation" content="1"><meta name="tdm-policy" content="javascript:x">`,
			"[{tdmrep tdm-reservation: 1 " + testBase + "}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmt.Sprint(extractString(t, tt.html).Signals); got != tt.want {
				t.Errorf("Signals = %s, want %s", got, tt.want)
			}
		})
	}
}
