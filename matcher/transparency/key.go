package transparency

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// pemType is the PEM block type of the key file: PKCS #8, as written by
// `openssl genpkey -algorithm ed25519`, so standard tools can read it.
const pemType = "PRIVATE KEY"

// LoadOrCreateKey returns the instance's signing key from path, creating a
// new random key there (mode 0600, parent folders 0700) when no file exists.
// The file is PEM "PRIVATE KEY" (PKCS #8). A key file that other users can
// read or write is refused: whoever holds it can sign tree heads.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	if path == "" {
		return nil, errors.New("transparency key: no key file configured (transparency.key_file)")
	}
	key, err := LoadKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	return createKey(path)
}

// LoadKey reads an existing key file (see LoadOrCreateKey).
func LoadKey(path string) (ed25519.PrivateKey, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("transparency key: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("transparency key %s is accessible to other users (mode %04o): chmod 600 %s", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("transparency key: %w", err)
	}
	return parseKey(path, data)
}

func parseKey(path string, data []byte) (ed25519.PrivateKey, error) {
	block, rest := pem.Decode(data)
	if block == nil || block.Type != pemType || strings.TrimSpace(string(rest)) != "" {
		return nil, fmt.Errorf("transparency key %s: want one PEM %q block (PKCS #8 ed25519)", path, pemType)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("transparency key %s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("transparency key %s: %T is not an ed25519 key", path, k)
	}
	return key, nil
}

func createKey(path string) (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("transparency key: generate: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("transparency key: encode: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("transparency key: %w", err)
	}
	// O_EXCL: two processes creating the key at once must not end up with
	// different keys; the loser reads the winner's.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("transparency key: %w", err)
	}
	werr := pem.Encode(f, &pem.Block{Type: pemType, Bytes: der})
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return nil, fmt.Errorf("transparency key %s: %w", path, werr)
	}
	return key, nil
}

// EncodePublicKey returns the public key as base64 (standard alphabet,
// padded) of its 32 raw bytes: the form `attrib key --public` prints.
func EncodePublicKey(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}

// ParsePublicKey reads a public key written by EncodePublicKey; surrounding
// white space is ignored.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("public key: want base64 of 32 bytes: %w", err)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key: want %d bytes, got %d", ed25519.PublicKeySize, len(b))
	}
	return ed25519.PublicKey(b), nil
}
