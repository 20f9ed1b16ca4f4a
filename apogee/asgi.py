"""ASGI entry point, for servers that need it; the default server is gunicorn over WSGI."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apogee.settings")
application = get_asgi_application()
