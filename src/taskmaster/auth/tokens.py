"""Access tokens: short-lived EdDSA JWTs, verified with exactly one algorithm."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from taskmaster.auth.keys import KeySet
from taskmaster.clock import Clock
from taskmaster.errors import Unauthorized

ALGORITHM = "EdDSA"
ACCESS_TOKEN_TYPE = "at+jwt"  # RFC 9068's media type for JWT access tokens
REQUIRED_CLAIMS = ["iss", "aud", "sub", "iat", "exp", "jti", "sid"]

MISSING_TOKEN = "No token provided. Access denied."
EXPIRED_TOKEN = "Token expired. Please login again."
INVALID_TOKEN = "Invalid token. Access denied."
VERIFIED_KEPT = 10_000  # verified tokens remembered per process (a few MB)


class TokenExpired(Unauthorized):
    def __init__(self) -> None:
        super().__init__(EXPIRED_TOKEN)


class TokenInvalid(Unauthorized):
    def __init__(self) -> None:
        super().__init__(INVALID_TOKEN)


@dataclass(frozen=True)
class AccessClaims:
    """What a verified access token says."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    token_id: str
    issued_at: datetime
    expires_at: datetime


class AccessTokens:
    """Issues and verifies the access tokens of one issuer and audience."""

    def __init__(
        self, keys: KeySet, *, issuer: str, audience: str, ttl: timedelta, clock: Clock
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self.ttl = ttl
        self._clock = clock
        self._verified: dict[str, AccessClaims] = {}  # in the order they were first seen

    def issue(self, user_id: uuid.UUID, session_id: uuid.UUID) -> str:
        now = self._clock()
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(user_id),
            "sid": str(session_id),
            "iat": int(now.timestamp()),
            "exp": int((now + self.ttl).timestamp()),
            "jti": secrets.token_urlsafe(16),
        }
        headers = {"kid": self._keys.kid, "typ": ACCESS_TOKEN_TYPE}
        return jwt.encode(claims, self._keys.signing_key, algorithm=ALGORITHM, headers=headers)

    def verify(self, token: str) -> AccessClaims:
        """The token's claims; TokenExpired or TokenInvalid when it must not be trusted.

        A token is checked once (an Ed25519 signature costs about 50 µs) and its claims kept
        until it expires: a client sends the same token for its 15 minutes. Whether its
        session has ended is not a property of the token and is asked on every request.
        """
        claims = self._verified.get(token)
        if claims is None:
            claims = self._check(token)
            if len(self._verified) >= VERIFIED_KEPT:
                del self._verified[next(iter(self._verified))]  # the oldest one
            self._verified[token] = claims
        elif claims.expires_at <= self._clock():
            del self._verified[token]
            raise TokenExpired()
        return claims

    def _check(self, token: str) -> AccessClaims:
        try:
            header = jwt.get_unverified_header(token)
            key = self._keys.verification_keys.get(str(header.get("kid")))
            if key is None or header.get("alg") != ALGORITHM:
                raise TokenInvalid()
            if header.get("typ") != ACCESS_TOKEN_TYPE:
                raise TokenInvalid()
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                # Time is checked below against our own clock, which tests control.
                options={"require": REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False},
            )
            user_id = uuid.UUID(claims["sub"])
            session_id = uuid.UUID(claims["sid"])
            issued_at = datetime.fromtimestamp(int(claims["iat"]), self._clock().tzinfo)
            expires_at = datetime.fromtimestamp(int(claims["exp"]), self._clock().tzinfo)
        except (
            jwt.PyJWTError,
            ValueError,
            TypeError,
            KeyError,
            AttributeError,
            OverflowError,
        ) as error:
            raise TokenInvalid() from error
        if expires_at <= self._clock():
            raise TokenExpired()
        return AccessClaims(
            user_id=user_id,
            session_id=session_id,
            token_id=str(claims["jti"]),
            issued_at=issued_at,
            expires_at=expires_at,
        )
