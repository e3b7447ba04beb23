package optout

import (
	"fmt"
	"net/http"
	"testing"
)

func TestHeaderSignals(t *testing.T) {
	const src = "https://example.com/img.png"
	tests := []struct {
		name   string
		header http.Header
		want   []string
	}{
		{"none", http.Header{}, nil},
		{"noai", http.Header{"X-Robots-Tag": {"noai, noimageai"}}, []string{"x-robots-tag|noai", "x-robots-tag|noimageai"}},
		{"noindex for all is search only", http.Header{"X-Robots-Tag": {"noindex, none, noimageindex"}}, nil},
		{"noindex for an AI crawler", http.Header{"X-Robots-Tag": {"GPTBot: noindex", "img2dataset: noimageindex"}}, []string{"x-robots-tag|gptbot: noindex", "x-robots-tag|img2dataset: noimageindex"}},
		{"noindex for a search crawler", http.Header{"X-Robots-Tag": {"googlebot: noindex"}}, nil},
		{"agent switch", http.Header{"X-Robots-Tag": {"googlebot: noindex, CCBot: none"}}, []string{"x-robots-tag|ccbot: none"}},
		{"content-usage", http.Header{"Content-Usage": {"train-ai=n"}}, []string{"content-usage|train-ai=n"}},
		{"content-usage with search", http.Header{"Content-Usage": {"search=y, train-ai=n;reason=\"x\""}}, []string{`content-usage|search=y, train-ai=n;reason="x"`}},
		{"content-usage allows", http.Header{"Content-Usage": {"train-ai=y"}}, nil},
		{"content-usage last wins", http.Header{"Content-Usage": {"train-ai=n", "train-ai=y"}}, nil},
		{"content-usage over two lines", http.Header{"Content-Usage": {"search=y", "train-ai=n"}}, []string{"content-usage|search=y, train-ai=n"}},
		{"content-usage string is unknown", http.Header{"Content-Usage": {`train-ai="n"`}}, nil},
		{"content-usage upper-case key fails", http.Header{"Content-Usage": {"Train-AI=n"}}, nil},
		{"content-usage malformed", http.Header{"Content-Usage": {"train-ai=n,"}}, nil},
		{"content-usage legacy tdm", http.Header{"Content-Usage": {"tdm=n"}}, []string{"content-usage|tdm=n"}},
		{"content-usage ai-use only", http.Header{"Content-Usage": {"ai-use=n"}}, nil},
		{"content-signal", http.Header{"Content-Signal": {"search=yes, ai-train=no"}}, []string{"content-signal|search=yes, ai-train=no"}},
		{"content-signal ai-input only", http.Header{"Content-Signal": {"ai-input=no, ai-train=yes"}}, nil},
		{"tdm", http.Header{"Tdm-Reservation": {"1"}, "Tdm-Policy": {"https://p.example/x"}}, []string{"tdmrep|tdm-reservation: 1", "tdmrep|tdm-policy: https://p.example/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := kv(t, HeaderSignals(tt.header, src), src)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseDictionary(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want map[string]string
	}{
		{"train-ai=n", true, map[string]string{"train-ai": "n"}},
		{"  train-ai=y,search=n  ", true, map[string]string{"train-ai": "y", "search": "n"}},
		{"a, b;p=1, c=(x y);q", true, map[string]string{"a": "", "b": "", "c": ""}},
		{`a="s\"t", b=:AQID:, c=?1, d=-1.5, e=@1700000000, f=%"caf%c3%a9"`, true, map[string]string{"a": "", "b": "", "c": "", "d": "", "e": "", "f": ""}},
		{"train-ai=n;x", true, map[string]string{"train-ai": "n"}},
		{"", true, map[string]string{}},
		{"A=n", false, nil},
		{"a=n,", false, nil},
		{"a=n b=y", false, nil},
		{`a="unterminated`, false, nil},
		{"a=1.2345", false, nil},
		{"a=(x", false, nil},
	}
	for _, tt := range tests {
		got, ok := parseDictionary(tt.in)
		if ok != tt.ok || (ok && fmt.Sprint(got) != fmt.Sprint(tt.want)) {
			t.Errorf("parseDictionary(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSignalParts(t *testing.T) {
	tests := []struct {
		sig              Signal
		agent, directive string
	}{
		{Signal{Kind: KindMeta, Value: "gptbot: noimageai"}, "gptbot", "noimageai"},
		{Signal{Kind: KindRobots, Value: "*: disallow /"}, "*", "disallow /"},
		{Signal{Kind: KindContentUsage, Value: "train-ai=n"}, "", "train-ai=n"},
		{Signal{Kind: KindAITxt, Value: "ccbot, gptbot: disallow *.jpg"}, "ccbot, gptbot", "disallow *.jpg"},
		{Signal{Kind: KindIPTC, Value: "plus:DataMining=http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED"}, "", "plus:DataMining=http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED"},
		{Signal{Kind: KindTDMRep, Value: "location /: tdm-reservation 1"}, "", "location /: tdm-reservation 1"},
	}
	for _, tt := range tests {
		if a, d := tt.sig.Agent(), tt.sig.Directive(); a != tt.agent || d != tt.directive {
			t.Errorf("%v: Agent, Directive = %q, %q; want %q, %q", tt.sig, a, d, tt.agent, tt.directive)
		}
	}
}

func TestMergeBounded(t *testing.T) {
	var a, b []Signal
	for i := range 50 {
		a = append(a, Signal{Kind: KindMeta, Value: fmt.Sprint("a", i)})
		b = append(b, Signal{Kind: KindMeta, Value: fmt.Sprint("b", i)}, a[i])
	}
	got := Merge(a, b)
	if len(got) != MaxSignals || got[0].Value != "a0" || got[50].Value != "b0" {
		t.Errorf("Merge kept %d signals starting %v, %v", len(got), got[0], got[50])
	}
	if Merge(nil, nil) != nil {
		t.Error("Merge of nothing is not nil")
	}
}
