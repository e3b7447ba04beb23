package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors every backend returns (wrapped with %w where it adds context).
var (
	// ErrNotFound: the requested work, scan or creator does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the caller passed a record that cannot be stored (missing
	// required field, unknown kind). Permanent: retrying will not help.
	ErrInvalid = errors.New("invalid record")
	// ErrClosed: the store was used after Close.
	ErrClosed = errors.New("store closed")
)

// WorkKind says what a work is made of.
type WorkKind string

// Work kinds.
const (
	KindText  WorkKind = "text"
	KindImage WorkKind = "image"
)

// Valid reports whether k is a known kind.
func (k WorkKind) Valid() bool { return k == KindText || k == KindImage }

// Creator is a person or organisation that registers works. Creators are
// identified by name; the ID is stable and backend-assigned.
type Creator struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// Work is one registered creative work: a text or an image.
type Work struct {
	ID      string // backend-assigned, stable, opaque
	Creator string // creator name
	Title   string
	License string
	Kind    WorkKind
	SHA256  string // lowercase hex of the registered file's bytes
	Size    int64  // bytes of the registered file
	// Text is the work's extracted text (text works only). Match evidence
	// gives byte offsets into it. Works() leaves it empty to keep listings
	// cheap; Work() fills it.
	Text      string
	CreatedAt time.Time
}

// Fingerprint is one stored fingerprint of a work, opaque to the store. The
// matcher owns the encoding; Algorithm and Version say which encoder wrote
// Data so that a newer matcher can skip or rebuild stale formats.
type Fingerprint struct {
	WorkID    string
	Algorithm string // e.g. "text-winnow", "image-phash", "sha256"
	Version   int
	Data      []byte
}

// WorkFilter narrows Works. The zero value lists every work.
type WorkFilter struct {
	Creator string // exact creator name; empty for all
}

// Registry holds creators, their works and the works' fingerprints.
type Registry interface {
	// PutWork stores w with its fingerprints. w needs a non-blank Creator,
	// a valid Kind and SHA256 as 64 lowercase hex digits (else ErrInvalid);
	// the fingerprints' WorkID fields are ignored. It is idempotent on
	// (w.Creator, w.SHA256): registering the same content for the same
	// creator again returns the existing work and created=false, and leaves
	// the stored work and fingerprints unchanged. The creator is created on
	// first use. The returned work has ID and CreatedAt set.
	PutWork(ctx context.Context, w Work, fps []Fingerprint) (stored Work, created bool, err error)
	// Work returns one work with its Text, or ErrNotFound.
	Work(ctx context.Context, id string) (Work, error)
	// Works lists works without Text, oldest first (by CreatedAt, then ID).
	// A filter naming an unknown creator gives an empty list, not an error.
	Works(ctx context.Context, f WorkFilter) ([]Work, error)
	// Creators lists creators by name.
	Creators(ctx context.Context) ([]Creator, error)
	// Fingerprints calls fn for every stored fingerprint of the given
	// algorithm (all algorithms if empty), in no particular order. It stops at
	// and returns the first error fn returns.
	Fingerprints(ctx context.Context, algorithm string, fn func(Fingerprint) error) error
}

// ScanState is the lifecycle state of a scan.
type ScanState string

// Scan states.
const (
	ScanQueued   ScanState = "queued"
	ScanRunning  ScanState = "running"
	ScanFinished ScanState = "finished"
	ScanFailed   ScanState = "failed"
)

// Stats counts what a scan saw. Field names follow the report contract.
type Stats struct {
	Pages   int64 `json:"pages"`
	Images  int64 `json:"images"`
	Records int64 `json:"records"`
	Bytes   int64 `json:"bytes"`
	Errors  int64 `json:"errors"`
	Skipped int64 `json:"skipped"`
}

// Scan is one crawl or audit run.
type Scan struct {
	ID         string // backend-assigned when empty on CreateScan
	Kind       string // "crawl" or "audit"
	Targets    []string
	State      ScanState
	Error      string // why a failed scan failed
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	Stats      Stats
}

// Passage is one aligned text passage: byte offsets into the work's text and
// the found document's extracted text, and the found text itself.
type Passage struct {
	WorkStart  int    `json:"work_start"`
	WorkEnd    int    `json:"work_end"`
	FoundStart int    `json:"found_start"`
	FoundEnd   int    `json:"found_end"`
	Text       string `json:"text"`
}

// Evidence says why a match was made. Fields that do not apply are zero.
type Evidence struct {
	Passages  []Passage `json:"passages,omitempty"`
	Algorithm string    `json:"algorithm,omitempty"`
	Distance  *int      `json:"distance,omitempty"` // nil when not an image hash match
	Bits      int       `json:"bits,omitempty"`
	Transform string    `json:"transform,omitempty"`
}

// OptOutSignal is one machine-readable reservation of AI/TDM use.
type OptOutSignal struct {
	Kind   string `json:"kind"`
	Value  string `json:"value"`
	Source string `json:"source,omitempty"`
}

// OptOut says whether the source reserved its content from AI use.
type OptOut struct {
	Reserved bool           `json:"reserved"`
	Signals  []OptOutSignal `json:"signals,omitempty"`
}

// Match is one attribution of a registered work to a place it was found.
type Match struct {
	WorkID        string
	FoundURL      string
	PageURL       string
	Dataset       string
	Record        string
	Method        string // "exact", "text" or "image"
	Score         float64
	WorkCoverage  float64
	FoundCoverage float64
	Evidence      Evidence
	OptOut        *OptOut // nil when no opt-out information was gathered
}

// MatchFilter narrows Matches. The zero value returns all of a scan's matches.
type MatchFilter struct {
	Creator string // only works of this creator
	WorkID  string // only this work
}

// Scans holds scans and their matches.
type Scans interface {
	// CreateScan stores a new scan. An empty ID is assigned; a given ID must
	// be unused. The returned scan has its ID set.
	CreateScan(ctx context.Context, s Scan) (Scan, error)
	// UpdateScan replaces the state, error, finish time and stats of an
	// existing scan (ErrNotFound otherwise). Kind, targets and start time are
	// immutable: values passed for them are ignored.
	UpdateScan(ctx context.Context, s Scan) error
	// Scan returns one scan or ErrNotFound.
	Scan(ctx context.Context, id string) (Scan, error)
	// LatestScan returns the most recently started scan, or ErrNotFound.
	LatestScan(ctx context.Context) (Scan, error)
	// ListScans lists scans, newest first.
	ListScans(ctx context.Context) ([]Scan, error)
	// PutMatches stores matches of a scan. It upserts on (work, found URL,
	// dataset, record): storing a match again replaces the earlier one, so
	// at-least-once delivery of a page's results does not duplicate them.
	PutMatches(ctx context.Context, scanID string, ms []Match) error
	// Matches lists a scan's matches ordered by work ID, then found URL. An
	// unknown scan is ErrNotFound; a filter matching nothing gives an empty
	// list. Nil and empty slices in returned records are equivalent.
	Matches(ctx context.Context, scanID string, f MatchFilter) ([]Match, error)
}

// Store is the whole persistence contract. Backends are safe for concurrent
// use by multiple goroutines.
type Store interface {
	Registry
	Scans
	Close() error
}
