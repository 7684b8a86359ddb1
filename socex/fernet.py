"""Symmetric encryption for what the database must hold but never show: keys from SECRET_KEY.

Each purpose gets its own key (a hash of a label and `SECRET_KEY`), so text
sealed for one purpose never opens as another's. `SECRET_KEY` never sits in
the database, so neither SQL, a backup nor the admin reads what is sealed.
"""

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def fernet_for(purpose):
    """A Fernet keyed by `SECRET_KEY` for `purpose` (a short fixed label)."""
    digest = hashlib.sha256(f"socex-{purpose}:".encode() + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))
