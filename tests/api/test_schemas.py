"""Each version's OpenAPI document holds for the served API: schemathesis sends requests made
from it, signed in, and every answer must be no 5xx and match the document (status, media
type, headers, body). A bounded number of examples per operation keeps it inside make test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from taskmaster.db import migrate
from tests.api.served import serving, signed_in
from tests.conftest import REDIS_URL

EXAMPLES = 15


@pytest.fixture(scope="module")
def base_url(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    migrate.upgrade(postgres_url)
    prefix = f"taskmaster-test:{uuid.uuid4().hex}:"
    data_dir: Path = tmp_path_factory.mktemp("schemas")
    with serving(postgres_url, REDIS_URL, prefix, data_dir) as url:
        yield url


@pytest.fixture(scope="module")
def auth(base_url: str) -> dict[str, str]:
    headers = signed_in(base_url, f"schemas-{uuid.uuid4().hex[:8]}@example.com")
    for title in ("One", "Two", "Three"):
        httpx.post(f"{base_url}/api/v2/tasks", json={"title": title}, headers=headers)
    return headers


# Where the server's own rules decide what the schema cannot say (a deliverable email, a
# password not among the common ones, the right current password, a code the app shows now,
# an app that is on), a schema-valid request may rightly be refused with 4xx: there, "valid
# data is accepted" is not checked.
SERVER_RULES = {
    "register",
    "changePassword",
    "deleteAccount",
    "createInvitation",
    "finishLogin",
    "reauthenticate",
    "confirmTotpEnrolment",
    "renewRecoveryCodes",
    "turnOffTotp",
    "addPasskey",
    "loginWithPasskey",
}
# These end the session that signs them in: each example gets an account of its own.
ENDS_SESSION = {"logout", "logoutEverywhere"}


def holds(base_url: str, version: str, auth: dict[str, str]) -> None:
    """Every operation of the version's document, tried with EXAMPLES requests made from it."""
    document = schemathesis.openapi.from_url(f"{base_url}/api/{version}/openapi.json")
    operations = []
    for result in document.get_all_operations():
        assert isinstance(result, Ok), result.err()  # the document itself must be valid
        operations.append(result.ok())
    assert operations
    for operation in operations:
        try_operation(operation, base_url, auth)


def try_operation(operation: Any, base_url: str, auth: dict[str, str]) -> None:
    name = operation.definition.raw.get("operationId", "")
    excluded: list[Any] = [positive_data_acceptance] if name in SERVER_RULES else []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def answers_as_documented(case: schemathesis.Case[Any]) -> None:
        # A cursor is sealed: none made up can be valid (tests/api/v2 try forged ones).
        if case.query:
            case.query.pop("cursor", None)
        # A key made up twice for two bodies is refused (422), rightly: keys are unique.
        if case.headers and "Idempotency-Key" in case.headers:
            case.headers["Idempotency-Key"] = uuid.uuid4().hex
        headers = auth
        if name in ENDS_SESSION:
            headers = signed_in(base_url, f"schemas-{uuid.uuid4().hex[:12]}@example.com")
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    answers_as_documented()


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_each_version_answers_as_its_document_says(
    base_url: str, auth: dict[str, str], version: str
) -> None:
    holds(base_url, version, auth)
