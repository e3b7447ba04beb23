package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/attrib/attrib/store"
)

func newScansCommand(g *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "scans [--json]",
		Short: "List stored scans, newest first",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runScans(cmd.Context(), asJSON, g)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"scans":[...]} as JSON`)
	return cmd
}

type scanJSON struct {
	ID         string      `json:"id"`
	Kind       string      `json:"kind"`
	State      string      `json:"state"`
	Targets    []string    `json:"targets"`
	StartedAt  string      `json:"started_at"`
	FinishedAt string      `json:"finished_at,omitempty"`
	Error      string      `json:"error,omitempty"`
	Stats      store.Stats `json:"stats"`
}

func runScans(ctx context.Context, asJSON bool, g *globalOptions) error {
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	scans, err := st.ListScans(ctx)
	if err != nil {
		return fmt.Errorf("list scans: %w", err)
	}
	if asJSON {
		out := struct {
			Scans []scanJSON `json:"scans"`
		}{Scans: make([]scanJSON, 0, len(scans))}
		for _, s := range scans {
			j := scanJSON{ID: s.ID, Kind: s.Kind, State: string(s.State), Targets: s.Targets, StartedAt: s.StartedAt.UTC().Format(time.RFC3339), Error: s.Error, Stats: s.Stats}
			if !s.FinishedAt.IsZero() {
				j.FinishedAt = s.FinishedAt.UTC().Format(time.RFC3339)
			}
			out.Scans = append(out.Scans, j)
		}
		return writeJSON(g.stdout, out)
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATE\tSTARTED\tPAGES\tIMAGES\tERRORS\tTARGETS")
	for _, s := range scans {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", s.ID, s.Kind, s.State, s.StartedAt.Local().Format("2006-01-02 15:04:05"),
			s.Stats.Pages, s.Stats.Images, s.Stats.Errors, strings.Join(s.Targets, " "))
	}
	return tw.Flush()
}
