"""Settings: insecure defaults refused in production, database URLs normalized."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from taskmaster.config import Environment, InsecureSettingsError, Settings
from taskmaster.ratelimit import Rate

A_PEM = "-----BEGIN PRIVATE KEY-----\nnot checked by Settings\n-----END PRIVATE KEY-----\n"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The process environment with none of TaskMaster's variables set."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


def _production_without_a_key() -> Settings:
    return Settings(_env_file=None, environment=Environment.PRODUCTION)


def _samesite_none_without_secure() -> Settings:
    return Settings(_env_file=None, cookie_samesite="none", cookie_secure=False)


@pytest.mark.parametrize("insecure", [_production_without_a_key, _samesite_none_without_secure])
def test_insecure_settings_raise_insecure_settings_error(
    env: pytest.MonkeyPatch, insecure: Callable[[], Settings]
) -> None:
    with pytest.raises(InsecureSettingsError):
        insecure()


REFUSAL = "JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE must be set"


def test_production_without_a_jwt_key_refuses_to_start(env: pytest.MonkeyPatch) -> None:
    with pytest.raises(InsecureSettingsError, match=REFUSAL):
        Settings(_env_file=None, environment=Environment.PRODUCTION)


def test_production_from_the_environment_without_a_jwt_key_refuses_to_start(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("ENVIRONMENT", "production")
    with pytest.raises(InsecureSettingsError, match=REFUSAL):
        Settings(_env_file=None)


def test_production_with_a_jwt_key_is_accepted(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.setenv("ENVIRONMENT", "production")
    env.setenv("JWT_PRIVATE_KEY", A_PEM)
    settings = Settings(_env_file=None)
    assert settings.environment is Environment.PRODUCTION
    assert settings.jwt_private_key is not None
    assert settings.jwt_private_key.get_secret_value() == A_PEM
    assert A_PEM not in repr(settings)  # a secret is never printed
    assert settings.is_production

    env.delenv("JWT_PRIVATE_KEY")
    env.setenv("JWT_PRIVATE_KEY_FILE", str(tmp_path / "key.pem"))
    assert Settings(_env_file=None).jwt_private_key_file == tmp_path / "key.pem"


@pytest.mark.parametrize("environment", [Environment.DEVELOPMENT, Environment.TEST])
def test_development_and_test_need_no_key(
    env: pytest.MonkeyPatch, environment: Environment
) -> None:
    settings = Settings(_env_file=None, environment=environment)
    assert settings.jwt_private_key is None
    assert settings.jwt_private_key_file is None
    assert not settings.is_production


def test_an_unknown_environment_is_refused(env: pytest.MonkeyPatch) -> None:
    env.setenv("ENVIRONMENT", "staging")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgres://u:p@db.example.com:5432/app",
            "postgresql+asyncpg://u:p@db.example.com:5432/app",
        ),
        ("postgresql://u:p@db.example.com/app", "postgresql+asyncpg://u:p@db.example.com/app"),
        (
            "postgresql://u@h/app?sslmode=require",
            "postgresql+asyncpg://u@h/app?sslmode=require",
        ),
        ("postgresql+asyncpg://u@h/app", "postgresql+asyncpg://u@h/app"),
        ("sqlite:////var/lib/tm.db", "sqlite+aiosqlite:////var/lib/tm.db"),
        ("sqlite+aiosqlite:///tm.db", "sqlite+aiosqlite:///tm.db"),
    ],
)
def test_database_urls_get_the_async_driver(
    env: pytest.MonkeyPatch, given: str, expected: str
) -> None:
    assert Settings(_env_file=None, database_url=given).resolved_database_url == expected
    env.setenv("DATABASE_URL", given)
    assert Settings(_env_file=None).database_url == expected


def test_a_postgres_url_is_not_sqlite(env: pytest.MonkeyPatch) -> None:
    assert not Settings(_env_file=None, database_url="postgres://h/app").uses_sqlite


def test_the_default_database_is_the_sqlite_file_in_the_data_dir(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    assert settings.database_url == ""
    assert settings.resolved_database_url == (
        f"sqlite+aiosqlite:///{(tmp_path / 'data').resolve()}/taskmaster.db"
    )
    assert settings.uses_sqlite


def test_a_relative_data_dir_resolves_against_the_working_directory(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env.chdir(tmp_path)
    env.setenv("DATA_DIR", "here")
    assert Settings(_env_file=None).resolved_database_url == (
        f"sqlite+aiosqlite:///{tmp_path.resolve()}/here/taskmaster.db"
    )


def test_settings_read_an_env_file(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=postgres://h/from_file\nPORT=9123\n")
    settings = Settings(_env_file=env_file)
    assert settings.database_url == "postgresql+asyncpg://h/from_file"
    assert settings.port == 9123


@pytest.mark.parametrize(("name", "value"), [("PORT", "0"), ("PORT", "70000"), ("WORKERS", "0")])
def test_out_of_range_numbers_are_refused(env: pytest.MonkeyPatch, name: str, value: str) -> None:
    env.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_settings_are_frozen(env: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=None)
    with pytest.raises(ValidationError):
        settings.__setattr__("port", 1)


def test_samesite_none_needs_secure_cookies(env: pytest.MonkeyPatch) -> None:
    env.setenv("COOKIE_SAMESITE", "none")
    with pytest.raises(InsecureSettingsError, match="COOKIE_SAMESITE=none needs Secure cookies"):
        Settings(_env_file=None)
    env.setenv("COOKIE_SECURE", "true")
    settings = Settings(_env_file=None)
    assert (settings.cookie_samesite, settings.secure_cookies) == ("none", True)


def test_cookies_are_secure_by_default_only_in_production(env: pytest.MonkeyPatch) -> None:
    assert not Settings(_env_file=None).secure_cookies
    assert not Settings(_env_file=None, environment=Environment.TEST).secure_cookies
    production = Settings(_env_file=None, environment=Environment.PRODUCTION, jwt_private_key=A_PEM)
    assert production.secure_cookies
    assert not Settings(
        _env_file=None,
        environment=Environment.PRODUCTION,
        jwt_private_key=A_PEM,
        cookie_secure=False,
    ).secure_cookies


def test_cors_origins_are_a_comma_separated_list(env: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).cors_origin == ()
    env.setenv("CORS_ORIGIN", " https://app.example.com/ ,https://admin.example.com,, ")
    assert Settings(_env_file=None).cors_origin == (
        "https://app.example.com",
        "https://admin.example.com",
    )


def test_rates_are_read_from_the_environment(env: pytest.MonkeyPatch) -> None:
    env.setenv("RATE_LOGIN_IP", "7/15m")
    env.setenv("RATE_REGISTER_IP", "3/d")
    settings = Settings(_env_file=None)
    assert settings.rate_login_ip == Rate(7, 15 * 60)
    assert settings.rate_register_ip == Rate(3, 86400)
    env.setenv("RATE_LOGIN_IP", "lots")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_several_workers_need_postgresql(env: pytest.MonkeyPatch) -> None:
    with pytest.raises(InsecureSettingsError, match="WORKERS > 1 needs PostgreSQL"):
        Settings(_env_file=None, workers=2)


def test_several_workers_in_production_need_redis(env: pytest.MonkeyPatch) -> None:
    production: dict[str, Any] = {
        "environment": Environment.PRODUCTION,
        "jwt_private_key": A_PEM,
        "database_url": "postgresql://db/taskmaster",
        "workers": 2,
    }
    with pytest.raises(InsecureSettingsError, match="WORKERS > 1 needs REDIS_URL"):
        Settings(_env_file=None, **production)
    assert Settings(_env_file=None, redis_url="redis://cache", **production).workers == 2


def test_the_pool_defaults_are_the_strategys(env: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=None)
    pool = (
        settings.db_pool_max,
        settings.db_pool_min,
        settings.db_pool_timeout,
        settings.db_pool_idle_seconds,
    )
    assert pool == (20, 5, 30, 10)


def test_replica_urls_are_a_comma_separated_list_of_postgresql_urls(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("DATABASE_URL", "postgresql://primary/tasks")
    env.setenv("DATABASE_REPLICA_URLS", " postgres://r1/tasks, postgresql://u:p@r2:6432/tasks ,")
    assert Settings(_env_file=None).database_replica_urls == (
        "postgresql+asyncpg://r1/tasks",
        "postgresql+asyncpg://u:p@r2:6432/tasks",
    )


@pytest.mark.parametrize(
    ("urls", "complaint"),
    [
        ("not a url", "not a database URL"),
        ("mysql://r1/tasks", "a replica must be a PostgreSQL URL"),
        ("postgresql:///tasks", "a replica must be a PostgreSQL URL with a host"),
    ],
)
def test_a_malformed_replica_url_is_a_start_up_error(
    env: pytest.MonkeyPatch, urls: str, complaint: str
) -> None:
    env.setenv("DATABASE_URL", "postgresql://primary/tasks")
    env.setenv("DATABASE_REPLICA_URLS", urls)
    with pytest.raises(ValidationError, match=complaint):
        Settings(_env_file=None)


def test_replicas_need_a_postgresql_primary(env: pytest.MonkeyPatch) -> None:
    env.setenv("DATABASE_REPLICA_URLS", "postgresql://r1/tasks")
    with pytest.raises(ValidationError, match="needs a PostgreSQL primary"):
        Settings(_env_file=None)


def test_the_pool_floor_must_not_exceed_its_ceiling(env: pytest.MonkeyPatch) -> None:
    env.setenv("DB_POOL_MIN", "21")
    with pytest.raises(ValidationError, match="DB_POOL_MIN must not exceed DB_POOL_MAX"):
        Settings(_env_file=None)
