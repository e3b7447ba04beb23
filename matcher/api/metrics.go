package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/attrib/attrib/store"
)

// Metrics are the service's Prometheus metrics, on a registry of their own
// (never the global default, so tests and embedders get clean counts).
type Metrics struct {
	reg        *prometheus.Registry
	pages      prometheus.Counter
	images     prometheus.Counter
	matches    prometheus.Counter
	errors     prometheus.Counter
	queueDepth prometheus.GaugeFunc
	scans      prometheus.Histogram
	requests   *prometheus.HistogramVec

	mu    sync.Mutex // guards last, depth and depthFn
	last  map[string]scanProgress
	depth int
	// depthFn, when set, is asked for the queue depth at each scrape.
	depthFn func() int
}

// scanProgress is the last cumulative progress reported for a scan.
type scanProgress struct {
	stats   store.Stats
	matches int64
}

// NewMetrics returns the metrics, registered on a new registry together
// with the Go runtime and process collectors.
func NewMetrics() *Metrics {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "attrib", Name: name, Help: help})
	}
	m := &Metrics{
		reg:     prometheus.NewRegistry(),
		pages:   counter("pages_total", "Pages fetched by scans."),
		images:  counter("images_total", "Images fetched by scans."),
		matches: counter("matches_total", "Matches found by scans."),
		errors:  counter("scan_errors_total", "Fetch and processing errors of scans."),
		scans: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "attrib", Name: "scan_duration_seconds",
			Help: "Duration of finished scans.", Buckets: prometheus.ExponentialBuckets(1, 4, 10)}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "attrib", Name: "http_request_duration_seconds",
			Help: "HTTP request latency by route pattern and status code.", Buckets: prometheus.DefBuckets},
			[]string{"route", "code"}),
		last: make(map[string]scanProgress),
	}
	m.queueDepth = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "attrib", Name: "queue_depth",
		Help: "Scans queued or running in this process."}, m.currentDepth)
	m.reg.MustRegister(m.pages, m.images, m.matches, m.errors, m.queueDepth, m.scans, m.requests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry, for other components' collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Progress takes a scan's cumulative stats and match count (what a scan's
// progress callback reports) and adds the growth since the scan's previous
// report to the counters. Repeated or out-of-order reports add nothing.
func (m *Metrics) Progress(scanID string, s store.Stats, matches int64) {
	m.mu.Lock()
	prev := m.last[scanID]
	cur := scanProgress{stats: maxStats(prev.stats, s), matches: max(prev.matches, matches)}
	m.last[scanID] = cur
	m.mu.Unlock()
	m.pages.Add(float64(cur.stats.Pages - prev.stats.Pages))
	m.images.Add(float64(cur.stats.Images - prev.stats.Images))
	m.errors.Add(float64(cur.stats.Errors - prev.stats.Errors))
	m.matches.Add(float64(cur.matches - prev.matches))
}

func maxStats(a, b store.Stats) store.Stats {
	return store.Stats{
		Pages: max(a.Pages, b.Pages), Images: max(a.Images, b.Images), Records: max(a.Records, b.Records),
		Bytes: max(a.Bytes, b.Bytes), Errors: max(a.Errors, b.Errors), Skipped: max(a.Skipped, b.Skipped),
	}
}

// ScanFinished records a finished scan's duration and forgets its progress.
func (m *Metrics) ScanFinished(scanID string, d time.Duration) {
	m.mu.Lock()
	delete(m.last, scanID)
	m.mu.Unlock()
	m.scans.Observe(d.Seconds())
}

// SetQueueDepth sets the number of scans queued or running.
func (m *Metrics) SetQueueDepth(n int) {
	m.mu.Lock()
	m.depth = n
	m.mu.Unlock()
}

// QueueDepthFunc makes every scrape ask fn for the queue depth (the
// launcher knows it best), replacing SetQueueDepth's value.
func (m *Metrics) QueueDepthFunc(fn func() int) {
	m.mu.Lock()
	m.depthFn = fn
	m.mu.Unlock()
}

func (m *Metrics) currentDepth() float64 {
	m.mu.Lock()
	fn, n := m.depthFn, m.depth
	m.mu.Unlock()
	if fn != nil {
		n = fn()
	}
	return float64(n)
}

// Instrument records each request's latency under the ServeMux pattern that
// served it (never the raw path: IDs would explode the label set).
func (m *Metrics) Instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern // set in place by the ServeMux that routed r
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Observe(time.Since(start).Seconds())
	})
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
