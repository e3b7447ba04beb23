package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// EnvPrefix starts every environment variable attrib reads.
const EnvPrefix = "ATTRIB_"

// maxFileBytes bounds the config file; a real one is a few KB.
const maxFileBytes = 1 << 20

// Config is every setting attrib reads from a file or the environment.
// The YAML key path, upper-cased and joined with '_' after EnvPrefix, is the
// environment variable: crawl.max_pages -> ATTRIB_CRAWL_MAX_PAGES.
type Config struct {
	DB      string `yaml:"db"`      // SQLite store path
	Redis   string `yaml:"redis"`   // redis://host:port/db; empty for the embedded store
	Verbose bool   `yaml:"verbose"` // debug logging on stderr
	Quiet   bool   `yaml:"quiet"`   // no progress, warnings only
	Crawl   Crawl  `yaml:"crawl"`
	Match   Match  `yaml:"match"`
	Dist    Dist   `yaml:"distributed"`
	Serve   Serve  `yaml:"serve"`
	Scans   Scans  `yaml:"scans"`
	// Schedules are recurring scans attrib serve runs, besides those
	// created through the API. Lists have no environment variable.
	Schedules []Schedule `yaml:"schedules" env:"-"`

	// Transparency holds the settings of the append-only log.
	Transparency Transparency `yaml:"transparency"`
}

// Scans holds the settings of scans attrib serve starts (API and schedules).
type Scans struct {
	MaxConcurrent int `yaml:"max_concurrent"` // scans running in the server at once; later ones wait, queued
	// Revisit makes crawls recrawls: pages are asked for with
	// If-None-Match / If-Modified-Since (at every depth; the links kept
	// from their last full fetch are followed on a 304), and unchanged ones
	// keep their earlier matches.
	Revisit bool `yaml:"revisit"`
}

// Schedule is a recurring scan of the config file.
type Schedule struct {
	Name    string          `yaml:"name"`    // unique among the file's schedules
	Cron    string          `yaml:"cron"`    // "0 2 * * *", "@daily", "@every 6h"
	Kind    string          `yaml:"kind"`    // crawl or audit
	Targets []string        `yaml:"targets"` // seed URLs or dataset paths
	Options ScheduleOptions `yaml:"options"`
}

// ScheduleOptions are a scheduled scan's settings; zero values take the
// crawl section's.
type ScheduleOptions struct {
	Depth    int     `yaml:"depth"`
	MaxPages int     `yaml:"max_pages"`
	Scope    string  `yaml:"scope"`
	Rate     float64 `yaml:"rate"`
	Format   string  `yaml:"format"` // audits: the dataset format
	Full     bool    `yaml:"full"`   // no conditional requests
}

// Dist holds the settings of distributed mode (with Redis).
type Dist struct {
	Namespace       string   `yaml:"namespace"`        // key prefix of this deployment
	Visibility      Duration `yaml:"visibility"`       // lease before a dead process's work is taken over
	MaxAttempts     int      `yaml:"max_attempts"`     // deliveries of a URL before it is dead-lettered
	MaxScans        int      `yaml:"max_scans"`        // scans one worker crawls at once
	MatcherWorkers  int      `yaml:"matcher_workers"`  // matching goroutines per matcher; 0: one per core
	HostConcurrency int      `yaml:"host_concurrency"` // requests in flight per host across all workers
}

// Transparency holds the settings of the transparency log.
type Transparency struct {
	// KeyFile is the instance's ed25519 signing key (PEM, PKCS #8), created
	// with mode 0600 on first use. Empty: next to the SQLite store
	// (<db>.key), or with Redis <user config dir>/attrib/<namespace>.key.
	KeyFile string `yaml:"key_file"`
}

// Serve holds the settings of attrib serve (API and dashboard).
type Serve struct {
	Addr           string `yaml:"addr"`             // listen address
	MaxUploadBytes int64  `yaml:"max_upload_bytes"` // cap on a registration request: its body and the works it fetches from URLs, all together
	// AllowPrivateURLs lets work URLs reach loopback, private and
	// link-local addresses; off, a creator cannot make the server fetch
	// internal services.
	AllowPrivateURLs bool `yaml:"allow_private_urls"`
	// SecureCookies marks the dashboard's session cookie Secure (sent over
	// HTTPS only); turn off only for plain-HTTP access on loopback.
	SecureCookies     bool     `yaml:"secure_cookies"`
	ReadHeaderTimeout Duration `yaml:"read_header_timeout"`
	ReadTimeout       Duration `yaml:"read_timeout"`  // whole request, upload included
	WriteTimeout      Duration `yaml:"write_timeout"` // whole response
	IdleTimeout       Duration `yaml:"idle_timeout"`  // keep-alive connections
}

// Crawl holds crawler settings.
type Crawl struct {
	Depth          int      `yaml:"depth"`
	MaxPages       int      `yaml:"max_pages"`
	Scope          string   `yaml:"scope"`
	Rate           float64  `yaml:"rate"`
	Workers        int      `yaml:"workers"`
	IgnoreRobots   bool     `yaml:"ignore_robots"`
	UserAgent      string   `yaml:"user_agent"`
	Timeout        Duration `yaml:"timeout"`
	MaxPageBytes   int64    `yaml:"max_page_bytes"`
	MaxImageBytes  int64    `yaml:"max_image_bytes"`
	MaxImagePixels int64    `yaml:"max_image_pixels"`
	MaxRedirects   int      `yaml:"max_redirects"`
	SkipImages     bool     `yaml:"skip_images"`
	// HostConcurrency bounds requests in flight to one host (across all
	// workers in distributed mode).
	HostConcurrency int `yaml:"host_concurrency"`
}

// Match holds matcher thresholds.
type Match struct {
	MinPassageWords  int     `yaml:"min_passage_words"`
	MinScore         float64 `yaml:"min_score"`
	ImageMaxDistance int     `yaml:"image_max_distance"`
	PDQMaxDistance   int     `yaml:"pdq_max_distance"`
	// PDQPartMaxDistance bounds pairings of window/part hashes (crops,
	// placements), tighter than whole images because parts are smaller.
	PDQPartMaxDistance int `yaml:"pdq_part_max_distance"`
}

// Duration is a time.Duration written as "20s" in YAML and the environment.
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration as a Go duration string.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// Default returns the built-in defaults.
func Default() Config {
	return Config{
		DB: "attrib.db",
		Crawl: Crawl{
			Depth: 3, Scope: "host", Rate: 4, Workers: 8,
			Timeout:         Duration(20 * time.Second),
			MaxPageBytes:    10 << 20,
			MaxImageBytes:   20 << 20,
			MaxImagePixels:  50_000_000,
			MaxRedirects:    10,
			HostConcurrency: 2,
		},
		Match: Match{MinPassageWords: 16, MinScore: 0.6, ImageMaxDistance: 12, PDQMaxDistance: 31, PDQPartMaxDistance: 26},
		Dist: Dist{
			Namespace: "attrib", Visibility: Duration(5 * time.Minute), MaxAttempts: 5, MaxScans: 4,
		},
		Serve: Serve{
			Addr: "127.0.0.1:8080", MaxUploadBytes: 64 << 20, SecureCookies: true,
			ReadHeaderTimeout: Duration(10 * time.Second), ReadTimeout: Duration(2 * time.Minute),
			WriteTimeout: Duration(5 * time.Minute), IdleTimeout: Duration(2 * time.Minute),
		},
		Scans:     Scans{MaxConcurrent: 1, Revisit: true},
		Schedules: []Schedule{},
	}
}

// Load returns the defaults, overlaid with the YAML file at path (if path is
// not empty), overlaid with the environment as returned by lookup (nil means
// os.LookupEnv). Unknown keys in the file are errors, so typos surface.
func Load(path string, lookup func(string) (string, bool)) (Config, error) {
	cfg := Default()
	if path != "" {
		if err := loadFile(path, &cfg); err != nil {
			return Config{}, err
		}
	}
	if lookup == nil {
		lookup = os.LookupEnv
	}
	if err := applyEnv(reflect.ValueOf(&cfg).Elem(), EnvPrefix, lookup); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func loadFile(path string, cfg *Config) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if len(data) > maxFileBytes {
		return fmt.Errorf("config %s: larger than %d bytes", path, maxFileBytes)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

// EnvNames lists every environment variable Load reads, for --help.
func EnvNames() []string {
	var names []string
	walkFields(reflect.TypeOf(Config{}), EnvPrefix, func(name string, _ []int) {
		names = append(names, name)
	})
	return names
}

func walkFields(t reflect.Type, prefix string, fn func(name string, index []int)) {
	for i := range t.NumField() {
		f := t.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if key == "" || key == "-" || f.Tag.Get("env") == "-" {
			continue
		}
		name := prefix + strings.ToUpper(key)
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(Duration(0)) {
			walkFields(f.Type, name+"_", func(n string, idx []int) {
				fn(n, append([]int{i}, idx...))
			})
			continue
		}
		fn(name, []int{i})
	}
}

func applyEnv(v reflect.Value, prefix string, lookup func(string) (string, bool)) error {
	var firstErr error
	walkFields(v.Type(), prefix, func(name string, index []int) {
		raw, ok := lookup(name)
		if !ok || firstErr != nil {
			return
		}
		if err := setValue(v.FieldByIndex(index), raw); err != nil {
			firstErr = fmt.Errorf("environment %s=%q: %w", name, raw, err)
		}
	})
	return firstErr
}

func setValue(f reflect.Value, raw string) error {
	raw = strings.TrimSpace(raw)
	if f.Type() == reflect.TypeOf(Duration(0)) {
		d, err := time.ParseDuration(raw)
		if err != nil {
			return err
		}
		f.SetInt(int64(d))
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(raw)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return errors.New("want true or false")
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return errors.New("want an integer")
		}
		f.SetInt(n)
	case reflect.Float64:
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return errors.New("want a number")
		}
		f.SetFloat(x)
	default:
		return fmt.Errorf("unsupported setting type %s", f.Type())
	}
	return nil
}
