"""One module per deployed function; each defines a callable named like its entry point."""
