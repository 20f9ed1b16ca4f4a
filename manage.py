#!/usr/bin/env python
"""Django's manage.py; the `apogee` command (apogee/cli.py) is the friendlier entry point."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apogee.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
