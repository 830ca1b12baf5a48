"""The access-token verifier refuses every forgery, tampering and malformed token."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from taskmaster.auth.keys import KeySet
from taskmaster.auth.tokens import REQUIRED_CLAIMS, AccessTokens, TokenExpired, TokenInvalid
from taskmaster.runtime import Runtime
from tests.auth.base64url import b64url, b64url_decode
from tests.conftest import Account, FakeClock

ISSUER = "taskmaster-test"
AUDIENCE = "taskmaster-test-api"
TTL = timedelta(minutes=15)
INVALID = "Invalid token. Access denied."
EXPIRED = "Token expired. Please login again."


def segment(value: object) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def signed(header: dict[str, Any], claims: dict[str, Any], key: Ed25519PrivateKey) -> str:
    """A JWS in compact form, built by hand so that every header member is under our control."""
    signing_input = f"{segment(header)}.{segment(claims)}"
    return f"{signing_input}.{b64url(key.sign(signing_input.encode()))}"


@pytest.fixture
def keys() -> KeySet:
    return KeySet.of(Ed25519PrivateKey.generate())


@pytest.fixture
def tokens(keys: KeySet, clock: FakeClock) -> AccessTokens:
    return AccessTokens(keys, issuer=ISSUER, audience=AUDIENCE, ttl=TTL, clock=clock)


def good_header(keys: KeySet) -> dict[str, Any]:
    return {"alg": "EdDSA", "typ": "at+jwt", "kid": keys.kid}


def good_claims(clock: FakeClock) -> dict[str, Any]:
    now = int(clock.now.timestamp())
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(uuid.uuid4()),
        "sid": str(uuid.uuid4()),
        "iat": now,
        "exp": now + int(TTL.total_seconds()),
        "jti": "a-token-id",
    }


def refused(tokens: AccessTokens, token: str) -> None:
    with pytest.raises(TokenInvalid) as caught:
        tokens.verify(token)
    assert caught.value.message == INVALID
    assert caught.value.status == 401


def test_an_issued_token_round_trips(tokens: AccessTokens, keys: KeySet, clock: FakeClock) -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    token = tokens.issue(user_id, session_id)
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "typ": "at+jwt", "kid": keys.kid}
    claims = tokens.verify(token)
    assert claims.user_id == user_id
    assert claims.session_id == session_id
    assert claims.issued_at == clock.now
    assert claims.expires_at == clock.now + TTL
    assert claims.token_id == jwt.decode(token, options={"verify_signature": False})["jti"]


def test_every_token_gets_its_own_id(tokens: AccessTokens) -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    ids = {tokens.verify(tokens.issue(user_id, session_id)).token_id for _ in range(50)}
    assert len(ids) == 50
    assert all(len(token_id) >= 16 for token_id in ids)


def test_a_hand_built_token_verifies(tokens: AccessTokens, keys: KeySet, clock: FakeClock) -> None:
    """The baseline every forgery below departs from in exactly one way."""
    claims = good_claims(clock)
    verified = tokens.verify(signed(good_header(keys), claims, keys.signing_key))
    assert verified.user_id == uuid.UUID(claims["sub"])
    assert verified.session_id == uuid.UUID(claims["sid"])
    assert verified.token_id == "a-token-id"


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("signature", ["", "c2lnbmF0dXJl"])
def test_alg_none_is_refused(
    tokens: AccessTokens, keys: KeySet, clock: FakeClock, alg: str, signature: str
) -> None:
    header = {**good_header(keys), "alg": alg}
    refused(tokens, f"{segment(header)}.{segment(good_claims(clock))}.{signature}")


def _public_key_forms(keys: KeySet) -> list[bytes]:
    public = keys.signing_key.public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    openssh = public.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return [raw, pem, der, openssh, b64url(raw).encode()]


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_signed_with_the_public_key_is_refused(
    tokens: AccessTokens, keys: KeySet, clock: FakeClock, alg: str
) -> None:
    """The classic key-confusion forgery: the public key used as an HMAC secret."""
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    header = {**good_header(keys), "alg": alg}
    signing_input = f"{segment(header)}.{segment(good_claims(clock))}"
    for secret in _public_key_forms(keys):
        mac = hmac.new(secret, signing_input.encode(), digest).digest()
        refused(tokens, f"{signing_input}.{b64url(mac)}")


@pytest.mark.parametrize("alg", ["ES256", "RS256", "PS256", "Ed25519", "eddsa", ""])
def test_any_other_algorithm_is_refused_even_with_a_valid_signature(
    tokens: AccessTokens, keys: KeySet, clock: FakeClock, alg: str
) -> None:
    header = {**good_header(keys), "alg": alg}
    refused(tokens, signed(header, good_claims(clock), keys.signing_key))


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("aud", "another-api"),
        ("aud", ["another-api"]),
        ("aud", ""),
        ("iss", "someone-else"),
        ("iss", ""),
    ],
)
def test_wrong_audience_or_issuer_is_refused(
    tokens: AccessTokens, keys: KeySet, clock: FakeClock, claim: str, value: object
) -> None:
    claims = {**good_claims(clock), claim: value}
    refused(tokens, signed(good_header(keys), claims, keys.signing_key))


@pytest.mark.parametrize("typ", ["JWT", "jwt", "at+JWT ", "application/jwt", "", None])
def test_wrong_or_missing_typ_is_refused(
    tokens: AccessTokens, keys: KeySet, clock: FakeClock, typ: str | None
) -> None:
    header = good_header(keys)
    if typ is None:
        del header["typ"]
    else:
        header["typ"] = typ
    refused(tokens, signed(header, good_claims(clock), keys.signing_key))


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
def test_a_token_missing_a_required_claim_is_refused(
    tokens: AccessTokens, keys: KeySet, clock: FakeClock, claim: str
) -> None:
    claims = good_claims(clock)
    del claims[claim]
    refused(tokens, signed(good_header(keys), claims, keys.signing_key))


def test_the_required_claims_are_the_registered_ones() -> None:
    assert {"iss", "aud", "sub", "sid", "iat", "exp", "jti"} <= set(REQUIRED_CLAIMS)


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("sub", "not-a-uuid"),
        ("sub", 42),
        ("sub", None),
        ("sid", "not-a-uuid"),
        ("sid", None),
        ("jti", 42),
        ("iat", "yesterday"),
        ("iat", [1]),
        ("exp", "tomorrow"),
        ("exp", {"at": 1}),
        ("exp", None),
    ],
)
def test_a_claim_of_the_wrong_type_is_refused(
    tokens: AccessTokens, keys: KeySet, clock: FakeClock, claim: str, value: object
) -> None:
    claims = {**good_claims(clock), claim: value}
    refused(tokens, signed(good_header(keys), claims, keys.signing_key))


@pytest.mark.parametrize(("claim", "value"), [("exp", 10**20), ("iat", 10**20)])
def test_a_timestamp_out_of_range_is_refused(
    tokens: AccessTokens, keys: KeySet, clock: FakeClock, claim: str, value: object
) -> None:
    claims = {**good_claims(clock), claim: value}
    refused(tokens, signed(good_header(keys), claims, keys.signing_key))


@pytest.mark.parametrize("sid", [42, ["a-session"], {"id": 1}])
def test_a_session_id_that_is_not_a_string_is_refused(
    tokens: AccessTokens, keys: KeySet, clock: FakeClock, sid: object
) -> None:
    claims = {**good_claims(clock), "sid": sid}
    refused(tokens, signed(good_header(keys), claims, keys.signing_key))


@pytest.mark.parametrize("kid", ["unknown", "", 42, None])
def test_an_unknown_kid_is_refused(
    tokens: AccessTokens, keys: KeySet, clock: FakeClock, kid: object
) -> None:
    header = good_header(keys)
    if kid is None:
        del header["kid"]
    else:
        header["kid"] = kid
    refused(tokens, signed(header, good_claims(clock), keys.signing_key))


def test_another_key_under_our_kid_is_refused(
    tokens: AccessTokens, keys: KeySet, clock: FakeClock
) -> None:
    impostor = Ed25519PrivateKey.generate()
    refused(tokens, signed(good_header(keys), good_claims(clock), impostor))
    # PyJWT's own encoder, for good measure.
    refused(
        tokens,
        jwt.encode(
            good_claims(clock),
            impostor,
            algorithm="EdDSA",
            headers={"kid": keys.kid, "typ": "at+jwt"},
        ),
    )


def test_a_tampered_payload_is_refused(
    tokens: AccessTokens, keys: KeySet, clock: FakeClock
) -> None:
    token = tokens.issue(uuid.uuid4(), uuid.uuid4())
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["sub"] = str(uuid.uuid4())
    refused(tokens, f"{header}.{segment(claims)}.{signature}")
    claims = json.loads(b64url_decode(payload))
    claims["sid"] = str(uuid.uuid4())
    refused(tokens, f"{header}.{segment(claims)}.{signature}")


def test_a_tampered_header_is_refused(tokens: AccessTokens, clock: FakeClock) -> None:
    token = tokens.issue(uuid.uuid4(), uuid.uuid4())
    header, payload, signature = token.split(".")
    changed = {**json.loads(b64url_decode(header)), "cty": "something"}
    refused(tokens, f"{segment(changed)}.{payload}.{signature}")


def test_a_truncated_signature_is_refused(tokens: AccessTokens) -> None:
    token = tokens.issue(uuid.uuid4(), uuid.uuid4())
    refused(tokens, token[:-4])
    refused(tokens, token.rsplit(".", 1)[0] + ".")


def test_a_token_expires_at_exactly_exp(tokens: AccessTokens, clock: FakeClock) -> None:
    token = tokens.issue(uuid.uuid4(), uuid.uuid4())
    clock.advance(seconds=TTL.total_seconds() - 1)
    assert tokens.verify(token).expires_at == clock.now + timedelta(seconds=1)
    clock.advance(seconds=1)
    with pytest.raises(TokenExpired) as caught:
        tokens.verify(token)
    assert (caught.value.message, caught.value.status) == (EXPIRED, 401)
    clock.advance(days=365)
    with pytest.raises(TokenExpired):
        tokens.verify(token)


def test_an_expired_forgery_is_invalid_not_expired(
    tokens: AccessTokens, keys: KeySet, clock: FakeClock
) -> None:
    """Expiry is only reported for tokens whose signature holds."""
    claims = good_claims(clock)
    claims["exp"] = claims["iat"] - 1
    refused(tokens, signed(good_header(keys), claims, Ed25519PrivateKey.generate()))


GARBAGE = [
    "",
    " ",
    "a",
    "a.b",
    "a.b.c",
    "a.b.c.d",
    "...",
    "..",
    "\x00",
    "🔑.🔑.🔑",
    "eyJ.eyJ.sig",
    "Bearer abc",
    f"{b64url(b'[1,2]')}.{b64url(b'{}')}.",
    f"{segment('header')}.{b64url(b'{}')}.sig",
    f"{b64url(b'{not json')}.{b64url(b'{}')}.sig",
    f"{segment({'alg': 'EdDSA', 'typ': 'at+jwt'})}.{b64url(b'not json')}.sig",
    "x" * 10_000,
    "." * 5_000,
]


@pytest.mark.parametrize("token", GARBAGE)
def test_garbage_is_refused(tokens: AccessTokens, token: str) -> None:
    refused(tokens, token)


def test_a_signed_payload_that_is_not_an_object_is_refused(
    tokens: AccessTokens, keys: KeySet
) -> None:
    signing_input = f"{segment(good_header(keys))}.{segment(['not', 'claims'])}"
    signature = b64url(keys.signing_key.sign(signing_input.encode()))
    refused(tokens, f"{signing_input}.{signature}")


def test_tokens_of_another_issuer_instance_do_not_cross(keys: KeySet, clock: FakeClock) -> None:
    ours = AccessTokens(keys, issuer=ISSUER, audience=AUDIENCE, ttl=TTL, clock=clock)
    theirs = AccessTokens(
        KeySet.of(Ed25519PrivateKey.generate()),
        issuer=ISSUER,
        audience=AUDIENCE,
        ttl=TTL,
        clock=clock,
    )
    refused(ours, theirs.issue(uuid.uuid4(), uuid.uuid4()))


async def test_a_forged_alg_none_token_gets_401_over_http(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    _, payload, _ = alice.token.split(".")
    header = {"alg": "none", "typ": "at+jwt", "kid": runtime.keys.kid}
    forged = f"{segment(header)}.{payload}."
    response = await client.get(
        "/api/v1/auth/profile", headers={"Authorization": f"Bearer {forged}"}
    )
    assert (response.status_code, response.json()) == (401, {"success": False, "error": INVALID})
    # The same claims with their real signature are accepted: only the forgery was refused.
    genuine = await client.get("/api/v1/auth/profile", headers=alice.auth)
    assert genuine.status_code == 200


async def test_a_key_confusion_forgery_gets_401_over_http(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    _, payload, _ = alice.token.split(".")
    header = {"alg": "HS256", "typ": "at+jwt", "kid": runtime.keys.kid}
    signing_input = f"{segment(header)}.{payload}"
    pem = runtime.keys.signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    response = await client.get(
        "/api/v1/auth/profile", headers={"Authorization": f"Bearer {signing_input}.{b64url(mac)}"}
    )
    assert (response.status_code, response.json()) == (401, {"success": False, "error": INVALID})


def test_a_token_is_checked_once_and_remembered_until_it_expires(
    tokens: AccessTokens, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tokens.issue(uuid.uuid4(), uuid.uuid4())
    first = tokens.verify(token)
    monkeypatch.setattr(jwt, "decode", lambda *_, **__: pytest.fail("checked twice"))
    assert tokens.verify(token) == first
    clock.advance(minutes=15)
    with pytest.raises(TokenExpired):
        tokens.verify(token)
    monkeypatch.undo()
    with pytest.raises(TokenExpired):  # forgotten, and still expired when checked anew
        tokens.verify(token)


def test_only_verified_tokens_are_remembered_and_never_too_many(
    tokens: AccessTokens, keys: KeySet, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("taskmaster.auth.tokens.VERIFIED_KEPT", 3)
    forged = signed(good_header(keys), good_claims(clock), Ed25519PrivateKey.generate())
    for _ in range(2):
        with pytest.raises(TokenInvalid):
            tokens.verify(forged)
    issued = [tokens.issue(uuid.uuid4(), uuid.uuid4()) for _ in range(5)]
    for token in issued:
        tokens.verify(token)
    assert list(tokens._verified) == issued[-3:]
