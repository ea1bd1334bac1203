"""Run an ASGI app with uvicorn on 127.0.0.1 for the length of a ``with`` block (browser tests).

    from tests.support.server import live_server

    @pytest.fixture(scope="module")
    def base_url() -> Iterator[str]:
        with live_server(lambda: create_app(settings)) as url:  # or live_server(app)
            yield url

The server binds its own socket on a free port before the thread starts (no race for the port),
runs in a daemon thread with its own event loop, and is stopped in a ``finally``: a failing test,
a failing fixture or Ctrl-C all shut it down. Uvicorn's log goes to the ``logging`` module (not
reconfigured), so pytest shows an app's tracebacks in the failing test's report.
"""

from __future__ import annotations

import contextlib
import inspect
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn

HOST = "127.0.0.1"


def _as_app(app_or_factory: Callable[..., Any]) -> Any:
    """An ASGI app takes (scope, receive, send); a factory takes nothing and returns the app."""
    try:
        params = inspect.signature(app_or_factory).parameters.values()
    except (TypeError, ValueError):  # no signature to read: assume it already is an app
        return app_or_factory
    required = [
        p
        for p in params
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return app_or_factory() if not required else app_or_factory


@contextlib.contextmanager
def live_server(
    app_factory: Callable[..., Any],
    *,
    startup_timeout: float = 10.0,
    shutdown_timeout: float = 10.0,
) -> Iterator[str]:
    """Serve ``app_factory()`` (or an ASGI app given directly) and yield its base URL.

    The base URL has no trailing slash: ``http://127.0.0.1:<port>``. The app is built in the
    calling thread, so an exception while building it is raised right here.
    """
    app = _as_app(app_factory)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        host=HOST,
        port=port,
        loop="asyncio",
        lifespan="auto",
        log_config=None,  # keep pytest's logging capture; uvicorn would install its own handlers
        access_log=False,
        server_header=False,  # as `sertakan serve`: no software banner (OWASP HTTP Headers)
        timeout_graceful_shutdown=2,
        timeout_keep_alive=1,
    )
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # SystemExit from uvicorn's startup included
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"live-server-{port}", daemon=True)
    thread.start()
    try:
        _wait_until_serving(server, thread, failure, port, startup_timeout)
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(shutdown_timeout)
        if thread.is_alive():
            server.force_exit = True
            thread.join(shutdown_timeout)
        sock.close()
        if thread.is_alive():
            raise RuntimeError(f"live server on port {port} did not stop in {shutdown_timeout}s")


def _wait_until_serving(
    server: uvicorn.Server,
    thread: threading.Thread,
    failure: list[BaseException],
    port: int,
    timeout: float,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            cause = failure[0] if failure else None
            raise RuntimeError(
                f"live server on port {port} stopped while starting (see the captured log)"
            ) from cause
        if server.started:
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
                return
        time.sleep(0.02)
    raise TimeoutError(f"live server on port {port} did not answer within {timeout}s")


class AppOnceServing:
    """An ASGI app that the server can start with before the real one exists.

    It answers the server's lifespan messages itself (the app has no startup work) and hands
    every request to the app given to `serve`."""

    def __init__(self) -> None:
        self._app: Any = None

    def serve(self, app: Any) -> None:
        self._app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        assert self._app is not None, "a request came before the app was built"
        await self._app(scope, receive, send)
