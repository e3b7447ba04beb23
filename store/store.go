package store

import (
	"context"
	"errors"
	"fmt"
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
	Text string
	// Thumb is a small JPEG preview of an image work (at most 320 px on
	// the longer side and 64 KiB) for dashboards and HTML reports; empty
	// for texts. Like Text, Works() leaves it empty and Work() fills it.
	Thumb     []byte
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

// Token is an API credential of the creator service. Only a hash of the
// secret is stored, so a copy of the store does not hand out access.
type Token struct {
	Hash      string // lowercase hex SHA-256 of the secret (64 digits)
	Creator   string // the creator it acts for; empty for an admin token
	Admin     bool   // sees and changes everything
	CreatedAt time.Time
}

// Tokens holds API tokens.
type Tokens interface {
	// PutToken stores t (CreatedAt set by the backend when zero). A
	// malformed Hash, or neither Creator nor Admin set, is ErrInvalid; a
	// Hash already stored is ErrInvalid too (secrets are random: a clash is
	// a bug, never a reason to overwrite).
	PutToken(ctx context.Context, t Token) error
	// TokenByHash returns the token with that hash, or ErrNotFound.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// ListTokens lists every token, oldest first (hashes only: the store
	// never sees a secret).
	ListTokens(ctx context.Context) ([]Token, error)
	// DeleteToken removes the token with that hash (revokes it: the next
	// TokenByHash is ErrNotFound); ErrNotFound when there is none.
	DeleteToken(ctx context.Context, hash string) error
}

// Schedule is a recurring scan: a cron expression and what to run.
type Schedule struct {
	ID      string // backend-assigned when empty on PutSchedule
	Name    string
	Cron    string   // robfig/cron/v3 standard spec or descriptor (@daily)
	Kind    string   // "crawl" or "audit"
	Targets []string // seed URLs or dataset paths
	// Options is the scan's options as JSON, opaque to the store (the
	// scheduler owns its shape).
	Options   []byte
	Enabled   bool
	LastScan  string // ID of the scan the latest run started; empty before the first
	CreatedAt time.Time
}

// Schedules holds recurring scans.
type Schedules interface {
	// PutSchedule creates s when s.ID is empty (the result carries the new
	// ID and CreatedAt) and otherwise replaces the stored schedule of that
	// ID (ErrNotFound when there is none; CreatedAt is kept). A blank Cron
	// or Kind is ErrInvalid.
	PutSchedule(ctx context.Context, s Schedule) (Schedule, error)
	// Schedule returns one schedule or ErrNotFound.
	Schedule(ctx context.Context, id string) (Schedule, error)
	// ListSchedules lists schedules oldest first (by CreatedAt, then ID).
	ListSchedules(ctx context.Context) ([]Schedule, error)
	// DeleteSchedule removes a schedule; ErrNotFound when there is none.
	DeleteSchedule(ctx context.Context, id string) error
}

// PageState is what a recrawl needs to ask for a page conditionally: the
// validators the server sent last time, the scan whose matches for the
// page are still current, and the page's links, to follow when it is
// unchanged.
type PageState struct {
	URL          string // canonical page URL (the key)
	ETag         string
	LastModified string // as the server sent it (HTTP date)
	ScanID       string // scan that last fetched the page in full
	CheckedAt    time.Time
	// Links are the page's outlinks as that fetch found them (canonical,
	// in document order, duplicates removed), so that a recrawl answered
	// 304 can follow them without the body. nil means not recorded (a
	// state written before links were kept, or a page with more than
	// MaxPageLinks links); an empty non-nil slice is a page without links.
	// Both backends keep the difference.
	Links []string
}

// MaxPageLinks bounds PageState.Links: more is ErrInvalid. It is the
// crawler's per-page link cap (extract.DefaultLimits), so every page the
// crawler fetches fits; a page over it is stored with Links nil.
const MaxPageLinks = 20000

// Check returns ErrInvalid (wrapped, with the reason) when p cannot be
// stored: an empty URL or more than MaxPageLinks links. Every backend
// checks a batch with it before writing any of it.
func (p PageState) Check() error {
	switch {
	case p.URL == "":
		return fmt.Errorf("%w: page state has no URL", ErrInvalid)
	case len(p.Links) > MaxPageLinks:
		return fmt.Errorf("%w: page state of %s has %d links, more than %d", ErrInvalid, p.URL, len(p.Links), MaxPageLinks)
	}
	return nil
}

// Pages holds per-page recrawl state.
type Pages interface {
	// PutPageStates upserts states by URL. An empty URL or more than
	// MaxPageLinks links is ErrInvalid and nothing of the batch is stored.
	PutPageStates(ctx context.Context, states []PageState) error
	// PageState returns the state of one URL, or ErrNotFound.
	PageState(ctx context.Context, url string) (PageState, error)
}

// Leases are named, expiring locks shared by every process using the store:
// they keep a scheduled run from starting twice when several servers share
// one Redis.
type Leases interface {
	// AcquireLease takes the lease name for owner until ttl passes. It
	// returns false when another owner holds an unexpired lease; the same
	// owner acquiring again extends it.
	AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	// ReleaseLease gives the lease up if owner holds it; otherwise it does
	// nothing.
	ReleaseLease(ctx context.Context, name, owner string) error
}

// LogLeaf is one entry of the append-only transparency log.
type LogLeaf struct {
	Index uint64
	Data  []byte // the leaf's entry, opaque to the store (the log package encodes it)
}

// TreeHead is a signed head of the transparency log's Merkle tree.
type TreeHead struct {
	Size      uint64
	RootHash  []byte // 32 bytes
	Timestamp time.Time
	Signature []byte // ed25519 over the log package's encoding of the head
}

// Log is the append-only transparency log: leaves in order, and the signed
// tree heads produced after appends. Nothing stored in it is ever changed.
type Log interface {
	// AppendLeaves appends the entries in order, atomically and with
	// consecutive indexes, and returns the index of the first. Empty data
	// or an empty batch is ErrInvalid.
	AppendLeaves(ctx context.Context, data [][]byte) (first uint64, err error)
	// LogLeaves returns leaves [start, end) in index order; end beyond the
	// log's size is ErrInvalid.
	LogLeaves(ctx context.Context, start, end uint64) ([]LogLeaf, error)
	// LogSize returns the number of leaves.
	LogSize(ctx context.Context) (uint64, error)
	// PutTreeHead stores a signed head. Heads are kept per size; storing a
	// head for a size already stored keeps the first (the log never
	// rewrites history). Size 0 or beyond the log's size is ErrInvalid.
	PutTreeHead(ctx context.Context, h TreeHead) error
	// TreeHead returns the head stored for size, or ErrNotFound.
	TreeHead(ctx context.Context, size uint64) (TreeHead, error)
	// LatestTreeHead returns the head with the largest size, or ErrNotFound.
	LatestTreeHead(ctx context.Context) (TreeHead, error)
}

// Store is the whole persistence contract. Backends are safe for concurrent
// use by multiple goroutines.
type Store interface {
	Registry
	Scans
	Tokens
	Schedules
	Pages
	Leases
	Log
	Close() error
}
