"""Settings, read once by bootstrap from the environment (prefix SERTAKAN_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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
