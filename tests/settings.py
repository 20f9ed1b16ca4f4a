"""Settings for the test suite: the real settings, in testing mode (inline tasks, fast hashing)."""

import os

os.environ["APOGEE_TESTING"] = "1"

from apogee.settings import *  # noqa: F403
