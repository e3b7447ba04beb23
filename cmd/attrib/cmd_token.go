package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/store"
)

type tokenOptions struct {
	creator string
	admin   bool
	json    bool
}

func newTokenCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Manage API tokens of attrib serve",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError{errors.New("missing subcommand: attrib token create")}
		},
	}
	cmd.AddCommand(newTokenCreateCommand(g))
	return cmd
}

func newTokenCreateCommand(g *globalOptions) *cobra.Command {
	var o tokenOptions
	cmd := &cobra.Command{
		Use:   "create (--creator NAME | --admin) [--json]",
		Short: "Print a new API token for a creator or the admin",
		Long: `Create an API token for attrib serve, working directly on the store, and
print it. The token is shown only now: the store keeps its SHA-256 hash.

A creator token sees and changes only that creator's works and their
appearances; an admin token sees everything, starts scans, manages
schedules and creates tokens (also through POST /api/v1/tokens).`,
		Example: `  attrib token create --creator "Ada Lovelace"
  attrib token create --admin --json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTokenCreate(cmd.Context(), o, g)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.creator, "creator", "", "creator the token acts for")
	f.BoolVar(&o.admin, "admin", false, "make an admin token")
	f.BoolVar(&o.json, "json", false, `print {"token","creator","admin"} as JSON`)
	return cmd
}

func runTokenCreate(ctx context.Context, o tokenOptions, g *globalOptions) error {
	o.creator = strings.TrimSpace(o.creator)
	if (o.creator == "") == !o.admin {
		return usageError{errors.New("give exactly one of --creator NAME or --admin")}
	}
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	secret, err := createToken(ctx, st, store.Token{Creator: o.creator, Admin: o.admin})
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(g.stdout, struct {
			Token   string `json:"token"`
			Creator string `json:"creator"`
			Admin   bool   `json:"admin"`
		}{secret, o.creator, o.admin})
	}
	_, err = fmt.Fprintln(g.stdout, secret)
	return err
}

// createToken stores a new token's hash and returns the secret.
func createToken(ctx context.Context, st store.Tokens, t store.Token) (string, error) {
	secret, hash, err := access.NewToken()
	if err != nil {
		return "", err
	}
	t.Hash = hash
	if err := st.PutToken(ctx, t); err != nil {
		return "", fmt.Errorf("store token: %w", err)
	}
	return secret, nil
}
