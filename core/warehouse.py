"""The warehouse: one DuckDB file (the embedded default) or a PostgreSQL database.

This is the one place that knows the two engines apart: how to connect, run a query,
execute a statement, give dlt its destination and dbt its target. Every layer asks the
`Warehouse` instead of branching on the engine itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from core.errors import ConcordError, WarehouseBusy

DEFAULT_WAREHOUSE = Path(".concord") / "warehouse.duckdb"
WAREHOUSE_KINDS = ("duckdb", "postgres")


class Connection:
    """One open connection, with one placeholder style (`%s`) on both engines."""

    def __init__(self, warehouse: Warehouse, read_only: bool = False) -> None:
        self.warehouse = warehouse
        self._duckdb = warehouse.kind == "duckdb"
        if self._duckdb:
            import duckdb

            try:
                self._raw = duckdb.connect(str(warehouse.duckdb_path), read_only=read_only)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise
                raise WarehouseBusy(
                    f"the warehouse {warehouse.duckdb_path} is in use by another process "
                    "(DuckDB admits one at a time; a run of the loop holds it while it runs)"
                ) from exc
        else:
            import psycopg2

            self._raw = psycopg2.connect(warehouse.postgres_dsn)
            self._raw.autocommit = True

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.columns_and_rows(sql, params, fetch=False)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.columns_and_rows(sql, params)[1]

    def columns_and_rows(
        self, sql: str, params: Sequence[Any] = (), fetch: bool = True
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        if self._duckdb:
            result = self._raw.execute(sql.replace("%s", "?") if params else sql, list(params))
            if not fetch or result.description is None:
                return [], []
            return [d[0] for d in result.description], result.fetchall()
        with self._raw.cursor() as cursor:
            cursor.execute(sql, tuple(params) if params else None)
            if not fetch or cursor.description is None:
                return [], []
            return [d[0] for d in cursor.description], cursor.fetchall()

    def arrow(self, sql: str) -> Any:
        """The result of `sql` as an Arrow table (DuckDB hands over its own; PostgreSQL's rows
        are converted)."""
        import pyarrow as pa

        if self._duckdb:
            return self._raw.sql(sql).to_arrow_table()
        columns, rows = self.columns_and_rows(sql)
        return pa.table({column: [row[i] for row in rows] for i, column in enumerate(columns)})

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Statements inside commit together or not at all."""
        if self._duckdb:
            self._raw.execute("BEGIN TRANSACTION")
            try:
                yield
            except BaseException:
                self._raw.execute("ROLLBACK")
                raise
            self._raw.execute("COMMIT")
            return
        self._raw.autocommit = False
        try:
            yield
        except BaseException:
            self._raw.rollback()
            raise
        else:
            self._raw.commit()
        finally:
            self._raw.autocommit = True

    @contextmanager
    def staged(self, name: str, columns: Mapping[str, str], rows: Sequence[Sequence[Any]]) -> Iterator[None]:
        """`rows` as a table `name` the statements inside the block can read; `columns` maps each
        column to `text`, `integer`, `float`, `boolean` or `timestamp`. On DuckDB a registered Arrow table (binding
        thousands of parameters costs DuckDB more than the statement); on PostgreSQL a temporary
        table filled by `execute_values`."""
        if self._duckdb:
            import pyarrow as pa

            types = {
                "text": pa.string(),
                "integer": pa.int64(),
                "float": pa.float64(),
                "boolean": pa.bool_(),
                "timestamp": pa.timestamp("us"),
            }
            table = pa.table(
                {c: pa.array([row[i] for row in rows], type=types[t]) for i, (c, t) in enumerate(columns.items())}
            )
            self._raw.register(name, table)
            try:
                yield
            finally:
                self._raw.unregister(name)
            return
        from psycopg2.extras import execute_values

        with self._raw.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
            execute_values(cursor, f"INSERT INTO {name} VALUES %s", [tuple(row) for row in rows], page_size=1000)
        try:
            yield
        finally:
            with self._raw.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")


@dataclass(frozen=True)
class Warehouse:
    """The destination of every pipeline, the target of dbt, the home of the ledger."""

    kind: str = "duckdb"
    duckdb_path: Path = DEFAULT_WAREHOUSE
    postgres_dsn: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in WAREHOUSE_KINDS:
            raise ConcordError(f"unknown warehouse {self.kind!r}; set CONCORD_WAREHOUSE to duckdb or postgres")
        if self.kind == "postgres":
            dsn = urlparse(self.postgres_dsn or "")
            if dsn.scheme not in ("postgres", "postgresql") or not dsn.path.strip("/"):
                raise ConcordError(
                    "the postgres warehouse needs a connection string: set CONCORD_POSTGRES_DSN "
                    "(postgresql://user:password@host:5432/database)"
                )

    @classmethod
    def configured(cls, kind: str, duckdb_path: Path, postgres_dsn: str | None) -> Warehouse:
        """The warehouse as configured; a PostgreSQL one without a connection string takes dlt's
        `destination.postgres.credentials` (environment or `.dlt/secrets.toml`)."""
        if kind == "postgres" and not postgres_dsn:
            import dlt

            value = dlt.secrets.get("destination.postgres.credentials")
            postgres_dsn = value if isinstance(value, str) else None
        return cls(kind=kind, duckdb_path=duckdb_path, postgres_dsn=postgres_dsn)

    @property
    def is_embedded(self) -> bool:
        """A DuckDB file: one writer process at a time, readers open it read-only."""
        return self.kind == "duckdb"

    def exists(self) -> bool:
        """Whether there is anything to read yet (a PostgreSQL database is assumed to exist)."""
        return self.kind != "duckdb" or self.duckdb_path.exists()

    def describe(self) -> str:
        if self.kind == "duckdb":
            return f"DuckDB {self.duckdb_path}"
        return "PostgreSQL " + (self.postgres_dsn or "").split("@")[-1]

    # -- SQL -----------------------------------------------------------------------------------

    def connect(self, read_only: bool = False) -> Connection:
        return Connection(self, read_only=read_only)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one read-only query."""
        with self.connect(read_only=True) as connection:
            return connection.rows(sql, params)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """One statement that changes the warehouse, committed."""
        with self.connect() as connection:
            connection.execute(sql, params)

    # -- dlt -----------------------------------------------------------------------------------

    def destination(self) -> Any:
        import dlt

        if self.kind == "duckdb":
            self.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
            return dlt.destinations.duckdb(credentials=str(self.duckdb_path))
        return dlt.destinations.postgres(credentials=self._dlt_postgres_credentials())

    def _dlt_postgres_credentials(self) -> Any:
        # A DSN without a password (trust or peer auth, ~/.pgpass) is valid for PostgreSQL, but
        # dlt would re-resolve the missing password from its config whenever it opens a new
        # client, and fail: it gets an empty one instead.
        from dlt.destinations.impl.postgres.configuration import PostgresCredentials

        credentials = PostgresCredentials(self.postgres_dsn or "")
        if credentials.password is None:
            credentials.password = ""
        return credentials

    @property
    def file_format(self) -> str:
        """What dlt writes its load files as: DuckDB reads Parquet natively and fast;
        PostgreSQL loads through COPY of CSV."""
        return "parquet" if self.kind == "duckdb" else "csv"

    # -- dbt -----------------------------------------------------------------------------------

    def dbt_env(self) -> dict[str, str]:
        """What `dbt_project/profiles.yml` reads to reach this warehouse: the target, and the
        DuckDB file as an absolute path (dbt runs in its project folder) or PostgreSQL's
        connection parts (a dbt-postgres profile has no connection-string field)."""
        if self.kind == "duckdb":
            return {"CONCORD_WAREHOUSE": "duckdb", "CONCORD_DUCKDB_PATH": str(self.duckdb_path.resolve())}
        dsn = urlparse(self.postgres_dsn or "")
        return {
            "CONCORD_WAREHOUSE": "postgres",
            "CONCORD_PG_HOST": dsn.hostname or "127.0.0.1",
            "CONCORD_PG_PORT": str(dsn.port or 5432),
            "CONCORD_PG_USER": unquote(dsn.username or "postgres"),
            "CONCORD_PG_PASSWORD": unquote(dsn.password or ""),
            "CONCORD_PG_DATABASE": dsn.path.strip("/"),
        }
