"""Connections to outside systems; each behind a client / mapping / sync split (ARCHITECTURE.md rule 4)."""
