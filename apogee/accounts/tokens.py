"""Making and checking personal API token secrets (pure, no database)."""

import hashlib
import hmac
import secrets

PREFIX_LENGTH = 8


def new_token_secret() -> str:
    return "apg_" + secrets.token_urlsafe(32)


def token_prefix(secret: str) -> str:
    return secret[: 4 + PREFIX_LENGTH]


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
