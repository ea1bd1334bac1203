"""Run a coroutine on its own event loop, in a thread of its own.

The browser tests' Playwright (sync API) keeps an event loop running in the main thread for
the whole session, where `asyncio.run` refuses to start another; a thread has none.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(1, thread_name_prefix="own-loop") as pool:
        return pool.submit(asyncio.run, coroutine).result()
