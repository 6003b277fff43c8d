"""The `bedtales` command line: one module per command group."""
