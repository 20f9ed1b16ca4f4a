"""The Pipedrive migration: read Pipedrive (API or export files), restructure, import into Apogee."""
