"""Importing a Pipedrive account into Apogee: the orchestration of sources, map, plans and services.

- `workspace.py` knows the Apogee side: pipelines, stages, custom fields, users, and checks the
  restructuring map against them before anything is written.
- `links.py` remembers which Apogee record stands for which Pipedrive record (ImportLink) and
  whether it changed since (fingerprint).
- `writers.py` turns one normalized record into service calls, whole or not at all.
- `runner.py` walks the source's listings in dependency order, saves where it is after every
  record, stops when asked or when the API budget runs out, and resumes from there.
- `filesource.py` gives export files the interface of the API source.
- `reports.py` builds the dry-run report, its CSV and the reconciliation report.
"""
