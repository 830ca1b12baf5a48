"""Brute-force limits: sign-in attempts per account and address, registrations per address."""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from taskmaster.errors import RateLimited
from taskmaster.ratelimit import Rate, RateLimiter

IPV6_NETWORK_BITS = 64  # one subscriber's IPv6 addresses: limit the network, not each address


@dataclass(frozen=True)
class ThrottlePolicy:
    login_account_ip: Rate
    login_account: Rate
    login_ip: Rate
    register_ip: Rate


def address_key(ip: str) -> str:
    """The client address as limits count it: IPv6 by its /64, anything else as it is."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_NETWORK_BITS}", strict=False))
    return str(address)


def account_key(email: str) -> str:
    """A fixed-size key for any email a client sends, however long."""
    return hashlib.sha256(email.encode()).hexdigest()


class Throttle:
    """Counts every sign-in attempt before any password work and refuses past a limit with
    429; a successful attempt is given back, so the limits count failures."""

    def __init__(self, limiter: RateLimiter, policy: ThrottlePolicy) -> None:
        self._limiter = limiter
        self._policy = policy

    def _login_limits(self, email: str, ip: str) -> list[tuple[str, Rate]]:
        account, address = account_key(email), address_key(ip)
        return [
            (f"login:account-ip:{account}|{address}", self._policy.login_account_ip),
            (f"login:account:{account}", self._policy.login_account),
            (f"login:ip:{address}", self._policy.login_ip),
        ]

    async def login_attempt(self, email: str, ip: str) -> None:
        """Count an attempt on every limit, or on none and raise RateLimited."""
        taken: list[tuple[str, Rate]] = []
        for key, rate in self._login_limits(email, ip):
            verdict = await self._limiter.take(key, rate)
            if not verdict.allowed:
                for taken_key, taken_rate in taken:
                    await self._limiter.give_back(taken_key, taken_rate)
                raise RateLimited(
                    f"Too many failed login attempts. Try again in {verdict.retry_after} seconds.",
                    verdict.retry_after,
                )
            taken.append((key, rate))

    async def login_succeeded(self, email: str, ip: str) -> None:
        """The attempt was no failure: forget this address's failures on the account, and give
        the attempt back to the account's and the address's limits."""
        (pair_key, pair_rate), *others = self._login_limits(email, ip)
        await self._limiter.reset(pair_key, pair_rate)
        for key, rate in others:
            await self._limiter.give_back(key, rate)

    async def registration(self, ip: str) -> None:
        """Count a registration from `ip`, refusing it past the limit."""
        verdict = await self._limiter.take(
            f"register:ip:{address_key(ip)}", self._policy.register_ip
        )
        if not verdict.allowed:
            raise RateLimited(
                "Too many registrations from this address. "
                f"Try again in {verdict.retry_after} seconds.",
                verdict.retry_after,
            )
