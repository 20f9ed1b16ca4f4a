"""The Pipedrive migration settings pages (administrators only): start a run, follow it, act on it,
read its report. `start` holds the form and the list of runs, `run` the page of one run, `actions`
what is done to a run."""

from .actions import import_for_real, interrupt, report_download, resume
from .run import run_detail
from .start import index, start

__all__ = ["import_for_real", "index", "interrupt", "report_download", "resume", "run_detail", "start"]
