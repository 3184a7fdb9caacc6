"""SuiteQL to SQLite: parse a query as Oracle SQL (SuiteQL's base), check it against the
NetSuite tables the way NetSuite does, and translate it to SQL the store can run.

What the translation does beyond sqlglot's own Oracle -> SQLite transpiling:
- Only a single SELECT (or a UNION/MINUS/INTERSECT of SELECTs) is accepted.
- Every table and column is checked against the catalog; NetSuite's own messages are
  raised for unknown records and fields.
- Dates are epoch milliseconds UTC inside the translated query: text date columns
  (`trandate`) are wrapped in `ns_date_ms(...)` (local midnight), `TO_DATE`/`TO_TIMESTAMP`
  of literals are evaluated here as local time in the user's time zone (so an index on
  `lastmodifieddate` is still used), and `SYSDATE` is the store's simulated clock (rendered
  in local time by TO_CHAR). See `oracle` for the time zone and DST rules.
- `TO_CHAR` and `BUILTIN.DF` become calls the store understands (see `oracle.register`).
- `SELECT *` is expanded, so the renderer knows the kind of every output column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, tzinfo

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import Scope, traverse_scope

from sandboxes.netsuite import catalog, oracle

ERROR_PREFIX = "Invalid search query. Detailed unprocessed description follows. Search error occurred: "
UNSUPPORTED = "Invalid or unsupported search."
_ORACLE = Dialect.get_or_raise("oracle")


class QueryError(ValueError):
    """A query NetSuite would refuse; `detail` is the message NetSuite gives."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.detail = ERROR_PREFIX + reason


@dataclass(frozen=True)
class OutputColumn:
    name: str  # the lowercase key in each result item
    is_date: bool  # epoch ms in the result row; rendered in the user's date format


@dataclass(frozen=True)
class Translated:
    sql: str
    count_sql: str  # counts the query's rows without computing its columns
    columns: list[OutputColumn]


# How a column node resolved: to a catalog table's column, to a derived table's output,
# to a select-list alias, or to a correlated outer column (same shapes).
@dataclass(frozen=True)
class _Resolved:
    table: str | None = None
    derived: Scope | None = None
    alias: str | None = None  # the source's name in its scope, to qualify the column


def translate(query: str, now_ms: Callable[[], int], tz: tzinfo = UTC) -> Translated:
    """Translates one SuiteQL query, its date literals read in the user's time zone `tz`;
    raises QueryError with NetSuite's message if it is invalid."""
    root = _parse(query)
    for scope in traverse_scope(root):
        _expand_stars(scope)
    scopes = traverse_scope(root)
    resolved: dict[int, _Resolved] = {}
    for scope in scopes:
        _check_tables(scope)
        for column in _own_columns(scope):
            resolved[id(column)] = _resolve(column, scope)
    typer = _Typer(resolved)
    columns = _output_columns(root, typer)
    _rewrite(root, typer, now_ms, tz)
    _drop_needless_null_ordering(root, typer)
    sql = root.sql(dialect="sqlite", identify=True)
    return Translated(sql=sql, count_sql=_count_sql(root, sql), columns=columns)


def _parse(query: str) -> exp.Query:
    if not query or not query.strip():
        raise QueryError(UNSUPPORTED)
    try:
        statements = [s for s in sqlglot.parse(query, read="oracle") if s is not None]
    except SqlglotError as exc:
        raise QueryError(UNSUPPORTED) from exc
    if len(statements) != 1 or not isinstance(statements[0], exp.Select | exp.SetOperation):
        raise QueryError(UNSUPPORTED)
    root = statements[0]
    # Only reads: no DML or DDL hidden anywhere (sqlglot parses some as commands).
    if root.find(exp.DML, exp.Command, exp.Create, exp.Drop, exp.Into):
        raise QueryError(UNSUPPORTED)
    return root


def _table_name(table: exp.Table) -> str:
    if table.args.get("db") or table.args.get("catalog"):
        return table.sql(dialect="oracle").lower()
    return table.name.lower()


def _check_tables(scope: Scope) -> None:
    known = catalog.tables()
    for source in scope.sources.values():
        if isinstance(source, exp.Table):
            name = _table_name(source)
            if name not in known:
                raise QueryError(f"Record '{source.name}' was not found.")


def _source_outputs(source: exp.Table | Scope) -> list[str]:
    if isinstance(source, exp.Table):
        return list(catalog.tables()[_table_name(source)])
    return [name.lower() for name in source.expression.named_selects]


def _expand_stars(scope: Scope) -> None:
    select = scope.expression
    if not isinstance(select, exp.Select) or not any(_is_star(p) for p in select.expressions):
        return
    _check_tables(scope)
    projections: list[exp.Expression] = []
    for projection in select.expressions:
        if not _is_star(projection):
            projections.append(projection)
            continue
        wanted = projection.table.lower() if isinstance(projection, exp.Column) else None
        matched = False
        for alias, source in scope.sources.items():
            if wanted is not None and alias.lower() != wanted:
                continue
            matched = True
            projections.extend(exp.column(name, table=alias) for name in _source_outputs(source))
        if not matched:
            raise QueryError(f"Record '{wanted}' was not found.")
    select.set("expressions", projections)


def _is_star(node: exp.Expression) -> bool:
    return isinstance(node, exp.Star) or (isinstance(node, exp.Column) and isinstance(node.this, exp.Star))


def _own_columns(scope: Scope) -> list[exp.Column]:
    """The columns written in this scope's own query (not in nested subqueries)."""
    own = []
    for column in scope.expression.find_all(exp.Column):
        if _is_star(column):
            continue
        parent = column.parent
        while parent is not None and not isinstance(parent, exp.Query):
            parent = parent.parent
        if parent is scope.expression:
            own.append(column)
    return own


def _lookup(scope: Scope, alias: str) -> exp.Table | Scope | None:
    for name, source in scope.sources.items():
        if name.lower() == alias:
            return source
    return None


def _resolve(column: exp.Column, scope: Scope) -> _Resolved:
    name = column.name.lower()
    qualifier = column.table.lower()
    current: Scope | None = scope
    first_table: str | None = None
    while current is not None:
        if qualifier:
            source = _lookup(current, qualifier)
            if source is not None:
                if name not in _source_outputs(source):
                    record = _table_name(source) if isinstance(source, exp.Table) else qualifier
                    raise QueryError(f"Field '{column.name}' for record '{record}' was not found.")
                return _as_resolved(source, qualifier)
        else:
            for alias, source in current.sources.items():
                if first_table is None and isinstance(source, exp.Table):
                    first_table = _table_name(source)
                if name in _source_outputs(source):
                    return _as_resolved(source, alias)
            select = current.expression
            in_order_by = column.find_ancestor(exp.Order) is not None
            if in_order_by and isinstance(select, exp.Query) and name in {a.lower() for a in select.named_selects}:
                return _Resolved()
        current = current.parent
    if qualifier:
        raise QueryError(f"Record '{column.table}' was not found.")
    raise QueryError(f"Field '{column.name}' for record '{first_table or 'unknown'}' was not found.")


def _as_resolved(source: exp.Table | Scope, alias: str) -> _Resolved:
    if isinstance(source, exp.Table):
        return _Resolved(table=_table_name(source), alias=alias)
    return _Resolved(derived=source, alias=alias)


class _Typer:
    """Says whether an expression is a date (epoch ms once translated) or not."""

    def __init__(self, resolved: dict[int, _Resolved]) -> None:
        self.resolved = resolved

    def column_kind(self, column: exp.Column) -> str:
        found = self.resolved.get(id(column))
        if found is None:
            return "plain"
        if found.table is not None:
            return catalog.tables()[found.table][column.name.lower()].kind
        if found.derived is not None and isinstance(found.derived.expression, exp.Select):
            for projection in found.derived.expression.expressions:
                if projection.alias_or_name.lower() == column.name.lower():
                    # The derived table already yields dates as epoch ms (text dates were
                    # converted inside it), like a datetime column.
                    return "datetime" if self.is_date(projection) else "plain"
        return "plain"

    def is_date(self, node: exp.Expression) -> bool:
        if isinstance(node, exp.Alias | exp.Paren | exp.Max | exp.Min | exp.Coalesce):
            return self.is_date(node.this)
        if isinstance(node, exp.Column):
            return self.column_kind(node) in ("date", "datetime")
        if isinstance(node, exp.Dot) and _is_builtin_df(node):
            return self.is_date(node.expression.expressions[0])
        return isinstance(node, exp.StrToDate | exp.StrToTime | exp.CurrentTimestamp | exp.CurrentDate)


def _output_columns(root: exp.Query, typer: _Typer) -> list[OutputColumn]:
    select = root
    while isinstance(select, exp.SetOperation):
        select = select.this
    columns = []
    unnamed = 0
    for projection in select.expressions:
        if isinstance(projection, exp.Alias | exp.Column):
            name = projection.alias_or_name.lower()
        else:
            # NetSuite names unaliased expressions expr1, expr2, ...
            unnamed += 1
            name = f"expr{unnamed}"
        columns.append(OutputColumn(name, typer.is_date(projection)))
    return columns


def _is_builtin_df(node: exp.Dot) -> bool:
    return (
        isinstance(node.this, exp.Identifier | exp.Column)
        and node.this.name.upper() == "BUILTIN"
        and isinstance(node.expression, exp.Anonymous)
        and node.expression.name.upper() == "DF"
        and len(node.expression.expressions) == 1
    )


def _mask(node: exp.Expression) -> str | None:
    if node.args.get("format") is None:
        return None
    quoted = _ORACLE.generator().format_time(node)
    return None if quoted is None else quoted[1:-1].replace("''", "'")


def _rewrite(root: exp.Query, typer: _Typer, now_ms: Callable[[], int], tz: tzinfo) -> None:
    # Decide every replacement on the untouched tree (types depend on the original nodes),
    # then apply them innermost-first, so a replacement never detaches a pending node.
    plan: list[tuple[exp.Expression, Callable[[], exp.Expression | None]]] = []
    for node in root.walk():
        if isinstance(node, exp.Dot) and isinstance(node.this, exp.Identifier | exp.Column):
            if node.this.name.upper() == "BUILTIN":
                plan.append((node, lambda n=node: _display_value(n, typer)))
        elif isinstance(node, exp.ToChar | exp.TimeToStr):
            # sqlglot parses TO_CHAR of a value it knows is a timestamp (SYSDATE) as TimeToStr.
            is_date = isinstance(node, exp.TimeToStr) or typer.is_date(node.this)
            plan.append((node, lambda n=node, d=is_date: _to_char(n, d)))
        elif isinstance(node, exp.StrToDate | exp.StrToTime):
            plan.append((node, lambda n=node: _to_date(n, tz)))
        elif isinstance(node, exp.CurrentTimestamp):
            plan.append((node, lambda: exp.Literal.number(now_ms())))
        elif isinstance(node, exp.CurrentDate):
            plan.append((node, lambda: exp.Literal.number(oracle.today_ms(now_ms(), tz))))
        elif isinstance(node, exp.Column) and typer.column_kind(node) == "date":
            plan.append((node, lambda n=node: _wrap_text_date(n)))
    for node, replacement in reversed(plan):
        new = replacement()
        if new is not None:
            node.replace(new)


def _to_char(node: exp.Expression, is_date: bool) -> exp.Expression:
    mask: exp.Expression = _literal(_mask(node)) if is_date else (node.args.get("format") or exp.null())
    return exp.Anonymous(this="ns_to_char", expressions=[node.this, mask, exp.Literal.number(int(is_date))])


def _drop_needless_null_ordering(root: exp.Query, typer: _Typer) -> None:
    # Oracle sorts nulls last (ascending), SQLite first, so sqlglot writes NULLS LAST, which
    # keeps SQLite from walking an index in order. On a NOT NULL column it changes nothing:
    # declare SQLite's own null order there, and the clause (and the full sort) goes away.
    for ordered in root.find_all(exp.Ordered):
        column = ordered.this
        found = typer.resolved.get(id(column)) if isinstance(column, exp.Column) else None
        table = found.table if found is not None else None
        if table is not None and catalog.tables()[table][column.name.lower()].not_null:
            ordered.set("nulls_first", not ordered.args.get("desc"))


def _count_sql(root: exp.Query, sql: str) -> str:
    """A query counting the rows of `root`: for a plain SELECT, without its columns and
    ORDER BY (which would compute every row's values only to count them)."""
    plain = (
        isinstance(root, exp.Select)
        and not root.args.get("group")
        and not root.args.get("distinct")
        and not root.args.get("limit")
        and not root.args.get("offset")
        and not any(p.find(exp.AggFunc) for p in root.expressions)
    )
    if not plain:
        return f"SELECT COUNT(*) FROM ({sql})"
    counting = root.copy()
    counting.set("expressions", [exp.Literal.number(1)])
    counting.set("order", None)
    return f"SELECT COUNT(*) FROM ({counting.sql(dialect='sqlite', identify=True)})"


def _literal(value: str | None) -> exp.Expression:
    return exp.null() if value is None else exp.Literal.string(value)


def _to_date(node: exp.Expression, tz: tzinfo) -> exp.Expression:
    mask = _mask(node)
    value = node.this
    if isinstance(value, exp.Literal) and value.is_string:
        try:
            return exp.Literal.number(oracle.to_date(value.this, mask, tz))
        except oracle.FormatError as exc:
            raise QueryError(str(exc)) from exc
    return exp.Anonymous(this="ns_to_date", expressions=[value, _literal(mask)])


def _wrap_text_date(column: exp.Column) -> exp.Expression:
    wrapped = exp.Anonymous(this="ns_date_ms", expressions=[column.copy()])
    if isinstance(column.parent, exp.Select) and column.arg_key == "expressions":
        # A bare projection keeps its name, so outer queries and the renderer still find it.
        return exp.alias_(wrapped, column.name)
    return wrapped


def _display_value(node: exp.Dot, typer: _Typer) -> exp.Expression:
    if not _is_builtin_df(node):
        raise QueryError(UNSUPPORTED)
    argument = node.expression.expressions[0]
    if isinstance(argument, exp.Column):
        found = typer.resolved.get(id(argument))
        target = found and found.table and catalog.DISPLAY_REFERENCES.get((found.table, argument.name.lower()))
        if target:
            table, display = target
            lookup = sqlglot.parse_one(f'SELECT "{display}" FROM "{table}" AS "df" WHERE "df"."id" = 0')
            # Qualified, so the lookup's own table never captures the outer column.
            lookup.find(exp.EQ).set("expression", exp.column(argument.name, table=found.alias))
            return exp.Subquery(this=lookup)
    return argument.copy()
