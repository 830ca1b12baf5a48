"""One Settings class, read from the environment (and an optional .env file)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    IPvAnyNetwork,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from taskmaster.ratelimit import Rate


def _comma_separated(value: object) -> object:
    if isinstance(value, str):
        return tuple(item.strip().rstrip("/") for item in value.split(",") if item.strip())
    return value


def _async_driver(url: str) -> str:
    """Accept the plain URLs hosting providers hand out and pick the async driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
    return url


def _rate(value: object) -> object:
    return Rate.parse(value) if isinstance(value, str) else value


def _postgres_urls(value: object) -> object:
    """Comma-separated PostgreSQL URLs, each checked now: a typo is a start-up error."""
    if not isinstance(value, str):
        return value
    urls = []
    for item in value.split(","):
        if not item.strip():
            continue
        try:
            url = make_url(item.strip())
        except ArgumentError as error:
            raise ValueError(f"not a database URL: {item.strip()!r}") from error
        if url.get_backend_name() not in ("postgres", "postgresql") or not url.host:
            raise ValueError(f"a replica must be a PostgreSQL URL with a host: {item.strip()!r}")
        urls.append(_async_driver(item.strip()))
    return tuple(urls)


def _blank_is_none(value: object) -> object:
    """An empty variable switches the setting off rather than failing to parse."""
    return None if isinstance(value, str) and not value.strip() else value


def _in_utc(moment: datetime | None) -> datetime | None:
    """A moment without a zone is read as UTC: the headers it feeds are in UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


Origins = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_comma_separated)]
DatabaseUrls = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_postgres_urls)]
Networks = Annotated[tuple[IPvAnyNetwork, ...], NoDecode, BeforeValidator(_comma_separated)]
RateSetting = Annotated[Rate, NoDecode, BeforeValidator(_rate)]
OptionalMoment = Annotated[
    datetime | None, BeforeValidator(_blank_is_none), AfterValidator(_in_utc)
]


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class InsecureSettingsError(Exception):
    """Raised when settings would run production (or several workers) on an unsafe default."""


class Settings(BaseSettings):
    """Everything TaskMaster reads from its environment; README.md documents each variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    environment: Environment = Environment.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1)
    data_dir: Path = Path("data")
    log_level: str = "info"
    # The process's cycle collector freezes what a slow full collection leaves alive
    # (taskmaster/heap.py): short pauses in a worker that holds many connections.
    gc_freeze_survivors: bool = True
    # Where OpenTelemetry traces go (OTLP over HTTP, e.g. http://collector:4318); none: off.
    otel_exporter_otlp_endpoint: str | None = None
    # Who may read /metrics (the client address, as TRUSTED_PROXY_HOPS finds it).
    metrics_allow: Networks = (ip_network("127.0.0.0/8"), ip_network("::1/128"))
    # On SIGTERM, how long /ready answers 503 before the server stops taking connections (the
    # balancer's time to notice); 0 stops at once.
    drain_seconds: float = Field(default=5, ge=0)

    database_url: str = ""
    database_replica_urls: DatabaseUrls = ()
    # The strategy's pool: at most 20 connections, 5 kept, 30 s to acquire, 10 s idle.
    db_pool_max: int = Field(default=20, ge=1)
    db_pool_min: int = Field(default=5, ge=0)
    db_pool_timeout: float = Field(default=30.0, gt=0)
    db_pool_idle_seconds: float = Field(default=10.0, gt=0)
    db_connect_timeout: float = Field(default=5.0, gt=0)
    db_replica_max_lag_seconds: float = Field(default=5.0, gt=0)
    db_replica_check_seconds: float = Field(default=0.2, gt=0)
    db_transaction_pooler: bool = False
    db_echo: bool = False

    jwt_private_key: SecretStr | None = None
    jwt_private_key_file: Path | None = None
    jwt_issuer: str = "taskmaster"
    jwt_audience: str = "taskmaster-api"
    access_token_ttl_seconds: int = Field(default=900, ge=1)
    refresh_token_ttl_days: float = Field(default=30, gt=0)
    refresh_reuse_grace_seconds: float = Field(default=10, ge=0)

    refresh_cookie_name: str = "tm_refresh"
    refresh_cookie_path: str = "/api/v1/auth"
    cookie_secure: bool | None = None  # None: Secure everywhere but development
    cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    cookie_domain: str | None = None
    cors_origin: Origins = ()
    # Where the web app is served, for the links the API makes (invitations); None: the API's
    # own origin, which serves the web app in the default deployment.
    web_url: str | None = None
    # The domain passkeys are bound to (WebAuthn's RP ID): the web app's host when unset. A
    # parent domain (example.com for app.example.com) lets its subdomains share them.
    webauthn_rp_id: str | None = None

    redis_url: str | None = None
    redis_prefix: str = "taskmaster:"
    # Task reads kept as response bytes (in Redis with REDIS_URL, else in this process), and
    # how long a Redis command of the cache may take before the database answers instead.
    read_cache: bool = True
    read_cache_timeout_ms: int = Field(default=50, ge=1)

    rate_login_account_ip: RateSetting = Rate(5, 15 * 60)
    rate_login_account: RateSetting = Rate(100, 60 * 60)
    rate_login_ip: RateSetting = Rate(300, 60 * 60)
    rate_register_ip: RateSetting = Rate(20, 60 * 60)
    rate_api_user: RateSetting = Rate(600, 60)

    trusted_proxy_hops: int = Field(default=0, ge=0)

    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)

    # The outbox's relay (Path 8): in every API process ("embedded") or only in
    # `taskmaster relay` processes ("external"); how often it looks for events nobody told it
    # of, how many it publishes at once, and how long sent ones are kept for inspection.
    outbox_relay: Literal["embedded", "external"] = "embedded"
    outbox_poll_ms: int = Field(default=100, ge=1)
    outbox_batch: int = Field(default=500, ge=1)
    outbox_kept_seconds: float = Field(default=300, ge=0)
    # v2 writes: whether they must name the version they change (If-Match), and how long
    # deletions are kept for syncing clients (the delta query).
    require_if_match: bool = False
    tombstone_retention_days: float = Field(default=30, gt=0)
    # How long each account's security log keeps an entry (#13).
    security_log_retention_days: float = Field(default=180, gt=0)

    # v1's announced end: deprecated the day v2 shipped, sunset a year later.
    api_v1_deprecated_at: OptionalMoment = datetime(2026, 12, 1, tzinfo=UTC)
    api_v1_sunset_at: OptionalMoment = datetime(2027, 12, 1, tzinfo=UTC)
    api_v1_gone_after_sunset: bool = False

    @field_validator("database_url")
    @classmethod
    def _database_driver(cls, url: str) -> str:
        return _async_driver(url)

    @model_validator(mode="after")
    def _refuse_insecure_defaults(self) -> Settings:
        if self.environment is Environment.PRODUCTION and not (
            self.jwt_private_key or self.jwt_private_key_file
        ):
            raise InsecureSettingsError(
                "JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE must be set in production: "
                "TaskMaster never signs tokens with a built-in key"
            )
        if self.workers > 1 and self.uses_sqlite:
            raise InsecureSettingsError(
                "WORKERS > 1 needs PostgreSQL (DATABASE_URL): SQLite has one writer at a time"
            )
        if self.environment is Environment.PRODUCTION and self.workers > 1 and not self.redis_url:
            raise InsecureSettingsError(
                "WORKERS > 1 needs REDIS_URL: limits and ended sessions must be shared"
            )
        if self.database_replica_urls and self.uses_sqlite:
            raise ValueError("DATABASE_REPLICA_URLS needs a PostgreSQL primary (DATABASE_URL)")
        if self.db_pool_min > self.db_pool_max:
            raise ValueError("DB_POOL_MIN must not exceed DB_POOL_MAX")
        if self.cookie_samesite == "none" and not self.secure_cookies:
            raise InsecureSettingsError("COOKIE_SAMESITE=none needs Secure cookies")
        return self

    @model_validator(mode="after")
    def _v1_end_in_order(self) -> Settings:
        deprecated, sunset = self.api_v1_deprecated_at, self.api_v1_sunset_at
        if deprecated is not None and sunset is not None and sunset < deprecated:
            raise ValueError("API_V1_SUNSET_AT must not be before API_V1_DEPRECATED_AT")
        if self.api_v1_gone_after_sunset and sunset is None:
            raise ValueError("API_V1_GONE_AFTER_SUNSET needs API_V1_SUNSET_AT")
        return self

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is None:
            return self.is_production
        return self.cookie_secure

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def resolved_database_url(self) -> str:
        """The configured database, or the embedded SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'taskmaster.db').resolve()}"

    @property
    def uses_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")
