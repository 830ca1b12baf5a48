"""v2 bodies of account security: the second step of a sign-in, confirming who is asking, an
authenticator app's set-up, and the security log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Self

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic.alias_generators import to_camel

from taskmaster.api.text import NoNul
from taskmaster.api.v2 import schemas
from taskmaster.api.v2.account_schemas import SAYS_NO_NUL, SAYS_SOME_TEXT, Text
from taskmaster.auth.passkeys import NAME_MAX, PasskeyAnswer
from taskmaster.auth.two_factor import CODE_MAX, Proof

Code = Annotated[
    str,
    StringConstraints(min_length=1, max_length=CODE_MAX),
    NoNul,
    SAYS_NO_NUL,
    Field(description="The six digits an authenticator app shows now."),
]
RecoveryCode = Annotated[
    str,
    StringConstraints(min_length=1, max_length=CODE_MAX),
    NoNul,
    SAYS_NO_NUL,
    Field(description="One of the account's unused recovery codes (case and dashes aside)."),
]


def exactly_one_of(*names: str) -> Callable[[dict[str, Any]], None]:
    """A body's `json_schema_extra`: of the members `names`, never null, exactly one is given."""
    members = schemas.never_null(*names)

    def document(schema: dict[str, Any]) -> None:
        members(schema)
        schema["oneOf"] = [{"required": [to_camel(name)]} for name in names]

    return document


def _one_of(model: schemas.Request, names: tuple[str, ...]) -> None:
    if sum(getattr(model, name) is not None for name in names) != 1:
        given = " and ".join(to_camel(name) for name in names)
        raise ValueError(f"give exactly one of {given}")


# Requests ----------------------------------------------------------------------------------

FACTORS = ("code", "recovery_code")
PROOFS = ("password", "passkey", *FACTORS)
Token = Annotated[str, StringConstraints(min_length=1, max_length=100), NoNul, SAYS_NO_NUL]
Credential = Annotated[
    dict[str, Any],
    Field(description="The browser's PublicKeyCredential in WebAuthn's JSON form (toJSON())."),
]
PasskeyName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
    NoNul,
    SAYS_SOME_TEXT,
    Field(description="What the user calls it: the device or the password manager."),
]


class PasskeyAssertion(schemas.Request):
    """A browser's answer to a passkey ceremony begun at /auth/passkeys/assertion."""

    ceremony: Token
    credential: Credential

    def answer(self) -> PasskeyAnswer:
        return PasskeyAnswer(self.ceremony, self.credential)


class PasskeyRegistration(schemas.Request):
    """A new passkey: the ceremony begun at /auth/passkeys/registration, its name, and what
    the browser created."""

    ceremony: Token
    name: PasskeyName
    credential: Credential


class SecondFactor(schemas.Request):
    """A code from the authenticator app, or a recovery code: exactly one."""

    model_config = ConfigDict(json_schema_extra=exactly_one_of(*FACTORS))

    code: Code | None = None
    recovery_code: RecoveryCode | None = None

    @field_validator(*FACTORS, mode="before")
    @classmethod
    def _given(cls, value: object) -> object:
        return schemas.not_null(value)

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        _one_of(self, FACTORS)
        return self

    def proof(self) -> Proof:
        return Proof(code=self.code, recovery_code=self.recovery_code)


class SecondStep(SecondFactor):
    """The challenge a sign-in's first step answered with, and a second factor."""

    challenge: Token


class Reauthentication(schemas.Request):
    """The password, a passkey, or a second factor: exactly one of the four."""

    model_config = ConfigDict(json_schema_extra=exactly_one_of(*PROOFS))

    password: Text | None = None
    passkey: PasskeyAssertion | None = None
    code: Code | None = None
    recovery_code: RecoveryCode | None = None

    @field_validator(*PROOFS, mode="before")
    @classmethod
    def _given(cls, value: object) -> object:
        return schemas.not_null(value)

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        _one_of(self, PROOFS)
        return self

    def proof(self) -> Proof | None:
        if self.code is None and self.recovery_code is None:
            return None
        return Proof(code=self.code, recovery_code=self.recovery_code)


class TotpConfirmation(schemas.Request):
    """The first code the app shows, to prove it holds the secret."""

    code: Code


# Responses ---------------------------------------------------------------------------------


class TotpStatus(schemas.Wire):
    enabled: bool
    enabled_at: schemas.Timestamp | None
    recovery_codes_left: int


class TotpEnrolment(schemas.Wire):
    """A new secret for an authenticator app; confirm it with a first code before expiresAt."""

    secret: str = Field(description="Base32, for typing into the app.")
    uri: str = Field(description="The otpauth:// URI, for a QR code.")
    expires_at: schemas.Timestamp


class RecoveryCodes(schemas.Wire):
    """Ten single-use codes, shown this once: each signs in instead of the app's code."""

    recovery_codes: list[str]


class SecurityEvent(schemas.Wire):
    id: str = Field(description="A UUID.")
    kind: str = Field(
        description="sign-in, sign-in-failed, reauthenticated, reauthentication-failed, "
        "refresh-token-reused, session-ended, password-changed, totp-enabled, totp-disabled, "
        "recovery-codes-renewed, recovery-code-used"
    )
    at: schemas.Timestamp
    ip: str
    user_agent: str
    detail: dict[str, str | int | bool] = Field(
        description="What else is known: a method, a reason, a count."
    )


class SecurityEventPage(schemas.Wire):
    """The account's security log, the newest first."""

    items: list[SecurityEvent]
    next_cursor: str | None


class PasskeyCeremony(schemas.Wire):
    """A passkey ceremony begun: pass `options` to navigator.credentials (parsed with
    PublicKeyCredential.parse*OptionsFromJSON) and send the answer back with `ceremony`
    within five minutes."""

    ceremony: str
    options: dict[str, Any]


class Passkey(schemas.Wire):
    id: str = Field(description="A UUID.")
    name: str
    created_at: schemas.Timestamp
    last_used_at: schemas.Timestamp | None


class PasskeyList(schemas.Wire):
    """The account's passkeys, the oldest first."""

    items: list[Passkey]
