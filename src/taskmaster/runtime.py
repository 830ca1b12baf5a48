"""The long-lived parts one process shares across requests, built from Settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from taskmaster.auth.keys import KeySet, load_keys
from taskmaster.auth.passwords import PasswordHasher
from taskmaster.auth.tokens import AccessTokens
from taskmaster.clock import Clock, system_now
from taskmaster.config import Settings
from taskmaster.db.engine import Database


@dataclass
class Runtime:
    settings: Settings
    db: Database
    keys: KeySet
    tokens: AccessTokens
    hasher: PasswordHasher
    clock: Clock

    @classmethod
    def build(cls, settings: Settings, *, clock: Clock = system_now) -> Runtime:
        keys = load_keys(settings)
        tokens = AccessTokens(
            keys,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl=timedelta(seconds=settings.access_token_ttl_seconds),
            clock=clock,
        )
        return cls(
            settings=settings,
            db=Database.from_settings(settings),
            keys=keys,
            tokens=tokens,
            hasher=PasswordHasher(),
            clock=clock,
        )

    async def close(self) -> None:
        await self.db.dispose()
