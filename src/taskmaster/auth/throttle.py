"""Brute-force limits: sign-in attempts per account and address, registrations per address."""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
from dataclasses import dataclass

from taskmaster.cache.base import KeyValue, StoreUnavailable
from taskmaster.errors import RateLimited
from taskmaster.observe.metrics import RATE_LIMITED
from taskmaster.ratelimit import Rate, RateLimiter

IPV6_NETWORK_BITS = 64  # one subscriber's IPv6 addresses: limit the network, not each address


@dataclass(frozen=True)
class ThrottlePolicy:
    login_account_ip: Rate
    login_account: Rate
    login_ip: Rate
    register_ip: Rate
    known_for: float  # seconds an address stays known after a successful sign-in


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


def _known_key(email: str, ip: str) -> str:
    return f"login:known:{account_key(email)}|{address_key(ip)}"


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt that was counted, and on which limits."""

    email: str
    ip: str
    counted: tuple[tuple[str, Rate], ...]


class Throttle:
    """Counts every sign-in attempt before any password work and refuses past a limit with
    429; a successful attempt is given back, so the limits count failures.

    An address the account has signed in from before (for the life of a session) is exempt
    from the account-wide limit: an attacker spread over many addresses can lock a stranger
    out of the account, not its owner at home.
    """

    def __init__(self, limiter: RateLimiter, store: KeyValue, policy: ThrottlePolicy) -> None:
        self._limiter = limiter
        self._store = store
        self._policy = policy

    async def _known(self, email: str, ip: str) -> bool:
        try:
            return await self._store.get(_known_key(email, ip)) is not None
        except StoreUnavailable:
            return False

    async def login_attempt(self, email: str, ip: str) -> Attempt:
        """Count an attempt on every limit, or on none and raise RateLimited."""
        account, address = account_key(email), address_key(ip)
        limits = [
            (f"login:account-ip:{account}|{address}", self._policy.login_account_ip),
            (f"login:ip:{address}", self._policy.login_ip),
        ]
        if not await self._known(email, ip):
            limits.append((f"login:account:{account}", self._policy.login_account))
        counted: list[tuple[str, Rate]] = []
        for key, rate in limits:
            verdict = await self._limiter.take(key, rate)
            if not verdict.allowed:
                for counted_key, counted_rate in counted:
                    await self._limiter.give_back(counted_key, counted_rate)
                RATE_LIMITED.labels("login").inc()
                raise RateLimited(
                    f"Too many failed login attempts. Try again in {verdict.retry_after} seconds.",
                    verdict.retry_after,
                )
            counted.append((key, rate))
        return Attempt(email, ip, tuple(counted))

    async def login_succeeded(self, attempt: Attempt) -> None:
        """The attempt was no failure: forget this address's failures on the account, give
        the attempt back to the other limits, and remember the address as known."""
        (pair_key, pair_rate), *others = attempt.counted
        await self._limiter.reset(pair_key, pair_rate)
        for key, rate in others:
            await self._limiter.give_back(key, rate)
        with contextlib.suppress(StoreUnavailable):  # the address just stays unknown
            await self._store.set(
                _known_key(attempt.email, attempt.ip), b"1", ttl=self._policy.known_for
            )

    async def login_half_done(self, attempt: Attempt) -> None:
        """The password was right but a second factor is owed: this attempt is no failure,
        yet nothing is forgiven (the failures counted so far stay, the address stays
        unknown) until the second step succeeds, so signing in again buys no more guesses."""
        for key, rate in attempt.counted:
            await self._limiter.give_back(key, rate)

    async def registration(self, ip: str) -> None:
        """Count a registration from `ip`, refusing it past the limit."""
        verdict = await self._limiter.take(
            f"register:ip:{address_key(ip)}", self._policy.register_ip
        )
        if not verdict.allowed:
            RATE_LIMITED.labels("register").inc()
            raise RateLimited(
                "Too many registrations from this address. "
                f"Try again in {verdict.retry_after} seconds.",
                verdict.retry_after,
            )
