package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/attrib/attrib/crawler/workfile"
	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/matcher/textfp"
	"github.com/attrib/attrib/store"
)

func newFingerprintCommand(g *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "fingerprint [--json] FILE...",
		Short: "Print the fingerprints attrib computes for files",
		Long: `Print each file's fingerprints, to compare with other tools: for an image its
SHA-256, PDQ hash (64 hex digits in the reference implementation's order) with
its quality, and 64-bit pHash; for a text its SHA-256, its number of words and
of winnowed fingerprints. Nothing is stored.`,
		Example: `  attrib fingerprint photo.jpg poem.txt
  attrib fingerprint --json photos/*.jpg`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFingerprint(cmd.Context(), asJSON, g, args)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"fingerprints":[...]} as JSON`)
	return cmd
}

// fingerprintJSON is one file's fingerprints in the contract's shape.
type fingerprintJSON struct {
	File         string `json:"file"`
	SHA256       string `json:"sha256"`
	PDQ          string `json:"pdq,omitempty"`
	PDQQuality   *int   `json:"pdq_quality,omitempty"`
	PHash        string `json:"phash,omitempty"`
	Words        *int   `json:"words,omitempty"`
	Fingerprints *int   `json:"fingerprints,omitempty"`
}

func runFingerprint(ctx context.Context, asJSON bool, g *globalOptions, paths []string) error {
	files, _, err := workfile.Expand(ctx, paths)
	if err != nil {
		return err
	}
	out := make([]fingerprintJSON, 0, len(files))
	for _, path := range files {
		fp, err := fingerprintFile(path, g)
		if err != nil {
			return err
		}
		out = append(out, fp)
	}
	if asJSON {
		return writeJSON(g.stdout, struct {
			Fingerprints []fingerprintJSON `json:"fingerprints"`
		}{out})
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	for _, f := range out {
		if f.Words != nil {
			fmt.Fprintf(tw, "%s\tsha256 %s\twords %d\tfingerprints %d\n", f.File, f.SHA256, *f.Words, *f.Fingerprints)
			continue
		}
		fmt.Fprintf(tw, "%s\tsha256 %s\tpdq %s (quality %d)\tphash %s\n", f.File, f.SHA256, f.PDQ, *f.PDQQuality, f.PHash)
	}
	return tw.Flush()
}

func fingerprintFile(path string, g *globalOptions) (fingerprintJSON, error) {
	f, err := workfile.Read(path, workfile.DefaultLimits())
	if err != nil {
		return fingerprintJSON{}, err
	}
	if f.Kind == store.KindImage {
		h, err := imagefp.Compute(f.Data, imagefp.Limits{MaxBytes: g.cfg.Crawl.MaxImageBytes, MaxPixels: g.cfg.Crawl.MaxImagePixels})
		if err != nil {
			return fingerprintJSON{}, fmt.Errorf("%s: %w", path, err)
		}
		q := h.PDQQuality
		return fingerprintJSON{File: path, SHA256: h.SHA256, PDQ: h.PDQ.Hex(), PDQQuality: &q, PHash: h.PHashHex()}, nil
	}
	fps, err := textfp.Compute(f.Text, textfp.DefaultParams())
	if err != nil {
		return fingerprintJSON{}, fmt.Errorf("%s: %w", path, err)
	}
	sum := sha256.Sum256(f.Data)
	words, n := fps.Tokens, len(fps.Prints)
	return fingerprintJSON{File: path, SHA256: hex.EncodeToString(sum[:]), Words: &words, Fingerprints: &n}, nil
}
