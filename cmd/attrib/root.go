package main

import (
	"github.com/spf13/cobra"
)

func newRootCommand(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "attrib",
		Short: "Find where registered creative works appear on the web and in datasets",
		Long: `attrib tells creators where their texts and images appear.

Register works, crawl sites (or audit datasets), and read the attribution report:
every match comes with its evidence (aligned text passages with byte offsets,
or the perceptual-hash distance of an image) and whether the source opted out
of AI use.

  attrib demo                                   # a self-contained tour, nothing to set up
  attrib register --creator "Ada" poems/        # register every text and image in a folder
  attrib crawl https://example.org/             # crawl a site and match it against the registry
  attrib report --format md                     # render the latest scan's report

Settings: flags override ATTRIB_* environment variables, which override the
--config YAML file (see configs/attrib.example.yaml), which overrides defaults.`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return g.resolve(cmd) },
	}
	g.addFlags(root.PersistentFlags())
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		newDemoCommand(g),
		newRegisterCommand(g),
		newWorksCommand(g),
		newCrawlCommand(g),
		newAuditCommand(g),
		newReportCommand(g),
		newScansCommand(g),
		newFingerprintCommand(g),
		newEnqueueCommand(g),
		newWorkerCommand(g),
		newMatcherCommand(g),
		newStatusCommand(g),
		newServeCommand(g),
		newTokenCommand(g),
		newKeyCommand(g),
		newVerifyCommand(g),
		newLogCommand(g),
		newVersionCommand(g),
	)
	// Our Use lines spell out the flags the contract names.
	for _, c := range root.Commands() {
		c.DisableFlagsInUseLine = true
	}
	return root
}

// usageArgs wraps a cobra argument validator so its errors exit with status 2.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}
