"""Signing keys: RFC 7638 kids, the JWKS endpoint, the development key and configured keys."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Callable
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from taskmaster.auth.keys import DEV_KEY_FILE, KeySet, load_keys, public_jwk
from taskmaster.config import Environment, Settings
from taskmaster.runtime import Runtime
from tests.auth.base64url import b64url, b64url_decode
from tests.auth.pem import pem
from tests.conftest import Account

# RFC 8037, appendix A.1-A.3: an Ed25519 key and its RFC 7638 thumbprint.
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def thumbprint(key: Ed25519PrivateKey) -> str:
    """RFC 7638 by hand: the required members, sorted, no whitespace, SHA-256, base64url."""
    canonical = '{"crv":"Ed25519","kty":"OKP","x":"' + b64url(raw_public(key)) + '"}'
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


def test_kid_matches_the_rfc_8037_example() -> None:
    key = Ed25519PrivateKey.from_private_bytes(b64url_decode(RFC8037_D))
    jwk = public_jwk(key.public_key())
    assert jwk["x"] == RFC8037_X
    assert jwk["kid"] == RFC8037_THUMBPRINT
    assert KeySet.of(key).kid == RFC8037_THUMBPRINT


def test_kid_is_the_rfc_7638_thumbprint() -> None:
    for _ in range(20):
        key = Ed25519PrivateKey.generate()
        keys = KeySet.of(key)
        assert keys.kid == thumbprint(key)
        assert list(keys.verification_keys) == [keys.kid]


def test_different_keys_have_different_kids() -> None:
    kids = {KeySet.of(Ed25519PrivateKey.generate()).kid for _ in range(20)}
    assert len(kids) == 20


async def test_jwks_publishes_the_public_key_only(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "public, max-age=300"
    body = response.json()
    assert list(body) == ["keys"]
    [jwk] = body["keys"]
    assert jwk == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(raw_public(runtime.keys.signing_key)),
        "kid": thumbprint(runtime.keys.signing_key),
        "use": "sig",
        "alg": "EdDSA",
    }
    assert "d" not in jwk
    assert len(b64url_decode(jwk["x"])) == 32


async def test_another_service_verifies_our_tokens_with_the_jwks_alone(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    [jwk] = (await client.get("/.well-known/jwks.json")).json()["keys"]
    header = jwt.get_unverified_header(alice.token)
    assert header["kid"] == jwk["kid"]
    claims = jwt.decode(
        alice.token,
        jwt.PyJWK(jwk).key,
        algorithms=["EdDSA"],
        audience=runtime.settings.jwt_audience,
        issuer=runtime.settings.jwt_issuer,
    )
    assert claims["sub"] == alice.id


def test_the_development_key_is_generated_once_private_and_reused(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "not" / "yet" / "there"
    settings = Settings(_env_file=None, environment=Environment.DEVELOPMENT, data_dir=data_dir)
    first = load_keys(settings)
    key_file = data_dir / DEV_KEY_FILE
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    written = key_file.read_bytes()
    assert written.startswith(b"-----BEGIN PRIVATE KEY-----")
    loaded = serialization.load_pem_private_key(written, password=None)
    assert isinstance(loaded, Ed25519PrivateKey)
    assert thumbprint(loaded) == first.kid

    second = load_keys(settings)
    assert second.kid == first.kid
    assert key_file.read_bytes() == written
    assert [path.name for path in data_dir.iterdir()] == [DEV_KEY_FILE]


def test_each_data_dir_gets_its_own_development_key(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    one = load_keys(Settings(_env_file=None, data_dir=tmp_path / "one"))
    two = load_keys(Settings(_env_file=None, data_dir=tmp_path / "two"))
    assert one.kid != two.kid


@pytest.mark.parametrize("escaped", [False, True], ids=["pem", "pem-with-literal-backslash-n"])
def test_jwt_private_key_from_the_environment(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, escaped: bool
) -> None:
    key = Ed25519PrivateKey.generate()
    text = pem(key)
    if escaped:
        text = text.replace("\n", "\\n")
        assert "\n" not in text
    clean_env.setenv("JWT_PRIVATE_KEY", text)
    settings = Settings(_env_file=None, environment=Environment.PRODUCTION, data_dir=tmp_path)
    keys = load_keys(settings)
    assert keys.kid == thumbprint(key)
    assert raw_public(keys.signing_key) == raw_public(key)
    assert not (tmp_path / DEV_KEY_FILE).exists()


def test_jwt_private_key_file_from_the_environment(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    key = Ed25519PrivateKey.generate()
    key_file = tmp_path / "signing.pem"
    key_file.write_text(pem(key))
    clean_env.setenv("JWT_PRIVATE_KEY_FILE", str(key_file))
    data_dir = tmp_path / "data"
    settings = Settings(_env_file=None, environment=Environment.PRODUCTION, data_dir=data_dir)
    keys = load_keys(settings)
    assert keys.kid == thumbprint(key)
    assert not (data_dir / DEV_KEY_FILE).exists()


def _ec() -> PrivateKeyTypes:
    return ec.generate_private_key(ec.SECP256R1())


def _rsa() -> PrivateKeyTypes:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ed448() -> PrivateKeyTypes:
    return ed448.Ed448PrivateKey.generate()


@pytest.mark.parametrize("make_key", [_ec, _rsa, _ed448], ids=["ec-p256", "rsa", "ed448"])
def test_a_key_that_is_not_ed25519_is_refused(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, make_key: Callable[[], PrivateKeyTypes]
) -> None:
    text = pem(make_key())
    with pytest.raises(ValueError, match="Ed25519"):
        load_keys(Settings(_env_file=None, jwt_private_key=text, data_dir=tmp_path))
    key_file = tmp_path / "other.pem"
    key_file.write_text(text)
    with pytest.raises(ValueError, match="Ed25519"):
        load_keys(Settings(_env_file=None, jwt_private_key_file=key_file, data_dir=tmp_path))


def test_a_development_key_file_that_is_not_ed25519_is_refused(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    (tmp_path / DEV_KEY_FILE).write_text(pem(_ec()))
    with pytest.raises(ValueError, match="Ed25519"):
        load_keys(Settings(_env_file=None, data_dir=tmp_path))


def test_a_key_that_is_not_pem_is_refused(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="not an unencrypted PEM private key"):
        load_keys(Settings(_env_file=None, jwt_private_key="not a key", data_dir=tmp_path))
