package access

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/attrib/attrib/store"
)

// TokenIDLen is the length of a token's public ID. 48 bits tell apart far
// more tokens than an instance ever holds, and since the ID is a prefix of
// a hash of 256 random bits it says nothing about the secret.
const TokenIDLen = 12

// MinTokenIDLen is the shortest ID prefix FindToken accepts, so a slip of
// the keyboard ("a") cannot revoke whichever token happens to match.
const MinTokenIDLen = 6

// Errors of FindToken besides store.ErrNotFound.
var (
	// ErrBadTokenID: the ID is not MinTokenIDLen to 64 hex digits.
	ErrBadTokenID = errors.New("bad token id")
	// ErrAmbiguousTokenID: the ID is a prefix of more than one token's.
	ErrAmbiguousTokenID = errors.New("ambiguous token id")
)

// TokenID returns the public ID of the token with hash: its first
// TokenIDLen hex digits. People name tokens by it (lists, revocation);
// neither it nor anything else shown reveals the secret or the full hash.
func TokenID(hash string) string {
	return hash[:min(len(hash), TokenIDLen)]
}

// TokenLister is the part of the store FindToken needs.
type TokenLister interface {
	ListTokens(ctx context.Context) ([]store.Token, error)
}

// FindToken returns the one token whose hash starts with id (a TokenID,
// or any prefix of MinTokenIDLen to 64 hex digits; case is ignored). An
// unknown id wraps store.ErrNotFound; see also ErrBadTokenID and
// ErrAmbiguousTokenID. Tokens are few, so it reads them all.
func FindToken(ctx context.Context, tokens TokenLister, id string) (store.Token, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if len(id) < MinTokenIDLen || len(id) > 64 || strings.Trim(id, "0123456789abcdef") != "" {
		return store.Token{}, fmt.Errorf("%w %q: want %d to 64 hex digits (a token's ID has %d)",
			ErrBadTokenID, id, MinTokenIDLen, TokenIDLen)
	}
	all, err := tokens.ListTokens(ctx)
	if err != nil {
		return store.Token{}, fmt.Errorf("list tokens: %w", err)
	}
	var found []store.Token
	for _, t := range all {
		if strings.HasPrefix(t.Hash, id) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return store.Token{}, fmt.Errorf("no token %s: %w", id, store.ErrNotFound)
	case 1:
		return found[0], nil
	}
	return store.Token{}, fmt.Errorf("%w %s: %d tokens' hashes start with it; give more digits", ErrAmbiguousTokenID, id, len(found))
}
