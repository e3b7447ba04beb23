package dashboard

import (
	"net/http"
	"testing"
)

func TestSameOrigin(t *testing.T) {
	tests := []struct {
		name                      string
		host, origin, referer, xf string
		want                      bool
	}{
		{"same origin", "dash.test", "https://dash.test", "", "", true},
		{"port matters", "dash.test:8080", "http://dash.test:9090", "", "", false},
		{"other site", "dash.test", "https://evil.test", "", "", false},
		{"opaque origin", "dash.test", "null", "", "", false},
		{"referer when no origin", "dash.test", "", "https://dash.test/upload", "", true},
		{"foreign referer", "dash.test", "", "https://evil.test/x", "", false},
		{"neither: left to the token", "dash.test", "", "", "", true},
		{"behind a proxy", "127.0.0.1:8080", "https://attrib.example.org", "", "attrib.example.org", true},
		{"proxy list", "127.0.0.1:8080", "https://attrib.example.org", "", "attrib.example.org, 10.0.0.1", true},
		{"proxy and other site", "127.0.0.1:8080", "https://evil.test", "", "attrib.example.org", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodPost, "http://"+tt.host+"/upload", nil)
			for k, v := range map[string]string{"Origin": tt.origin, "Referer": tt.referer, "X-Forwarded-Host": tt.xf} {
				if v != "" {
					r.Header.Set(k, v)
				}
			}
			if got := sameOrigin(r); got != tt.want {
				t.Errorf("sameOrigin = %v, want %v", got, tt.want)
			}
		})
	}
}
