"""Issue 12: reads do not take the write lock. On SQLite (the default) an officer's member
read must answer while another connection holds the database's one write lock (a sign-in, a
billing run), instead of queueing behind it for the 30 s busy timeout and failing."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from fastapi.testclient import TestClient

from sertakan.app import create_app
from sertakan.bootstrap import Container
from tests.support.people import worker

# A deadline, not a speed: without the fix the read waits for the lock (30 s busy timeout);
# with it the read does not touch the lock at all. 20 s leaves room on a loaded machine.
DEADLINE_S = 20


def _database_file(container: Container) -> str:
    path = container.engine.url.database
    assert path and path != ":memory:"
    return path


def test_a_member_read_answers_while_a_writer_holds_the_sqlite_write_lock(
    container: Container, client: TestClient
) -> None:
    enrolled = client.post("/api/v1/members", json=worker())
    assert enrolled.status_code == 201, enrolled.text
    member_id = enrolled.json()["id"]
    headers = dict(client.headers)  # the officer's bearer token
    answers: list[Any] = []

    def read() -> None:
        # A client of its own: the request runs while this test holds the lock.
        with TestClient(create_app(container), raise_server_exceptions=False) as reader:
            answers.append(reader.get(f"/api/v1/members/{member_id}", headers=headers))

    writer = sqlite3.connect(_database_file(container), timeout=0, isolation_level=None)
    thread = threading.Thread(target=read, daemon=True)
    try:
        writer.execute("BEGIN IMMEDIATE")  # the write lock, held as a sign-in would hold it
        thread.start()
        thread.join(DEADLINE_S)
        answered_under_the_lock = not thread.is_alive()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        thread.join(60)
    assert answered_under_the_lock, "the read waited for the writer's lock"
    assert answers[0].status_code == 200, answers[0].text
    assert answers[0].json()["id"] == member_id


def test_the_health_check_answers_while_a_writer_holds_the_sqlite_write_lock(
    container: Container,
) -> None:
    """A busy writer is a healthy database: the probe must not take the process out of
    rotation (or hang) because a billing run or a sign-in holds the lock."""
    answers: list[Any] = []

    def read() -> None:
        with TestClient(create_app(container), raise_server_exceptions=False) as other:
            answers.append(other.get("/healthz"))

    writer = sqlite3.connect(_database_file(container), timeout=0, isolation_level=None)
    thread = threading.Thread(target=read, daemon=True)
    try:
        writer.execute("BEGIN IMMEDIATE")
        thread.start()
        thread.join(DEADLINE_S)
        answered_under_the_lock = not thread.is_alive()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        thread.join(60)
    assert answered_under_the_lock, "the health check waited for the writer's lock"
    assert answers[0].status_code == 200
