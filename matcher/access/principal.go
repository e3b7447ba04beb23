package access

import (
	"context"

	"github.com/attrib/attrib/store"
)

// Principal is who a request acts for: a creator, or the admin.
type Principal struct {
	Creator string // the creator's name; empty for the admin
	Admin   bool   // sees and changes everything
	// TokenHash identifies the token used (for logs: print HashPrefix of it).
	TokenHash string
}

// FromToken returns the principal a stored token acts for.
func FromToken(t store.Token) Principal {
	return Principal{Creator: t.Creator, Admin: t.Admin, TokenHash: t.Hash}
}

// CanSeeCreator reports whether p may read or change the named creator's
// works and appearances: its own, or any as admin.
func (p Principal) CanSeeCreator(name string) bool {
	return p.Admin || (p.Creator != "" && p.Creator == name)
}

// CanSeeWork reports whether p may read or change w.
func (p Principal) CanSeeWork(w store.Work) bool { return p.CanSeeCreator(w.Creator) }

// Scope returns the creator name queries must be limited to: "" (every
// creator) for the admin, else the principal's own name.
func (p Principal) Scope() string {
	if p.Admin {
		return ""
	}
	return p.Creator
}

// Valid reports whether p can act at all: an admin or a named creator.
func (p Principal) Valid() bool { return p.Admin || p.Creator != "" }

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal the Authenticator stored, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok && p.Valid()
}
