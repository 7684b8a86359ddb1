"""Secrets a message must carry but the database must never hold readable, such as booking links.

A message is stored with a placeholder where each secret goes, and the
secret itself encrypted (Fernet, with a key derived from `SECRET_KEY`, which
never sits in the database). Only the copy handed to the mail server has the
secret put back, and the encrypted copy is deleted once the message is sent
or given up, so neither SQL, a backup nor the admin shows a working link.
"""

import secrets as random_tokens

from cryptography.fernet import InvalidToken

from socex.fernet import fernet_for

UNREADABLE = "[this link no longer works: ask for a new one on the site]"


def _fernet():
    return fernet_for("outbox-sealing")


def seal(secrets):
    """Return (placeholders, sealed) for `secrets`, a dict of name to text.

    `placeholders` maps each name to the text to render in its place (unique
    to this message); `sealed` maps each placeholder to the encrypted secret.
    """
    fernet = _fernet()
    placeholders, sealed = {}, {}
    for name, value in secrets.items():
        placeholder = f"[{name}: sent by email, never stored {random_tokens.token_hex(6)}]"
        placeholders[name] = placeholder
        sealed[placeholder] = fernet.encrypt(value.encode()).decode()
    return placeholders, sealed


def unseal(text, sealed):
    """`text` with each placeholder of `sealed` replaced by its secret (or a note if unreadable)."""
    fernet = _fernet()
    for placeholder, token in sealed.items():
        try:
            value = fernet.decrypt(token.encode()).decode()
        except InvalidToken:  # SECRET_KEY changed since the message was queued
            value = UNREADABLE
        text = text.replace(placeholder, value)
    return text
