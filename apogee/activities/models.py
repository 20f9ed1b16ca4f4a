"""Models of activities (to be built)."""
