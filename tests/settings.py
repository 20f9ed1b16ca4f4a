"""Settings for the test suite: the real settings, in testing mode (inline tasks, fast hashing)."""

import os
import tempfile
from pathlib import Path

os.environ["APOGEE_TESTING"] = "1"

from apogee.settings import *  # noqa: F403

# Uploaded files (offer documents) of the test run go to a throwaway folder, not the data dir.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="apogee-test-media-"))
