"""Private keys as PEM text, as JWT_PRIVATE_KEY holds them."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes


def pem(key: PrivateKeyTypes) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def new_signing_key() -> str:
    """A fresh Ed25519 key, as a deployment's secret is made."""
    return pem(Ed25519PrivateKey.generate())
