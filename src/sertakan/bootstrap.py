"""The composition root: the one place that picks implementations (database, clock, KPJ
issuer, regions, parameters, password hashing, the message provider, the payment gateway, the
secrets), builds every service the entrypoints use, and subscribes the reactions to domain
events (`subscribe`).

The entrypoints (`api`, `web`, `cli`, and `http`'s background jobs) receive services from the
`Container`, never a repository or a unit of work (issue 13): a visibility rule or a
transaction boundary lives in the service or the read model (`billing.views`), once. `uow`
and `reader` stay on the container for the demo's seeding and for tests that arrange rows."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

from sqlalchemy import Engine

from sertakan.access.audit_trail import AuditTrail
from sertakan.access.passwords import PasswordHasher
from sertakan.access.service import AccessService
from sertakan.access.signup_limiter import SignUpLimiter
from sertakan.billing.events import INVOICE_PAID
from sertakan.billing.invoice_views import MoneyViews
from sertakan.billing.invoicing import InvoiceService
from sertakan.billing.payments import Delivery, NoticeResult, PaymentService
from sertakan.billing.ports import PaymentGateway
from sertakan.billing.receipts import ReceiptOnPayment
from sertakan.billing.reconciliation import ReconciliationService
from sertakan.billing.reminders import ReminderService
from sertakan.billing.status import CoverageService
from sertakan.billing.views import BillingViews
from sertakan.config import Settings, clock_from
from sertakan.gateways.sandbox import make_sandbox_gateway
from sertakan.kernel.clock import Clock
from sertakan.kernel.errors import ConfigurationError
from sertakan.kernel.events import Bus, Doorbell, Publisher
from sertakan.kernel.group_commit import GroupCommit
from sertakan.notifications.delivery import Deliverer
from sertakan.notifications.ports import Provider
from sertakan.notifications.providers import ConsoleProvider
from sertakan.registry.kpj import KpjIssuer, RandomKpjIssuer
from sertakan.registry.regions import (
    HISTORY_FILE,
    POPULATION_FILE,
    REGIONS_FILE,
    RegionDirectory,
)
from sertakan.registry.service import RegistryService
from sertakan.registry.sponsorships import SponsorshipService
from sertakan.regulation.loader import Parameters, load_parameters
from sertakan.store.database import SqlDatabase
from sertakan.store.engine import make_engine
from sertakan.store.event_outbox import SqlEventStore
from sertakan.store.outbox_delivery import SqlDeliveryQueue
from sertakan.store.sign_in_brake import LimitsSignInBrake
from sertakan.store.unit_of_work import SqlUnitOfWork


@dataclass(frozen=True)
class Container:
    settings: Settings
    params: Parameters
    regions: RegionDirectory
    clock: Clock
    engine: Engine  # for the analytics' batch runs, which read the tables in bulk
    database: SqlDatabase
    # The SQL unit of work serves every domain's port; each service is typed by its own.
    uow: Callable[[], SqlUnitOfWork]
    registry: RegistryService
    access: AccessService
    sponsorships: SponsorshipService
    audit: AuditTrail
    gateway: PaymentGateway
    invoices: InvoiceService
    payments: PaymentService
    # The payment notices that arrive together, stored and applied in one transaction
    # (`kernel.group_commit`; one lane per event loop, so apps may share it).
    notice_batches: GroupCommit[Delivery, NoticeResult]
    coverage: CoverageService
    reconciliation: ReconciliationService
    reminders: ReminderService
    delivery: Deliverer  # the outbox's worker
    billing_views: BillingViews
    # What a reader sees of invoices and months: the money pages and their API (issue 16).
    money: MoneyViews
    provider: Provider
    # Read-only units of work (issue 12): a reader never takes SQLite's write lock and runs
    # READ ONLY on PostgreSQL; it refuses commit. Write use cases take `uow`.
    reader: Callable[[], SqlUnitOfWork]
    # Domain events (issue 13): the bus with every reaction, the publisher that hands the
    # outbox's events to them, and the doorbell a committing unit of work rings.
    bus: Bus
    publisher: Publisher
    doorbell: Doorbell


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
    doorbell = Doorbell()
    uow_factory: Callable[[], SqlUnitOfWork] = partial(
        SqlUnitOfWork, engine, on_events=doorbell.ring
    )
    reader: Callable[[], SqlUnitOfWork] = partial(SqlUnitOfWork, engine, read_only=True)
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
    payments = PaymentService(uow_factory, clock, gateway)

    def receive_notices(batch: list[Delivery]) -> Sequence[NoticeResult | Exception]:
        # Looked up on each batch: a wrapper set on the service after bootstrap (a test's
        # recorder) is the one the batches go through.
        return payments.receive_many(batch)

    bus = Bus()
    subscribe(bus, uow=uow_factory)
    return Container(
        settings=settings,
        params=params,
        regions=regions,
        clock=clock,
        engine=engine,
        database=SqlDatabase(engine),
        uow=uow_factory,
        registry=registry,
        access=access,
        sponsorships=sponsorships,
        audit=AuditTrail(uow_factory, clock),
        gateway=gateway,
        invoices=invoices,
        payments=payments,
        notice_batches=GroupCommit(receive_notices),
        coverage=CoverageService(uow_factory, params, clock, reader=reader),
        reconciliation=ReconciliationService(uow_factory, clock, payments, gateway.name),
        reminders=ReminderService(uow_factory, params, clock),
        delivery=Deliverer(SqlDeliveryQueue(engine), provider, clock),
        billing_views=BillingViews(uow_factory, reader, clock, regions),
        money=MoneyViews(uow_factory, clock, invoices, reader=reader),
        provider=provider,
        reader=reader,
        bus=bus,
        publisher=Publisher(bus, SqlEventStore(engine), clock),
        doorbell=doorbell,
    )


# -- domain events: every reaction, in one place ----------------------------------------------


def subscribe(bus: Bus, *, uow: Callable[[], SqlUnitOfWork]) -> None:
    """Subscribe every handler of a domain event (`kernel.events`). Each is idempotent: the
    publisher delivers at least once. A later domain reacts here too, without any upward
    import: e.g. the JHT ledger, `bus.subscribe(billing.events.PAYMENT_SETTLED, "jht.ledger",
    ...)`, credits the JHT part of each settled month."""
    bus.subscribe(INVOICE_PAID, "billing.receipt", ReceiptOnPayment(uow))


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
    folder = Path(settings.regions_dir).resolve()
    try:
        # Reading the 83,000 villages takes about 0.4 s; a process that bootstraps more than
        # once (tests, the CLI's helpers) reads each edition once. The directory is immutable
        # and safe to share; a file changed on disk is a new edition (its mtime is the key).
        stamps = tuple(
            (folder / name).stat().st_mtime_ns
            for name in (REGIONS_FILE, HISTORY_FILE, POPULATION_FILE)
        )
        return _region_directory(folder, stamps)
    except FileNotFoundError as missing:
        raise ConfigurationError(
            f"region data not found ({missing.filename}): SERTAKAN_REGIONS_DIR must name a "
            "folder with regions.csv, region_code_history.csv and population.csv (unset, the "
            "edition shipped inside the package is used)"
        ) from None


@lru_cache(maxsize=4)
def _region_directory(folder: Path, stamps: tuple[int, ...]) -> RegionDirectory:
    return RegionDirectory.from_directory(folder)
