"""The two batch engines: which Ibis backend runs the expressions, and how Parquet moves.

The expressions (`contributions`) are written once; an engine only opens the backend
connection, reads a Parquet part into a table and writes a table into a folder of Parquet:

* `DuckDBEngine`: in process, for a laptop or one big machine; writes one file per folder.
* `SparkEngine`: PySpark, `local[2]` on one machine or any cluster `spark-submit` gives it;
  writes Spark's own folder of part files (one per task).

Both read a written folder back with `read_written`, so nothing downstream cares which wrote it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from sertakan.analytics.exact_rates import prepare_backend
from sertakan.analytics.region_tables import NIK_DISTRICT, VILLAGE_CODE, RegionTables
from sertakan.kernel.errors import ConfigurationError
from sertakan.registry.regions import RegionDirectory

ENGINES = ("duckdb", "spark")
# spark-submit starts the Python driver with these set; then the cluster's settings rule.
_UNDER_SPARK_SUBMIT = "PYSPARK_GATEWAY_PORT"


class BatchEngine(Protocol):
    name: str
    backend: Any  # the Ibis backend

    def read_parquet(self, path: Path) -> ir.Table: ...

    def write_parquet(self, table: ir.Table, folder: Path) -> None: ...

    def read_written(self, folder: Path) -> ir.Table: ...

    def from_arrow(self, data: pa.Table) -> ir.Table:
        """`data` as a table of the backend (small data: tests, a database batch)."""
        ...

    def materialized(self, table: ir.Table, scratch: Path) -> AbstractContextManager[ir.Table]:
        """`table` computed once, readable many times until the context ends; `scratch` is a
        folder that does not exist yet, which the engine may use and removes."""
        ...

    def region_tables(self, directory: RegionDirectory) -> RegionTables: ...

    def close(self) -> None: ...


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = "4GB") -> None:
        config: dict[str, Any] = {}
        if threads is not None:
            config["threads"] = threads
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        self.backend = ibis.duckdb.connect(**config)
        prepare_backend(self.backend)

    def read_parquet(self, path: Path) -> ir.Table:
        table: ir.Table = self.backend.read_parquet(str(path))
        return table

    def write_parquet(self, table: ir.Table, folder: Path) -> None:
        folder.mkdir(parents=True)
        self.backend.to_parquet(table, folder / "part-0.parquet", compression="zstd")

    def read_written(self, folder: Path) -> ir.Table:
        table: ir.Table = self.backend.read_parquet(str(folder / "*.parquet"))
        return table

    def from_arrow(self, data: pa.Table) -> ir.Table:
        table: ir.Table = self.backend.create_table(
            _temporary_name(), ibis.memtable(data), temp=True
        )
        return table

    @contextmanager
    def materialized(self, table: ir.Table, scratch: Path) -> Iterator[ir.Table]:
        """`table` computed once into a temporary table (in memory), dropped on exit.

        (Not `Table.cache()`: with the locked sqlglot 30, ibis 12 writes its DROP statement
        without the table's name, and DuckDB refuses it.)
        """
        name = _temporary_name()
        self.backend.raw_sql(f'CREATE TEMP TABLE "{name}" AS {self.backend.compile(table)}')
        try:
            yield self.backend.table(name)
        finally:
            self.backend.raw_sql(f'DROP TABLE IF EXISTS "{name}"')

    def region_tables(self, directory: RegionDirectory) -> RegionTables:
        return _created_region_tables(self.backend, directory)

    def close(self) -> None:
        self.backend.disconnect()


class SparkEngine:
    name = "spark"

    def __init__(self, session: Any) -> None:
        self.session = session
        self.backend = ibis.pyspark.connect(session)

    def read_parquet(self, path: Path) -> ir.Table:
        table: ir.Table = self.backend.read_parquet(str(path))
        return table

    def write_parquet(self, table: ir.Table, folder: Path) -> None:
        self.backend.to_parquet(table, str(folder), compression="zstd")

    def read_written(self, folder: Path) -> ir.Table:
        table: ir.Table = self.backend.read_parquet(str(folder))
        return table

    def from_arrow(self, data: pa.Table) -> ir.Table:
        name = _temporary_name()
        self.session.createDataFrame(data).createOrReplaceTempView(name)
        table: ir.Table = self.backend.table(name)
        return table

    @contextmanager
    def materialized(self, table: ir.Table, scratch: Path) -> Iterator[ir.Table]:
        """`table` written once to Parquet in `scratch` and read from there; removed on exit.

        Not `persist()`: building Spark's in-memory cache of the checked rows costs several
        times what writing and reading them as Parquet does. And not left lazy: Spark would push
        the later filters on `reason` into the projections below and repeat the checks.
        """
        self.write_parquet(table, scratch)
        try:
            yield self.read_written(scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def region_tables(self, directory: RegionDirectory) -> RegionTables:
        from pyspark.sql.functions import broadcast

        # Small tables (a few MB): sent whole to every task, so the members are never shuffled.
        # The hint is needed: a frame made from local data has no size Spark could judge.
        tables = []
        for name, data in _region_arrow(directory).items():
            frame = broadcast(self.session.createDataFrame(data.to_pandas()).cache())
            frame.createOrReplaceTempView(name)
            tables.append(self.backend.table(name))
        return RegionTables(villages=tables[0], nik_districts=tables[1])

    def close(self) -> None:
        """The session belongs to whoever made it (`spark_session`, spark-submit, a test)."""


def spark_session(master: str = "local[2]", *, driver_memory: str = "2g") -> Any:
    """A SparkSession: spark-submit's when running under it, else a local one on 127.0.0.1."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as missing:
        raise ConfigurationError(f"PySpark is not installed: {missing}") from None
    builder = SparkSession.builder.appName("sertakan-batch")
    if _UNDER_SPARK_SUBMIT not in os.environ:
        builder = (
            builder.master(master)
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.memory", driver_memory)
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.showConsoleProgress", "false")
        )
    # Contribution months are civil dates: no time zone may shift them.
    builder = builder.config("spark.sql.session.timeZone", "UTC")
    try:
        session = builder.getOrCreate()
    except Exception as failure:  # Java missing or the JVM not starting: say so, no trace
        raise ConfigurationError(f"Spark did not start: {failure}") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def open_engine(name: str, *, spark_master: str = "local[2]") -> BatchEngine:
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine(spark_session(spark_master))
    raise ConfigurationError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")


def _temporary_name() -> str:
    return f"sertakan_{uuid.uuid4().hex}"


def _region_arrow(directory: RegionDirectory) -> dict[str, pa.Table]:
    return {
        "sertakan_villages": pa.table(
            {VILLAGE_CODE: pa.array(directory.village_codes, pa.string())}
        ),
        "sertakan_nik_districts": pa.table(
            {NIK_DISTRICT: pa.array(directory.district_codes_all_editions(), pa.string())}
        ),
    }


def _created_region_tables(backend: Any, directory: RegionDirectory) -> RegionTables:
    # Real tables of the connection, made once per run (a memtable would be re-sent per query).
    # (Passed as memtables: ibis 12 + DuckDB fails to drop its helper view for a bare Arrow table.)
    villages, districts = (
        backend.create_table(name, ibis.memtable(data), temp=True)
        for name, data in _region_arrow(directory).items()
    )
    return RegionTables(villages=villages, nik_districts=districts)
