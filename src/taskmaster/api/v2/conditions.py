"""Entity tags and conditional requests (RFC 9110): a task's ETag is its revision."""

from __future__ import annotations

import re

from starlette.requests import Request

from taskmaster.errors import Invalid, PreconditionRequired

ANY = None  # If-Match: * (any current representation)
# What If-Match may say, for the documents: *, or entity tags separated by commas.
IF_MATCH_PATTERN = r'^(\*|(W/)?"[\x21\x23-\x7e]*"(\s*,\s*(W/)?"[\x21\x23-\x7e]*")*)$'
# One entity tag of a list, with the comma after it (or the end); tags may hold commas.
_TAG = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e]*)"[ \t]*(,|$)')


def etag(revision: int) -> str:
    return f'"{revision}"'


def _malformed() -> Invalid:
    return Invalid.at("header", "If-Match", 'If-Match must be * or a list of ETags like "12"')


def if_match(request: Request, *, required: bool) -> frozenset[int] | None:
    """The revisions If-Match names; None for none given or `*` (the task need only exist).

    Weak tags never match (If-Match compares strongly), nor do tags this API never issued;
    an If-Match naming only such tags can therefore only fail, with 412.
    """
    value = request.headers.get("if-match")
    if value is None:
        if required:
            raise PreconditionRequired.at(
                "header", "If-Match", "Send If-Match with the task's ETag to change it"
            )
        return ANY
    if value.strip() == "*":
        return ANY
    if not value.strip():
        raise _malformed()
    revisions: set[int] = set()
    position = 0
    while position < len(value):
        match = _TAG.match(value, position)
        if match is None:
            raise _malformed()
        weak, opaque, _ = match.groups()
        if not weak and opaque.isdigit() and len(opaque) <= 18:
            revisions.add(int(opaque))
        position = match.end()
    return frozenset(revisions)
