"""Where an authenticated member read's CPU goes (issue 12, "Performance"), in this process.

    .venv/bin/python bench/read_profile.py
    .venv/bin/python bench/read_profile.py --reads 3000 --top 30 --database sqlite

Prepares a fresh database as `read_load.py` does (the branch, an officer, `--members` workers;
PostgreSQL by default, dropped at the end), builds the app over it and calls it as an ASGI
application, with no server and no socket, so that what is measured is the app alone:

  cpu        `--reads` GET /api/v1/members/{id} with the officer's bearer token, one at a time,
             and as many GET /healthz: CPU milliseconds per request (this process's
             `time.process_time`, threads included), PostgreSQL's (its backends' CPU, from
             /proc) and SQL statements per request;
  profile    the same reads under cProfile (CPU time; `--clock wall`: wall time), the top
             `--top` entries by cumulative time. cProfile sees only the thread it runs in, so
             for this part the thread-pool hops (`run_in_threadpool`) are made inline calls:
             the profile shows the app's own work, and the `cpu` part the real cost with the
             hops.

The machine may be shared: CPU time, unlike wall time, is the process's own.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from payment_notices import DEFAULT_SERVER, Server, cpu_seconds, open_container
from read_load import OFFICER, PASSWORD, prepare
from sqlalchemy import event
from sqlalchemy.engine import make_url

from sertakan.app import create_app

Asgi = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


async def call(
    app: Asgi, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, bytes]:
    """One request to the ASGI app; its status and body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def sign_in(app: Asgi) -> dict[str, str]:
    import json

    form = urlencode({"username": OFFICER, "password": PASSWORD}).encode()
    status, body = await call(
        app,
        "POST",
        "/api/v1/auth/token",
        {
            "content-type": "application/x-www-form-urlencoded",
            "content-length": str(len(form)),
        },
        form,
    )
    assert status == 200, (status, body)
    return {"authorization": f"Bearer {json.loads(body)['access_token']}"}


async def reads(
    app: Asgi, paths: list[str], headers: dict[str, str], n: int, concurrency: int = 1
) -> None:
    """`n` reads of `paths` in turn, `concurrency` at a time."""
    counter = iter(range(n))

    async def one_at_a_time() -> None:
        for k in counter:
            status, body = await call(app, "GET", paths[k % len(paths)], headers)
            assert status == 200, (status, body[:300])

    await asyncio.gather(*(one_at_a_time() for _ in range(concurrency)))


def inline_thread_hops() -> None:
    """Make `run_in_threadpool` an inline call (for cProfile, which sees one thread)."""
    import fastapi.dependencies.utils
    import fastapi.routing

    import sertakan.api.members
    import sertakan.http.auth

    async def inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    hops = (fastapi.routing, fastapi.dependencies.utils, sertakan.http.auth, sertakan.api.members)
    for module in hops:
        module.run_in_threadpool = inline  # type: ignore[attr-defined]


def _backend_cpu(server: Server, database: str) -> dict[int, float]:
    if not database:
        return {}
    return {pid: cpu_seconds(pid, children=False) for pid in server.backends(database)}


def cpu_part(
    app: Asgi,
    server: Server,
    database: str,
    paths: list[str],
    headers: dict[str, str],
    args: argparse.Namespace,
    concurrency: int,
) -> str:
    """`args.reads` requests: this process's CPU and PostgreSQL's per request, and the wall."""
    before = _backend_cpu(server, database)
    cpu, wall = time.process_time(), time.perf_counter()
    asyncio.run(reads(app, paths, headers, args.reads, concurrency))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    # PostgreSQL's CPU: its backends there before and after (the pool's held connections; an
    # overflow connection opened and closed in between is missed, so this is a lower bound).
    after = _backend_cpu(server, database)
    db_cpu = sum(after[pid] - before[pid] for pid in before.keys() & after.keys())
    line = f"CPU {1000 * cpu / args.reads:.2f} ms/request"
    if before:
        line += f" + PostgreSQL >= {1000 * db_cpu / args.reads:.2f} ms"
    return line + f" (wall {1000 * wall / args.reads:.2f} ms)"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", default="postgresql", help="postgresql or sqlite")
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument(
        "--concurrency", default="1,32", help="requests in flight for the CPU part (the profile: 1)"
    )
    parser.add_argument(
        "--clock", choices=("cpu", "wall"), default="cpu", help="the profile's clock"
    )
    parser.add_argument("--dump", help="also write the profile to this file (pstats)")
    parser.add_argument(
        "--server-url", default=os.environ.get("SERTAKAN_TEST_POSTGRES_URL") or DEFAULT_SERVER
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sertakan-bench-profile-"))
    url = make_url(args.server_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    server = Server(url)
    try:
        sqlite = args.database == "sqlite"
        database = "" if sqlite else f"sertakan_bench_profile_{os.getpid()}"
        db_url = f"sqlite:///{folder / 'reads.db'}" if sqlite else server.create(database)
        ids = prepare(db_url, folder, args.members)
        container = open_container(db_url, folder)
        app: Asgi = create_app(container)
        statements = [0]

        @event.listens_for(container.engine, "before_cursor_execute")
        def _count(*_: Any) -> None:
            statements[0] += 1

        paths = [f"/api/v1/members/{m}" for m in ids]
        headers = asyncio.run(sign_in(app))
        asyncio.run(reads(app, paths, headers, 200))  # warm up: pool, caches, imports
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            for name, run_paths, run_headers in (
                ("GET /healthz", ["/healthz"], {}),
                ("GET /api/v1/members/{id}", paths, headers),
            ):
                statements[0] = 0
                line = cpu_part(app, server, database, run_paths, run_headers, args, concurrency)
                print(
                    f"{args.database} {name}, {concurrency} at a time: {line}, "
                    f"{statements[0] / args.reads:.1f} SQL statements/request"
                )
        inline_thread_hops()
        # CPU time by default: the database's answers are waited for, and the wait is no cost
        # of the server process (PostgreSQL's own CPU is not in it either).
        timer = time.process_time if args.clock == "cpu" else time.perf_counter
        profile = cProfile.Profile(timer)
        profile.enable()
        asyncio.run(reads(app, paths, headers, args.reads))
        profile.disable()
        if args.dump:
            profile.dump_stats(args.dump)
        print(
            f"\ncProfile ({args.clock} time) of {args.reads} reads (thread hops inline), "
            "by cumulative time:"
        )
        pstats.Stats(profile).strip_dirs().sort_stats("cumulative").print_stats(args.top)
        print("by own time:")
        pstats.Stats(profile).strip_dirs().sort_stats("tottime").print_stats(args.top)
        container.engine.dispose()
    finally:
        server.drop_all()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
