"""Shared fixtures: warehouses (a real SQLite file and a real PostgreSQL server) and landing zones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xsignals_dagster.warehouse import WarehouseStore
from xsignals_dagster_tests.postgres_server import PostgresUnavailable, new_database, postgres_server

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server for the whole session; in CI its absence fails the run."""
    try:
        with postgres_server() as url:
            yield url
    except (PostgresUnavailable, FileNotFoundError) as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {error}")
        pytest.skip(f"PostgreSQL not available here: {error}")


@pytest.fixture(params=["sqlite", "postgresql"])
def new_warehouse_url(request, tmp_path: Path):
    """Each test using this runs once on SQLite and once on PostgreSQL; each call gives the
    URL of another empty warehouse (a new SQLite file, a new PostgreSQL database)."""

    def new(name: str = "warehouse") -> str:
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path / f'{name}.db'}"
        return new_database(request.getfixturevalue("postgres_url"))

    return new


@pytest.fixture
def warehouse_url(new_warehouse_url) -> str:
    """Each test using this runs once on a SQLite file and once on its own PostgreSQL database."""
    return new_warehouse_url()


@pytest.fixture
def store(warehouse_url: str):
    warehouse = WarehouseStore(warehouse_url)
    yield warehouse
    warehouse.dispose()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    return root
