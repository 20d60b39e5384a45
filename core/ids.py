"""Public ids: stable, opaque, typed by a short prefix (ent_, act_, src_)."""

import base64
import hashlib
import secrets

_LENGTH = 12


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").lower().rstrip("=")[:_LENGTH]


def new_public_id(prefix: str) -> str:
    return f"{prefix}_{_b32(secrets.token_bytes(10))}"


def derived_public_id(prefix: str, key: str) -> str:
    """Deterministic id for records loaded from a keyed file (the seed corpus), so
    loading on any machine gives the same ids and a second load changes nothing."""
    return f"{prefix}_{_b32(hashlib.sha256(key.encode('utf-8')).digest())}"
