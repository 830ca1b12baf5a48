"""The long-lived parts one process shares across requests, built from Settings."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property, partial
from typing import Any

import structlog
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.ext.asyncio import AsyncSession

from taskmaster import cache
from taskmaster.api.v2.cursors import CursorSeal
from taskmaster.auth.challenges import Challenges
from taskmaster.auth.keys import KeySet, load_keys
from taskmaster.auth.passkeys import Passkeys
from taskmaster.auth.passwords import PasswordHasher
from taskmaster.auth.refresh_tokens import RefreshTokenMinter
from taskmaster.auth.repository import CredentialReader, session_ended
from taskmaster.auth.revocations import NAMESPACE as REVOKED_NAMESPACE
from taskmaster.auth.revocations import RevokedSessions, remembered_for
from taskmaster.auth.second_step import SecondStep
from taskmaster.auth.security_log import SecurityEvents, SecurityLog
from taskmaster.auth.service import AccountService
from taskmaster.auth.sessions import Client, SessionPolicy, SessionService
from taskmaster.auth.throttle import Throttle, ThrottlePolicy
from taskmaster.auth.tokens import AccessTokens
from taskmaster.auth.totp import SecretSeal
from taskmaster.auth.two_factor import TwoFactor
from taskmaster.cache.base import KeyValue
from taskmaster.cache.mirror import SetMirror
from taskmaster.cache.reads import ReadCache
from taskmaster.clock import Clock, system_now
from taskmaster.config import Settings
from taskmaster.db.database import Database
from taskmaster.errors import Unavailable
from taskmaster.events import consumers
from taskmaster.events.bus import Bus, MemoryBus, RedisBus
from taskmaster.events.relay import Consumer, Relay
from taskmaster.idempotency.keys import IdempotencyKeys
from taskmaster.observe.metrics import Sampler
from taskmaster.observe.readiness import Readiness
from taskmaster.ratelimit import RateLimiter
from taskmaster.realtime.hub import Hub
from taskmaster.tasks.service import TaskService
from taskmaster.upkeep import Upkeep

log = structlog.get_logger(__name__)


def _derived_secret(keys: KeySet, purpose: bytes) -> bytes:
    """A key for `purpose`, derived from the signing key: one secret to configure, not two."""
    raw = keys.signing_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(raw)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    store: KeyValue
    keys: KeySet
    tokens: AccessTokens
    hasher: PasswordHasher
    minter: RefreshTokenMinter
    revoked: RevokedSessions
    throttle: Throttle
    clock: Clock
    mirror: SetMirror | None = None

    @classmethod
    def build(cls, settings: Settings, *, clock: Clock = system_now) -> Runtime:
        keys = load_keys(settings)
        access_ttl = timedelta(seconds=settings.access_token_ttl_seconds)
        store = cache.connect(settings.redis_url, settings.redis_prefix, clock)
        database = Database.from_settings(settings, store)
        mirror = (
            SetMirror(
                settings.redis_url,
                settings.redis_prefix,
                REVOKED_NAMESPACE,
                ttl=remembered_for(access_ttl),
            )
            if settings.redis_url
            else None
        )
        policy = ThrottlePolicy(
            login_account_ip=settings.rate_login_account_ip,
            login_account=settings.rate_login_account,
            login_ip=settings.rate_login_ip,
            register_ip=settings.rate_register_ip,
            known_for=timedelta(days=settings.refresh_token_ttl_days).total_seconds(),
        )
        return cls(
            settings=settings,
            db=database,
            store=store,
            keys=keys,
            tokens=AccessTokens(
                keys,
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                ttl=access_ttl,
                clock=clock,
            ),
            hasher=PasswordHasher(),
            minter=RefreshTokenMinter(_derived_secret(keys, b"taskmaster/refresh-successor")),
            revoked=RevokedSessions(
                store, access_ttl, partial(session_ended, database.sessions), mirror
            ),
            mirror=mirror,
            throttle=Throttle(RateLimiter(store, clock), store, policy),
            clock=clock,
        )

    def security_log(self, session: AsyncSession, client: Client) -> SecurityLog:
        """A request's security log: one per request, shared by the services it uses."""
        return SecurityLog(session, client, clock=self.clock)

    def session_service(self, session: AsyncSession, log: SecurityLog) -> SessionService:
        policy = SessionPolicy(
            lifetime=timedelta(days=self.settings.refresh_token_ttl_days),
            reuse_grace=timedelta(seconds=self.settings.refresh_reuse_grace_seconds),
        )
        return SessionService(session, minter=self.minter, policy=policy, log=log, clock=self.clock)

    def two_factor(self, session: AsyncSession, log: SecurityLog) -> TwoFactor:
        return TwoFactor(session, seal=self.totp_seal, log=log, clock=self.clock)

    def passkeys(self, session: AsyncSession, log: SecurityLog) -> Passkeys:
        return Passkeys(session, challenges=self.challenges, log=log, clock=self.clock)

    def account_service(self, session: AsyncSession, log: SecurityLog) -> AccountService:
        second_step = SecondStep(self.two_factor(session, log), self.challenges, self.throttle, log)
        return AccountService(
            session,
            credentials=CredentialReader(self.db.sessions),
            sessions=self.session_service(session, log),
            hasher=self.hasher,
            tokens=self.tokens,
            throttle=self.throttle,
            second_step=second_step,
            passkeys=self.passkeys(session, log),
            log=log,
            clock=self.clock,
        )

    @cached_property
    def challenges(self) -> Challenges:
        return Challenges(self.store, self.clock)

    @cached_property
    def totp_seal(self) -> SecretSeal:
        """Seals authenticator secrets with a key derived from the signing key."""
        return SecretSeal(_derived_secret(self.keys, b"taskmaster/totp-secret"))

    @cached_property
    def security_events(self) -> SecurityEvents:
        return SecurityEvents(self.db.sessions)

    @cached_property
    def sampler(self) -> Sampler:
        """Copies this process's counts into the metrics (/metrics)."""
        return Sampler(
            pools=lambda: _pools(self.db.stats()),
            cache=lambda: None if self.reads is None else self.reads.stats(),
            published=lambda: self.relay.published,
            clients=lambda: self.hub.connected,
            oldest_unsent=self.relay.oldest_unsent,
            clock=self.clock,
        )

    @cached_property
    def readiness(self) -> Readiness:
        """What /ready asks: the primary database, and the shared store when it is Redis."""
        return Readiness(self.db.engine, self.store if self.settings.redis_url else None)

    @cached_property
    def reads(self) -> ReadCache | None:
        """The read cache, unless READ_CACHE=false."""
        if not self.settings.read_cache:
            return None
        settings = self.settings
        store = cache.generations(
            settings.redis_url, settings.redis_prefix, settings.read_cache_timeout_ms
        )
        return ReadCache(store, self.tasks.project_ids)

    async def touched(
        self, *, users: Iterable[uuid.UUID] = (), projects: Iterable[uuid.UUID] = ()
    ) -> None:
        """A committed write changed these users' project lists and these projects' tasks:
        the read cache hears it at once, and the relay publishes the write's events."""
        self.relay.nudge()
        if self.reads is not None:
            await self.reads.touched(users=users, projects=projects)

    async def sessions_ended(self, ended: Iterable[uuid.UUID]) -> None:
        """A committed transaction ended these sessions: refused from now on, here at once
        and elsewhere as soon as the list is shared. The relay shares it too, so a store
        that fails now only delays the others (they ask the database while it is down)."""
        ended = list(ended)
        if not ended:
            return
        try:
            await self.revoked.add(ended)
        except Unavailable:
            log.warning("ended sessions left for the relay to share", sessions=len(ended))

    @cached_property
    def bus(self) -> Bus:
        """Carries published events to every instance: Redis pub/sub, or this process."""
        if self.settings.redis_url:
            return RedisBus(self.settings.redis_url, self.settings.redis_prefix)
        return MemoryBus()

    @cached_property
    def hub(self) -> Hub:
        """This instance's Socket.IO server."""
        hub = Hub(
            tokens=self.tokens,
            revoked=self.revoked,
            projects_of=lambda user: self.tasks.project_ids(user, primary=True),
            fresh_reads=self.db.mark_fresh,
            allowed_origins=self.settings.cors_origin,
        )
        self.bus.listen(hub.deliver, on_gap=hub.resync)
        return hub

    @cached_property
    def relay(self) -> Relay:
        """Publishes the outbox's events: the shared revocation list, then the bus."""
        settings = self.settings
        steps: list[Consumer] = [consumers.ended_sessions(self.revoked), self.bus.publish]
        return Relay(
            self.db,
            steps,
            clock=self.clock,
            poll_seconds=settings.outbox_poll_ms / 1000,
            batch=settings.outbox_batch,
            kept=timedelta(seconds=settings.outbox_kept_seconds),
        )

    @cached_property
    def tasks(self) -> TaskService:
        return TaskService(self.db, clock=self.clock, touched=self.touched)

    @cached_property
    def idempotency(self) -> IdempotencyKeys:
        return IdempotencyKeys(self.db, clock=self.clock)

    @cached_property
    def upkeep(self) -> Upkeep:
        settings = self.settings
        return Upkeep(
            self.tasks,
            self.idempotency,
            self.security_events,
            clock=self.clock,
            tombstones_kept=timedelta(days=settings.tombstone_retention_days),
            security_events_kept=timedelta(days=settings.security_log_retention_days),
        )

    @cached_property
    def cursors(self) -> CursorSeal:
        """Seals API cursors, so that every instance opens the ones any other issued."""
        return CursorSeal(_derived_secret(self.keys, b"taskmaster/cursor"))

    async def start(self, *, serving: bool = True) -> None:
        """Start the background work: pool upkeep, replica checks, the revocation mirror,
        forgetting old tombstones and keys; when `serving` clients, the real-time hub on the
        bus; and the relay, when it runs embedded."""
        self.db.start()
        if self.mirror is not None:
            await self.mirror.start()
        self.upkeep.start()
        if serving:
            _ = self.hub  # listens to the bus from now on
            self.sampler.start()
        await self.bus.start()
        if self.settings.outbox_relay == "embedded" or not serving:
            self.relay.start()

    async def close(self) -> None:
        if "sampler" in self.__dict__:
            await self.sampler.close()
        if "relay" in self.__dict__:
            await self.relay.close()
        if "bus" in self.__dict__:
            await self.bus.close()
        await self.upkeep.close()
        if self.mirror is not None:
            await self.mirror.close()
        await self.db.dispose()
        await self.store.close()
        if self.__dict__.get("reads") is not None:  # made on first use
            await self.__dict__["reads"].close()


def _pools(stats: dict[str, Any]) -> dict[str, Any]:
    """Each pool's counts by name: the primary's, and each replica's by its position."""
    pools = {"primary": stats["pool"]}
    for index, replica in enumerate(stats.get("replicas", ())):
        pools[f"replica{index}"] = replica["pool"]
    return pools
