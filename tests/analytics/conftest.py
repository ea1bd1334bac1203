"""Fixtures for the batch tests: the real parameters, a DuckDB connection, a local Spark.

    params         (session)   the regulation parameters, loaded once
    duckdb_backend (function)  an in-memory Ibis DuckDB connection
    spark_session  (session)   a local[2] SparkSession bound to 127.0.0.1, no web UI,
                               stopped at the end of the session
    spark_backend  (session)   an Ibis PySpark connection over that session

Spark needs Java and pyspark: when either is unusable the Spark tests SKIP with the reason
(see ``pytest -ra``), or FAIL when ``SERTAKAN_REQUIRE_SPARK=1``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import ibis
import pytest

from sertakan.regulation.loader import Parameters, load_parameters

REQUIRE_SPARK = "SERTAKAN_REQUIRE_SPARK"


@pytest.fixture(scope="session")
def params() -> Parameters:
    return load_parameters()


@pytest.fixture
def duckdb_backend() -> Iterator[Any]:
    backend = ibis.duckdb.connect()
    yield backend
    backend.disconnect()


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    try:
        from pyspark.sql import SparkSession

        session = (
            SparkSession.builder.master("local[2]")
            .appName("sertakan-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
    except Exception as exc:  # no Java, no pyspark, a port refused
        reason = f"Spark is unusable here: {type(exc).__name__}: {str(exc).strip()[:200]}"
        if os.environ.get(REQUIRE_SPARK, "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason} ({REQUIRE_SPARK}=1 requires it)", pytrace=False)
        pytest.skip(f"{reason}; set {REQUIRE_SPARK}=1 to make this a failure")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spark_backend(spark_session: Any) -> Any:
    return ibis.pyspark.connect(spark_session)
