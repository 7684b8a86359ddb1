"""WSGI entry point: `gunicorn socex.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socex.settings")

application = get_wsgi_application()
