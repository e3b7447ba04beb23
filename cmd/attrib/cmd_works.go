package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/attrib/attrib/store"
)

type worksOptions struct {
	creator string
	json    bool
}

func newWorksCommand(g *globalOptions) *cobra.Command {
	var o worksOptions
	cmd := &cobra.Command{
		Use:   "works [--creator NAME] [--json]",
		Short: "List registered works",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWorks(cmd.Context(), o, g)
		},
	}
	cmd.Flags().StringVar(&o.creator, "creator", "", "only this creator's works")
	cmd.Flags().BoolVar(&o.json, "json", false, `print {"works":[...]} as JSON`)
	return cmd
}

func runWorks(ctx context.Context, o worksOptions, g *globalOptions) error {
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	works, err := st.Works(ctx, store.WorkFilter{Creator: o.creator})
	if err != nil {
		return fmt.Errorf("list works: %w", err)
	}
	if o.json {
		return writeJSON(g.stdout, worksJSON(works))
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATOR\tKIND\tTITLE\tLICENSE\tREGISTERED")
	for _, w := range works {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", w.ID, w.Creator, w.Kind, w.Title, w.License, w.CreatedAt.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

// workJSON is one work in the contract's register/works JSON.
type workJSON struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Creator string `json:"creator"`
	Kind    string `json:"kind"`
	SHA256  string `json:"sha256"`
	License string `json:"license,omitempty"`
	// Receipt (register --json only) is the work's transparency receipt,
	// the same object `register --receipt` writes.
	Receipt json.RawMessage `json:"receipt,omitempty"`
}

func worksJSON(ws []store.Work) any {
	out := struct {
		Works []workJSON `json:"works"`
	}{Works: make([]workJSON, 0, len(ws))}
	for _, w := range ws {
		out.Works = append(out.Works, workJSON{ID: w.ID, Title: w.Title, Creator: w.Creator, Kind: string(w.Kind), SHA256: w.SHA256, License: w.License})
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
