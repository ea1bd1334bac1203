"""Benchmark of payment notices over HTTP on PostgreSQL (issue 6), measured on this machine.

    .venv/bin/python bench/payment_notices.py
    .venv/bin/python bench/payment_notices.py --payers 3000 --concurrency 32 --workers 1,2,4

1. prepare   a fresh PostgreSQL database, migrated; `--payers` payers enrolled through the
             services (a third sponsors with `--workers-per-sponsor` workers each, the rest
             self-paying workers); this month issued (`issue_month`; it bills a sponsor once
             per page of 1,000 members its workers fall on, so there are more invoices than
             payers) and paid (history: the tables the run writes to are not empty), next
             month issued, and ANALYZE run, as autovacuum would have on a live database. The
             runs below pay next month.
             It becomes the template of every database below (CREATE DATABASE ... TEMPLATE),
             so each run starts from the same unpaid invoices.
2. service   `payments.receive_many` in this process, one notice at a time and then batches of
             `--batch` (what the endpoint's group commit hands over under load): notices per
             second, SQL statements and commits per notice, and a cProfile of the calls (where
             the time goes: waiting on PostgreSQL, SQLAlchemy, our code).
3. http      for each `--workers` count, that many single-process uvicorn servers on free
             ports of 127.0.0.1 (or one `uvicorn --workers N` with `--uvicorn-workers`: see
             `serving` for why that is not the default), driven from this process by an
             asyncio client speaking HTTP/1.1 keep-alive by hand (`--client httpx` to compare)
             with `--concurrency` requests in flight spread over the servers: first the
             baseline (GET /api/v1/contributions/bpu, a read touching no table), then one
             signed notice per invoice plus `--duplicates` re-deliveries (some at once, some
             late), to POST /api/v1/payments/notifications. Notices per second, p50/p99
             latency, CPU used by the servers and by this client, and a check of the books
             afterwards (each invoice paid once, nothing in suspense).
4. pgbench   TPC-B (`pgbench -i -s 10`, then `-c <concurrency> -j 2 -T <duration>`) in a scratch
             database: what this PostgreSQL does on this machine, for the ratio.

Every database made here is dropped at the end. The load average is printed before and after
(the machine may be shared: the ratios to the baselines of the same run are what to compare).
Target (issue 6): at least 1,000 notices/s with p99 under 100 ms on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import datetime as dt
import json
import os
import pstats
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx
import psycopg
from psycopg import sql
from sqlalchemy import Engine, event, func, select
from sqlalchemy.engine import URL, make_url

from sertakan.access.actor import Actor
from sertakan.billing.model import InvoiceStatus
from sertakan.billing.signatures import SIGNATURE_HEADER, sign
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.gateways.sandbox import NOTIFY_PATH
from sertakan.kernel.clock import WIB, SystemClock
from sertakan.kernel.periods import Month
from sertakan.notifications.model import Message
from sertakan.registry.model import Branch
from sertakan.registry.nik import build_nik
from sertakan.registry.service import EnrolmentApplication, SponsorApplication
from sertakan.store.migrate import upgrade
from sertakan.store.tables import invoices, payment_notices, payments, settlements, suspense_items

REPO = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-" + "x" * 32
GATEWAY_SECRET = "bench-gateway-" + "g" * 32
CONSOLE = Actor.console("bench")
BRANCH = Branch("BOGOR_KOTA", "Kantor Cabang Bogor Kota", "32.71")
BPU = "/api/v1/contributions/bpu?declared_income=2500000&on=2025-06-01&programs=JKK,JKM,JHT"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
OCCUPATIONS = ("household_helper", "driver", "street_food_vendor", "cleaner")


class SilentProvider:
    """Counts messages instead of printing them (enrolment sends consent texts)."""

    def __init__(self) -> None:
        self.delivered = 0

    def deliver(self, message: Message) -> None:
        self.delivered += 1


@dataclass(frozen=True)
class Delivery:
    body: bytes
    signature: str
    invoice_number: str


@dataclass(frozen=True)
class Billed:
    number: str
    total: int


# --- databases ----------------------------------------------------------------------------------


class Server:
    """The PostgreSQL server: makes and drops the bench's databases."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self.made: list[str] = []

    def _connect(self, database: str | None = None) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=self.url.host,
            port=self.url.port,
            user=self.url.username,
            password=self.url.password,
            dbname=database or self.url.database,
            autocommit=True,
        )

    def create(self, name: str, template: str | None = None) -> str:
        query = sql.SQL("CREATE DATABASE {} TEMPLATE {} ENCODING 'UTF8'").format(
            sql.Identifier(name), sql.Identifier(template or "template0")
        )
        with self._connect() as conn:
            conn.execute(query)
        self.made.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        with self._connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        if name in self.made:
            self.made.remove(name)

    def drop_all(self) -> None:
        for name in list(self.made):
            self.drop(name)

    def backends(self, database: str) -> list[int]:
        """The server processes connected to `database` (not the one asking)."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            ).fetchall()
        return [int(row[0]) for row in rows]

    def libpq_args(self) -> list[str]:
        args = ["-h", self.url.host or "127.0.0.1", "-p", str(self.url.port or 5432)]
        return args + (["-U", self.url.username] if self.url.username else [])


def open_container(url: str, folder: Path, provider: SilentProvider | None = None) -> Container:
    settings = Settings(
        database_url=url,
        secret_key=SECRET,
        gateway_secret=GATEWAY_SECRET,
        sandbox_db=folder / "sandbox.sqlite",
    )
    return bootstrap(settings, clock=SystemClock(), provider=provider or SilentProvider())


# --- 1. prepare ---------------------------------------------------------------------------------


def prepare(url: str, folder: Path, count: int, per_sponsor: int, jobs: int) -> list[Billed]:
    """Enrol `count` payers through the services and issue the month."""
    container = open_container(url, folder)
    upgrade(container.engine)
    container.registry.add_branch(BRANCH)
    sponsors = count // 3
    own = count - sponsors

    def sponsor_with_workers(s: int) -> None:
        sponsor = container.registry.register_sponsor(
            CONSOLE,
            SponsorApplication(
                kind="person",
                name=f"Ibu Bangku {s}",
                phone=f"08135{s:07d}",
                region_code="32.71.01.1001",
                address="Jl. Salak 2",
                nik=_nik("327101", s, "F"),
            ),
        )
        for w in range(per_sponsor):
            _enrol(container, s * per_sponsor + w, sponsor.id)

    def self_paying(m: int) -> None:
        _enrol(container, sponsors * per_sponsor + m, None)

    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(sponsor_with_workers, range(sponsors)))
        list(pool.map(self_paying, range(own)))
    # This month is billed and paid before the run, so the tables the run writes to are not
    # empty (a live database has history); the run pays next month.
    month = Month.of(container.clock.today())
    container.invoices.issue_month(CONSOLE, month)
    history = deliveries(_billed(container, month), 0.0, 0, prefix="HISTORY")
    for start in range(0, len(history), 200):
        chunk = history[start : start + 200]
        container.payments.receive_many([(d.body, d.signature) for d in chunk])
    container.invoices.issue_month(CONSOLE, month.next())
    # A live database has planner statistics (autovacuum keeps them up to date); without them
    # PostgreSQL guesses the tables are tiny and scans them whole. The copies inherit these.
    with container.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    billed = _billed(container, month.next())
    container.engine.dispose()
    return billed


def _billed(container: Container, month: Month) -> list[Billed]:
    with container.uow() as uow:
        issued = uow.invoices.open_in(month=month)
    return sorted((Billed(i.number, i.total) for i in issued), key=lambda b: b.number)


def _nik(district: str, n: int, sex: str) -> str:
    born = dt.date(1975, 1, 1) + dt.timedelta(days=n // 9999)
    return build_nik(district, born, sex, n % 9999 + 1)


def _enrol(container: Container, n: int, sponsor_id: str | None) -> None:
    sex = "M" if n % 2 else "F"
    container.registry.enrol_member(
        CONSOLE,
        EnrolmentApplication(
            nik=_nik("327102", n, sex),
            full_name=f"Pekerja Bangku {n}",
            birth_date=dt.date(1975, 1, 1) + dt.timedelta(days=n // 9999),
            sex=sex,
            phone=f"08125{n:07d}",
            region_code="32.71.01.1001",
            address="Jl. Pajajaran No. 5",
            occupation=OCCUPATIONS[n % len(OCCUPATIONS)],
            declared_income=1_000_000 + 500_000 * (n % 5),
            programs=("JKK", "JKM", "JHT") if n % 3 else ("JKK", "JKM"),
            sponsor_id=sponsor_id,
        ),
    )


def deliveries(
    billed: list[Billed], duplicates: float, seed: int, prefix: str = "BENCH"
) -> list[Delivery]:
    """One notice per invoice, then re-deliveries: half right after the original (the gateway
    retrying at once), half anywhere later (a late retry)."""
    paid_at = dt.datetime.now(tz=WIB).replace(microsecond=0)
    firsts: list[Delivery] = []
    for k, bill in enumerate(billed):
        body = (
            f'{{"transaction_id": "{prefix}-{k:08d}", "invoice_number": "{bill.number}", '
            f'"amount": {bill.total}, "currency": "IDR", "channel": "va_bri", '
            f'"status": "paid", "paid_at": "{paid_at.isoformat()}"}}'
        ).encode()
        firsts.append(Delivery(body, sign(GATEWAY_SECRET.encode(), body), bill.number))
    rng = random.Random(seed)
    schedule = list(firsts)
    for _ in range(round(len(firsts) * duplicates)):
        k = rng.randrange(len(firsts))
        at = schedule.index(firsts[k])
        where = at + 1 if rng.random() < 0.5 else rng.randrange(at + 1, len(schedule) + 1)
        schedule.insert(where, firsts[k])
    return schedule


# --- 2. the service in this process ---------------------------------------------------------


@dataclass
class ServiceRun:
    batch: int
    notices: int
    seconds: float
    cpu: float  # this process (the service's Python), seconds
    database_cpu: float  # the PostgreSQL backend serving it, seconds
    statements: collections.Counter[str]
    transactions: int  # each one a BEGIN and a COMMIT or ROLLBACK on the wire
    checkouts: int  # each one a pre-ping (the engine's pool_pre_ping)
    profile: pstats.Stats

    @property
    def rate(self) -> float:
        return self.notices / self.seconds


def service_run(
    server: Server, database: str, url: str, folder: Path, sample: list[Delivery], batch: int
) -> ServiceRun:
    """One thread, `batch` notices per call: half of the sample timed (with the CPU of this
    process and of the database backend), the other half under cProfile."""
    container = open_container(url, folder)

    def receive(deliveries: list[Delivery]) -> None:
        for start in range(0, len(deliveries), batch):
            chunk = deliveries[start : start + batch]
            container.payments.receive_many([(d.body, d.signature) for d in chunk])

    engine = container.engine
    statements: collections.Counter[str] = collections.Counter()
    counts = collections.Counter[str]()

    def on_statement(*args: Any) -> None:
        words = str(args[2]).split()
        statements[" ".join(words[:3] if words[0] in ("INSERT", "UPDATE") else words[:1])] += 1

    def on_transaction(*_: Any) -> None:
        counts["transactions"] += 1

    def on_checkout(*_: Any) -> None:
        counts["checkouts"] += 1

    listeners = [
        ("before_cursor_execute", on_statement),
        ("commit", on_transaction),
        ("rollback", on_transaction),
        ("checkout", on_checkout),
    ]
    receive(sample[:20])
    for name, listener in listeners:
        event.listen(engine, name, listener)
    half = (len(sample) - 20) // 2
    timed, profiled = sample[20 : 20 + half], sample[20 + half :]
    backends = server.backends(database)
    database_before = sum(cpu_seconds(pid, children=False) for pid in backends)
    cpu_before = time.process_time()
    started = time.perf_counter()
    receive(timed)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    database_cpu = sum(cpu_seconds(pid, children=False) for pid in backends) - database_before
    for name, listener in listeners:
        event.remove(engine, name, listener)
    profiler = cProfile.Profile()
    profiler.enable()
    receive(profiled)
    profiler.disable()
    engine.dispose()
    return ServiceRun(
        batch,
        len(timed),
        seconds,
        cpu,
        database_cpu,
        statements,
        counts["transactions"],
        counts["checkouts"],
        pstats.Stats(profiler),
    )


def print_service(run: ServiceRun, top: int) -> None:
    n = run.notices
    per = sum(run.statements.values()) / n
    trips = per + (2 * run.transactions + run.checkouts) / n
    print(
        f"service, 1 thread, in process, {run.batch} per call: {n:,} notices in "
        f"{run.seconds:.2f} s = "
        f"{run.rate:,.0f} notices/s ({1000 / run.rate:.2f} ms each; CPU per notice: this "
        f"process {1000 * run.cpu / n:.2f} ms, the PostgreSQL backend "
        f"{1000 * run.database_cpu / n:.2f} ms)"
    )
    print(
        f"  {per:.1f} SQL statements, {run.transactions / n:.1f} transactions and "
        f"{run.checkouts / n:.1f} pool checkouts (pre-ping) per notice: about {trips:.0f} "
        f"round trips to PostgreSQL"
    )
    for statement, count in run.statements.most_common():
        print(f"    {count / n:4.1f}  {statement}")
    stats: dict[Any, Any] = cast(Any, run.profile).stats
    total = sum(row[2] for row in stats.values())
    areas: collections.Counter[str] = collections.Counter()
    for (file, _, name), row in stats.items():
        areas[_area(file, name)] += row[2]
    print("  where the time goes (own time, cProfile):")
    for area, seconds in areas.most_common():
        print(f"    {100 * seconds / total:5.1f}%  {area}")
    print(f"  top {top} functions by cumulative time:")
    rows = sorted(stats.items(), key=lambda item: item[1][3], reverse=True)
    shown = 0
    for (file, _line, name), row in rows:
        if "sertakan" not in file and "sqlalchemy" not in file and "psycopg" not in file:
            continue
        where = file.split("site-packages/")[-1].split("src/")[-1]
        print(f"    {1000 * row[3] / n:7.3f} ms/notice  {row[1] / n:5.1f} calls  {where}:{name}")
        shown += 1
        if shown == top:
            break


def _area(file: str, name: str) -> str:
    if "psycopg" in file and name in ("wait", "wait_c", "_wait_conn"):
        return "waiting for PostgreSQL (psycopg wait)"
    for package in ("psycopg", "sqlalchemy", "sertakan", "json", "hmac", "pydantic"):
        if f"/{package}/" in file or file.endswith(f"{package}.py"):
            return package
    return "other (stdlib, C built-ins)"


# --- 3. over HTTP ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(
    url: str, folder: Path, workers: int, *, uvicorn_workers: bool
) -> Iterator[tuple[list[str], list[int]]]:
    """`workers` server processes; yields their base URLs and pids.

    By default each process is its own single-process uvicorn on its own port, and the client
    spreads its connections over them (as a reverse proxy would). `uvicorn --workers N` is not
    the default: the processes share one listening socket and the kernel hands the client's
    keep-alive connections to them unevenly, so one process queues while the other idles
    (measured with uvloop: 963 notices/s, p99 168 ms, against 1,143/s, p99 49 ms, with a port
    each). Without uvloop it was worse: uvicorn binds that socket itself with protocol 0, so
    asyncio does not set TCP_NODELAY and every answer waited ~40 ms for the client's delayed
    ACK (Nagle). `--uvicorn-workers` measures it.
    """
    env = dict(
        os.environ,
        SERTAKAN_DATABASE_URL=url,
        SERTAKAN_SECRET_KEY=SECRET,
        SERTAKAN_GATEWAY_SECRET=GATEWAY_SECRET,
        SERTAKAN_SANDBOX_DB=str(folder / "sandbox.sqlite"),
    )
    env.pop("SERTAKAN_TODAY", None)
    shape = (
        [(workers, free_port())] if uvicorn_workers else [(1, free_port()) for _ in range(workers)]
    )
    servers: list[subprocess.Popen[bytes]] = []
    try:
        for k, (processes, port) in enumerate(shape):
            log_path = folder / f"server-{workers}-{k}.log"
            with log_path.open("wb") as log:
                command = [sys.executable, "-m", "uvicorn", "sertakan.app:create_app", "--factory"]
                command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
                command += ["--no-server-header"]  # as `sertakan serve` (OWASP headers)
                command += ["--log-level", "warning"]
                if processes > 1:
                    command += ["--workers", str(processes)]
                server = subprocess.Popen(
                    command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT
                )
            servers.append(server)
            _wait_ready(server, f"http://127.0.0.1:{port}", log_path, processes)
        yield [f"http://127.0.0.1:{port}" for _, port in shape], [s.pid for s in servers]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_ready(server: subprocess.Popen[bytes], base: str, log: Path, workers: int) -> None:
    deadline = time.monotonic() + 60
    answered = 0
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped while starting; see {log}")
        try:
            if httpx.get(base + BPU, timeout=2).status_code == 200:
                answered += 1
                if answered >= 2 * workers:  # give every worker time to start
                    time.sleep(0.5)
                    return
                continue
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within 60 s; see {log}")


def cpu_seconds(pid: int, *, children: bool = True) -> float:
    """User + system CPU of the process (and of its children: uvicorn's workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        process, parent = int(entry.name), int(fields[1])
        if process == pid or (children and parent == pid):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


@dataclass
class HttpRun:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    statuses: collections.Counter[str]
    server_cpu: float
    client_cpu: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def first_rate(self) -> float:
        """Distinct notices per second: each first delivery, whose money was applied or held
        (the re-deliveries, answered `duplicate`, left out)."""
        return (self.statuses["applied"] + self.statuses["suspense"]) / self.seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self) -> str:
        return (
            f"{self.name}: {self.requests:,} in {self.seconds:.2f} s = {self.rate:,.0f}/s; "
            f"p50 {1000 * statistics.median(self.latencies):.1f} ms, "
            f"p99 {1000 * self.quantile(0.99):.1f} ms, max {1000 * max(self.latencies):.0f} ms; "
            f"CPU per request: server {1000 * self.server_cpu / self.requests:.2f} ms, "
            f"client {1000 * self.client_cpu / self.requests:.2f} ms; "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(self.statuses.items()))
        )


class KeepAlive:
    """One HTTP/1.1 keep-alive connection, spoken by hand. The load generator shares the two
    cores with the server and PostgreSQL: httpx spends several ms of CPU per request (more
    than the server's HTTP layer), this a small fraction of that. `--client httpx` compares."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        payload = body or b""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head += f"Content-Length: {len(payload)}\r\n\r\n"
        self._writer.write(head.encode() + payload)
        raw = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *lines = raw.decode("latin-1").split("\r\n")
        fields = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines)}
        if "content-length" not in fields:
            raise RuntimeError(f"no Content-Length in the answer: {status_line} {fields}")
        answer = await self._reader.readexactly(int(fields["content-length"]))
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return int(status_line.split()[1]), answer

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()
            self._writer = self._reader = None


async def _drive(
    bases: list[str], concurrency: int, requests: list[Request], client_kind: str
) -> tuple[list[float], collections.Counter[str]]:
    """`concurrency` requests in flight, connection k on server k modulo the servers."""
    latencies = [0.0] * len(requests)
    statuses: collections.Counter[str] = collections.Counter()
    queue = iter(enumerate(requests))

    def tally(method: str, status: int, answer: bytes) -> None:
        if status != 200:
            statuses[f"HTTP {status}"] += 1
        elif method == "POST":
            found = json.loads(answer)
            statuses[found["status"] + (" (repeat)" if found["duplicate"] else "")] += 1
        else:
            statuses["ok"] += 1

    if client_kind == "httpx":
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        clients = [httpx.AsyncClient(base_url=b, limits=limits, timeout=120) for b in bases]

        async def with_httpx(k: int) -> None:
            client = clients[k % len(clients)]
            for i, (method, path, body, headers) in queue:
                started = time.perf_counter()
                response = await client.request(method, path, content=body, headers=headers)
                latencies[i] = time.perf_counter() - started
                tally(method, response.status_code, response.content)

        try:
            await asyncio.gather(*(with_httpx(k) for k in range(concurrency)))
        finally:
            for client in clients:
                await client.aclose()
        return latencies, statuses

    addresses = [httpx.URL(b) for b in bases]

    async def by_hand(k: int) -> None:
        address = addresses[k % len(addresses)]
        connection = KeepAlive(address.host, address.port or 80)
        try:
            for i, (method, path, body, headers) in queue:
                started = time.perf_counter()
                status, answer = await connection.request(method, path, body, headers)
                latencies[i] = time.perf_counter() - started
                tally(method, status, answer)
        finally:
            await connection.close()

    await asyncio.gather(*(by_hand(k) for k in range(concurrency)))
    return latencies, statuses


def http_run(
    name: str,
    servers: tuple[list[str], list[int]],
    concurrency: int,
    requests: list[Request],
    client_kind: str,
) -> HttpRun:
    bases, pids = servers
    server_before = sum(cpu_seconds(pid) for pid in pids)
    client_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    latencies, statuses = asyncio.run(_drive(bases, concurrency, requests, client_kind))
    seconds = time.perf_counter() - started
    client_after = resource.getrusage(resource.RUSAGE_SELF)
    client = (client_after.ru_utime - client_before.ru_utime) + (
        client_after.ru_stime - client_before.ru_stime
    )
    server_cpu = sum(cpu_seconds(pid) for pid in pids) - server_before
    return HttpRun(name, len(requests), seconds, latencies, statuses, server_cpu, client)


Request = tuple[str, str, bytes | None, dict[str, str]]  # method, path, body, headers


def notice_requests(schedule: list[Delivery]) -> list[Request]:
    return [
        (
            "POST",
            NOTIFY_PATH,
            d.body,
            {SIGNATURE_HEADER: d.signature, "content-type": "application/json"},
        )
        for d in schedule
    ]


def check_books(url: str, billed: list[Billed]) -> str:
    """Each of the run's invoices paid once, for its total; nothing in suspense."""
    from sqlalchemy import create_engine

    numbers = [b.number for b in billed]
    ours = invoices.c.number.in_(numbers)
    engine: Engine = create_engine(url)
    try:
        with engine.connect() as conn:
            paid = conn.scalar(
                select(func.count())
                .select_from(invoices)
                .where(ours, invoices.c.status == InvoiceStatus.PAID.value)
            )
            counted = conn.scalar(
                select(func.count()).select_from(payments.join(invoices)).where(ours)
            )
            stored = conn.scalar(
                select(func.count())
                .select_from(payment_notices)
                .where(payment_notices.c.invoice_number.in_(numbers))
            )
            settled = conn.scalar(
                select(func.coalesce(func.sum(settlements.c.amount), 0))
                .select_from(settlements.join(invoices))
                .where(ours)
            )
            held = conn.scalar(select(func.count()).select_from(suspense_items))
    finally:
        engine.dispose()
    expected = (len(billed), len(billed), len(billed), sum(b.total for b in billed), 0)
    found = (paid, counted, stored, settled, held)
    if found == expected:
        return f"ok ({len(billed):,} invoices paid once, Rp{expected[3]:,} settled once)"
    return f"WRONG: (paid, payments, notices, settled, suspense) = {found}, expected {expected}"


# --- 4. pgbench -----------------------------------------------------------------------------------


def pgbench(server: Server, concurrency: int, seconds: int, scale: int) -> float | None:
    binary = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    if not Path(binary).exists():
        print("pgbench: not found (Debian: apt-get install postgresql-client)")
        return None
    name = f"sertakan_bench_pgbench_{os.getpid()}"
    server.create(name)
    try:
        env = dict(os.environ, PGPASSWORD=server.url.password or "")
        common = [binary, *server.libpq_args()]
        subprocess.run(
            [*common, "-i", "-q", "-s", str(scale), name],
            env=env,
            check=True,
            capture_output=True,
        )
        done = subprocess.run(
            [*common, "-c", str(concurrency), "-j", "2", "-T", str(seconds), name],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        server.drop(name)
    found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", done.stdout)
    if found is None:
        print(f"pgbench: could not read its output:\n{done.stdout}")
        return None
    tps = float(found.group(1))
    print(
        f"pgbench TPC-B, scale {scale}, {concurrency} clients, 2 threads, {seconds} s: "
        f"{tps:,.0f} tps (latency average {latency.group(1) if latency else '?'} ms)"
    )
    return tps


# --- the run --------------------------------------------------------------------------------------


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payers", type=int, default=3000, help="payers to bill")
    parser.add_argument(
        "--notices", type=int, help="distinct notices per HTTP run (default: one per invoice)"
    )
    parser.add_argument("--duplicates", type=float, default=0.1, help="re-deliveries per notice")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument("--workers", default="1,2", help="server process counts, e.g. 1,2,4")
    parser.add_argument(
        "--uvicorn-workers",
        action="store_true",
        help="one uvicorn --workers N instead of N single-process servers (see `serving`)",
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds of pgbench")
    parser.add_argument("--scale", type=int, default=10, help="pgbench scale")
    parser.add_argument("--workers-per-sponsor", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=4, help="threads enrolling members")
    parser.add_argument("--service-sample", type=int, default=400, help="notices, in process")
    parser.add_argument("--batch", type=int, default=16, help="notices per call, in process")
    parser.add_argument("--top", type=int, default=15, help="functions shown from the profile")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--client", choices=("raw", "httpx"), default="raw", help="HTTP client of the load"
    )
    parser.add_argument(
        "--server-url",
        default=os.environ.get("SERTAKAN_TEST_POSTGRES_URL") or DEFAULT_SERVER,
        help="PostgreSQL server to make the bench's databases on (its own database is not used)",
    )
    return parser.parse_args()


def main() -> None:
    args = arguments()
    url = make_url(args.server_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    print(f"load average before: {_load()}")
    server = Server(url)
    folder = Path(tempfile.mkdtemp(prefix="sertakan-bench-notices-"))
    try:
        template = f"sertakan_bench_notices_{os.getpid()}"
        started = time.perf_counter()
        billed = prepare(
            server.create(template), folder, args.payers, args.workers_per_sponsor, args.jobs
        )
        print(
            f"prepared: {len(billed):,} invoices for {args.payers:,} payers "
            f"({args.payers // 3:,} sponsors with {args.workers_per_sponsor} workers each, "
            f"{args.payers - args.payers // 3:,} self-paying workers) in "
            f"{time.perf_counter() - started:,.1f} s"
        )
        sample = deliveries(billed[: args.service_sample], 0.0, args.seed)
        services = []
        for batch in (1, args.batch):
            name = f"{template}_service{batch}"
            service_url = server.create(name, template)
            services.append(service_run(server, name, service_url, folder, sample, batch))
            server.drop(name)
            print()
            print_service(services[-1], args.top)
        service = services[-1]
        runs = http_runs(server, template, folder, billed, args)
        print()
        tps = pgbench(server, args.concurrency, args.duration, args.scale)
        print(f"load average after: {_load()}")
        _summary(service, runs, tps, args.concurrency)
    finally:
        server.drop_all()
        shutil.rmtree(folder, ignore_errors=True)


def http_runs(
    server: Server, template: str, folder: Path, billed: list[Billed], args: argparse.Namespace
) -> dict[int, tuple[HttpRun, HttpRun]]:
    """For each worker count: a copy of the prepared database, the server, the baseline and
    the notices, then the books checked."""
    count = min(args.notices or len(billed), len(billed))
    schedule = deliveries(billed[:count], args.duplicates, args.seed)
    print(
        f"\nnotices per HTTP run: {count:,} distinct + {len(schedule) - count:,} re-deliveries"
        f" = {len(schedule):,} requests, {args.concurrency} in flight"
    )
    runs: dict[int, tuple[HttpRun, HttpRun]] = {}
    for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
        name = f"{template}_w{workers}"
        run_url = server.create(name, template)
        with serving(run_url, folder, workers, uvicorn_workers=args.uvicorn_workers) as servers:
            baseline = http_run(
                "baseline GET contributions/bpu",
                servers,
                args.concurrency,
                [("GET", BPU, None, {})] * max(2000, len(schedule) // 2),
                args.client,
            )
            notices = http_run(
                "notices POST payments/notifications",
                servers,
                args.concurrency,
                notice_requests(schedule),
                args.client,
            )
        books = check_books(run_url, billed[:count])
        server.drop(name)
        runs[workers] = (baseline, notices)
        shape = (
            f"uvicorn --workers {workers}"
            if args.uvicorn_workers
            else f"{workers} uvicorn process(es), one port each"
        )
        print(f"\n{shape}, {args.concurrency} in flight")
        print(f"  {baseline.line()}")
        print(f"  {notices.line()}")
        print(f"  notices/s / baseline req/s: {notices.rate / baseline.rate:.3f}")
        print(f"  books afterwards: {books}")
    return runs


def _summary(
    service: ServiceRun, runs: dict[int, tuple[HttpRun, HttpRun]], tps: float | None, c: int
) -> None:
    print(
        "\nsummary (requests/s counts every delivery; distinct/s only the first delivery of "
        "each notice, re-deliveries left out)"
    )
    best = max(runs, key=lambda w: runs[w][1].first_rate) if runs else None
    for workers, (_, notices) in runs.items():
        ratios = [
            f"/ in-process service ({service.batch} per call) {notices.rate / service.rate:.2f}x"
        ]
        if tps:
            ratios.append(f"/ pgbench tps {notices.rate / tps:.3f}")
        print(
            f"  {workers} server process(es): {notices.rate:,.0f} requests/s "
            f"({notices.first_rate:,.0f} distinct notices/s), "
            f"p99 {1000 * notices.quantile(0.99):.0f} ms; " + "; ".join(ratios)
        )
    if best is not None:
        run = runs[best][1]
        rate, p99 = run.first_rate, 1000 * run.quantile(0.99)
        verdict = "met" if rate >= 1000 and p99 < 100 else "NOT met"
        print(
            f"  target (>= 1,000 notices/s, p99 < 100 ms, {c} in flight), counted in distinct "
            f"notices: {verdict} — best {rate:,.0f} distinct/s ({run.rate:,.0f} requests/s) "
            f"with p99 {p99:.0f} ms ({best} server process(es))"
        )


if __name__ == "__main__":
    main()
