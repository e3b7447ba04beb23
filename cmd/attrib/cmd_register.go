package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/attrib/attrib/crawler/workfile"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
)

type registerOptions struct {
	creator string
	title   string
	license string
	json    bool
	receipt string // with one file: write its transparency receipt here
}

func newRegisterCommand(g *globalOptions) *cobra.Command {
	var o registerOptions
	cmd := &cobra.Command{
		Use:   "register --creator NAME [--title T] [--license L] [--json] [--receipt FILE] PATH...",
		Short: "Register files as works of a creator",
		Long: `Register each file as one work of the creator. A folder registers every
supported file inside it, recursively (other files are skipped and listed).

Texts: .txt .md .rst .html .htm (HTML is registered as the text a reader sees).
Images: .jpg .jpeg .png .gif .webp.

Registering identical content for the same creator again is a no-op that
returns the existing work.

Every new work is recorded in the transparency log. With one file, --receipt
FILE writes that work's receipt: the log entry, its inclusion proof and the
signed tree head, which attrib verify checks offline.`,
		Example: `  attrib register --creator "Ada Lovelace" --license CC-BY-4.0 essays/
  attrib register --creator "Ada Lovelace" --title "Notes on the Engine" notes.md`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRegister(cmd.Context(), o, g, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.creator, "creator", "", "creator the works belong to (required)")
	f.StringVar(&o.title, "title", "", "title of the work (only with a single file; default: the file's base name)")
	f.StringVar(&o.license, "license", "", "license of the works, e.g. CC-BY-4.0 or all-rights-reserved")
	f.BoolVar(&o.json, "json", false, `print {"works":[...]} as JSON`)
	f.StringVar(&o.receipt, "receipt", "", "with a single file: write the work's transparency receipt (JSON) to FILE")
	_ = cmd.MarkFlagRequired("creator")
	return cmd
}

func runRegister(ctx context.Context, o registerOptions, g *globalOptions, args []string) error {
	if o.creator == "" {
		return usageError{errors.New("--creator must not be empty")}
	}
	files, skipped, err := workfile.Expand(ctx, args)
	if err != nil {
		return err
	}
	if o.title != "" && len(files) != 1 {
		return usageError{fmt.Errorf("--title needs exactly one file, got %d", len(files))}
	}
	if o.receipt != "" && len(files) != 1 {
		return usageError{fmt.Errorf("--receipt needs exactly one file, got %d", len(files))}
	}
	for _, s := range skipped {
		g.logger.Debug("skipped: not a supported work type", "file", s)
	}
	if len(files) == 0 {
		return errors.New("no supported files to register")
	}
	st, m, err := g.openMatcher(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	works, failed, err := registerFiles(ctx, g, m, o, files)
	if err != nil {
		return err
	}
	if o.json {
		out, err := worksWithReceipts(ctx, g, st, works)
		if err != nil {
			return err
		}
		if err := writeJSON(g.stdout, out); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be registered (see messages above)", failed, len(files))
	}
	if o.receipt != "" {
		return g.writeReceipt(ctx, st, works[0].ID, o.receipt)
	}
	return nil
}

// registerFiles registers each file, printing one line per work (the
// progress of a long registration). A failed file is logged and counted,
// and the rest go on; with a single file its error is returned.
func registerFiles(ctx context.Context, g *globalOptions, m *matcher.Matcher, o registerOptions, files []string) ([]store.Work, int, error) {
	var works []store.Work
	failed := 0
	for _, path := range files {
		w, created, err := registerFile(ctx, m, o, path)
		switch {
		case ctx.Err() != nil:
			return nil, 0, ctx.Err()
		case err != nil && len(files) == 1:
			return nil, 0, err
		case err != nil:
			failed++
			g.logger.Error("not registered", "file", path, "err", err)
			continue
		}
		works = append(works, w)
		if !o.json && !g.cfg.Quiet {
			state := "registered"
			if !created {
				state = "already registered"
			}
			fmt.Fprintf(g.stdout, "%s\t%s\t%s\t%s\t%s\n", w.ID, w.Kind, w.Title, state, path)
		}
	}
	return works, failed, nil
}

func registerFile(ctx context.Context, m *matcher.Matcher, o registerOptions, path string) (store.Work, bool, error) {
	f, err := workfile.Read(path, workfile.DefaultLimits())
	if err != nil {
		return store.Work{}, false, err
	}
	title := f.Title
	if o.title != "" {
		title = o.title
	}
	return m.Register(ctx, matcher.Input{
		Creator: o.creator, Title: title, License: o.license, Kind: f.Kind, Data: f.Data, Text: f.Text,
	})
}

// worksWithReceipts is register --json's output: the works, each with its
// transparency receipt.
func worksWithReceipts(ctx context.Context, g *globalOptions, st store.Store, works []store.Work) (any, error) {
	l, err := g.openLog(st)
	if err != nil {
		return nil, err
	}
	out := struct {
		Works []workJSON `json:"works"`
	}{Works: make([]workJSON, 0, len(works))}
	for _, w := range works {
		rc, err := l.WorkReceipt(ctx, w.ID)
		if err != nil {
			return nil, fmt.Errorf("receipt of work %s: %w", w.ID, err)
		}
		out.Works = append(out.Works, workJSON{ID: w.ID, Title: w.Title, Creator: w.Creator, Kind: string(w.Kind),
			SHA256: w.SHA256, License: w.License, Receipt: rc.MarshalFile()})
	}
	return out, nil
}
