"""A pytest plugin (loaded with `-p` in pyproject.toml) that sets test-only environment.

It runs before pytest-django reads the settings, which a conftest.py would not.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
# Django swaps in its in-memory mail backend for tests whatever this says.
os.environ.setdefault("EMAIL_URL", "consolemail://")
os.environ.setdefault("DEBUG", "false")
# Tests do not run collectstatic; the manifest storage would refuse every page.
os.environ.setdefault("STATIC_MANIFEST", "false")
