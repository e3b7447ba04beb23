package transparency

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/merkle"
)

// Store is the part of the store the log uses: the append-only log itself,
// and what it needs to describe works and scans.
type Store interface {
	store.Log
	report.Source
	Work(ctx context.Context, id string) (store.Work, error)
	Fingerprints(ctx context.Context, algorithm string, fn func(store.Fingerprint) error) error
}

// syncBatch bounds the leaves read from the store at once.
const syncBatch = 4096

// Log appends entries to the store's log, signs tree heads with the
// instance key and makes receipts. Several processes may share one store:
// appends are atomic in the store, and every Log reads the leaves others
// appended before it answers. It is safe for concurrent use.
type Log struct {
	st  Store
	key ed25519.PrivateKey
	now func() time.Time

	mu sync.Mutex // guards tree, works and reports: the store's leaves read so far
	// tree holds the hashes of leaves [0, tree.Size()) as read from the store.
	tree    *merkle.Tree
	works   map[string]uint64    // work ID -> its first registration leaf
	reports map[reportKey]uint64 // scan ID and report digest -> first leaf
}

type reportKey struct{ scan, digest string }

// New returns a log over st that signs with key.
func New(st Store, key ed25519.PrivateKey) *Log {
	return &Log{
		st: st, key: key, now: time.Now,
		tree:    merkle.NewTree(),
		works:   make(map[string]uint64),
		reports: make(map[reportKey]uint64),
	}
}

// PublicKey returns the key that verifies this log's tree heads.
func (l *Log) PublicKey() ed25519.PublicKey { return l.key.Public().(ed25519.PublicKey) }

// syncLocked reads the leaves appended since the last read; the log must
// have at least atLeast leaves. Call with mu held.
func (l *Log) syncLocked(ctx context.Context, atLeast uint64) error {
	size, err := l.st.LogSize(ctx)
	if err != nil {
		return fmt.Errorf("transparency log size: %w", err)
	}
	if size < atLeast {
		return fmt.Errorf("transparency log has %d leaves, expected at least %d", size, atLeast)
	}
	for start := l.tree.Size(); start < size; start = l.tree.Size() {
		end := min(size, start+syncBatch)
		leaves, err := l.st.LogLeaves(ctx, start, end)
		if err != nil {
			return fmt.Errorf("transparency log leaves [%d,%d): %w", start, end, err)
		}
		if len(leaves) == 0 {
			return fmt.Errorf("transparency log leaves [%d,%d): store returned none", start, end)
		}
		for i, lf := range leaves {
			if lf.Index != start+uint64(i) {
				return fmt.Errorf("transparency log: store returned leaf %d where %d was expected", lf.Index, start+uint64(i))
			}
			l.index(lf)
		}
	}
	return nil
}

// Append adds entries to the log as one batch, signs and stores the tree
// head of the log as it is right after the batch, and returns the index of
// the first entry.
func (l *Log) Append(ctx context.Context, entries ...Entry) (uint64, error) {
	if len(entries) == 0 {
		return 0, errors.New("transparency log: nothing to append")
	}
	data := make([][]byte, len(entries))
	for i, e := range entries {
		if err := e.validate(); err != nil {
			return 0, err
		}
		data[i] = e.Encode()
	}
	first, err := l.st.AppendLeaves(ctx, data)
	if err != nil {
		return 0, fmt.Errorf("append to transparency log: %w", err)
	}
	if _, err := l.signSize(ctx, first+uint64(len(entries))); err != nil {
		return first, err
	}
	return first, nil
}

// signSize signs and stores the head of the tree of size leaves and returns
// the stored head (another process may have stored its head for the same
// size first: the store keeps the first, and both are valid).
func (l *Log) signSize(ctx context.Context, size uint64) (store.TreeHead, error) {
	l.mu.Lock()
	err := l.syncLocked(ctx, size)
	var root merkle.Hash
	if err == nil {
		root, err = l.tree.RootAt(size)
	}
	l.mu.Unlock()
	if err != nil {
		return store.TreeHead{}, err
	}
	// Never sign over a history that differs from what was signed before.
	if prev, err := l.st.LatestTreeHead(ctx); err == nil && prev.Size <= size {
		if err := l.checkHead(prev); err != nil {
			return store.TreeHead{}, err
		}
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.TreeHead{}, fmt.Errorf("latest tree head: %w", err)
	}
	if err := l.st.PutTreeHead(ctx, signHead(l.key, size, root, l.now())); err != nil {
		return store.TreeHead{}, fmt.Errorf("store tree head %d: %w", size, err)
	}
	h, err := l.st.TreeHead(ctx, size)
	if err != nil {
		return store.TreeHead{}, fmt.Errorf("read tree head %d: %w", size, err)
	}
	return h, l.checkHead(h)
}

// checkHead makes sure a stored head matches the leaves and is signed by
// this instance's key, so that nothing this log hands out fails to verify.
func (l *Log) checkHead(h store.TreeHead) error {
	l.mu.Lock()
	root, err := l.tree.RootAt(h.Size)
	l.mu.Unlock()
	if err != nil {
		return fmt.Errorf("tree head %d: %w", h.Size, err)
	}
	if !bytes.Equal(h.RootHash, root[:]) {
		return fmt.Errorf("stored tree head of size %d has root %x, but the log's leaves give %s: the stored log was altered", h.Size, h.RootHash, root)
	}
	if _, err := headOf(h).verify(l.PublicKey()); err != nil {
		return fmt.Errorf("stored tree head of size %d does not verify with this instance's key %s (was the key file replaced?): %w", h.Size, EncodePublicKey(l.PublicKey()), err)
	}
	return nil
}

// headCovering returns a signed head whose tree holds leaf index: the
// latest stored head, or a new one when the latest predates the leaf.
func (l *Log) headCovering(ctx context.Context, index uint64) (store.TreeHead, error) {
	h, err := l.st.LatestTreeHead(ctx)
	switch {
	case err == nil && h.Size > index:
		l.mu.Lock()
		err = l.syncLocked(ctx, h.Size)
		l.mu.Unlock()
		if err != nil {
			return store.TreeHead{}, err
		}
		return h, l.checkHead(h)
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return store.TreeHead{}, fmt.Errorf("latest tree head: %w", err)
	}
	// No head yet, or a process stopped between appending and signing.
	l.mu.Lock()
	err = l.syncLocked(ctx, index+1)
	size := l.tree.Size()
	l.mu.Unlock()
	if err != nil {
		return store.TreeHead{}, err
	}
	return l.signSize(ctx, size)
}

// receipt returns the receipt of leaf index under a head that covers it.
func (l *Log) receipt(ctx context.Context, index uint64) (Receipt, error) {
	h, err := l.headCovering(ctx, index)
	if err != nil {
		return Receipt{}, err
	}
	l.mu.Lock()
	proof, err := l.tree.InclusionProof(index, h.Size)
	l.mu.Unlock()
	if err != nil {
		return Receipt{}, fmt.Errorf("inclusion proof of leaf %d: %w", index, err)
	}
	lf, err := l.st.LogLeaves(ctx, index, index+1)
	if err != nil || len(lf) != 1 {
		return Receipt{}, fmt.Errorf("read leaf %d: %w", index, errors.Join(err, errors.New("leaf missing")))
	}
	e, err := DecodeEntry(lf[0].Data)
	if err != nil {
		return Receipt{}, fmt.Errorf("leaf %d: %w", index, err)
	}
	return Receipt{
		Version: FormatVersion, Entry: e, LeafIndex: index,
		InclusionProof: hexHashes(proof), TreeHead: headOf(h),
	}, nil
}
