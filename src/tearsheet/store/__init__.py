"""tearsheet.store.store."""
