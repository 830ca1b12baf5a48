"""Brute-force limits: failed logins per account and address, registrations per address."""

from __future__ import annotations

from dataclasses import dataclass

from taskmaster.errors import RateLimited
from taskmaster.ratelimit import Rate, RateLimiter


@dataclass(frozen=True)
class ThrottlePolicy:
    login_account_ip: Rate
    login_account: Rate
    login_ip: Rate
    register_ip: Rate


class Throttle:
    """Counts failures, and refuses with 429 before any password work once a limit is reached."""

    def __init__(self, limiter: RateLimiter, policy: ThrottlePolicy) -> None:
        self._limiter = limiter
        self._policy = policy

    def _login_limits(self, email: str, ip: str) -> list[tuple[str, Rate]]:
        return [
            (f"login:account-ip:{email}|{ip}", self._policy.login_account_ip),
            (f"login:account:{email}", self._policy.login_account),
            (f"login:ip:{ip}", self._policy.login_ip),
        ]

    async def before_login(self, email: str, ip: str) -> None:
        for key, rate in self._login_limits(email, ip):
            verdict = await self._limiter.check(key, rate)
            if not verdict.allowed:
                raise RateLimited(
                    f"Too many failed login attempts. Try again in {verdict.retry_after} seconds.",
                    verdict.retry_after,
                )

    async def login_failed(self, email: str, ip: str) -> None:
        for key, rate in self._login_limits(email, ip):
            await self._limiter.hit(key, rate)

    async def login_succeeded(self, email: str, ip: str) -> None:
        key, rate = self._login_limits(email, ip)[0]
        await self._limiter.reset(key, rate)

    async def registration(self, ip: str) -> None:
        """Count a registration attempt from `ip`, refusing it past the limit."""
        key, rate = f"register:ip:{ip}", self._policy.register_ip
        verdict = await self._limiter.check(key, rate)
        if not verdict.allowed:
            raise RateLimited(
                "Too many registrations from this address. "
                f"Try again in {verdict.retry_after} seconds.",
                verdict.retry_after,
            )
        await self._limiter.hit(key, rate)
