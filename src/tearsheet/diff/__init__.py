"""tearsheet.diff.align."""
