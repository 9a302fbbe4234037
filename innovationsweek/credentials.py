"""Secrets handed to callers (Bearer tokens, partner API keys): made random, stored hashed.

They carry 256 bits of randomness, so a fast hash is enough at rest (unlike passwords, which
are argon2-hashed in :mod:`innovationsweek.accounts`), and lookups stay one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets

USER_TOKEN_PREFIX = "iwt_"
PARTNER_KEY_PREFIX = "iwp_"


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
