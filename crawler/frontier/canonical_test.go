package frontier

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"lowercase scheme and host", "HTTP://Example.COM/A/B", "http://example.com/A/B"},
		{"empty path", "http://example.com", "http://example.com/"},
		{"fragment dropped", "http://example.com/page.html#section", "http://example.com/page.html"},
		{"empty fragment dropped", "http://example.com/#", "http://example.com/"},
		{"default http port", "http://example.com:80/x", "http://example.com/x"},
		{"default https port", "https://example.com:443/x", "https://example.com/x"},
		{"other port kept", "https://example.com:80/x", "https://example.com:80/x"},
		{"port leading zeros", "http://example.com:08080/", "http://example.com:8080/"},
		{"empty port", "http://example.com:/x", "http://example.com/x"},
		{"dot segments", "http://example.com/a/./b/../c", "http://example.com/a/c"},
		{"dot dot to b", "http://example.com/a/../b", "http://example.com/b"},
		{"dot dot above root", "http://example.com/../../a", "http://example.com/a"},
		{"trailing dot dot", "http://example.com/a/b/..", "http://example.com/a/"},
		{"trailing dot", "http://example.com/a/.", "http://example.com/a/"},
		{"encoded dots", "http://example.com/a/%2E%2e/b", "http://example.com/b"},
		{"query sorted", "http://example.com/?b=2&a=1&c=3", "http://example.com/?a=1&b=2&c=3"},
		{"query repeated names keep order", "http://example.com/?b=2&a=9&b=1", "http://example.com/?a=9&b=2&b=1"},
		{"empty query dropped", "http://example.com/x?", "http://example.com/x"},
		{"empty params dropped", "http://example.com/x?&a=1&&", "http://example.com/x?a=1"},
		{"escapes uppercased", "http://example.com/a%2fb?x=%2f", "http://example.com/a%2Fb?x=%2F"},
		{"unreserved decoded", "http://example.com/%7Euser/%41", "http://example.com/~user/A"},
		{"space and unicode escaped", "http://example.com/ä b?q=ä b", "http://example.com/%C3%A4%20b?q=%C3%A4%20b"},
		{"stray percent in query", "http://example.com/?q=100%", "http://example.com/?q=100%25"},
		{"idna host", "http://Bücher.Example/", "http://xn--bcher-kva.example/"},
		{"trailing dot host", "http://example.com./", "http://example.com/"},
		{"ipv4", "http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"},
		{"ipv6", "http://[0:0::1]:80/", "http://[::1]/"},
		{"surrounding space", "  http://example.com/x \n", "http://example.com/x"},
		{"underscore host", "http://my_host.example.com/", "http://my_host.example.com/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonical(tt.in)
			if err != nil {
				t.Fatalf("Canonical(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Canonical(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCanonicalRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"javascript", "javascript:alert(1)"},
		{"mailto", "mailto:a@example.com"},
		{"data", "data:text/html,<b>x</b>"},
		{"file", "file:///etc/passwd"},
		{"ftp", "ftp://example.com/x"},
		{"relative", "/a/b"},
		{"scheme relative", "//example.com/a"},
		{"opaque http", "http:example.com"},
		{"userinfo", "http://user:pass@example.com/"},
		{"user only", "http://user@example.com/"},
		{"empty host", "http:///x"},
		{"empty", ""},
		{"port zero", "http://example.com:0/"},
		{"port too big", "http://example.com:65536/"},
		{"bad escape", "http://example.com/%zz"},
		{"empty label", "http://a..b/"},
		{"ipv6 zone", "http://[fe80::1%25eth0]/"},
		{"bad host char", "http://exa$mple.com/"},
		{"too long", "http://example.com/" + strings.Repeat("a", MaxURLLength)},
		{"control char", "http://example.com/\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonical(tt.in)
			if err == nil {
				t.Fatalf("Canonical(%q) = %q, want an error", tt.in, got)
			}
			if !errors.Is(err, ErrBadURL) {
				t.Errorf("error %v does not wrap ErrBadURL", err)
			}
		})
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{
		"http://example.com/a/../b?b=1&a=2#x", "HTTPS://Bücher.example:443/%7e/./x?%zz",
		"http://[::1]:8080/a%2F..", "javascript:alert(1)", "http://a/%2e%2E/?q=ä b&&",
		"http://x/a/b/../../../c/.", "http://1.2.3.4:65535/?z&y=&x==", "http://a.b/;p?q#f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := Canonical(in)
		if err != nil {
			if !errors.Is(err, ErrBadURL) {
				t.Fatalf("error %v does not wrap ErrBadURL", err)
			}
			return
		}
		u, err := url.Parse(c)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
			t.Fatalf("Canonical(%q) = %q: not an absolute http(s) url (%v)", in, c, err)
		}
		again, err := Canonical(c)
		if err != nil || again != c {
			t.Fatalf("not idempotent: Canonical(%q) = %q, then %q (%v)", in, c, again, err)
		}
	})
}
