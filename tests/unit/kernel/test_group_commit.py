"""`GroupCommit`: requests that arrive while a batch is being written go together in the next
one, each gets its own answer, and nothing waits when there is no load."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from sertakan.kernel.group_commit import GroupCommit
from tests.support.loops import run_apart


class Writer:
    """Doubles numbers; refuses negative ones; holds the first batch until released."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = threading.Event()
        self.release.set()

    def __call__(self, items: list[int]) -> list[int | Exception]:
        self.batches.append(list(items))
        self.release.wait(timeout=10)
        if 13 in items:
            raise RuntimeError("the database went away")
        return [ValueError(f"negative: {i}") if i < 0 else 2 * i for i in items]


def test_requests_arriving_during_a_write_go_together_in_the_next_batch() -> None:
    writer = Writer()
    group = GroupCommit(writer)

    async def scenario() -> list[int]:
        writer.release.clear()
        first = asyncio.ensure_future(group.submit(1))
        while not writer.batches:  # the first batch is being written
            await asyncio.sleep(0.001)
        rest = [asyncio.ensure_future(group.submit(n)) for n in range(2, 7)]
        await asyncio.sleep(0.01)
        writer.release.set()
        return await asyncio.gather(first, *rest)

    assert run_apart(scenario()) == [2, 4, 6, 8, 10, 12]
    assert writer.batches == [[1], [2, 3, 4, 5, 6]]


def test_each_request_gets_its_own_answer_or_refusal() -> None:
    writer = Writer()
    group = GroupCommit(writer)

    async def scenario() -> list[int | BaseException]:
        return await asyncio.gather(*(group.submit(n) for n in (3, -1, 4)), return_exceptions=True)

    good, refused, other = run_apart(scenario())
    assert (good, other) == (6, 8)
    assert isinstance(refused, ValueError) and str(refused) == "negative: -1"


def test_a_batch_that_fails_whole_fails_each_of_its_requests_and_the_next_batch_runs() -> None:
    writer = Writer()
    group = GroupCommit(writer)

    async def scenario() -> tuple[list[int | BaseException], int]:
        failed = await asyncio.gather(group.submit(13), group.submit(1), return_exceptions=True)
        return failed, await group.submit(5)

    failed, after = run_apart(scenario())
    assert all(isinstance(f, RuntimeError) for f in failed)
    assert after == 10


def test_batches_are_capped() -> None:
    writer = Writer()
    group = GroupCommit(writer, max_batch=2)

    async def scenario() -> list[int]:
        return await asyncio.gather(*(group.submit(n) for n in range(5)))

    assert run_apart(scenario()) == [0, 2, 4, 6, 8]
    assert all(len(batch) <= 2 for batch in writer.batches)
    assert sorted(n for batch in writer.batches for n in batch) == [0, 1, 2, 3, 4]


async def _ticks(n: int) -> None:
    """Let the event loop run `n` rounds: the tests' unit of time (about a millisecond)."""
    for _ in range(n):
        await asyncio.sleep(0)


def _rounds_of_eight_clients(linger: float) -> list[int]:
    """Eight clients starting a tick apart, each sending its next request a tick after its
    answer (the network), ten times; the writer takes 5 ticks a batch (the database) and
    lingers `linger` seconds as ticks (1 ms a tick). The sizes of the batches.

    Time is counted in loop ticks, not slept: the write runs on the loop (no thread) and the
    pause is ticks too, so the batches follow from the order of events alone and come out the
    same on a loaded machine."""
    sizes: list[int] = []

    def write(items: list[int]) -> list[int | Exception]:
        sizes.append(len(items))
        return list(items)

    async def database(
        work: Callable[[list[int]], Sequence[int | Exception]], items: list[int]
    ) -> Sequence[int | Exception]:
        await _ticks(5)
        return work(items)

    async def pause(seconds: float) -> None:
        await _ticks(round(seconds / 0.001))

    group = GroupCommit(write, linger=linger, offload=database, pause=pause)

    async def client(k: int) -> None:
        await _ticks(k)
        for n in range(10):
            assert await group.submit(k * 100 + n) == k * 100 + n
            await _ticks(1)

    async def scenario() -> None:
        await asyncio.gather(*(client(k) for k in range(8)))

    run_apart(scenario())
    return sizes


def test_under_load_the_writer_lingers_so_answered_clients_join_the_next_batch() -> None:
    without = _rounds_of_eight_clients(linger=0)
    lingering = _rounds_of_eight_clients(linger=0.002)  # the default

    # Without the pause the clients answered together come back during the next write and
    # make a batch of their own: the eight split into groups taking turns.
    assert statistics.median(without) < 8
    assert statistics.median(lingering) == 8
    assert len(lingering) < len(without)


def _wait_until(condition: Callable[[], bool], seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.001)


def test_each_event_loop_has_its_own_queue() -> None:
    # Two loops at once in two threads (test clients run one per request): while the first
    # loop's batch is being written, the second loop's request must get a writer of its own
    # loop; handed to the first loop's writer, its future would be set from a foreign thread
    # and never wake its loop.
    writer = Writer()
    writer.release.clear()
    group = GroupCommit(writer)

    async def submit_with_deadline(n: int) -> int:
        return await asyncio.wait_for(group.submit(n), timeout=5)

    with ThreadPoolExecutor(2) as pool:
        try:
            first = pool.submit(run_apart, submit_with_deadline(1))
            _wait_until(lambda: len(writer.batches) == 1)  # the first loop's batch is written
            second = pool.submit(run_apart, submit_with_deadline(2))
            _wait_until(lambda: len(writer.batches) == 2)  # the second loop's own writer took it
        finally:
            writer.release.set()
        assert (first.result(timeout=10), second.result(timeout=10)) == (2, 4)
    assert writer.batches == [[1], [2]]
    with pytest.raises(ValueError):
        run_apart(group.submit(-3))  # and a later loop still gets its answer
