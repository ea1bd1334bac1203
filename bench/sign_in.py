"""Benchmark of signing in (issue 4), measured on this machine, in one run.

    .venv/bin/python bench/sign_in.py
    .venv/bin/python bench/sign_in.py --codes 2000 --passwords 50 --concurrency 4

Starts the app with uvicorn on 127.0.0.1 (a free port, a fresh SQLite file in a temporary
folder, the default argon2id hasher, the real clock), in a child process that is stopped at
the end, and measures with httpx from this process (a thread pool for the concurrent runs):

  baseline      GET /api/v1/contributions/bpu: a read that touches no table;
  code-request  POST /api/v1/auth/code for distinct phones from one address until the
                per-address limit (20 an hour) answers 429: how many were accepted and how
                fast; then how fast the refusals (429, each one audited) come back;
  password      POST /api/v1/auth/token (OAuth2 password grant) for one staff account:
                argon2id verification dominates (RFC 9106 low-memory profile, 64 MiB);
  service-codes AccessService.request_sign_in_code in this process on another fresh SQLite,
                for distinct phones and addresses (loopback has one address, so the HTTP run
                cannot go past the limit): phones without an account (nothing sent) and
                phones of registered sponsors (a code and an SMS in the outbox).

It prints a table of requests per second with the ratio to the baseline measured in the same
run, and the load average (the machine may be shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from sertakan.access.actor import Actor
from sertakan.access.roles import Role
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.kernel.errors import RateLimited
from sertakan.notifications.model import Message
from sertakan.registry.model import Branch
from sertakan.registry.nik import build_nik
from sertakan.registry.service import SponsorApplication
from sertakan.store.migrate import upgrade

REPO = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-" + "x" * 32
PASSWORD = "bangku-panjang-di-taman-kota"
BPU = "/api/v1/contributions/bpu?declared_income=2500000&on=2025-06-01&programs=JKK,JKM,JHT"


@dataclass(frozen=True)
class Rate:
    name: str
    what: str
    requests: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else float("nan")


class SilentProvider:
    """Counts messages instead of logging them (the console provider would print codes)."""

    def __init__(self) -> None:
        self.delivered = 0

    def deliver(self, message: Message) -> None:
        self.delivered += 1


def phone(n: int) -> str:
    """Distinct valid Indonesian mobile numbers: 0812-5xxx-xxxx."""
    return f"08125{n:07d}"


# --- the server -----------------------------------------------------------------------------------


def prepare_database(folder: Path) -> str:
    """A migrated SQLite database with one officer (argon2id hash, default parameters)."""
    url = f"sqlite:///{folder / 'bench.db'}"
    container = bootstrap(Settings(database_url=url, secret_key=SECRET))
    assert container.engine is not None
    upgrade(container.engine)
    container.registry.add_branch(Branch("BOGOR_KOTA", "Kantor Cabang Bogor Kota", "32.71"))
    container.access.create_staff_account(
        Actor.console("bench"),
        role=Role.OFFICER,
        username="petugas",
        password=PASSWORD,
        display_name="Petugas bangku uji",
        branch_code="BOGOR_KOTA",
    )
    container.engine.dispose()
    return url


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(url: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """uvicorn in a child process on a free port of 127.0.0.1.

    Not `--fd` with a socket bound here: uvicorn takes such a socket for a Unix one, and
    asyncio then leaves Nagle's algorithm on, which adds ~40 ms to every answer.
    """
    port = free_port()
    env = dict(os.environ, SERTAKAN_DATABASE_URL=url, SERTAKAN_SECRET_KEY=SECRET)
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "sertakan.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--no-server-header",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped while starting; see {folder / 'server.log'}")
        try:
            if httpx.get(base + BPU, timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.1)
    stop_server(server)
    raise RuntimeError("the server did not answer within 30 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- measurements over HTTP -----------------------------------------------------------------------


def timed(name: str, what: str, count: int, call: Callable[[int], None], workers: int) -> Rate:
    """Run `call(i)` for i in range(count), sequentially or on `workers` threads."""
    started = time.perf_counter()
    if workers <= 1:
        for i in range(count):
            call(i)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(call, range(count)))
    return Rate(name, what, count, time.perf_counter() - started)


def baseline(base: str, count: int, workers: int) -> Rate:
    with httpx.Client(base_url=base) as client:
        client.get(BPU)  # warm the connection and the parameters

        def call(_: int) -> None:
            response = client.get(BPU)
            assert response.status_code == 200, response.text

        label = "1 client" if workers <= 1 else f"{workers} clients"
        return timed(f"baseline ({label})", "GET contributions/bpu", count, call, workers)


def code_requests(base: str, refusals: int) -> tuple[Rate, Rate, str]:
    """Distinct phones from one address until 429; then `refusals` more, all refused."""
    accepted = 0
    retry_after = ""
    with httpx.Client(base_url=base) as client:
        started = time.perf_counter()
        n = 0
        while True:
            response = client.post("/api/v1/auth/code", json={"phone": phone(n)})
            n += 1
            if response.status_code == 429:
                retry_after = response.headers.get("Retry-After", "")
                break
            assert response.status_code == 202, response.text
            accepted += 1
        until_limit = time.perf_counter() - started
        started = time.perf_counter()
        for i in range(refusals):
            response = client.post("/api/v1/auth/code", json={"phone": phone(n + i)})
            assert response.status_code == 429, response.text
        refused_for = time.perf_counter() - started
    return (
        Rate("code-request (accepted)", "POST auth/code, 202", accepted, until_limit),
        Rate("code-request (refused)", "POST auth/code, 429", refusals, refused_for),
        retry_after,
    )


def password_sign_ins(base: str, count: int, workers: int) -> Rate:
    with httpx.Client(base_url=base, timeout=60) as client:

        def call(_: int) -> None:
            response = client.post(
                "/api/v1/auth/token", data={"username": "petugas", "password": PASSWORD}
            )
            assert response.status_code == 200, response.text

        label = "1 client" if workers <= 1 else f"{workers} clients"
        return timed(f"password ({label})", "POST auth/token, argon2id", count, call, workers)


# --- in-process: the service with distinct phones and addresses -----------------------------------


def service_codes(folder: Path, count: int) -> tuple[Rate, Rate, int]:
    provider = SilentProvider()
    container = bootstrap(
        Settings(database_url=f"sqlite:///{folder / 'service.db'}", secret_key=SECRET),
        provider=provider,
    )
    assert container.engine is not None
    upgrade(container.engine)
    unknown = _request_codes(container, count, offset=0)
    register_sponsors(container, count)
    known = _request_codes(container, count, offset=count)
    container.engine.dispose()
    return (
        Rate("service-codes (no account)", "request_sign_in_code", count, unknown),
        Rate("service-codes (sponsors)", "request_sign_in_code + SMS", count, known),
        provider.delivered,
    )


def register_sponsors(container: Container, count: int) -> None:
    console = Actor.console("bench")
    for n in range(count):
        container.registry.register_sponsor(
            console,
            SponsorApplication(
                kind="person",
                name=f"Sponsor {n}",
                phone=phone(count + n),
                region_code="32.71.01.1001",
                address="",
                # Serials run 1..9999 per birth date: the next date takes over after that.
                nik=build_nik(
                    "327101", dt.date(1970, 1, 1) + dt.timedelta(n // 9999), "F", n % 9999 + 1
                ),
            ),
        )


def _request_codes(container: Container, count: int, *, offset: int) -> float:
    client = Actor.anonymous("bench")
    started = time.perf_counter()
    for n in range(count):
        number = offset + n
        try:
            container.access.request_sign_in_code(
                "+62" + phone(number)[1:],
                client=client,
                client_ip=f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}",
            )
        except RateLimited as limited:  # distinct phones and addresses: never expected
            raise AssertionError(f"rate-limited at {number}: {limited}") from None
    return time.perf_counter() - started


# --- the table ------------------------------------------------------------------------------------


def print_table(rates: list[Rate], base: Rate) -> None:
    print(f"{'measurement':34} {'what':30} {'n':>6} {'seconds':>9} {'per s':>9} {'vs base':>9}")
    for rate in rates:
        ratio = rate.per_second / base.per_second
        print(
            f"{rate.name:34} {rate.what:30} {rate.requests:6d} {rate.seconds:9.3f} "
            f"{rate.per_second:9.1f} {ratio:8.3f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=2000, help="in-process code requests")
    parser.add_argument("--passwords", type=int, default=50, help="password sign-ins")
    parser.add_argument("--baseline", type=int, default=500, help="baseline GET requests")
    parser.add_argument("--refusals", type=int, default=100, help="429s after the limit")
    parser.add_argument("--concurrency", type=int, default=4, help="threads for concurrent runs")
    args = parser.parse_args()

    print(f"load average before: {os.getloadavg()}  cpus: {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="sertakan-bench-") as tmp:
        folder = Path(tmp)
        url = prepare_database(folder)
        server, base = start_server(url, folder)
        try:
            base_seq = baseline(base, args.baseline, 1)
            base_par = baseline(base, args.baseline, args.concurrency)
            accepted, refused, retry_after = code_requests(base, args.refusals)
            pw_seq = password_sign_ins(base, args.passwords, 1)
            pw_par = password_sign_ins(base, args.passwords, args.concurrency)
        finally:
            stop_server(server)
        unknown, known, sent = service_codes(folder, args.codes)

    print()
    print_table([base_seq, accepted, refused, pw_seq, unknown, known], base_seq)
    print()
    print_table([base_par, pw_par], base_par)
    print()
    print(
        f"code requests accepted from one address before 429: {accepted.requests} "
        f"(Retry-After: {retry_after} s)"
    )
    print(f"SMS handed to the provider in the in-process sponsor run: {sent} of {known.requests}")
    print(f"password sign-in, one at a time: {1000 * pw_seq.seconds / pw_seq.requests:.0f} ms each")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
