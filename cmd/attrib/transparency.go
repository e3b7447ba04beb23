package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/matcher/transparency"
	"github.com/attrib/attrib/store"
)

// keyFile returns the path of the instance's signing key: the configured
// transparency.key_file, else next to the SQLite store, else (Redis) under
// the user's config folder, one key per namespace.
func (g *globalOptions) keyFile() (string, error) {
	if p := g.cfg.Transparency.KeyFile; p != "" {
		return p, nil
	}
	if g.cfg.Redis == "" {
		return g.cfg.DB + ".key", nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no place for the transparency key (set transparency.key_file): %w", err)
	}
	return filepath.Join(dir, "attrib", g.cfg.Dist.Namespace+".key"), nil
}

// signingKey loads the instance key, creating it on first use.
func (g *globalOptions) signingKey() (ed25519.PrivateKey, error) {
	path, err := g.keyFile()
	if err != nil {
		return nil, err
	}
	return transparency.LoadOrCreateKey(path)
}

// openLog returns the transparency log over st, signing with the instance
// key. The command's matcher, reports and receipts share one Log, so the
// leaves are read from the store once.
func (g *globalOptions) openLog(st store.Store) (*transparency.Log, error) {
	if g.tlog != nil && g.tlogStore == st {
		return g.tlog, nil
	}
	key, err := g.signingKey()
	if err != nil {
		return nil, err
	}
	g.tlog, g.tlogStore = transparency.New(st, key), st
	return g.tlog, nil
}

// recordReport records a scan's report in the transparency log (once per
// distinct report) and returns it with its transparency field: the signed
// tree head and the report's inclusion proof.
func (g *globalOptions) recordReport(ctx context.Context, st store.Store, rep report.Report) (report.Report, error) {
	l, err := g.openLog(st)
	if err != nil {
		return rep, err
	}
	out, err := l.Attach(ctx, rep)
	if err != nil {
		return rep, fmt.Errorf("record report of scan %s in the transparency log: %w", rep.Scan.ID, err)
	}
	return out, nil
}

// scanRecorder returns a hook that records a finished scan's report in the
// transparency log (for the distributed matcher and background scans).
func (g *globalOptions) scanRecorder(st store.Store) (func(ctx context.Context, scanID string) error, error) {
	l, err := g.openLog(st)
	if err != nil {
		return nil, err
	}
	return l.RecordScan, nil
}

// writeReceipt writes a work's receipt to path.
func (g *globalOptions) writeReceipt(ctx context.Context, st store.Store, workID, path string) error {
	l, err := g.openLog(st)
	if err != nil {
		return err
	}
	rc, err := l.WorkReceipt(ctx, workID)
	if err != nil {
		return fmt.Errorf("receipt of work %s: %w", workID, err)
	}
	return writeFileAtomic(path, rc.MarshalFile())
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder, so that a reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
