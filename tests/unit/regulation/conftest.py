"""Fixtures for the regulation tests: the real parameters, loaded once."""

from __future__ import annotations

import pytest

from sertakan.regulation.loader import Parameters, load_parameters


@pytest.fixture(scope="session")
def params() -> Parameters:
    return load_parameters()
