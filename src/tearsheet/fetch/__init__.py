"""tearsheet.fetch.fetcher."""
