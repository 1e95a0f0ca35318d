"""tearsheet.export.versions."""
