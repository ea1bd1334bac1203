"""Group commit: requests that arrive while a batch is being written join the next batch.

A payment notice must be in the database before it is answered (the inbox), and a commit
costs about the same for one notice as for a hundred. So the notification endpoint does not
open its own transactions: each request queues its notice and waits, and one batch at a time
(per event loop) runs in a worker thread, taking everything queued until then. At low load a
batch is the one request that came, written at once. Under load (a batch of more than one),
the writer lingers a moment (`linger`, 2 ms) before the next: a gateway's connections send
their next notice as soon as one is answered, and without the pause those would make a batch
of their own, so that the requests in flight split into two halves taking turns (measured:
batches of 8 with 16 requests in flight, 16 with the pause).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# How a batch is handed to its worker thread, and how the writer lingers: asyncio's own, in
# production. A test passes loop-tick versions of both, so that which requests make a batch
# follows from the order of events alone, not from how fast a loaded machine runs a sleep.
Offload = Callable[
    [Callable[[list[T]], Sequence[R | Exception]], list[T]], Awaitable[Sequence[R | Exception]]
]
Pause = Callable[[float], Awaitable[None]]

MAX_BATCH = 200
LINGER_SECONDS = 0.002


@dataclass
class _Lane(Generic[T, R]):
    """What waits on one event loop, and the task writing it."""

    queue: list[tuple[T, asyncio.Future[R]]] = field(default_factory=list)
    writer: asyncio.Task[None] | None = None


class GroupCommit(Generic[T, R]):
    """`await submit(item)` gives the item's result from `work`, which takes a batch and
    answers each item in order with its result or the exception it raises for that item."""

    def __init__(
        self,
        work: Callable[[list[T]], Sequence[R | Exception]],
        *,
        max_batch: int = MAX_BATCH,
        linger: float = LINGER_SECONDS,
        offload: Offload[T, R] | None = None,
        pause: Pause = asyncio.sleep,
    ) -> None:
        self._work = work
        self._max_batch = max_batch
        self._linger = linger
        self._offload: Offload[T, R] = offload or asyncio.to_thread
        self._pause = pause
        # One lane per event loop: a test client runs a loop per request, a server one.
        self._lanes: dict[asyncio.AbstractEventLoop, _Lane[T, R]] = {}

    async def submit(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        lane = self._lanes.get(loop)
        if lane is None:
            self._lanes = {k: v for k, v in self._lanes.items() if not k.is_closed()}
            lane = self._lanes[loop] = _Lane()
        future: asyncio.Future[R] = loop.create_future()
        lane.queue.append((item, future))
        if lane.writer is None or lane.writer.done():
            lane.writer = loop.create_task(self._write(lane))
        # A request cancelled while waiting (the caller hung up) is still written: the
        # gateway's retry then finds it stored.
        return await future

    async def _write(self, lane: _Lane[T, R]) -> None:
        while lane.queue:
            batch = lane.queue[: self._max_batch]
            del lane.queue[: self._max_batch]
            try:
                results = await self._offload(self._work, [item for item, _ in batch])
            except Exception as failure:  # the whole batch failed: each request answers so
                results = [failure] * len(batch)
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)
            if self._linger > 0 and len(batch) > 1:  # under load
                await self._pause(self._linger)
