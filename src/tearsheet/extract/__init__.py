"""tearsheet.extract.extraction."""
