"""Settings, read once by bootstrap from the environment (prefix SERTAKAN_)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from sertakan.kernel.clock import WIB, Clock, FixedClock, SystemClock

# src/sertakan/config.py -> the checkout; the shared data sits beside it (../shared).
REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SERTAKAN_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{REPO_ROOT / 'var' / 'sertakan.db'}",
        description="SQLAlchemy URL: SQLite by default, postgresql+psycopg://... for PostgreSQL",
    )
    regions_dir: Path = Field(
        default=REPO_ROOT.parent / "shared" / "data" / "regions",
        description="Folder with regions.csv, region_code_history.csv and population.csv",
    )
    secret_key: str | None = Field(
        default=None,
        description=(
            "Secret for one-time-code digests (HMAC). Unset: a random one is made once and kept "
            "in var/secret.key beside the default database (fine for one laptop; set it in "
            "production)"
        ),
    )
    https: bool = Field(
        default=False,
        description="Served over HTTPS: Secure cookies and an HSTS header (set behind TLS)",
    )
    max_body_bytes: int = Field(
        default=1_048_576, description="Largest request body accepted (413 above it)"
    )
    analytics_dir: Path = Field(
        default=REPO_ROOT / "var" / "analytics",
        description="Folder of the coverage report the Cakupan page reads (coverage report --out)",
    )
    today: str | None = Field(
        default=None,
        description="Pin the clock to a date (YYYY-MM-DD) for demos and tests; unset in production",
    )
    gateway_secret: str | None = Field(
        default=None,
        description=(
            "HMAC secret shared with the payment gateway (signs its notices). Unset: a random "
            "one is made once and kept in var/gateway.key (sandbox on one laptop; in production "
            "set the secret from the gateway's dashboard)"
        ),
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description=(
            "Base URL where the app (and the in-process sandbox gateway) is reached; the sandbox "
            "posts its notices to this URL + /api/v1/payments/notifications"
        ),
    )
    sandbox_db: Path = Field(
        default=REPO_ROOT / "var" / "sandbox.sqlite",
        description="SQLite file of the sandbox gateway's own books (not the app's database)",
    )
    sandbox_duplicates: int = Field(
        default=0,
        ge=0,
        le=10,
        description="Chaos knob: the sandbox sends each payment notice this many extra times",
    )
    scheduler: bool = Field(
        default=True,
        description=(
            "`sertakan serve` delivers the outbox and runs the daily job by itself (APScheduler "
            "in the server). false: run `notifications deliver --loop` and `jobs daily` instead"
        ),
    )
    outbox_interval_seconds: float = Field(
        default=60, gt=0, description="Seconds between the server's outbox deliveries"
    )
    daily_job_at: dt.time = Field(
        default=dt.time(7, 0),
        description="Time of day (WIB) the server runs the daily job (also once at start-up)",
    )


def clock_from(settings: Settings) -> Clock:
    """The clock the settings ask for: pinned to 09:00 WIB of `today`, or the real one."""
    if settings.today:
        day = dt.date.fromisoformat(settings.today)
        return FixedClock(dt.datetime.combine(day, dt.time(9, 0), tzinfo=WIB))
    return SystemClock()


def serving_settings(host: str, port: int, settings: Settings | None = None) -> Settings:
    """The settings of a server on `host`:`port`. Unless SERTAKAN_PUBLIC_URL says otherwise,
    the public URL (where the sandbox gateway posts its notices and sends payers back) follows
    the port, so `PORT=8100 make run` pays into the app on 8100, not into 8000."""
    settings = settings or Settings()
    if "public_url" in settings.model_fields_set:
        return settings
    reachable = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 (a check)
    if ":" in reachable:
        reachable = f"[{reachable}]"  # an IPv6 literal in a URL
    return settings.model_copy(update={"public_url": f"http://{reachable}:{port}"})
