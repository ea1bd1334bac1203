"""The one place that picks implementations: database, clock, KPJ issuer, regions, parameters,
password hashing, the message provider, the payment gateway and the secrets."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import Engine

from sertakan.access.audit_trail import AuditTrail
from sertakan.access.passwords import PasswordHasher
from sertakan.access.service import AccessService
from sertakan.access.signup_limiter import SignUpLimiter
from sertakan.billing.invoicing import InvoiceService
from sertakan.billing.payments import PaymentService
from sertakan.billing.ports import BillingUnitOfWork, PaymentGateway
from sertakan.billing.status import CoverageService
from sertakan.config import Settings, clock_from
from sertakan.gateways.sandbox import make_sandbox_gateway
from sertakan.kernel.clock import Clock
from sertakan.kernel.errors import ConfigurationError
from sertakan.notifications.ports import Provider
from sertakan.notifications.providers import ConsoleProvider
from sertakan.registry.kpj import KpjIssuer, RandomKpjIssuer
from sertakan.registry.regions import RegionDirectory
from sertakan.registry.service import RegistryService
from sertakan.registry.sponsorships import SponsorshipService
from sertakan.regulation.loader import Parameters, load_parameters
from sertakan.store.engine import make_engine
from sertakan.store.sign_in_brake import LimitsSignInBrake
from sertakan.store.unit_of_work import SqlUnitOfWork


@dataclass(frozen=True)
class Container:
    settings: Settings
    params: Parameters
    regions: RegionDirectory
    clock: Clock
    engine: Engine
    uow: Callable[[], BillingUnitOfWork]
    registry: RegistryService
    access: AccessService
    sponsorships: SponsorshipService
    audit: AuditTrail
    gateway: PaymentGateway
    invoices: InvoiceService
    payments: PaymentService
    coverage: CoverageService
    provider: Provider
    # Read-only units of work (issue 12): a reader never takes SQLite's write lock and runs
    # READ ONLY on PostgreSQL; it refuses commit. Write use cases take `uow`.
    reader: Callable[[], BillingUnitOfWork]


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    kpj_issuer: KpjIssuer | None = None,
    hasher: PasswordHasher | None = None,
    provider: Provider | None = None,
    gateway: PaymentGateway | None = None,
) -> Container:
    """Wire the application. Tests pass a cheap `hasher`, a recording `provider` and, where
    they need one, their own `gateway`; the default gateway is the sandbox."""
    settings = settings or Settings()
    params = load_parameters()
    regions = _regions(settings)
    clock = clock or clock_from(settings)
    engine = make_engine(settings.database_url)
    uow_factory: Callable[[], BillingUnitOfWork] = partial(SqlUnitOfWork, engine)
    reader: Callable[[], BillingUnitOfWork] = partial(SqlUnitOfWork, engine, read_only=True)
    provider = provider or ConsoleProvider()
    gateway = gateway or make_sandbox_gateway(settings, clock=clock)
    branch_prefixes: dict[str, str] = {}  # branches are reference data: read once each

    def branch_prefix(code: str) -> str | None:
        if code not in branch_prefixes:
            with reader() as uow:
                branch = uow.branches.get(code)
            if branch is None:
                return None  # not cached: the branch may be set up later
            branch_prefixes[code] = branch.region_prefix
        return branch_prefixes[code]

    access = AccessService(
        uow_factory,
        clock,
        hasher or PasswordHasher(),
        _secret(settings),
        provider,
        branch_prefix,
        sign_up_limiter=SignUpLimiter(settings.signup_limit_storage),
        brake=LimitsSignInBrake(
            settings.rate_limit_storage,
            per_address=settings.sign_in_per_address,
            per_account=settings.sign_in_per_account,
        ),
        reader=reader,
    )
    registry = RegistryService(
        uow_factory,
        params,
        regions,
        clock,
        kpj_issuer or RandomKpjIssuer(),
        access,
        reader=reader,
    )
    invoices = InvoiceService(uow_factory, params, clock, reader=reader)
    sponsorships = SponsorshipService(
        uow_factory, clock, access, params, reader=reader, on_end=invoices.sponsorship_ended
    )
    return Container(
        settings,
        params,
        regions,
        clock,
        engine,
        uow_factory,
        registry,
        access,
        sponsorships,
        AuditTrail(uow_factory, clock),
        gateway,
        invoices,
        PaymentService(uow_factory, clock, gateway),
        CoverageService(uow_factory, params, clock, reader=reader),
        provider,
        reader,
    )


def _secret(settings: Settings) -> bytes:
    """The HMAC secret: from the settings, or made once and kept in the data directory."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.data_dir) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def _regions(settings: Settings) -> RegionDirectory:
    try:
        return RegionDirectory.from_directory(settings.regions_dir)
    except FileNotFoundError as missing:
        raise ConfigurationError(
            f"region data not found ({missing.filename}): SERTAKAN_REGIONS_DIR must name a "
            "folder with regions.csv, region_code_history.csv and population.csv (unset, the "
            "edition shipped inside the package is used)"
        ) from None
