package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/matcher/api"
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
			return usageError{errors.New("missing subcommand: attrib token create, list or revoke")}
		},
	}
	cmd.AddCommand(newTokenCreateCommand(g), newTokenListCommand(g), newTokenRevokeCommand(g))
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
schedules and creates tokens (also through POST /api/v1/tokens).
attrib token list shows every token's ID; attrib token revoke ID ends one.`,
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

func newTokenListCommand(g *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List API tokens by ID, oldest first",
		Long: `List the API tokens of attrib serve, working directly on the store: each
token's ID (the first 12 hex digits of its hash), creator, admin flag and
creation time. Secrets are never stored, so they cannot be shown; give an
ID to attrib token revoke.`,
		Example: `  attrib token list
  attrib token list --json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTokenList(cmd.Context(), asJSON, g)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"tokens":[{"id","creator","admin","created_at"}]} as JSON`)
	return cmd
}

func runTokenList(ctx context.Context, asJSON bool, g *globalOptions) error {
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ts, err := st.ListTokens(ctx)
	if err != nil {
		return fmt.Errorf("list tokens: %w", err)
	}
	if asJSON {
		out := api.TokenListJSON{Tokens: make([]api.TokenInfoJSON, 0, len(ts))}
		for _, t := range ts {
			out.Tokens = append(out.Tokens, api.TokenInfo(t))
		}
		return writeJSON(g.stdout, out)
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATOR\tADMIN\tCREATED")
	for _, t := range ts {
		creator, admin := t.Creator, "no"
		if creator == "" {
			creator = "-"
		}
		if t.Admin {
			admin = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", access.TokenID(t.Hash), creator, admin, t.CreatedAt.Local().Format("2006-01-02 15:04:05"))
	}
	return tw.Flush()
}

func newTokenRevokeCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API token: it stops working at once",
		Long: `Revoke an API token of attrib serve, working directly on the store. ID is
the token's ID from attrib token list, or any prefix of it of at least 6
hex digits that names one token. A running attrib serve refuses the token
(401), and dashboard sessions signed in with it, from its next request.`,
		Example: `  attrib token list
  attrib token revoke 3f9a0c1d2e4b`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTokenRevoke(cmd.Context(), args[0], g)
		},
	}
}

func runTokenRevoke(ctx context.Context, id string, g *globalOptions) error {
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := access.FindToken(ctx, st, id)
	if err == nil {
		err = st.DeleteToken(ctx, t.Hash)
	}
	switch {
	case errors.Is(err, access.ErrBadTokenID):
		return usageError{err}
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("no token has ID %s (attrib token list shows them; was it revoked already?)", id)
	case err != nil:
		return fmt.Errorf("revoke token: %w", err)
	}
	who := "creator " + t.Creator
	if t.Admin {
		who = "admin"
		if t.Creator != "" {
			who += ", creator " + t.Creator
		}
	}
	if _, err := fmt.Fprintf(g.stdout, "revoked token %s (%s)\n", access.TokenID(t.Hash), who); err != nil {
		return err
	}
	if t.Admin {
		return warnNoAdmin(ctx, g, st)
	}
	return nil
}

// warnNoAdmin tells on stderr when the last admin token is gone: nobody
// can manage the service over the API until one is made.
func warnNoAdmin(ctx context.Context, g *globalOptions, st store.Tokens) error {
	ts, err := st.ListTokens(ctx)
	if err != nil {
		return fmt.Errorf("list tokens: %w", err)
	}
	for _, t := range ts {
		if t.Admin {
			return nil
		}
	}
	_, err = fmt.Fprintln(g.stderr, "attrib: no admin token is left: attrib token create --admin makes one (attrib serve makes one when it starts without)")
	return err
}
