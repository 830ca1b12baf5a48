"""One-time codes: authenticator apps' time-based codes (RFC 6238) with their secrets sealed at
rest, and the single-use recovery codes that stand in for a lost app."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import datetime

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # a code of the step before or after is still taken: clocks and typing drift
NONCE_BYTES = 12
ISSUER = "TaskMaster"

RECOVERY_CODE_COUNT = 10
# Four groups of four base32 characters: 80 bits a code, beyond any search of a stolen hash.
RECOVERY_GROUPS, RECOVERY_GROUP = 4, 4
RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


class SealBroken(Exception):
    """A sealed secret that this key did not seal, or that was changed."""


class SecretSeal:
    """Seals authenticator secrets (AES-256-GCM, bound to their user), so that a copy of the
    database alone does not yield codes."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, user_id: uuid.UUID, secret: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, secret.encode(), user_id.bytes)
        return base64.urlsafe_b64encode(sealed).decode()

    def open(self, user_id: uuid.UUID, sealed: str) -> str:
        raw = base64.urlsafe_b64decode(sealed)
        try:
            return self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], user_id.bytes).decode()
        except InvalidTag as error:
            raise SealBroken from error


def new_secret() -> str:
    """A fresh secret: 160 random bits in base32, as authenticator apps take them."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str) -> str:
    """The otpauth:// URI an authenticator app reads from a QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=ISSUER
    )


def step_at(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def matching_step(secret: str, code: str, now: datetime, *, after: int) -> int | None:
    """The time step near `now` whose code `code` is, if it is later than step `after` (no code
    is taken twice); else None."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    current = step_at(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > after and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    def group() -> str:
        return "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP))

    return ["-".join(group() for _ in range(RECOVERY_GROUPS)) for _ in range(RECOVERY_CODE_COUNT)]


def recovery_digest(user_id: uuid.UUID, code: str) -> str:
    """How a recovery code is stored and looked up, salted with its user's id (one search
    never serves two accounts); case, spaces and dashes do not matter."""
    normalized = "".join(code.lower().replace("-", "").split())
    return hashlib.sha256(user_id.bytes + normalized.encode()).hexdigest()
