"""A pytest plugin (`-p tests.environment` in pyproject.toml) that sets test-only environment.

It runs before pytest-django reads the settings, which a conftest.py would not.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
# Django swaps in its in-memory mail backend for tests whatever this says.
os.environ.setdefault("EMAIL_URL", "consolemail://")
os.environ.setdefault("DEBUG", "false")
# Tests do not run collectstatic; the manifest storage would refuse every page.
os.environ.setdefault("STATIC_MANIFEST", "false")
# The test client speaks plain HTTP; redirecting it to HTTPS would answer every request with 301.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# Tests about other things sign organisers in without a device and post forms many times;
# the security tests switch these on with override_settings.
os.environ.setdefault("OTP_REQUIRED", "false")
os.environ.setdefault("RATE_LIMITS", "off")
# Every sign-in and create_user hashes a password; the production hasher is slow on purpose.
os.environ.setdefault("PASSWORD_HASHERS", "md5")
