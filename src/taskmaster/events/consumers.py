"""What the relay hands each batch of events to before the bus: the shared revocation list,
which an ended session must reach also when the process that ended it died before it could
tell it.

Not the read cache: its writer bumps it right after commit (read-your-writes needs that), and
a second bump from the relay, milliseconds later, outdated the entry a read had just filled,
a needless miss per write."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from taskmaster.auth.revocations import RevokedSessions
from taskmaster.events.outbox import SESSION_ENDED, Event
from taskmaster.events.relay import Consumer


def ended_sessions(revoked: RevokedSessions) -> Consumer:
    """Ended sessions join the shared revocation list: every instance refuses their tokens."""

    async def consume(events: Sequence[Event]) -> None:
        ended = [uuid.UUID(e.data["sessionId"]) for e in events if e.topic == SESSION_ENDED]
        if ended:
            await revoked.add(ended)

    return consume
