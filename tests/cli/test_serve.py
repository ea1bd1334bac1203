"""`sertakan serve` and `make run`: another port with `PORT=8100 make run`, the sandbox
gateway's notices following that port, and the server's own scheduler (on unless
SERTAKAN_SCHEDULER=false)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sertakan.cli.app import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERTAKAN_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("SERTAKAN_TODAY", "2026-11-25")
    monkeypatch.setenv("SERTAKAN_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("SERTAKAN_GATEWAY_SECRET", "g" * 32)
    monkeypatch.setenv("SERTAKAN_SANDBOX_DB", str(tmp_path / "sandbox.sqlite"))
    monkeypatch.delenv("SERTAKAN_PUBLIC_URL", raising=False)
    monkeypatch.delenv("SERTAKAN_SCHEDULER", raising=False)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `serve` handed to uvicorn, instead of serving."""
    seen: dict[str, Any] = {}

    def run(application: FastAPI, **options: Any) -> None:
        seen.update(options, app=application)

    monkeypatch.setattr(uvicorn, "run", run)
    return seen


def test_make_run_serves_on_the_port_it_is_given() -> None:
    env = dict(os.environ, PORT="8100")
    plan = subprocess.run(
        ["make", "-n", "-C", str(Path(__file__).resolve().parents[2]), "run"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    ).stdout

    assert "sertakan serve --host 127.0.0.1 --port 8100" in plan


def test_the_gateway_posts_its_notices_to_the_port_served_unless_told_otherwise(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(app, ["serve", "--port", "8100"])

    assert result.exit_code == 0, result.output
    assert served["port"] == 8100
    assert served["app"].state.container.settings.public_url == "http://127.0.0.1:8100"

    monkeypatch.setenv("SERTAKAN_PUBLIC_URL", "https://sertakan.example")  # behind a proxy
    runner.invoke(app, ["serve", "--port", "8100"])

    assert served["app"].state.container.settings.public_url == "https://sertakan.example"


def test_the_server_runs_its_scheduler_unless_turned_off(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    runner.invoke(app, ["serve"])
    with TestClient(served["app"]):
        assert served["app"].state.background_jobs is not None

    monkeypatch.setenv("SERTAKAN_SCHEDULER", "false")
    runner.invoke(app, ["serve"])
    with TestClient(served["app"]):
        assert served["app"].state.background_jobs is None
