"""Pipelines, their ordered stages, stage gates and hand-off rules."""
