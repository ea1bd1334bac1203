"""The two batch engines: which Ibis backend runs the expressions, and how Parquet moves.

The expressions (`contributions`) are written once, in Ibis; an engine opens the backend
connection, compiles an expression to the backend's SQL, points a named table at a Parquet
part, and writes a query's rows into a folder of Parquet:

* `DuckDBEngine`: in process, for a laptop or one big machine; writes one file per folder.
* `SparkEngine`: PySpark, `local[2]` on one machine or any cluster `spark-submit` gives it;
  writes Spark's own folder of part files (one per task).

A long run compiles its expressions once, over named tables (`placeholder`), and for each part
only re-points the names (`bind_parquet`, `materialize`) and runs the compiled SQL: compiling
an expression of this size costs Ibis about a tenth of a second, a part of a million members
well under a second on DuckDB.
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
# spark-submit starts the Python driver with this set; then the cluster's settings rule.
_UNDER_SPARK_SUBMIT = "PYSPARK_GATEWAY_PORT"


class BatchEngine(Protocol):
    name: str
    backend: Any  # the Ibis backend

    def compile(self, table: ir.Table) -> str:
        """The backend's SQL for `table`."""
        ...

    def bind_parquet(self, name: str, path: Path) -> None:
        """Make `name` read the Parquet file or folder at `path` (replacing what it read)."""
        ...

    def write(self, query: str, folder: Path) -> None:
        """Run `query` and write its rows as Parquet into `folder`, which must not exist."""
        ...

    def materialize(self, query: str, name: str, scratch: Path) -> AbstractContextManager[None]:
        """Compute `query` once into the table `name`, readable until the context ends.

        `scratch` is a folder that does not exist yet; the engine may use it and removes it.
        """
        ...

    def fetch(self, query: str) -> pa.Table:
        """A small result (counts, totals) as Arrow."""
        ...

    def from_arrow(self, data: pa.Table) -> ir.Table:
        """`data` as a table of the backend (small data: tests)."""
        ...

    def region_tables(self, directory: RegionDirectory) -> RegionTables: ...

    def close(self) -> None: ...


def placeholder(name: str, schema: pa.Schema | ibis.Schema) -> ir.Table:
    """A table known by name only: compiled SQL reads whatever the engine binds to `name`."""
    if isinstance(schema, pa.Schema):
        schema = ibis.Schema.from_pyarrow(schema)
    table: ir.Table = ibis.table(schema, name=name)
    return table


@contextmanager
def materialized(engine: BatchEngine, table: ir.Table, scratch: Path) -> Iterator[ir.Table]:
    """`table` computed once (`BatchEngine.materialize`), as a table of the engine's backend."""
    name = _temporary_name()
    with engine.materialize(engine.compile(table), name, scratch):
        yield engine.backend.table(name)


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
        self._regions: dict[int, RegionTables] = {}

    def compile(self, table: ir.Table) -> str:
        return str(self.backend.compile(table))

    def bind_parquet(self, name: str, path: Path) -> None:
        source = path / "*.parquet" if path.is_dir() else path
        # Our own table name, quoted; the path as a quoted literal: nothing from outside.
        self.backend.raw_sql(
            f"CREATE OR REPLACE TEMP VIEW {_quoted(name)} AS "  # noqa: S608
            f"SELECT * FROM read_parquet({_literal(str(source))})"
        )

    def write(self, query: str, folder: Path) -> None:
        folder.mkdir(parents=True)
        target = _literal(str(folder / "part-0.parquet"))
        self.backend.raw_sql(f"COPY ({query}) TO {target} (FORMAT parquet, COMPRESSION zstd)")

    @contextmanager
    def materialize(self, query: str, name: str, scratch: Path) -> Iterator[None]:
        # In memory (spilling to disk past memory_limit). Not ibis's Table.cache(): with the
        # locked sqlglot 30, ibis 12 writes DROP TABLE without the table's name.
        self.backend.raw_sql(f"CREATE OR REPLACE TEMP TABLE {_quoted(name)} AS {query}")
        try:
            yield
        finally:
            self.backend.raw_sql(f"DROP TABLE IF EXISTS {_quoted(name)}")

    def fetch(self, query: str) -> pa.Table:
        result: pa.Table = self.backend.con.sql(query).to_arrow_table()
        return result

    def from_arrow(self, data: pa.Table) -> ir.Table:
        table: ir.Table = self.backend.create_table(
            _temporary_name(), ibis.memtable(data), temp=True
        )
        return table

    def region_tables(self, directory: RegionDirectory) -> RegionTables:
        """Made once per engine and directory, then reused by every part of a run."""
        if id(directory) not in self._regions:
            # Passed as memtables: ibis 12 + DuckDB fails to drop its helper view of an Arrow
            # table (the same DROP without a name).
            villages, districts = (
                self.backend.create_table(_temporary_name(), ibis.memtable(data), temp=True)
                for data in _region_arrow(directory)
            )
            self._regions[id(directory)] = RegionTables(villages, districts)
        return self._regions[id(directory)]

    def close(self) -> None:
        self.backend.disconnect()


class SparkEngine:
    name = "spark"

    def __init__(self, session: Any) -> None:
        self.session = session
        self.backend = ibis.pyspark.connect(session)
        self._regions: dict[int, RegionTables] = {}

    def compile(self, table: ir.Table) -> str:
        return str(self.backend.compile(table))

    def bind_parquet(self, name: str, path: Path) -> None:
        self.session.read.parquet(str(path)).createOrReplaceTempView(name)

    def write(self, query: str, folder: Path) -> None:
        self.session.sql(query).write.parquet(str(folder), compression="zstd")

    @contextmanager
    def materialize(self, query: str, name: str, scratch: Path) -> Iterator[None]:
        # Written to Parquet and read back. Not persist(): Spark's in-memory cache of these
        # rows costs several times more to build. And not left lazy: Spark would push a later
        # filter on `reason` down through the projections and repeat every check in it.
        self.write(query, scratch)
        self.bind_parquet(name, scratch)
        try:
            yield
        finally:
            self.session.catalog.dropTempView(name)
            shutil.rmtree(scratch, ignore_errors=True)

    def fetch(self, query: str) -> pa.Table:
        return pa.Table.from_pandas(self.session.sql(query).toPandas(), preserve_index=False)

    def from_arrow(self, data: pa.Table) -> ir.Table:
        name = _temporary_name()
        self.session.createDataFrame(data).createOrReplaceTempView(name)
        table: ir.Table = self.backend.table(name)
        return table

    def region_tables(self, directory: RegionDirectory) -> RegionTables:
        """Made once per engine and directory, then reused by every part of a run."""
        if id(directory) not in self._regions:
            from pyspark.sql.functions import broadcast

            # Small (a few MB): sent whole to every task, so the members are never shuffled.
            # Made from Arrow, the frame is local data in the JVM (no Python on the executors);
            # the hint is needed because Spark cannot judge the size of such a frame.
            tables = []
            for data in _region_arrow(directory):
                name = _temporary_name()
                frame = broadcast(self.session.createDataFrame(data).cache())
                frame.createOrReplaceTempView(name)
                tables.append(self.backend.table(name))
            self._regions[id(directory)] = RegionTables(tables[0], tables[1])
        return self._regions[id(directory)]

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
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.memory", driver_memory)
            .config("spark.sql.shuffle.partitions", "4")
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


def _region_arrow(directory: RegionDirectory) -> tuple[pa.Table, pa.Table]:
    return (
        pa.table({VILLAGE_CODE: pa.array(directory.village_codes, pa.string())}),
        pa.table({NIK_DISTRICT: pa.array(directory.district_codes_all_editions(), pa.string())}),
    )


def _temporary_name() -> str:
    return f"sertakan_{uuid.uuid4().hex}"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
