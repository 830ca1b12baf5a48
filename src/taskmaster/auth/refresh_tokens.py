"""Refresh tokens: 256 random bits, stored only as a hash; a token's successor is derived."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def token_digest(token: str) -> str:
    """What the database keeps: a token has 256 bits of entropy, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


class RefreshTokenMinter:
    """Makes new tokens, and the one successor of a token, which only this server can compute.

    Deriving the successor (HMAC of the token under a server key) lets two tabs that refresh
    with the same token a moment apart both receive the same new token, without keeping any
    token in the clear.
    """

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("the refresh token secret needs at least 256 bits")
        self._secret = secret

    @staticmethod
    def new() -> str:
        return secrets.token_urlsafe(32)

    def successor(self, token: str) -> str:
        return _b64url(hmac.new(self._secret, token.encode(), hashlib.sha256).digest())
