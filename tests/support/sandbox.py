"""A stand-in for the app's notice endpoint: an `httpx.MockTransport` that records what the
sandbox gateway posts and answers with the statuses it is told (200 once they run out)."""

from __future__ import annotations

import threading
from collections.abc import Iterable

import httpx


class NoticeInbox:
    def __init__(self, statuses: Iterable[int] = ()) -> None:
        self.requests: list[httpx.Request] = []
        self._statuses = list(statuses)
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            status = self._statuses.pop(0) if self._statuses else 200
        return httpx.Response(status, json={"status": status})

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    @property
    def bodies(self) -> list[bytes]:
        with self._lock:
            return [request.content for request in self.requests]
