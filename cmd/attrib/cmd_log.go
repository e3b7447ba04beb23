package main

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"github.com/attrib/attrib/matcher/transparency"
)

func newLogCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "log",
		Short: "Inspect the transparency log",
		Args:  usageArgs(cobra.NoArgs),
	}
	cmd.AddCommand(newLogHeadCommand(g))
	return cmd
}

type logHeadOptions struct {
	from   string
	output string
}

func newLogHeadCommand(g *globalOptions) *cobra.Command {
	var o logHeadOptions
	cmd := &cobra.Command{
		Use:   "head [--from OLD.json] [-o FILE]",
		Short: "Export the latest signed tree head, with a consistency proof from an older head",
		Long: `Write the log's latest signed tree head as JSON. With --from OLD.json (a head
file, receipt or report this instance wrote earlier) it carries the proof that
the log was only appended to since OLD, which anyone can check offline:

  attrib verify --key PUBKEY --consistency OLD.json NEW.json`,
		Example: `  attrib log head -o head-monday.json
  attrib log head --from head-monday.json -o head-friday.json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLogHead(cmd.Context(), g, o)
		},
	}
	cmd.Flags().StringVar(&o.from, "from", "", "an older head file, receipt or report to prove consistency from")
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write the head to FILE instead of stdout")
	return cmd
}

func runLogHead(ctx context.Context, g *globalOptions, o logHeadOptions) error {
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	l, err := g.openLog(st)
	if err != nil {
		return err
	}
	var hf transparency.HeadFile
	if o.from == "" {
		hf, err = l.ExportHead(ctx, 0)
	} else {
		var old []byte
		if old, err = os.ReadFile(o.from); err == nil {
			hf, err = l.ExportHeadFrom(ctx, old)
		}
	}
	if err != nil {
		return err
	}
	if o.output != "" {
		return writeFileAtomic(o.output, hf.MarshalFile())
	}
	_, err = g.stdout.Write(hf.MarshalFile())
	return err
}
