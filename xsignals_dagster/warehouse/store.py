"""A SQLAlchemy warehouse with idempotent writes: create, replace a table, replace a partition.

SQLite (the default, one file, WAL mode so the UI, the daemon and runs do not lock each
other) and PostgreSQL (bulk inserts through COPY) behave the same to callers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger("xsignals.warehouse")

_SQLITE_BUSY_TIMEOUT_MS = 60_000


def sql_type_for(dtype) -> sa.types.TypeEngine:
    """The column type a DataFrame dtype is stored as."""
    if pd.api.types.is_bool_dtype(dtype):
        return sa.Boolean()
    if pd.api.types.is_integer_dtype(dtype):
        return sa.BigInteger()
    if pd.api.types.is_float_dtype(dtype):
        return sa.Float()
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return sa.DateTime()
    return sa.Text()


def _rows(columns: list[pd.Series]) -> list[tuple]:
    """DB-API parameter rows: Python scalars, None for every kind of missing value."""
    values = [column.astype(object).where(column.notna(), None).tolist() for column in columns]
    return list(zip(*values, strict=True)) if values else []


def _sqlite_value(values: pd.Series, column_type: sa.types.TypeEngine) -> pd.Series:
    """Dates and times as the text SQLAlchemy's SQLite dialect stores and reads back,
    booleans as 0/1: formatted per column, so rows go to the driver without per-value
    processing (and column by column, not as a new frame: no copy of the other columns)."""
    if isinstance(column_type, sa.DateTime):
        return pd.to_datetime(values).dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(column_type, sa.Date):
        return pd.to_datetime(values).dt.strftime("%Y-%m-%d")
    if isinstance(column_type, sa.Boolean):
        return values.astype("boolean").astype("Int64")
    return values


class WarehouseTransaction:
    """Writes inside one open transaction; nothing is visible until it commits."""

    def __init__(self, store: WarehouseStore, connection: Connection):
        self._store = store
        self.connection = connection

    def ensure_table(self, table: sa.Table) -> None:
        table.create(self.connection, checkfirst=True)

    def delete(self, table: sa.Table, where: Mapping[str, object] | None = None) -> int:
        statement = table.delete()
        for column, value in (where or {}).items():
            if isinstance(value, list | tuple | set | frozenset):
                statement = statement.where(table.c[column].in_(list(value)))
            else:
                statement = statement.where(table.c[column] == value)
        return self.connection.execute(statement).rowcount

    def insert(self, table: sa.Table, frame: pd.DataFrame) -> int:
        if frame.empty:
            return 0
        names = [c.name for c in table.columns if c.name in frame.columns]
        if self.connection.dialect.name == "postgresql":
            self._copy(table, names, _rows([frame[name] for name in names]))
        elif self.connection.dialect.name == "sqlite":
            columns = ", ".join(f'"{c}"' for c in names)
            marks = ", ".join("?" for _ in names)
            rows = _rows([_sqlite_value(frame[name], table.c[name].type) for name in names])
            self.connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', rows)
        else:
            frame = frame[names]
            self.connection.execute(
                table.insert(), frame.astype(object).where(frame.notna(), None).to_dict("records")
            )
        return len(frame)

    def _copy(self, table: sa.Table, columns: list[str], rows: list[tuple]) -> None:
        """PostgreSQL COPY: an order of magnitude faster than INSERT for bulk rows."""
        cursor = self.connection.connection.dbapi_connection.cursor()
        column_list = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{table.name}" ({column_list}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)

    def replace(self, table: sa.Table, frame: pd.DataFrame, where: Mapping[str, object]) -> int:
        """Replace the rows matching `where` (a partition) with `frame`."""
        self.ensure_table(table)
        self.delete(table, where)
        return self.insert(table, frame)

    def replace_rows(self, name: str, frame: pd.DataFrame, where: Mapping[str, object]) -> int:
        """Replace the rows matching `where` in a table shaped like `frame` (created if missing)."""
        return self.replace(table_for_frame(name, frame), frame, where)

    def replace_table(self, name: str, frame: pd.DataFrame) -> sa.Table:
        """Drop and recreate `name` with the frame's columns and rows."""
        if frame.columns.empty:
            raise ValueError(f"cannot write {name}: the frame has no columns")
        table = table_for_frame(name, frame)
        existing = sa.Table(name, sa.MetaData())
        existing.drop(self.connection, checkfirst=True)
        table.create(self.connection)
        self.insert(table, frame)
        return table


def table_for_frame(name: str, frame: pd.DataFrame) -> sa.Table:
    """A table whose columns follow the frame's columns and dtypes."""
    return sa.Table(
        name,
        sa.MetaData(),
        *(sa.Column(str(column), sql_type_for(frame[column].dtype)) for column in frame.columns),
    )


def _typed(values: pd.Series, column_type: sa.types.TypeEngine | None) -> pd.Series:
    """A column as the driver returns it (SQLite: timestamps as ISO text, booleans as 0/1), in
    the dtype it was written from (NA-aware); untyped (a text query) as it came."""
    if isinstance(column_type, sa.DateTime | sa.Date):
        return pd.to_datetime(values, format="ISO8601")
    if isinstance(column_type, sa.Boolean):
        return values.astype("boolean")
    if isinstance(column_type, sa.Integer):
        return pd.to_numeric(values).astype("Int64")
    if isinstance(column_type, sa.Float):
        return pd.to_numeric(values).astype("float64")
    if column_type is None:
        return values.infer_objects()  # numbers of a text query as numbers, like pandas would
    return values.astype(object)


class WarehouseStore:
    """The warehouse behind one SQLAlchemy URL."""

    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = _create_engine(url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.contextmanager
    def transaction(self) -> Iterator[WarehouseTransaction]:
        with self.engine.connect() as connection:
            connection.execution_options(xsignals_write=True)
            with connection.begin():
                yield WarehouseTransaction(self, connection)

    def ensure_tables(self, *tables: sa.Table) -> None:
        with self.transaction() as tx:
            for table in tables:
                tx.ensure_table(table)

    def has_table(self, name: str) -> bool:
        return sa.inspect(self.engine).has_table(name)

    def read_table(
        self, name: str, columns: list[str] | None = None, where: Mapping[str, object] | None = None
    ) -> pd.DataFrame:
        """A whole table (or the rows matching `where`) as a DataFrame with typed columns."""
        table = sa.Table(name, sa.MetaData(), autoload_with=self.engine)
        selected = [table.c[c] for c in columns] if columns else list(table.columns)
        statement = sa.select(*selected)
        for column, value in (where or {}).items():
            statement = statement.where(table.c[column] == value)
        return self.query(statement)

    def query(self, statement: sa.Select | str) -> pd.DataFrame:
        """Rows of a query; a `select` over typed columns gives columns of matching dtypes.

        Rows are fetched from the driver's cursor and each column is typed at once:
        SQLAlchemy's per-value result processing (a datetime object per SQLite timestamp)
        was most of the time of a large read (3.1 M web rows took 25 s that way, about half
        this way)."""
        types = [c.type for c in statement.selected_columns] if isinstance(statement, sa.Select) else []
        with self.engine.connect() as connection:
            result = connection.execute(statement if not isinstance(statement, str) else sa.text(statement))
            columns = [str(k) for k in result.keys()]
            rows = result.cursor.fetchall()
            result.close()
        values = np.array(rows, dtype=object) if rows else np.empty((0, len(columns)), dtype=object)
        del rows
        if not columns:
            return pd.DataFrame()
        types = types or [None] * len(columns)
        return pd.concat(
            [_typed(pd.Series(values[:, i]), types[i]) for i in range(len(columns))], axis=1, keys=columns
        )

    def count(self, name: str) -> int:
        if not self.has_table(name):
            return 0
        with self.engine.connect() as connection:
            return connection.execute(sa.text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()

    def dispose(self) -> None:
        self.engine.dispose()


def _create_engine(url: str) -> Engine:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": _SQLITE_BUSY_TIMEOUT_MS / 1000})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
            dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(connection):  # noqa: ANN001
            # Writers take the write lock up front: a deferred transaction that later upgrades
            # fails at once with "database is locked" instead of waiting for busy_timeout.
            immediate = connection.get_execution_options().get("xsignals_write")
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg")
    return sa.create_engine(url, pool_pre_ping=True)


def utc_now() -> dt.datetime:
    """Naive UTC wall time, the form every timestamp in the warehouse takes."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
