package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/attrib/attrib/cmd/attrib/internal/demo"
	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/frontier"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/store"
)

func newDemoCommand(g *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a self-contained tour: register sample works, crawl a sample blog, print the report",
		Long: `Start a small blog on 127.0.0.1 that quotes, edits and re-posts a few sample
works, register those works, crawl the blog and print the report summary.
Nothing is needed but attrib itself. The demo uses a temporary store unless
--db is given, so your own registry is not touched.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), g, cmd.Flags().Changed("db"), asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON on stdout")
	return cmd
}

func runDemo(ctx context.Context, g *globalOptions, keepDB, asJSON bool) error {
	if !keepDB {
		dir, err := os.MkdirTemp("", "attrib-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer os.RemoveAll(dir)
		g.cfg.DB = filepath.Join(dir, "demo.db")
	}
	site, err := demo.Serve(ctx)
	if err != nil {
		return err
	}
	defer site.Close()
	st, m, err := g.openMatcher(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := registerDemoWorks(ctx, g, m, asJSON); err != nil {
		return err
	}
	say(g, asJSON, "Crawling the sample blog at %s/ (robots.txt obeyed) ...\n", site.URL)
	copts := crawler.Options{
		Seeds: []string{site.URL + "/"}, Scope: frontier.ScopeHost, MaxDepth: 3, Rate: 0, Workers: 4,
		ImageLimits: matcherOptions(g).ImageLimits,
	}
	sc, err := crawlScan(ctx, g, st, m, copts)
	if err != nil {
		return err
	}
	rep, err := report.FromStore(ctx, st, sc.ID, "")
	if err != nil {
		return err
	}
	if asJSON {
		return report.Render(g.stdout, rep, report.FormatJSON)
	}
	if err := report.Summary(g.stdout, rep); err != nil {
		return err
	}
	if keepDB {
		say(g, false, "\nFull report with evidence: attrib --db %s report --format md\n", g.cfg.DB)
	}
	return nil
}

func registerDemoWorks(ctx context.Context, g *globalOptions, m *matcher.Matcher, quiet bool) error {
	works, err := demo.Works()
	if err != nil {
		return err
	}
	for _, w := range works {
		in := matcher.Input{Creator: demo.Creator, Title: w.Title, License: "CC-BY-NC-4.0", Kind: store.WorkKind(w.Kind), Data: w.Data}
		if in.Kind == store.KindText {
			in.Text = string(w.Data)
		}
		stored, _, err := m.Register(ctx, in)
		if err != nil {
			return fmt.Errorf("demo: register %s: %w", w.Title, err)
		}
		say(g, quiet, "Registered %-28s %-5s as %s (creator %s)\n", stored.Title, stored.Kind, stored.ID, stored.Creator)
	}
	return nil
}

// say prints human narration to stdout unless stdout must stay pure JSON.
func say(g *globalOptions, quiet bool, format string, args ...any) {
	if quiet {
		return
	}
	fmt.Fprintf(g.stdout, format, args...)
}
