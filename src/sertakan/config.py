"""Settings, read once by bootstrap from the environment (prefix SERTAKAN_)."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from sertakan.kernel.clock import WIB, Clock, FixedClock, SystemClock

# The platform's state (database, keys, reports) lives under one data directory, relative to
# where it is started unless SERTAKAN_DATA_DIR says otherwise; nothing is computed from the
# source checkout, so the package works installed as a wheel.
DEFAULT_DATA_DIR = Path("var")


def bundled_regions_dir() -> Path:
    """The region CSVs shipped inside the package (`sertakan/registry/data/regions`)."""
    return Path(str(resources.files("sertakan.registry").joinpath("data", "regions")))


def _under_data_dir(*parts: str) -> Any:
    """A default that follows `data_dir` (pydantic fills fields in order, data_dir first)."""
    return lambda data: Path(data["data_dir"], *parts)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SERTAKAN_", extra="ignore")

    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR,
        description="Folder of the platform's state: the SQLite database, keys, reports",
    )
    database_url: str = Field(
        default_factory=lambda data: f"sqlite:///{Path(data['data_dir']) / 'sertakan.db'}",
        description="SQLAlchemy URL: SQLite by default, postgresql+psycopg://... for PostgreSQL",
    )
    regions_dir: Path = Field(
        default_factory=bundled_regions_dir,
        description=(
            "Folder with regions.csv, region_code_history.csv and population.csv (default: the "
            "edition shipped inside the package)"
        ),
    )
    secret_key: str | None = Field(
        default=None,
        description=(
            "Secret for one-time-code digests (HMAC). Unset: a random one is made once and kept "
            "in secret.key in the data directory (fine for one laptop; set it in "
            "production)"
        ),
    )
    signup_limit_storage: str = Field(
        default="memory://",
        description=(
            "Where the sign-up brake (per address and per phone) keeps its counts, as a "
            "`limits` storage URI: memory:// for one server process; e.g. redis://host:6379 "
            "when several processes serve the site"
        ),
    )
    https: bool = Field(
        default=False,
        description="Served over HTTPS: Secure cookies and an HSTS header (set behind TLS)",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description=(
            "Storage of the sign-in brake's moving windows (the `limits` library): memory:// is "
            "per server process; redis://host:6379 shares them between processes. The "
            "database's atomic failure counts are the hard bound either way"
        ),
    )
    sign_in_per_address: str = Field(
        default="30/minute",
        description=(
            "Failed sign-ins (password or code) one client address may make in the window, "
            "whatever the account; the next try answers 429"
        ),
    )
    sign_in_per_account: str = Field(
        default="15/minute",
        description="Failed sign-ins on one account from one client address (429 above)",
    )
    http: Literal["auto", "httptools", "h11"] = Field(
        default="auto",
        description=(
            "`sertakan serve`'s HTTP parser: auto takes httptools where installed (C, cheaper "
            "per request), else h11"
        ),
    )
    event_loop: Literal["auto", "uvloop", "asyncio"] = Field(
        default="auto",
        description="`sertakan serve`'s event loop: auto takes uvloop where installed, or asyncio",
    )
    worker_threads: int = Field(
        default=40,
        ge=1,
        le=1000,
        description=(
            "Threads of the server's pool for database work and password checks (AnyIO's "
            "default 40); each holds at most one database connection"
        ),
    )
    max_body_bytes: int = Field(
        default=1_048_576, description="Largest request body accepted (413 above it)"
    )
    analytics_dir: Path = Field(
        default_factory=_under_data_dir("analytics"),
        description=(
            "Folder of the national enrolment report the Cakupan page reads "
            "(sertakan nation report --out)"
        ),
    )
    today: str | None = Field(
        default=None,
        description="Pin the clock to a date (YYYY-MM-DD) for demos and tests; unset in production",
    )
    gateway_secret: str | None = Field(
        default=None,
        description=(
            "HMAC secret shared with the payment gateway (signs its notices). Unset: a random "
            "one is made once and kept in gateway.key in the data directory (sandbox on one "
            "laptop; in production "
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
        default_factory=_under_data_dir("sandbox.sqlite"),
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
