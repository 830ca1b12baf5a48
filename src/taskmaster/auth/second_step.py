"""The second step of a sign-in, and every other place a second factor is asked for: a proof
is counted by the sign-in limits (a wrong one is a failed attempt) and a wrong one is logged.

After the password, a sign-in of an account with two-step sign-in gets a challenge, not a
session: a token, valid for five minutes in the shared store, that a code or a recovery code
turns into a session once. The challenge is bound to the password hash it followed, so a
password changed in between ends it."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from taskmaster.auth.challenges import Challenges
from taskmaster.auth.repository import Credentials
from taskmaster.auth.security_log import Kind, SecurityLog
from taskmaster.auth.sessions import Client
from taskmaster.auth.throttle import Throttle
from taskmaster.auth.two_factor import Proof, TwoFactor

PURPOSE = "second-step"
LIFETIME = timedelta(minutes=5)
METHODS = ("totp", "recovery-code")


@dataclass(frozen=True)
class SecondStepNeeded:
    """The password was right; a second factor must follow, with this challenge."""

    challenge: str
    expires_at: datetime
    methods: tuple[str, ...] = METHODS


@dataclass(frozen=True)
class Pending:
    """A live challenge: whose sign-in it is, and the password hash it followed."""

    user_id: uuid.UUID
    password: str  # a digest of the hash, never the hash itself


def password_mark(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()


class SecondStep:
    def __init__(
        self,
        two_factor: TwoFactor,
        challenges: Challenges,
        throttle: Throttle,
        log: SecurityLog,
    ) -> None:
        self.two_factor = two_factor
        self._challenges = challenges
        self._throttle = throttle
        self._log = log

    async def begin(self, user_id: uuid.UUID, password_hash: str) -> SecondStepNeeded:
        state = {"user": str(user_id), "password": password_mark(password_hash)}
        issued = await self._challenges.issue(PURPOSE, state, LIFETIME)
        return SecondStepNeeded(issued.token, issued.expires_at)

    async def pending(self, challenge: str) -> Pending | None:
        state = await self._challenges.peek(PURPOSE, challenge)
        return None if state is None else Pending(uuid.UUID(state["user"]), state["password"])

    async def finish(self, challenge: str) -> bool:
        """End the challenge; False when another request ended it first."""
        return await self._challenges.take(PURPOSE, challenge) is not None

    async def prove(self, found: Credentials, proof: Proof, client: Client, failed: Kind) -> bool:
        """Whether `proof` is one of the account's second factors (spent if so). Counted as a
        sign-in attempt; a wrong one is logged as `failed`."""
        attempt = await self._throttle.login_attempt(found.email, client.ip)
        if not await self.two_factor.prove(found.user_id, proof):
            self._log.record_attempt(found.user_id, failed, method=proof.method)
            return False
        await self._throttle.login_succeeded(attempt)
        return True
