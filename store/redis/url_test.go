package redis

import (
	"slices"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		addrs   []string // want; one for a single server
		cluster bool
		db      int
		tls     bool
		user    string
		wantErr bool
	}{
		{name: "one server", url: "redis://host:6379/0", addrs: []string{"host:6379"}},
		{name: "database 3", url: "redis://host:6380/3", addrs: []string{"host:6380"}, db: 3},
		{name: "default port", url: "redis://host", addrs: []string{"host:6379"}},
		{name: "tls and password", url: "rediss://u:secret@host:6390/1", addrs: []string{"host:6390"}, db: 1, tls: true, user: "u"},
		{name: "go-redis option", url: "redis://host:6379/0?dial_timeout=3s&pool_size=20", addrs: []string{"host:6379"}},
		{name: "cluster seeds", url: "redis://h1:7000?addr=h2:7001&addr=h3:7002", cluster: true,
			addrs: []string{"h1:7000", "h2:7001", "h3:7002"}},
		{name: "cluster database 0", url: "redis://h1:7000/0?addr=h2:7001", cluster: true, addrs: []string{"h1:7000", "h2:7001"}},
		{name: "cluster one seed", url: "redis://h1:7000?cluster=true", cluster: true, addrs: []string{"h1:7000"}},
		{name: "cluster tls", url: "rediss://:pw@h1:7000?addr=h2:7001", cluster: true, tls: true, addrs: []string{"h1:7000", "h2:7001"}},
		{name: "cluster=false", url: "redis://h1:7000/2?cluster=false", addrs: []string{"h1:7000"}, db: 2},
		{name: "cluster database 1", url: "redis://h1:7000/1?addr=h2:7001", wantErr: true},
		{name: "bad cluster flag", url: "redis://h1:7000?cluster=maybe", wantErr: true},
		{name: "bad seed", url: "redis://h1:7000?addr=h2", wantErr: true},
		{name: "http scheme", url: "http://host:6379", wantErr: true},
		{name: "bad database", url: "redis://host:6379/x", wantErr: true},
		{name: "unknown option", url: "redis://host:6379?colour=blue", wantErr: true},
		{name: "not a url", url: "redis://host:6379/%zz", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			single, cluster, err := parseURL(tc.url)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("parseURL(%s) succeeded, want an error", tc.url)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseURL(%s): %v", tc.url, err)
			}
			if (cluster != nil) != tc.cluster || (single == nil) == (cluster == nil) {
				t.Fatalf("parseURL(%s) = single %v, cluster %v; want cluster=%v", tc.url, single != nil, cluster != nil, tc.cluster)
			}
			if cluster != nil {
				if !slices.Equal(cluster.Addrs, tc.addrs) || (cluster.TLSConfig != nil) != tc.tls {
					t.Errorf("cluster addrs %v tls %v, want %v tls %v", cluster.Addrs, cluster.TLSConfig != nil, tc.addrs, tc.tls)
				}
				return
			}
			if single.Addr != tc.addrs[0] || single.DB != tc.db || (single.TLSConfig != nil) != tc.tls || single.Username != tc.user {
				t.Errorf("server %s db %d tls %v user %q, want %s db %d tls %v user %q",
					single.Addr, single.DB, single.TLSConfig != nil, single.Username, tc.addrs[0], tc.db, tc.tls, tc.user)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	if got := redactURL("redis://u:secret@host:6379/0"); got != "redis://u:xxxxx@host:6379/0" {
		t.Errorf("redactURL = %q", got)
	}
}

func TestKeyPart(t *testing.T) {
	ids := []string{"nightly-2026-11-27", "a", "~61", "{a}", "a}", "with space", "ünï", "", "~", "s_20261127T025317Z-3f9c1a"}
	seen := map[string]string{}
	for _, id := range ids {
		p := keyPart(id)
		if prev, ok := seen[p]; ok {
			t.Errorf("keyPart(%q) = keyPart(%q) = %q", id, prev, p)
		}
		seen[p] = id
		for _, r := range p {
			if r == '{' || r == '}' || r <= ' ' || r > '~' {
				t.Errorf("keyPart(%q) = %q contains %q", id, p, r)
			}
		}
	}
	if keyPart("nightly-2026-11-27") != "nightly-2026-11-27" {
		t.Errorf("a plain name is escaped: %q", keyPart("nightly-2026-11-27"))
	}
}

func TestResolveNamespace(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"", "attrib", false},
		{"prod", "prod", false},
		{"team:prod", "team:prod", false},
		{"a{b", "", true},
		{"a}", "", true},
		{"a b", "", true},
		{"a\nb", "", true},
	}
	for _, tc := range tests {
		got, err := resolveNamespace(tc.in)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("resolveNamespace(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}
