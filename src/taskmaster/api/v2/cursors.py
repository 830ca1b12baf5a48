"""Opaque, tamper-evident cursors: a position, sealed with an HMAC over the position, the
caller and the query it belongs to.

A client can neither read meaning into a cursor nor forge one: a changed byte, another
user's cursor, or a cursor from another query (other filters or order) fails the seal.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from datetime import datetime
from typing import Any

import orjson

from taskmaster.errors import InvalidCursor
from taskmaster.ids import parse_uuid

TAG_BYTES = 16  # 128 bits: forging one is out of reach; the cursor stays short
MAX_CURSOR = 1024  # characters: far more than any cursor we issue


class CursorSeal:
    """Seals and opens cursors with one secret (derived from the token signing key)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _tag(self, scope: bytes, payload: bytes) -> bytes:
        message = len(scope).to_bytes(4, "big") + scope + payload
        return hmac.new(self._secret, message, hashlib.sha256).digest()[:TAG_BYTES]

    def seal(self, scope: bytes, position: list[Any]) -> str:
        """`position` as an opaque string, valid only with the same `scope`."""
        payload = orjson.dumps(position)
        raw = payload + self._tag(scope, payload)
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def open(self, scope: bytes, cursor: str, *, max_length: int = MAX_CURSOR) -> list[Any]:
        """The position sealed in `cursor`; InvalidCursor unless it was sealed for `scope`."""
        if len(cursor) > max_length or not cursor.isascii():
            raise _invalid()
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise _invalid() from None
        payload, tag = raw[:-TAG_BYTES], raw[-TAG_BYTES:]
        if len(raw) <= TAG_BYTES or not hmac.compare_digest(tag, self._tag(scope, payload)):
            raise _invalid()
        position = orjson.loads(payload)
        if not isinstance(position, list):
            raise _invalid()
        return position

    def seal_moment(self, scope: bytes, at: datetime, item: uuid.UUID) -> str:
        """A keyset position (a moment and the id that breaks its ties), sealed."""
        return self.seal(scope, [at.isoformat(), str(item)])

    def open_moment(self, scope: bytes, cursor: str) -> tuple[datetime, uuid.UUID]:
        """The moment and id `seal_moment` sealed in `cursor`."""
        at, item = [*self.open(scope, cursor), None, None][:2]
        parsed = parse_uuid(item) if isinstance(item, str) else None
        if not isinstance(at, str) or parsed is None:
            raise InvalidCursor.at("query", "cursor", "Malformed cursor")
        return datetime.fromisoformat(at), parsed


def _invalid() -> InvalidCursor:
    return InvalidCursor.at(
        "query", "cursor", "This cursor was not issued for this query; start from the first page"
    )
