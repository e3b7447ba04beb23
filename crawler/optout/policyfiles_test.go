package optout

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readFixture returns testdata/name.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// kv renders signals as "kind|value", checking their source.
func kv(t testing.TB, sigs []Signal, source string) []string {
	t.Helper()
	var out []string
	for _, s := range sigs {
		if source != "" && s.Source != source {
			t.Errorf("%v: source %q, want %q", s, s.Source, source)
		}
		out = append(out, s.Kind+"|"+s.Value)
	}
	return out
}

func TestRobotsSignals(t *testing.T) {
	const src = "https://site.example/robots.txt"
	tests := []struct {
		file, path string
		agents     []string
		want       []string
	}{
		{"news.txt", "/world/story.html", nil, []string{"robots|gptbot: disallow /", "robots|ccbot: disallow /", "robots|google-extended: disallow /"}},
		{"news.txt", "/archive/2020/x", nil, []string{"robots|gptbot: disallow /", "robots|ccbot: disallow /", "robots|google-extended: disallow /",
			"robots|claudebot: disallow /archive/", "robots|anthropic-ai: disallow /archive/"}},
		{"news.txt", "/archive/free/x", nil, []string{"robots|gptbot: disallow /", "robots|ccbot: disallow /", "robots|google-extended: disallow /"}},
		{"news.txt", "/search?q=1", []string{"ClaudeBot", "Claude-Web"}, []string{"robots|*: disallow /search"}},
		{"news.txt", "/search/about", []string{"Claude-Web"}, nil},                                               // Allow …$ is longer
		{"news.txt", "/x?query=1", []string{"Claude-Web"}, []string{"robots|*: disallow /*?query="}},             // wildcard
		{"news.txt", "/world/story.html", []string{"PerplexityBot"}, nil},                                        // empty Disallow allows
		{"news.txt", "/world/story.html", []string{"ChatGPT-User"}, []string{"robots|chatgpt-user: disallow /"}}, // configured agent
		{"cloudflare.txt", "/page", nil, []string{"robots|bytespider: disallow /", "robots|amazonbot: disallow /", "content-signal|*: search=yes,ai-train=no"}},
		{"aipref.txt", "/test", nil, []string{"content-usage|*: / train-ai=n"}},
		{"aipref.txt", "/never/test", nil, []string{"robots|*: disallow /never/"}}, // no preference where not crawlable
		{"aipref.txt", "/ai-ok/test", nil, nil},                                    // the longer path allows
		{"staronly.txt", "/private/a", nil, []string{"robots|*: disallow /private/"}},
		{"staronly.txt", "/doc.pdf", nil, []string{"robots|*: disallow /*.pdf$"}},
		{"staronly.txt", "/doc.pdf?x=1", nil, nil},
		{"staronly.txt", "/public", nil, nil},
		{"tricky.txt", "/page", nil, nil},                                              // Allow wins a tie; the rule before any group is ignored
		{"tricky.txt", "/pagex", nil, nil},                                             // still the tie
		{"tricky.txt", "/merged/1", nil, []string{"robots|gptbot: disallow /merged/"}}, // groups of one agent merge, any case
		{"tricky.txt", "/a/~user/x", nil, []string{"robots|applebot-extended: disallow /a/%7Euser/"}},
		{"tricky.txt", "/a/%7euser/x", nil, []string{"robots|applebot-extended: disallow /a/%7Euser/"}},
		{"tricky.txt", "/caf%c3%a9/menu", nil, []string{"robots|applebot-extended: disallow /caf%C3%A9"}},
		{"tricky.txt", "/xaby", nil, []string{"robots|meta-externalagent: disallow /x*y$"}},
		{"tricky.txt", "/xabyz", nil, nil},
		{"tricky.txt", "/docs/a", nil, []string{"content-usage|diffbot: /docs/ train-ai=n"}}, // equal paths: most restrictive
		{"tricky.txt", "/blog/a", nil, nil},                                                  // "N" is not the token n
		{"tricky.txt", "/shop/a", nil, []string{"content-signal|diffbot: /shop/ ai-train=no, search=yes"}},
		{"tricky.txt", "/claude", []string{"ClaudeBot", "Claude"}, []string{"robots|claude: disallow /"}}, // not ClaudeBot's
	}
	for _, tt := range tests {
		t.Run(tt.file+tt.path, func(t *testing.T) {
			r := ParseRobots(readFixture(t, "robots/"+tt.file))
			got := kv(t, r.RobotsSignals(mustURL(t, "https://site.example"+tt.path), tt.agents, src), src)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestAITxtSignals(t *testing.T) {
	const src = "https://site.example/ai.txt"
	tests := []struct {
		file, path string
		want       []string
	}{
		{"spawning.txt", "/photo.JPG", []string{"ai.txt|*: disallow *.jpg"}},
		{"spawning.txt", "/notes.txt", []string{"ai.txt|img2dataset: disallow *.txt"}}, // Allow *.txt for the others
		{"spawning.txt", "/blog/post.html", nil},
		{"spawning.txt", "/blog/pic.png", nil}, // /blog/ is longer than *.png
		{"spawning.txt", "/about.html", []string{"ai.txt|*: disallow /"}},
		{"spawning.txt", "/img.png?w=200", []string{"ai.txt|*: disallow *.png"}},
		{"jetpack.txt", "/poem.txt", []string{"ai.txt|*: disallow *.txt"}},
		{"jetpack.txt", "/index.html", []string{"ai.txt|*: disallow *.html"}},
		{"jetpack.txt", "/", []string{"ai.txt|*: disallow /"}},
		{"allowall.txt", "/a.jpg", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file+tt.path, func(t *testing.T) {
			r := ParseAITxt(readFixture(t, "aitxt/"+tt.file))
			got := kv(t, r.AITxtSignals(mustURL(t, "https://site.example"+tt.path), src), src)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestTDMRepSignals(t *testing.T) {
	const src = "https://site.example/.well-known/tdmrep.json"
	base := mustURL(t, src)
	tests := []struct {
		file, path string
		want       []string
	}{
		{"site.json", "/public/a.html", nil}, // first match: not reserved
		{"site.json", "/images/x.png", []string{"tdmrep|location /images/*.png$: tdm-reservation 1, tdm-policy https://rights.example/policy.json"}},
		{"site.json", "/images/x.png?v=2", []string{"tdmrep|location /: tdm-reservation 1, tdm-policy https://site.example/tdm/policy.json"}},
		{"site.json", "/legacy/a", []string{"tdmrep|location /legacy/: tdm-reservation 1"}},
		{"site.json", "/Public/a.html", []string{"tdmrep|location /: tdm-reservation 1, tdm-policy https://site.example/tdm/policy.json"}}, // case-sensitive
		{"unreserved.json", "/a", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file+tt.path, func(t *testing.T) {
			rep, err := ParseTDMRep(readFixture(t, "tdmrep/"+tt.file), base)
			if err != nil {
				t.Fatal(err)
			}
			got := kv(t, rep.Signals(mustURL(t, "https://site.example"+tt.path), src), src)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	for _, bad := range []string{"tdmrep/invalid.json", "aitxt/spawning.txt"} {
		if _, err := ParseTDMRep(readFixture(t, bad), base); err == nil {
			t.Errorf("%s parsed as a tdmrep.json", bad)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pat, path string
		want      bool
	}{
		{"/", "/", true},
		{"/a", "/abc", true},
		{"/a$", "/a", true},
		{"/a$", "/ab", false},
		{"/*.php", "/x/y.php?z", true},
		{"/*.php$", "/x/y.php?z", false},
		{"/a*b*c$", "/a1b2c", true},
		{"/a*b*c$", "/a1b2c3", false},
		{"/a*bc$", "/abcbc", true},
		{"*", "/anything", true},
		{"/fish*", "/Fish", false},
		{"/**", "/x", true},
	}
	for _, tt := range tests {
		if got := globMatch(normalizePath(tt.pat), tt.path); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pat, tt.path, got, tt.want)
		}
	}
}

// TestRobotsHostileIsLinear parses a file of many groups and long
// patterns: parsing and matching stay cheap (index is linear; no rule is
// a backtracking regexp).
func TestRobotsHostileIsLinear(t *testing.T) {
	body := hostileRobots()
	r := ParseRobots(body)
	if len(r.groups) < 5000 {
		t.Fatalf("%d groups parsed", len(r.groups))
	}
	u := mustURL(t, "https://x.example/"+strings.Repeat("a", 4000))
	if got := r.RobotsSignals(u, []string{"bot7"}, ""); len(got) != 0 {
		t.Errorf("signals %v for a path that ends in a", got)
	}
	if got := ParseAITxt(body).AITxtSignals(u, ""); len(got) != 0 {
		t.Errorf("ai.txt signals %v", got)
	}
}

// hostileRobots returns a robots.txt of just under MaxPolicyBytes: one
// group per agent, each with a many-wildcard pattern.
func hostileRobots() []byte {
	var b strings.Builder
	for i := 0; ; i++ {
		line := fmt.Sprintf("User-agent: bot%d\nDisallow: /%s*a*a*a*a*a*b$\n", i, strings.Repeat("a", i%50))
		if b.Len()+len(line) > MaxPolicyBytes {
			return []byte(b.String())
		}
		b.WriteString(line)
	}
}
