"""tearsheet.archive.warc."""
