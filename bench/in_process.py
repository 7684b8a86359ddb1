"""Settings for a benchmark that runs Django in its own process (no server), DEBUG off.

Call `configure(name)` before Django is imported: without a DATABASE_URL it
points Django at a throwaway SQLite file and returns that file's path (None
when DATABASE_URL names a server, which the benchmark then uses).
"""

import os
import tempfile
from pathlib import Path


def configure(name):
    sqlite_file = None
    if not os.environ.get("DATABASE_URL"):
        sqlite_file = Path(tempfile.mkdtemp()) / f"{name}.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_file}"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socex.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["STATIC_MANIFEST"] = "false"
    os.environ["EMAIL_URL"] = "dummymail://"
    return sqlite_file
