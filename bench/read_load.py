"""Benchmark of authenticated member reads over HTTP (issue 12, "Performance"), in one run.

    .venv/bin/python bench/read_load.py
    .venv/bin/python bench/read_load.py --duration 3 --databases postgresql --pg-workers 2

For each database (a fresh SQLite file in a temporary folder; a fresh PostgreSQL database,
dropped at the end) it migrates, sets up the Bogor Kota branch, an officer account and
`--members` workers of that branch, then for each server shape (SQLite: `--sqlite-workers`
processes; PostgreSQL: `--pg-workers`, e.g. one and two) starts single-process uvicorn servers
on free ports of 127.0.0.1 (the default argon2id hasher, the real clock; stopped at the end),
signs the officer in once (OAuth2 password grant) and measures, for each `--concurrency`,
without and then with `--attackers` concurrent wrong-password loops (POST /api/v1/auth/token
for unknown usernames, as fast as answered: each one costs an argon2 check and an audit row):

  baseline   GET /healthz, unauthenticated, one `SELECT 1` (the same servers, the same run);
  reads      GET /api/v1/members/{id} with the officer's bearer token, members in turn:
             token resolution, the member card and the coverage.

Each measurement lasts `--duration` seconds (time-bounded; a request that takes longer than
`--timeout` is counted as a time-out). Prints reads/s, p50/p99 and the ratio to the baseline,
the servers' CPU per request, the attack's answers, and the load average before and after
(the machine may be shared: compare the ratios, measured in the same run).
Target (issue 12) on 2 cores: >= 1,000 reads/s with p99 <= 50 ms at 32 connections on
PostgreSQL with two server processes; p99 <= 100 ms under the password attack.
On a shared machine the wall-clock figures are noise: the CPU per request is the figure to
compare, and `bench/read_profile.py` shows where a read's CPU goes (no server, cProfile).

The readers (and the baseline) are driven by `--client`: `wrk` (Debian's package, `apt-get
install wrk`; the default where /usr/bin/wrk exists), one thread per server process with its
share of the connections, walking the member ids with the bearer header, or `asyncio`
(connections of this process, spoken by hand: several times wrk's CPU per request, taken from
the same two cores as the servers). The attackers are always this process's. The client's CPU
per request is printed next to the servers'. wrk's p50/p99 come from its `--latency` report.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import os
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from payment_notices import (
    BRANCH,
    CONSOLE,
    DEFAULT_SERVER,
    KeepAlive,
    Server,
    cpu_seconds,
    open_container,
    serving,
)
from sqlalchemy.engine import make_url

from sertakan.access.roles import Role
from sertakan.registry.nik import build_nik
from sertakan.registry.service import EnrolmentApplication
from sertakan.store.migrate import upgrade

PASSWORD = "bangku-panjang-di-taman-kota"
OFFICER = "petugas.bangku"
HEALTH = "/healthz"
WRK = "/usr/bin/wrk"
BPU = "/api/v1/contributions/bpu?declared_income=2500000&on=2025-06-01&programs=JKK,JKM,JHT"


# --- preparing a database -----------------------------------------------------------------------


def prepare(url: str, folder: Path, members: int) -> list[str]:
    """Migrate, add the branch, the officer and `members` workers; their ids."""
    container = open_container(url, folder)
    try:
        upgrade(container.engine)
        container.registry.add_branch(BRANCH)
        container.access.create_staff_account(
            CONSOLE,
            role=Role.OFFICER,
            username=OFFICER,
            password=PASSWORD,
            display_name="Petugas Bangku",
            branch_code=BRANCH.code,
        )
        ids = []
        for n in range(members):
            sex = "M" if n % 2 else "F"
            born = dt.date(1980, 1, 1) + dt.timedelta(days=n % 5000)
            card = container.registry.enrol_member(
                CONSOLE,
                EnrolmentApplication(
                    nik=build_nik("327102", born, sex, n % 9999 + 1),
                    full_name=f"Pekerja Baca {n}",
                    birth_date=born,
                    sex=sex,
                    phone=f"08126{n:07d}",
                    region_code="32.71.01.1001",
                    address="Jl. Pajajaran No. 5",
                    occupation="street_food_vendor",
                    declared_income=1_000_000 + 500_000 * (n % 5),
                    programs=("JKK", "JKM", "JHT") if n % 3 else ("JKK", "JKM"),
                ),
            )
            ids.append(card.member.id)
        return ids
    finally:
        container.engine.dispose()


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Run:
    """One measurement: the answers' count and latency figures, whichever client measured."""

    name: str
    seconds: float
    statuses: collections.Counter[str]
    server_cpu: float
    p50: float  # seconds
    p99: float
    worst: float
    client_cpu: float = float("nan")
    attack: collections.Counter[str] = field(default_factory=collections.Counter)

    @classmethod
    def of_latencies(
        cls,
        name: str,
        seconds: float,
        latencies: list[float],
        statuses: collections.Counter[str],
        server_cpu: float,
        client_cpu: float,
        attack: collections.Counter[str],
    ) -> Run:
        ordered = sorted(latencies)

        def quantile(q: float) -> float:
            if not ordered:
                return float("nan")
            return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

        median = statistics.median(ordered) if ordered else float("nan")
        worst = ordered[-1] if ordered else 0.0
        return cls(
            name, seconds, statuses, server_cpu, median, quantile(0.99), worst, client_cpu, attack
        )

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    @property
    def rate(self) -> float:
        return self.statuses["ok"] / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        n = max(self.answered, 1)
        others = ", ".join(f"{k} {v:,}" for k, v in sorted(self.statuses.items()) if k != "ok")
        return (
            f"{self.name}: {self.rate:,.0f}/s, p50 {1000 * self.p50:.1f} ms, "
            f"p99 {1000 * self.p99:.1f} ms, max {1000 * self.worst:.0f} ms; "
            f"CPU/request: server {1000 * self.server_cpu / n:.2f} ms, "
            f"client {1000 * self.client_cpu / n:.2f} ms"
            + (f"; not ok: {others}" if others else "")
        )


def _form(k: int, i: int) -> bytes:
    return f"grant_type=password&username=tamu-{k}-{i}&password=tebakan-salah-{i}".encode()


async def _attacker(
    address: httpx.URL,
    k: int,
    stop: asyncio.Event,
    attack: collections.Counter[str],
    timeout: float,
) -> None:
    """One wrong-password loop: a new unknown username each time, as fast as answered."""
    connection = KeepAlive(address.host, address.port or 80)
    form = {"content-type": "application/x-www-form-urlencoded"}
    i = 0
    try:
        while not stop.is_set():
            i += 1
            try:
                status, _ = await asyncio.wait_for(
                    connection.request("POST", "/api/v1/auth/token", _form(k, i), form), timeout
                )
                attack[f"HTTP {status}"] += 1
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                attack["time-out or error"] += 1
                await connection.close()
    finally:
        await connection.close()


# The asyncio readers' latencies (seconds) and answers.
Timed = tuple[list[float], collections.Counter[str]]


async def _asyncio_reads(
    addresses: list[httpx.URL],
    concurrency: int,
    paths: list[str],
    headers: dict[str, str],
    *,
    duration: float,
    timeout: float,
) -> Timed:
    """`concurrency` keep-alive connections (spoken by hand, `KeepAlive`) reading `paths` in
    turn for `duration` seconds; connection k on server k modulo the servers."""
    latencies: list[float] = []
    statuses: collections.Counter[str] = collections.Counter()
    counter = iter(range(10**9))
    deadline = time.perf_counter() + duration

    async def reader(k: int) -> None:
        address = addresses[k % len(addresses)]
        connection = KeepAlive(address.host, address.port or 80)
        try:
            while time.perf_counter() < deadline:
                path = paths[next(counter) % len(paths)]
                started = time.perf_counter()
                try:
                    status, _ = await asyncio.wait_for(
                        connection.request("GET", path, None, headers), timeout
                    )
                    statuses["ok" if status == 200 else f"HTTP {status}"] += 1
                except (TimeoutError, OSError, asyncio.IncompleteReadError):
                    statuses["time-out or error"] += 1
                    await connection.close()
                latencies.append(time.perf_counter() - started)
        finally:
            await connection.close()

    await asyncio.gather(*(reader(k) for k in range(concurrency)))
    return latencies, statuses


# wrk (https://github.com/wg/wrk, Debian's package): one thread per server, each with its share
# of the connections, as a reverse proxy would spread them; each thread walks the paths in turn
# from its own offset, with the request's headers.
WRK_SCRIPT = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local addresses = {%(addresses)s}
local made = 0
i = 0  -- global: setup() sets each thread's own start

function setup(thread)
   made = made + 1
   local host, port = addresses[made][1], addresses[made][2]
   thread.addr = wrk.lookup(host, port)[1]
   thread:set("i", made * 7919)
end

function request()
   i = i + 1
   return wrk.format("GET", paths[i %% #paths + 1], headers)
end
"""

_WRK_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def _wrk_seconds(text: str) -> float:
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * _WRK_UNITS[match[2]]


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50: float
    p99: float
    worst: float
    not_ok: int
    errors: collections.Counter[str]


def parse_wrk(output: str) -> WrkResult:
    """The figures of `wrk --latency`'s report (p50 and p99 from its latency distribution)."""

    def find(pattern: str) -> re.Match[str]:
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            raise ValueError(f"wrk's report lacks {pattern!r}:\n{output}")
        return match

    done = find(r"^\s*(\d+) requests in ([0-9.]+\w+),")
    errors: collections.Counter[str] = collections.Counter()
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if sockets:
        kinds = ("connect", "read", "write", "timeout")
        for name, value in zip(kinds, sockets.groups(), strict=True):
            if int(value):
                errors[f"socket {name} error"] = int(value)
    not_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        requests=int(done[1]),
        seconds=_wrk_seconds(done[2]),
        p50=_wrk_seconds(find(r"^\s*50%\s+(\S+)")[1]),
        p99=_wrk_seconds(find(r"^\s*99%\s+(\S+)")[1]),
        worst=_wrk_seconds(find(r"^\s*Latency\s+\S+\s+\S+\s+(\S+)")[1]),
        not_ok=int(not_ok[1]) if not_ok else 0,
        errors=errors,
    )


def _lua(text: str) -> str:
    """A Lua string literal (ids, paths and a bearer token: no quote or backslash in them,
    escaped all the same)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


async def _wrk_reads(
    addresses: list[httpx.URL],
    concurrency: int,
    paths: list[str],
    headers: dict[str, str],
    *,
    duration: float,
    timeout: float,
    folder: Path,
) -> WrkResult:
    """wrk for `duration` seconds: `concurrency` connections over one thread per server."""
    script = folder / "reads.lua"
    script.write_text(
        WRK_SCRIPT
        % {
            "paths": ", ".join(_lua(p) for p in paths),
            "headers": ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in headers.items()),
            "addresses": ", ".join(f'{{"{a.host}", "{a.port}"}}' for a in addresses),
        }
    )
    threads = len(addresses)
    command = [WRK, "--latency", "-t", str(threads), "-c", str(max(concurrency, threads))]
    command += ["-d", f"{max(1, round(duration))}s", "--timeout", f"{max(1, round(timeout))}s"]
    command += ["-s", str(script), str(addresses[0])]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    if process.returncode:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{output.decode()}")
    return parse_wrk(output.decode())


async def _measure(
    bases: list[str],
    concurrency: int,
    paths: list[str],
    headers: dict[str, str],
    args: argparse.Namespace,
    attackers: int,
) -> tuple[WrkResult | Timed, float, collections.Counter[str]]:
    """The reads (by `args.client`) while `attackers` other connections post wrong
    passwords; the reads' figures, their wall seconds and the attack's answers."""
    addresses = [httpx.URL(b) for b in bases]
    attack: collections.Counter[str] = collections.Counter()
    stop = asyncio.Event()
    attacks = [
        asyncio.create_task(_attacker(addresses[k % len(addresses)], k, stop, attack, args.timeout))
        for k in range(attackers)
    ]
    if attackers:
        await asyncio.sleep(1.0)  # the attack is under way before the reads start
    started = time.perf_counter()
    result: WrkResult | Timed
    if args.client == "wrk":
        result = await _wrk_reads(
            addresses,
            concurrency,
            paths,
            headers,
            duration=args.duration,
            timeout=args.timeout,
            folder=args.folder,
        )
    else:
        result = await _asyncio_reads(
            addresses, concurrency, paths, headers, duration=args.duration, timeout=args.timeout
        )
    seconds = time.perf_counter() - started
    stop.set()
    if attacks:
        await asyncio.wait(attacks, timeout=args.timeout + 1)
        for task in attacks:
            task.cancel()
        await asyncio.gather(*attacks, return_exceptions=True)
    return result, seconds, attack


def _client_cpu() -> float:
    """This process's CPU and its finished children's (wrk), user + system."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(
    name: str,
    servers: tuple[list[str], list[int]],
    concurrency: int,
    paths: list[str],
    headers: dict[str, str],
    args: argparse.Namespace,
    attackers: int,
) -> Run:
    bases, pids = servers
    before, client_before = sum(cpu_seconds(pid) for pid in pids), _client_cpu()
    result, seconds, attack = asyncio.run(
        _measure(bases, concurrency, paths, headers, args, attackers)
    )
    cpu = sum(cpu_seconds(pid) for pid in pids) - before
    # The client's CPU includes the attackers' (this process) when there are any.
    client_cpu = _client_cpu() - client_before
    if isinstance(result, WrkResult):
        statuses: collections.Counter[str] = collections.Counter(
            {"ok": result.requests - result.not_ok}
        )
        if result.not_ok:
            statuses["not 2xx or 3xx"] = result.not_ok
        statuses.update(result.errors)
        return Run(
            name,
            result.seconds,
            statuses,
            cpu,
            result.p50,
            result.p99,
            result.worst,
            client_cpu,
            attack,
        )
    latencies, counted = result
    return Run.of_latencies(name, seconds, latencies, counted, cpu, client_cpu, attack)


def sign_in(base: str) -> dict[str, str]:
    answer = httpx.post(
        base + "/api/v1/auth/token",
        data={"username": OFFICER, "password": PASSWORD},
        timeout=60,
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def baseline_path(base: str) -> str:
    """/healthz where the server has it; before it existed, the public BPU quote (no table)."""
    if httpx.get(base + HEALTH, timeout=10).status_code == 200:
        return HEALTH
    return BPU


@dataclass
class Row:
    database: str
    processes: int
    attackers: int
    concurrency: int
    baseline: Run
    reads: Run


def run_shape(
    database: str,
    url: str,
    folder: Path,
    processes: int,
    member_ids: list[str],
    args: argparse.Namespace,
) -> list[Row]:
    rows: list[Row] = []
    with serving(url, folder, processes, uvicorn_workers=False) as servers:
        bases = servers[0]
        headers = sign_in(bases[0])
        baseline = baseline_path(bases[0])
        paths = [f"/api/v1/members/{m}" for m in member_ids]
        print(
            f"\n{database}, {processes} server process(es), baseline GET {baseline.split('?')[0]}"
        )
        for attackers in args.attack:
            for concurrency in args.concurrency:
                label = f"{concurrency:>2} conn, {attackers:>2} attackers"
                base_run = measure(
                    "baseline", servers, concurrency, [baseline], {}, args, attackers
                )
                reads = measure("reads", servers, concurrency, paths, headers, args, attackers)
                rows.append(Row(database, processes, attackers, concurrency, base_run, reads))
                ratio = reads.rate / base_run.rate if base_run.rate else float("nan")
                print(f"  {label}  {reads.line()}")
                print(f"  {'':26}{base_run.line()}")
                print(f"  {'':26}reads/s / baseline/s: {ratio:.3f}")
                if attackers:
                    shown = ", ".join(f"{k} {v:,}" for k, v in sorted(reads.attack.items()))
                    rate = sum(reads.attack.values()) / reads.seconds
                    print(f"  {'':26}attack during the reads: {rate:,.1f}/s answered ({shown})")
    return rows


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sqlite-workers", default="1", help="server processes on SQLite")
    parser.add_argument("--pg-workers", default="1,2", help="server processes on PostgreSQL")
    parser.add_argument("--concurrency", default="1,8,32", help="connections reading")
    parser.add_argument("--attackers", type=int, default=20, help="wrong-password loops")
    parser.add_argument("--no-attack", action="store_true", help="only the runs without it")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--timeout", type=float, default=10.0, help="a request's limit, s")
    parser.add_argument("--members", type=int, default=100, help="workers read in turn")
    parser.add_argument(
        "--server-url",
        default=os.environ.get("SERTAKAN_TEST_POSTGRES_URL") or DEFAULT_SERVER,
        help="PostgreSQL server to make the bench's database on",
    )
    parser.add_argument(
        "--client",
        choices=("wrk", "asyncio"),
        default="wrk" if Path(WRK).exists() else "asyncio",
        help="the readers' load generator: wrk (C, light; the default where installed) or "
        "this process's asyncio connections (several times wrk's CPU per request, on the "
        "same cores as the servers); the attackers are always this process's",
    )
    args = parser.parse_args()
    if args.client == "wrk" and not Path(WRK).exists():
        sys.exit(f"{WRK} not found: `apt-get install wrk`, or --client asyncio")
    args.concurrency = _ints(args.concurrency)
    args.attack = [0] if args.no_attack else [0, args.attackers]
    return args


def main() -> None:
    args = arguments()
    print(f"load average before: {_load()}")
    if args.client != "wrk":
        print(f"note: readers by --client {args.client} (no {WRK}: `apt-get install wrk`)")
    folder = Path(tempfile.mkdtemp(prefix="sertakan-bench-reads-"))
    args.folder = folder
    url = make_url(args.server_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    server = Server(url)
    rows: list[Row] = []
    try:
        for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
            if database == "sqlite":
                db_url = f"sqlite:///{folder / 'reads.db'}"
                shapes = _ints(args.sqlite_workers)
            elif database == "postgresql":
                db_url = server.create(f"sertakan_bench_reads_{os.getpid()}")
                shapes = _ints(args.pg_workers)
            else:
                sys.exit(f"unknown database {database!r}: sqlite or postgresql")
            started = time.perf_counter()
            ids = prepare(db_url, folder, args.members)
            print(
                f"\n{database}: {len(ids)} members and an officer prepared in "
                f"{time.perf_counter() - started:.1f} s"
            )
            for processes in shapes:
                rows += run_shape(database, db_url, folder, processes, ids, args)
        print(f"\nload average after: {_load()}")
        _summary(rows, args.client)
    finally:
        server.drop_all()
        shutil.rmtree(folder, ignore_errors=True)


def _summary(rows: list[Row], client: str) -> None:
    print(f"\nsummary ({client}): reads/s, p50/p99 ms, server CPU ms/read (ratio of reads/s to")
    print("the same run's baseline; the baseline's server CPU ms/request)")
    for row in rows:
        reads, base = row.reads, row.baseline
        ratio = reads.rate / base.rate if base.rate else float("nan")
        print(
            f"  {row.database:<10} {row.processes} proc, {row.concurrency:>2} conn, "
            f"{row.attackers:>2} attackers: {reads.rate:7,.0f}/s  "
            f"p50 {1000 * reads.p50:7.1f}  p99 {1000 * reads.p99:7.1f}  "
            f"CPU {1000 * reads.server_cpu / max(reads.answered, 1):5.2f}  ({ratio:.3f}; "
            f"baseline {base.rate:,.0f}/s, "
            f"CPU {1000 * base.server_cpu / max(base.answered, 1):.2f})"
        )
    for row in rows:
        if row.database == "postgresql" and row.processes == 2 and row.concurrency == 32:
            p99 = 1000 * row.reads.p99
            if row.attackers == 0:
                met = row.reads.rate >= 1000 and p99 <= 50
                goal = ">= 1,000 reads/s, p99 <= 50 ms"
            else:
                met = p99 <= 100
                goal = "p99 <= 100 ms under the attack"
            print(f"  target ({goal}): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
