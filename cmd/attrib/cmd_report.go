package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/attrib/attrib/matcher/report"
)

type reportOptions struct {
	scan    string
	creator string
	format  string
	output  string
	by      string // "" for the report, "creator" for shares totalled per creator
}

func newReportCommand(g *globalOptions) *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report [--scan ID|latest] [--creator NAME] [--by creator] [--format json|md|csv|html] [-o FILE]",
		Short: "Render a stored scan's attribution report",
		Example: `  attrib report                         # latest scan, Markdown
  attrib report --scan s_20261127T101500Z-3f9c1a --format json -o report.json
  attrib report --creator "Ada Lovelace"   # only Ada's works
  attrib report --by creator --format csv  # attribution shares totalled per creator`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReport(cmd.Context(), o, g)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.scan, "scan", "latest", "scan ID, or latest")
	f.StringVar(&o.creator, "creator", "", "only matches of this creator's works")
	f.StringVar(&o.format, "format", "md", "json, md, csv or html")
	f.StringVar(&o.by, "by", "", "total the attribution shares per creator (the only value: creator)")
	f.StringVarP(&o.output, "output", "o", "", "write the report to FILE instead of stdout")
	return cmd
}

func runReport(ctx context.Context, o reportOptions, g *globalOptions) error {
	format, err := report.ParseFormat(o.format)
	if err != nil {
		return usageError{err}
	}
	if err := report.Supported(format); err != nil {
		return err
	}
	if o.by != "" && o.by != "creator" {
		return usageError{fmt.Errorf("unknown --by value %q (valid: creator)", o.by)}
	}
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	id := o.scan
	if id == "latest" {
		id = ""
	}
	rep, err := report.FromStore(ctx, st, id, o.creator)
	if err != nil {
		return err
	}
	if o.by == "creator" {
		return writeTotals(g, o.output, report.ByCreator(rep), format)
	}
	if format == report.FormatJSON {
		// A JSON report carries its proof from the transparency log.
		if rep, err = g.recordReport(ctx, st, rep); err != nil {
			return err
		}
	}
	if o.output != "" {
		return writeReportFile(o.output, rep, format)
	}
	return report.Render(g.stdout, rep, format)
}

// writeTotals renders per-creator totals to path, or to stdout when path is
// empty.
func writeTotals(g *globalOptions, path string, t report.Totals, f report.Format) error {
	if path == "" {
		return report.RenderTotals(g.stdout, t, f)
	}
	return writeOutputFile(path, func(w io.Writer) error { return report.RenderTotals(w, t, f) })
}
