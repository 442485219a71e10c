"""Encryption of personal data at rest (AES-256-GCM) with a key derived from the node's secret."""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from jsms.core.config import get_settings

CIPHERTEXT_PREFIX = "v1:"


@lru_cache(maxsize=4)
def _key(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"jsms", info=purpose).derive(secret.encode())


def _secret() -> str:
    return get_settings().secret_key.get_secret_value()


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(_secret(), b"personal-data")).encrypt(nonce, plaintext.encode(), None)
    return CIPHERTEXT_PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(ciphertext: str) -> str:
    if not ciphertext.startswith(CIPHERTEXT_PREFIX):
        raise ValueError("not a JSMS ciphertext")
    raw = base64.b64decode(ciphertext[len(CIPHERTEXT_PREFIX) :])
    return AESGCM(_key(_secret(), b"personal-data")).decrypt(raw[:12], raw[12:], None).decode()


def purpose_digest(purpose: bytes, value: str) -> str:
    """A keyed hash of `value` for one purpose (an address only this node can make, say)."""
    return hmac.new(_key(_secret(), purpose), value.encode(), hashlib.sha256).hexdigest()


def keyed_digest(value: str) -> str:
    """A keyed hash: lets the audit trail track a secret value's changes without exposing it."""
    return purpose_digest(b"audit-redaction", value)


class EncryptedText(TypeDecorator):
    """A text column stored encrypted; Python code sees plaintext, the database never does."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return encrypt(value) if value is not None else None

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return decrypt(value) if value is not None else None
