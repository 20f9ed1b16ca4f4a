"""Secrets stored at rest (API tokens, client secrets): encrypted, never shown back.

Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from SECRET_KEY through HKDF, so a
database dump alone does not reveal a customer's Pipedrive token or ERP secret. Rotating
SECRET_KEY makes stored secrets unreadable: `decrypt` then raises SecretUnreadable and the
caller asks for the secret again rather than failing obscurely.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret was encrypted with another SECRET_KEY, or altered."""


def _fernet(purpose: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"apogee:{purpose}".encode()).derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str, *, purpose: str) -> str:
    """`purpose` separates keys: a token encrypted for one use cannot be decrypted for another."""
    return _fernet(purpose).encrypt(value.encode()).decode() if value else ""


def decrypt(stored: str, *, purpose: str) -> str:
    if not stored:
        return ""
    try:
        return _fernet(purpose).decrypt(stored.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(purpose) from None


def hint(value: str) -> str:
    """What a page may show of a secret: its last four characters."""
    return f"…{value[-4:]}" if len(value) > 8 else "…"
