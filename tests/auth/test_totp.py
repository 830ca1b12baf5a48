"""One-time codes: RFC 6238's own test vector, the drift window, sealed secrets and recovery
codes."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

import pytest

from taskmaster.auth import totp
from taskmaster.auth.totp import SealBroken, SecretSeal

# RFC 6238, appendix B: the SHA-1 key "12345678901234567890", at 59 s, is 94287082 (8 digits);
# its last six digits are the six-digit code.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
AT_59 = datetime.fromtimestamp(59, UTC)


def test_codes_follow_rfc_6238() -> None:
    assert totp.code_at(RFC_SECRET, totp.step_at(AT_59)) == "287082"


def test_a_code_of_a_neighbouring_step_is_taken_once() -> None:
    now = datetime(2026, 12, 7, 12, 0, 15, tzinfo=UTC)
    step = totp.step_at(now)
    for offset in (-1, 0, 1):
        code = totp.code_at(RFC_SECRET, step + offset)
        assert totp.matching_step(RFC_SECRET, code, now, after=0) == step + offset
        assert totp.matching_step(RFC_SECRET, code, now, after=step + offset) is None
    for offset in (-2, 2):
        code = totp.code_at(RFC_SECRET, step + offset)
        if code not in {totp.code_at(RFC_SECRET, step + o) for o in (-1, 0, 1)}:
            assert totp.matching_step(RFC_SECRET, code, now, after=0) is None


@pytest.mark.parametrize("typed", ["287 082", " 287082 ", "2870 82"])
def test_spaces_in_a_code_do_not_matter(typed: str) -> None:
    assert totp.matching_step(RFC_SECRET, typed, AT_59, after=0) == 1


@pytest.mark.parametrize(
    "typed", ["28708", "2870822", "28708a", "\uff12\uff18\uff17\uff10\uff18\uff12", "", "287-082"]
)
def test_anything_but_six_ascii_digits_matches_nothing(typed: str) -> None:
    assert totp.matching_step(RFC_SECRET, typed, AT_59, after=0) is None


def test_a_sealed_secret_opens_only_for_its_user_and_key() -> None:
    seal, user = SecretSeal(b"k" * 32), uuid.uuid4()
    sealed = seal.seal(user, RFC_SECRET)
    assert RFC_SECRET not in sealed
    assert seal.seal(user, RFC_SECRET) != sealed  # a fresh nonce each time
    assert seal.open(user, sealed) == RFC_SECRET
    with pytest.raises(SealBroken):
        seal.open(uuid.uuid4(), sealed)
    with pytest.raises(SealBroken):
        SecretSeal(b"o" * 32).open(user, sealed)
    tampered = bytearray(base64.urlsafe_b64decode(sealed))
    tampered[-1] ^= 1
    with pytest.raises(SealBroken):
        seal.open(user, base64.urlsafe_b64encode(bytes(tampered)).decode())


def test_recovery_codes_are_ten_distinct_and_forgiving_to_type() -> None:
    codes, user = totp.new_recovery_codes(), uuid.uuid4()
    assert len(set(codes)) == 10
    assert all(len(code) == 19 and code.count("-") == 3 for code in codes)  # 80 bits each
    code = codes[0]
    digest = totp.recovery_digest(user, code)
    assert totp.recovery_digest(user, f" {code.upper()} ") == digest
    assert totp.recovery_digest(user, code.replace("-", "")) == digest
    assert totp.recovery_digest(user, codes[1]) != digest
    assert totp.recovery_digest(uuid.uuid4(), code) != digest  # salted by its user


def test_the_uri_names_the_issuer_and_account() -> None:
    uri = totp.provisioning_uri(RFC_SECRET, "tess@example.com")
    assert uri.startswith("otpauth://totp/TaskMaster:tess%40example.com?")
    assert f"secret={RFC_SECRET}" in uri
