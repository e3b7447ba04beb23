package transparency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/store"
)

// RecordWork appends the registration of a newly created work with its
// stored fingerprints, unless the work is in the log already. It is the
// matcher's Recorder.
func (l *Log) RecordWork(ctx context.Context, w store.Work, fps []store.Fingerprint) error {
	if _, ok, err := l.workLeaf(ctx, w.ID); err != nil || ok {
		return err
	}
	_, err := l.Append(ctx, RegistrationEntry(w, fps, l.now()))
	return err
}

func (l *Log) workLeaf(ctx context.Context, workID string) (uint64, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.syncLocked(ctx, 0); err != nil {
		return 0, false, err
	}
	i, ok := l.works[workID]
	return i, ok, nil
}

// WorkReceipt returns the receipt of a work's registration. A work that is
// not in the log yet (registered before the log existed, or while
// recording failed) is recorded now, with its stored fingerprints.
func (l *Log) WorkReceipt(ctx context.Context, workID string) (Receipt, error) {
	i, ok, err := l.workLeaf(ctx, workID)
	if err != nil {
		return Receipt{}, err
	}
	if !ok {
		if i, err = l.backfillWork(ctx, workID); err != nil {
			return Receipt{}, err
		}
	}
	return l.receipt(ctx, i)
}

func (l *Log) backfillWork(ctx context.Context, workID string) (uint64, error) {
	w, err := l.st.Work(ctx, workID)
	if err != nil {
		return 0, fmt.Errorf("work %s: %w", workID, err)
	}
	var fps []store.Fingerprint
	// The store lists fingerprints by algorithm only: a full pass, but only
	// for works that predate the log.
	err = l.st.Fingerprints(ctx, "", func(fp store.Fingerprint) error {
		if fp.WorkID == workID {
			fps = append(fps, fp)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("fingerprints of work %s: %w", workID, err)
	}
	if err := l.RecordWork(ctx, w, fps); err != nil {
		return 0, err
	}
	i, ok, err := l.workLeaf(ctx, workID)
	if err == nil && !ok {
		err = fmt.Errorf("work %s: not in the log after recording it", workID)
	}
	return i, err
}

// ReportDigest is the SHA-256 (lowercase hex) of a report's JSON rendering
// (report.Render with report.FormatJSON) without its transparency field.
func ReportDigest(r report.Report) (string, error) {
	r.Transparency = nil
	var buf bytes.Buffer
	if err := report.Render(&buf, r, report.FormatJSON); err != nil {
		return "", err
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:]), nil
}

// RecordScan appends the digest of a scan's full JSON report, unless the
// log holds that digest for the scan already. Call it when a scan finishes;
// calling it again is harmless.
func (l *Log) RecordScan(ctx context.Context, scanID string) error {
	rep, err := report.FromStore(ctx, l.st, scanID, "")
	if err != nil {
		return fmt.Errorf("record scan %s: %w", scanID, err)
	}
	_, err = l.recordReport(ctx, rep)
	return err
}

func (l *Log) recordReport(ctx context.Context, rep report.Report) (uint64, error) {
	digest, err := ReportDigest(rep)
	if err != nil {
		return 0, fmt.Errorf("report digest: %w", err)
	}
	k := reportKey{rep.Scan.ID, digest}
	l.mu.Lock()
	err = l.syncLocked(ctx, 0)
	i, ok := l.reports[k]
	l.mu.Unlock()
	if err != nil || ok {
		return i, err
	}
	e := Entry{Type: TypeScan, ScanID: rep.Scan.ID, ReportSHA256: digest, Time: formatTime(l.now())}
	return l.Append(ctx, e)
}

// Attach returns rep with its transparency field set: the receipt of the
// log entry holding the report's digest under the latest signed head. A
// report whose digest is not in the log yet (a report filtered by creator,
// or one rendered differently by another attrib version) is recorded now.
func (l *Log) Attach(ctx context.Context, rep report.Report) (report.Report, error) {
	i, err := l.recordReport(ctx, rep)
	if err != nil {
		return rep, err
	}
	rc, err := l.receipt(ctx, i)
	if err != nil {
		return rep, err
	}
	rep.Transparency = rc.compact()
	return rep, nil
}

// ExportHead returns the latest signed head (signing one when the log has
// leaves but no head), with a consistency proof from fromSize when
// fromSize is not 0.
func (l *Log) ExportHead(ctx context.Context, fromSize uint64) (HeadFile, error) {
	size, err := l.st.LogSize(ctx)
	if err != nil {
		return HeadFile{}, fmt.Errorf("transparency log size: %w", err)
	}
	if size == 0 {
		return HeadFile{}, errors.New("the transparency log is empty: register a work first")
	}
	h, err := l.headCovering(ctx, size-1)
	if err != nil {
		return HeadFile{}, err
	}
	hf := HeadFile{Version: FormatVersion, TreeHead: headOf(h)}
	if fromSize == 0 {
		return hf, nil
	}
	l.mu.Lock()
	proof, err := l.tree.ConsistencyProof(fromSize, h.Size)
	l.mu.Unlock()
	if err != nil {
		return HeadFile{}, fmt.Errorf("consistency proof from size %d to %d: %w", fromSize, h.Size, err)
	}
	hf.Consistency = &Consistency{FromSize: fromSize, Proof: hexHashes(proof)}
	return hf, nil
}

// ExportHeadFrom is ExportHead with a consistency proof from the head an
// older file carries (a head file, receipt or report this instance wrote).
// The old file is verified first, and the log must still hold the tree
// that head signed: a store restored from an older backup, or altered,
// fails here instead of handing out a proof that cannot verify.
func (l *Log) ExportHeadFrom(ctx context.Context, old []byte) (HeadFile, error) {
	oh, err := verifyAnyHead(old, l.PublicKey())
	if err != nil {
		return HeadFile{}, fmt.Errorf("older head: %w", err)
	}
	hf, err := l.ExportHead(ctx, 0)
	if err != nil {
		return HeadFile{}, err
	}
	if oh.Size > hf.TreeHead.Size {
		return HeadFile{}, fmt.Errorf("the older head has %d leaves, the log only %d: the store was restored from an older backup, or the head is from another log", oh.Size, hf.TreeHead.Size)
	}
	l.mu.Lock()
	root, err := l.tree.RootAt(oh.Size)
	l.mu.Unlock()
	if err != nil {
		return HeadFile{}, err
	}
	if root != oh.Root {
		return HeadFile{}, fmt.Errorf("the log's first %d leaves no longer have the root the older head signed: the store was restored from an older backup and written to since, or altered", oh.Size)
	}
	return l.ExportHead(ctx, oh.Size)
}
