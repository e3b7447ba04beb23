package access

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// TokenPrefix starts every secret NewToken makes, so a leaked token is
// recognisable (secret scanners, logs) and garbage is refused before any
// store lookup.
const TokenPrefix = "attrib_"

// secretBytes is the entropy of a token: 256 bits, beyond guessing.
const secretBytes = 32

// secretLen is the length of a well-formed secret.
var secretLen = len(TokenPrefix) + base64.RawURLEncoding.EncodedLen(secretBytes)

// NewToken returns a fresh random secret and its hash (what store.Token.Hash
// holds). The secret is shown to its owner once and never stored.
func NewToken() (secret, hash string, err error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("new token: %w", err)
	}
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashToken(secret), nil
}

// HashToken returns the lowercase hex SHA-256 of secret. A plain hash is
// enough (no salt or slow KDF): secrets carry 256 random bits, so there is
// nothing to brute-force from a copied store.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// wellFormed reports whether s has the shape of a secret NewToken makes.
func wellFormed(s string) bool {
	if len(s) != secretLen || !strings.HasPrefix(s, TokenPrefix) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s[len(TokenPrefix):])
	return err == nil
}

// HashPrefix returns the first 8 hex digits of a token hash: enough to tell
// tokens apart in logs, useless to an attacker.
func HashPrefix(hash string) string {
	return hash[:min(len(hash), 8)]
}
