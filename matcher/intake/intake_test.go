package intake

import (
	"context"
	"errors"
	"github.com/redis/go-redis/v9"
	"strings"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/redistest"
)

func newQueues(t *testing.T, o Options) (a, b *Queue) {
	t.Helper()
	c, prefix := redistest.Client(t)
	o.Namespace = strings.TrimSuffix(prefix, ":")
	oa, ob := o, o
	oa.Consumer, ob.Consumer = "a", "b"
	return New(c, oa), New(c, ob)
}

func receiveAll(t *testing.T, q *Queue, scans []string, want int) []Delivery {
	t.Helper()
	var out []Delivery
	deadline := time.Now().Add(10 * time.Second)
	for len(out) < want && time.Now().Before(deadline) {
		ds, err := q.Receive(context.Background(), scans, want-len(out))
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		out = append(out, ds...)
	}
	return out
}

func TestSendReceiveAck(t *testing.T) {
	ctx := context.Background()
	a, b := newQueues(t, Options{Block: 50 * time.Millisecond})
	p := Page{Scan: "s1", URL: "http://x/1", SHA256: strings.Repeat("a", 64), Text: "some text",
		Signals: []store.OptOutSignal{{Kind: "meta", Value: "noai", Source: "http://x/1"}},
		Images:  []Image{{URL: "http://x/i.png", Hashes: []byte{1, 2, 3}}}}
	if err := a.Send(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := a.Send(ctx, Page{Scan: "s2", URL: "http://y/1"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.Backlog(ctx, "s1"); n != 1 {
		t.Errorf("backlog %d, want 1", n)
	}
	ds := receiveAll(t, b, []string{"s1", "s2"}, 2)
	if len(ds) != 2 {
		t.Fatalf("received %d pages, want 2", len(ds))
	}
	got := ds[0].Page
	if got.URL != p.URL || got.Text != p.Text || got.SHA256 != p.SHA256 || len(got.Signals) != 1 ||
		len(got.Images) != 1 || string(got.Images[0].Hashes) != "\x01\x02\x03" || ds[0].Deliveries != 1 {
		t.Errorf("page did not round-trip: %+v", ds[0])
	}
	// Leased, not acknowledged: still in the backlog; nothing new to read.
	if n, _ := a.Backlog(ctx, "s1"); n != 1 {
		t.Errorf("backlog of a leased page %d, want 1", n)
	}
	if more, _ := a.Receive(ctx, []string{"s1"}, 10); len(more) != 0 {
		t.Errorf("a leased page was delivered again at once: %+v", more)
	}
	for _, d := range ds {
		if err := b.Ack(ctx, d.Page.Scan, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{"s1", "s2"} {
		if n, err := a.Backlog(ctx, s); err != nil || n != 0 {
			t.Errorf("backlog of %s after ack: %d, %v", s, n, err)
		}
	}
}

func TestReclaimAndDeadLetter(t *testing.T) {
	ctx := context.Background()
	a, b := newQueues(t, Options{Visibility: 100 * time.Millisecond, MaxDeliveries: 2, Block: 20 * time.Millisecond})
	if err := a.Send(ctx, Page{Scan: "s", URL: "http://x/poison"}); err != nil {
		t.Fatal(err)
	}
	first := receiveAll(t, a, []string{"s"}, 1) // a "dies" holding it
	if len(first) != 1 {
		t.Fatalf("first delivery: %d pages", len(first))
	}
	// b gets it once the lease expired, as the second delivery.
	var second []Delivery
	for deadline := time.Now().Add(5 * time.Second); len(second) == 0 && time.Now().Before(deadline); {
		second, _ = b.Receive(ctx, []string{"s"}, 1)
	}
	if len(second) != 1 || second[0].Deliveries != 2 || second[0].ID != first[0].ID {
		t.Fatalf("reclaimed delivery %+v, want the same entry delivered a second time", second)
	}
	// b dies too: the third attempt dead-letters it instead.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if ds, _ := a.Receive(ctx, []string{"s"}, 1); len(ds) != 0 {
			t.Fatalf("a page delivered past MaxDeliveries: %+v", ds)
		}
		if n, _ := a.Dead(ctx, "s"); n == 1 {
			break
		}
	}
	if n, _ := a.Dead(ctx, "s"); n != 1 {
		t.Fatalf("dead letters %d, want 1", n)
	}
	if n, _ := a.Backlog(ctx, "s"); n != 0 {
		t.Errorf("backlog %d after dead-lettering, want 0", n)
	}
}

func TestSendBackpressure(t *testing.T) {
	ctx := context.Background()
	a, b := newQueues(t, Options{MaxBacklog: 2, Block: 20 * time.Millisecond})
	for i := range 2 {
		if err := a.Send(ctx, Page{Scan: "s", URL: "http://x/" + string(rune('a'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := a.Send(short, Page{Scan: "s", URL: "http://x/c"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("send over a full backlog: %v, want to wait until the context ends", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Send(ctx, Page{Scan: "s", URL: "http://x/c"}) }()
	ds := receiveAll(t, b, []string{"s"}, 1)
	if err := b.Ack(ctx, "s", ds[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("send after the backlog drained: %v", err)
	}
}

func TestSendRejects(t *testing.T) {
	a, _ := newQueues(t, Options{MaxPageBytes: 100})
	ctx := context.Background()
	if err := a.Send(ctx, Page{URL: "http://x"}); err == nil {
		t.Error("a page without a scan was accepted")
	}
	if err := a.Send(ctx, Page{Scan: "s", URL: "http://x", Text: strings.Repeat("x", 200)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized page: %v, want ErrTooLarge", err)
	}
}

func TestUndecodableEntryDeadLettered(t *testing.T) {
	ctx := context.Background()
	a, _ := newQueues(t, Options{Block: 20 * time.Millisecond})
	if err := a.c.XAdd(ctx, &redis.XAddArgs{Stream: a.stream("s"), Values: []any{"p", "{not json"}}).Err(); err != nil {
		t.Fatal(err)
	}
	if ds, err := a.Receive(ctx, []string{"s"}, 5); err != nil || len(ds) != 0 {
		t.Fatalf("undecodable entry: %+v, %v", ds, err)
	}
	if n, _ := a.Dead(ctx, "s"); n != 1 {
		t.Errorf("dead letters %d, want 1", n)
	}
}
