"""Models of leads (to be built)."""
