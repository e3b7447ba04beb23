package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/attrib/attrib/matcher/transparency"
)

func newKeyCommand(g *globalOptions) *cobra.Command {
	var public bool
	cmd := &cobra.Command{
		Use:   "key --public",
		Short: "Print the instance's public key, which verifies receipts and reports",
		Long: `Print the instance's ed25519 public key as base64 of its 32 raw bytes. Give it to
anyone who should verify receipts, reports and tree heads offline:

  attrib verify --key PUBKEY --receipt work.receipt.json --work work.txt

The private key is created on first use at transparency.key_file (default: next
to the SQLite store as <db>.key, mode 0600). Back it up: a lost key cannot sign
new heads that extend the old ones.`,
		Example: `  attrib key --public > attrib.pub`,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runKey(cmd.Context(), g, public)
		},
	}
	cmd.Flags().BoolVar(&public, "public", false, "print the public key (the private key is never printed)")
	return cmd
}

func runKey(_ context.Context, g *globalOptions, public bool) error {
	if !public {
		return usageError{errors.New("attrib key needs --public (the private key is never printed)")}
	}
	key, err := g.signingKey()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(g.stdout, transparency.EncodePublicKey(key.Public().(ed25519.PublicKey)))
	return err
}
