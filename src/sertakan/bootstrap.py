"""The one place that picks implementations: database, clock, KPJ issuer, regions, parameters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Engine

from sertakan.config import Settings
from sertakan.kernel.clock import WIB, Clock, FixedClock, SystemClock
from sertakan.kernel.errors import ConfigurationError
from sertakan.registry.kpj import KpjIssuer, RandomKpjIssuer
from sertakan.registry.ports import UnitOfWork
from sertakan.registry.regions import RegionDirectory
from sertakan.registry.service import RegistryService
from sertakan.regulation.loader import Parameters, load_parameters
from sertakan.store.engine import make_engine
from sertakan.store.memory import MemoryState, MemoryUnitOfWork
from sertakan.store.unit_of_work import SqlUnitOfWork


@dataclass(frozen=True)
class Container:
    settings: Settings
    params: Parameters
    regions: RegionDirectory
    clock: Clock
    engine: Engine | None
    uow: Callable[[], UnitOfWork]
    registry: RegistryService


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    kpj_issuer: KpjIssuer | None = None,
    in_memory: bool = False,
) -> Container:
    """Wire the application. `in_memory=True` uses the in-memory store (service tests)."""
    settings = settings or Settings()
    params = load_parameters()
    regions = _regions(settings)
    clock = clock or _clock_from(settings)
    engine = None
    if in_memory:
        uow_factory: Callable[[], UnitOfWork] = partial(MemoryUnitOfWork, MemoryState())
    else:
        engine = make_engine(settings.database_url)
        uow_factory = partial(SqlUnitOfWork, engine)
    registry = RegistryService(uow_factory, params, regions, clock, kpj_issuer or RandomKpjIssuer())
    return Container(settings, params, regions, clock, engine, uow_factory, registry)


def _regions(settings: Settings) -> RegionDirectory:
    try:
        return RegionDirectory.from_directory(settings.regions_dir)
    except FileNotFoundError as missing:
        raise ConfigurationError(
            f"region data not found ({missing.filename}): put the shared data beside the "
            "checkout (../shared/data/regions) or set SERTAKAN_REGIONS_DIR to its folder"
        ) from None


def _clock_from(settings: Settings) -> Clock:
    if settings.today:
        day = dt.date.fromisoformat(settings.today)
        return FixedClock(dt.datetime.combine(day, dt.time(9, 0), tzinfo=WIB))
    return SystemClock()
