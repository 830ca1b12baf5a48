"""Ed25519 signing keys: loading, development generation, `kid` thumbprints and JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from taskmaster.config import Settings

DEV_KEY_FILE = "jwt-ed25519.pem"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """The RFC 8037 JWK of a public key, with its RFC 7638 thumbprint as `kid`."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    members = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    kid = _b64url(hashlib.sha256(canonical).digest())
    return {**members, "kid": kid, "use": "sig", "alg": "EdDSA"}


@dataclass(frozen=True)
class KeySet:
    """The key that signs new tokens and every public key a token may be verified with."""

    signing_key: Ed25519PrivateKey
    kid: str
    verification_keys: dict[str, Ed25519PublicKey]

    @classmethod
    def of(cls, signing_key: Ed25519PrivateKey) -> KeySet:
        public = signing_key.public_key()
        kid = public_jwk(public)["kid"]
        return cls(signing_key=signing_key, kid=kid, verification_keys={kid: public})

    def jwks(self) -> dict[str, Any]:
        return {"keys": [public_jwk(key) for key in self.verification_keys.values()]}


def _parse_private_key(pem: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise ValueError(
            "the JWT signing key is not an unencrypted PEM private key "
            "(make one with: openssl genpkey -algorithm ed25519)"
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the JWT signing key must be an Ed25519 private key (PEM, PKCS#8)")
    return key


def _development_key(data_dir: Path) -> Ed25519PrivateKey:
    """Generate the development key once and keep it, so tokens survive restarts."""
    path = data_dir / DEV_KEY_FILE
    if path.exists():
        return _parse_private_key(path.read_bytes())
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def load_keys(settings: Settings) -> KeySet:
    """The configured key; in development, one generated and kept in the data directory."""
    if settings.jwt_private_key is not None:
        pem = settings.jwt_private_key.get_secret_value().replace("\\n", "\n").encode()
        return KeySet.of(_parse_private_key(pem))
    if settings.jwt_private_key_file is not None:
        return KeySet.of(_parse_private_key(settings.jwt_private_key_file.read_bytes()))
    return KeySet.of(_development_key(settings.data_dir))
