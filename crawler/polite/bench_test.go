package polite

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attrib/attrib/store/redistest"
)

// benchGate measures Acquire+release from parallel goroutines, each on a
// host of its own (hosts), or all on one host with no rate and a
// concurrency above the goroutines (one), so that only the gate's own
// cost is measured.
func benchGate(b *testing.B, g gate) {
	for _, bc := range []struct {
		name  string
		hosts bool
	}{{"hosts", true}, {"one", false}} {
		b.Run(bc.name, func(b *testing.B) {
			var n atomic.Int64
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				host := "one.test"
				if bc.hosts {
					host = fmt.Sprintf("h%d.test", n.Add(1))
				}
				for pb.Next() {
					release, err := g.Acquire(context.Background(), host, 0)
					if err != nil {
						b.Error(err)
						return
					}
					release()
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "acquisitions/s")
		})
	}
}

func BenchmarkMemory(b *testing.B) {
	m, err := NewMemory(Options{Concurrency: 1 << 10})
	if err != nil {
		b.Fatal(err)
	}
	benchGate(b, m)
}

func BenchmarkRedis(b *testing.B) {
	c, ns := redistest.Client(b)
	g, err := NewRedis(c, ns, Options{Concurrency: 1 << 10})
	if err != nil {
		b.Fatal(err)
	}
	benchGate(b, g)
}
