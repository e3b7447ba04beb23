package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/attrib/attrib/matcher/transparency"
)

type verifyOptions struct {
	key         string
	receipt     string
	work        string
	report      string
	consistency string
}

func newVerifyCommand(g *globalOptions) *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify --key PUBKEY (--receipt FILE [--work FILE] | --report FILE | --consistency OLD.json NEW.json)",
		Short: "Check a receipt, a report or two tree heads offline with the instance's public key",
		Long: `Check offline, with nothing but the instance's public key (attrib key --public):

  --receipt FILE [--work FILE]   a work's registration receipt (attrib register --receipt),
                                 and with --work that FILE is the registered work
  --report FILE                  a JSON report (attrib report --format json): it is
                                 exactly what the log recorded for its scan
  --consistency OLD.json NEW.json  the log was only appended to between two tree heads:
                                 OLD is a head file, receipt or report; NEW a head
                                 file from attrib log head --from OLD.json

Exit status 0 and "valid: ..." when the file proves what it claims; 1 and the
reason otherwise. No store is opened.`,
		Example: `  attrib verify --key "$(cat attrib.pub)" --receipt notes.receipt.json --work notes.md
  attrib verify --key attrib.pub --report report.json
  attrib verify --key attrib.pub --consistency head-monday.json head-friday.json`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.Context(), g, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", "the instance's public key: base64 of 32 bytes, or a file holding it (required)")
	f.StringVar(&o.receipt, "receipt", "", "a registration receipt to check")
	f.StringVar(&o.work, "work", "", "with --receipt: the registered work's file")
	f.StringVar(&o.report, "report", "", "a JSON report to check")
	f.StringVar(&o.consistency, "consistency", "", "OLD.json; the NEW.json head file follows as an argument")
	return cmd
}

func runVerify(_ context.Context, g *globalOptions, o verifyOptions, args []string) error {
	modes := 0
	for _, s := range []string{o.receipt, o.report, o.consistency} {
		if s != "" {
			modes++
		}
	}
	switch {
	case o.key == "":
		return usageError{errors.New("--key PUBKEY is required (attrib key --public prints it)")}
	case modes != 1:
		return usageError{errors.New("give exactly one of --receipt, --report and --consistency")}
	case o.work != "" && o.receipt == "":
		return usageError{errors.New("--work goes with --receipt")}
	case o.consistency != "" && len(args) != 1:
		return usageError{errors.New("--consistency needs two files: --consistency OLD.json NEW.json")}
	case o.consistency == "" && len(args) != 0:
		return usageError{fmt.Errorf("unexpected argument %q", args[0])}
	}
	pub, err := readPublicKey(o.key)
	if err != nil {
		return usageError{err}
	}
	msg, err := verifyFiles(pub, o, args)
	if err != nil {
		if errors.Is(err, transparency.ErrInvalid) {
			return fmt.Errorf("invalid: %w", err)
		}
		return err
	}
	_, err = fmt.Fprintln(g.stdout, "valid: "+msg)
	return err
}

// readPublicKey takes the key itself or a file holding it.
func readPublicKey(s string) (ed25519.PublicKey, error) {
	pub, err := transparency.ParsePublicKey(s)
	if err == nil {
		return pub, nil
	}
	data, ferr := os.ReadFile(s)
	if ferr != nil {
		return nil, fmt.Errorf("--key: neither a base64 public key nor a readable file: %w", err)
	}
	return transparency.ParsePublicKey(string(data))
}

func verifyFiles(pub ed25519.PublicKey, o verifyOptions, args []string) (string, error) {
	switch {
	case o.receipt != "":
		data, err := os.ReadFile(o.receipt)
		if err != nil {
			return "", err
		}
		var work []byte
		if o.work != "" {
			if work, err = os.ReadFile(o.work); err != nil {
				return "", err
			}
		}
		v, err := transparency.VerifyReceipt(data, pub, work)
		if err != nil {
			return "", err
		}
		what := fmt.Sprintf("work %s (%q by %s, sha256 %s)", v.Entry.WorkID, v.Entry.Title, v.Entry.Creator, v.Entry.SHA256)
		if work != nil {
			what += " matches " + o.work + ";"
		}
		return fmt.Sprintf("%s registered %s, leaf %d of the log; %s", what, v.Entry.Time, v.LeafIndex, headSummary(v)), nil
	case o.report != "":
		data, err := os.ReadFile(o.report)
		if err != nil {
			return "", err
		}
		v, err := transparency.VerifyReport(data, pub)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("report of scan %s (sha256 %s) recorded %s, leaf %d of the log; %s",
			v.Entry.ScanID, v.Entry.ReportSHA256, v.Entry.Time, v.LeafIndex, headSummary(v)), nil
	}
	oldData, err := os.ReadFile(o.consistency)
	if err != nil {
		return "", err
	}
	newData, err := os.ReadFile(args[0])
	if err != nil {
		return "", err
	}
	v, err := transparency.VerifyConsistency(oldData, newData, pub)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("the log of %s extends the log of %s (it was only appended to); %s", leaves(v.Size), leaves(v.OldSize), headSummary(v)), nil
}

func leaves(n uint64) string {
	if n == 1 {
		return "1 leaf"
	}
	return fmt.Sprintf("%d leaves", n)
}

func headSummary(v transparency.Verified) string {
	return fmt.Sprintf("tree head of size %d, root %s, signed %s", v.Size, v.Root, v.Signed.UTC().Format("2006-01-02T15:04:05.000Z"))
}
