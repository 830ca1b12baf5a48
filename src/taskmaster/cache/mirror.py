"""A process's own copy of a set of names kept in Redis, current through pub/sub."""

from __future__ import annotations

import asyncio
import time

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from taskmaster.cache.following import stop_following

log = structlog.get_logger(__name__)

RETRY_SECONDS = 1.0
HEALTH_SECONDS = 5
PRUNE_ABOVE = 10_000
START_SECONDS = 1.0


class SetMirror:
    """Answers "is this name in the set?" from memory, with no round trip to Redis.

    Writers store a key under `<prefix><namespace><name>` and `announce` the name; every
    process's mirror hears it on the channel. On (re)subscribing, a mirror first listens and
    then loads what is already stored, so no name falls between the two. Until it is in sync
    (and whenever the connection is lost) `contains` answers None: ask the store instead.
    A name is forgotten `ttl` seconds after it was heard of, as its stored key expires.
    Pub/sub loses nothing while the subscription lives; a dead one is noticed within
    HEALTH_SECONDS (a ping), and resubscribing loads the stored keys again.
    """

    def __init__(self, redis_url: str, prefix: str, namespace: str, ttl: float) -> None:
        # No socket timeout: a subscription is quiet for as long as nothing happens.
        self._redis = Redis.from_url(
            redis_url, socket_connect_timeout=1, health_check_interval=HEALTH_SECONDS
        )
        self._ttl = ttl
        self._pattern = f"{prefix}{namespace}*"
        self._key_prefix = f"{prefix}{namespace}"
        self._channel = f"{prefix}{namespace}announce"
        self._names: dict[str, float] = {}  # name -> when to forget it (monotonic seconds)
        self._in_sync = False
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def contains(self, name: str) -> bool | None:
        if not self._in_sync:
            return None
        forget_at = self._names.get(name)
        return forget_at is not None and forget_at > time.monotonic()

    async def announce(self, name: str) -> None:
        """Tell every process's mirror (this one at once) that `name` joined the set."""
        await self._remember([name])
        await self._redis.publish(self._channel, name)

    async def until_in_sync(self) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self._in_sync)

    async def until_known(self, name: str) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: name in self._names)

    async def start(self) -> None:
        """Subscribe and load the set, waiting a moment for it; with Redis down, go on trying
        in the background (until then `contains` answers None)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._follow(), name="set-mirror")
        try:
            await asyncio.wait_for(self.until_in_sync(), START_SECONDS)
        except TimeoutError:
            log.warning("set mirror not in sync yet; following in the background")

    async def close(self) -> None:
        """Stop following."""
        self._closing = True
        await stop_following(self._redis, self._task)

    async def _remember(self, names: list[str], *, in_sync: bool | None = None) -> None:
        now = time.monotonic()
        async with self._changed:
            if len(self._names) > PRUNE_ABOVE:
                self._names = {name: at for name, at in self._names.items() if at > now}
            self._names.update(dict.fromkeys(names, now + self._ttl))
            if in_sync is not None:
                self._in_sync = in_sync
            self._changed.notify_all()

    async def _follow(self) -> None:
        while not self._closing:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    stored = [
                        key.decode().removeprefix(self._key_prefix)
                        async for key in self._redis.scan_iter(self._pattern, count=1000)
                    ]
                    await self._remember(stored, in_sync=True)
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            await self._remember([message["data"].decode()])
            except (RedisError, OSError) as error:
                if not self._closing:
                    log.warning("set mirror lost its subscription", error=str(error))
            await self._remember([], in_sync=False)
            if not self._closing:
                await asyncio.sleep(RETRY_SECONDS)
