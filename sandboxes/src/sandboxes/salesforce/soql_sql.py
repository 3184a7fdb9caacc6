"""Gives a parsed SOQL query its meaning: resolves the object and fields against the
catalog, type-checks every literal against its field, and translates the query into
parameterised SQLite (values are always bound, never spliced into the SQL text).

Salesforce semantics kept here:
- field and object names are case-insensitive; string comparisons and LIKE are too;
- a null never matches `=`, `<`, `LIKE`, `IN`, but does match `!=` and `NOT IN`
  (SOQL is two-valued, so `NOT (…)` of a comparison on a null field is true);
- datetime fields compare as instants (literals with any offset), date fields as dates;
- date literals (`TODAY`, `LAST_N_DAYS:n`, …) are ranges in UTC, the integration user's
  time zone, relative to the store clock;
- default sort is `ASC NULLS FIRST` / `DESC NULLS LAST`; rowid breaks ties so paging is stable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sandboxes.common import ids, timefmt
from sandboxes.salesforce import sobjects, soql
from sandboxes.salesforce.errors import SalesforceError
from sandboxes.salesforce.sobjects import ID_TYPES, NUMBER_TYPES, STRING_TYPES, Field, SObject

MAX_OFFSET = 2000

_TYPE_WORD = {"boolean": "boolean", "date": "date", "datetime": "dateTime", "int": "int", "id": "id", "reference": "id"}
_UNKNOWN_FIELD_HINT = (
    "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. "
    "Please reference your WSDL or the describe call for the appropriate names."
)


@dataclass(frozen=True)
class CompiledQuery:
    sobject: SObject
    fields: tuple[Field, ...]
    count_only: bool
    where_sql: str
    params: tuple[object, ...]
    order_sql: str
    limit: int | None
    offset: int | None

    def row_ids_sql(self) -> tuple[str, tuple[object, ...]]:
        """The matching rowids in result order (the snapshot a query cursor pages through)."""
        sql = f'SELECT rowid FROM "{self.sobject.name}" WHERE {self.where_sql} ORDER BY {self.order_sql}'
        params = list(self.params)
        if self.limit is not None or self.offset:
            sql += " LIMIT ? OFFSET ?"
            params += [-1 if self.limit is None else self.limit, self.offset or 0]
        return sql, tuple(params)

    def count_sql(self) -> tuple[str, tuple[object, ...]]:
        inner, params = self.row_ids_sql()
        return f"SELECT count(*) FROM ({inner})", params


def compile_query(text: str, include_deleted: bool, now_ms: int) -> CompiledQuery:
    """Parses and translates `text`; raises SalesforceError as Salesforce would answer."""
    try:
        query = soql.parse(text)
    except soql.SoqlSyntaxError as exc:
        raise _error(text, soql.Position(exc.line, exc.column), "MALFORMED_QUERY", exc.message) from None
    return _Compiler(text, query, now_ms).compile(include_deleted)


def _error(text: str, pos: soql.Position, code: str, message: str) -> SalesforceError:
    lines = text.splitlines() or [""]
    line = lines[min(pos.line, len(lines)) - 1]
    located = f"\n{line}\n{' ' * (pos.column - 1)}^\nERROR at Row:{pos.line}:Column:{pos.column}\n{message}"
    return SalesforceError(400, code, located)


def _quoted(f: Field) -> bool:
    return f.type in STRING_TYPES or f.type in ID_TYPES


class _Compiler:
    def __init__(self, text: str, query: soql.Query, now_ms: int) -> None:
        self.text = text
        self.query = query
        self.today = timefmt.to_datetime(now_ms).date()
        self.params: list[object] = []
        sobject = sobjects.lookup(query.sobject)
        if sobject is None:
            raise _error(
                text,
                query.sobject_pos,
                "INVALID_TYPE",
                f"sObject type '{query.sobject}' is not supported. If you are attempting to use a custom object, "
                "be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call "
                "for the appropriate names.",
            )
        self.sobject = sobject

    def compile(self, include_deleted: bool) -> CompiledQuery:
        q = self.query
        fields: list[Field] = []
        for path in q.fields:
            f = self.resolve(path)
            if f in fields:
                raise _error(self.text, path.pos, "MALFORMED_QUERY", f"duplicate field selected: {f.name}")
            fields.append(f)
        conditions = [] if include_deleted else ['"IsDeleted" = 0']
        if q.where is not None:
            conditions.append(self.condition(q.where))
        if q.offset is not None and q.offset > MAX_OFFSET:
            raise SalesforceError(400, "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}")
        return CompiledQuery(
            sobject=self.sobject,
            fields=tuple(fields),
            count_only=q.count_only,
            where_sql=" AND ".join(f"({c})" for c in conditions) or "1",
            params=tuple(self.params),
            order_sql=self.order_by(),
            limit=q.limit,
            offset=q.offset,
        )

    # -- names -------------------------------------------------------------------------

    def resolve(self, path: soql.FieldPath) -> Field:
        parts = path.parts
        # `Account.Name` on Account is the same field as `Name`.
        if len(parts) == 2 and parts[0].lower() == self.sobject.name.lower():
            parts = parts[1:]
        if len(parts) > 1:
            raise _error(
                self.text,
                path.pos,
                "INVALID_FIELD",
                f"Didn't understand relationship '{parts[0]}' in field path. If you are attempting to use a custom "
                "relationship, be sure to append the '__r' after the custom relationship name. Please reference "
                "your WSDL or the describe call for the appropriate names.",
            )
        f = self.sobject.field_named(parts[0])
        if f is None:
            raise _error(
                self.text,
                path.pos,
                "INVALID_FIELD",
                f"No such column '{parts[0]}' on entity '{self.sobject.name}'. {_UNKNOWN_FIELD_HINT}",
            )
        return f

    # -- conditions --------------------------------------------------------------------

    def condition(self, cond: soql.Condition) -> str:
        if isinstance(cond, soql.BoolOp):
            return f" {cond.op} ".join(f"({self.condition(item)})" for item in cond.items)
        if isinstance(cond, soql.Not):
            return f"NOT ({self.condition(cond.item)})"
        if isinstance(cond, soql.Like):
            return self.like(cond)
        if isinstance(cond, soql.InList):
            return self.in_list(cond)
        return self.compare(cond)

    def column(self, f: Field) -> str:
        return f'"{f.name}"' + (" COLLATE NOCASE" if f.type in STRING_TYPES else "")

    def bind(self, value: object) -> str:
        self.params.append(value)
        return "?"

    def compare(self, cond: soql.Compare) -> str:
        f = self.resolve(cond.field)
        col = self.column(f)
        value = cond.value
        if value.kind == "null":
            if cond.op not in ("=", "!="):
                raise _error(self.text, value.pos, "MALFORMED_QUERY", f"invalid operator on null: {cond.op}")
            return f'"{f.name}" IS {"NOT " if cond.op == "!=" else ""}NULL'
        if value.kind == "date_literal":
            return self.date_range(f, cond.op, value)
        literal = self.literal(f, value)
        if cond.op == "!=":
            return f"{col} IS NOT {self.bind(literal)}"
        test = f"{col} {cond.op} {self.bind(literal)}"
        return f'"{f.name}" IS NOT NULL AND {test}' if f.nillable else test

    def like(self, cond: soql.Like) -> str:
        f = self.resolve(cond.field)
        if f.type not in STRING_TYPES:
            raise _error(
                self.text, cond.field.pos, "INVALID_FIELD", f"invalid operator on field '{f.name}': LIKE on {f.type}"
            )
        if cond.value.kind != "string":
            raise self.type_error(f, cond.value)
        return f'"{f.name}" IS NOT NULL AND "{f.name}" LIKE {self.bind(cond.value.like_pattern)} ESCAPE \'\\\''

    def in_list(self, cond: soql.InList) -> str:
        f = self.resolve(cond.field)
        with_null = any(v.kind == "null" for v in cond.values)
        literals = [self.literal(f, v) for v in cond.values if v.kind != "null"]
        parts: list[str] = []
        if literals:
            marks = ", ".join(self.bind(v) for v in literals)
            parts.append(f"{self.column(f)} {'NOT ' if cond.negated else ''}IN ({marks})")
        if cond.negated:
            null_test = f'"{f.name}" IS NOT NULL' if with_null else f'"{f.name}" IS NULL'
            if not parts:
                return null_test
            return f"{null_test} AND {parts[0]}" if with_null else f"{null_test} OR {parts[0]}"
        if with_null:
            parts.append(f'"{f.name}" IS NULL')
        if not parts:
            return "0"
        if len(parts) == 1 and f.nillable:
            return f'"{f.name}" IS NOT NULL AND {parts[0]}'
        return " OR ".join(parts)

    # -- literals ----------------------------------------------------------------------

    def type_error(self, f: Field, value: soql.Value) -> SalesforceError:
        word = _TYPE_WORD.get(f.type, "double" if f.type in NUMBER_TYPES else "string")
        quoting = "should be enclosed in quotes" if _quoted(f) else "should not be enclosed in quotes"
        return _error(
            self.text,
            value.pos,
            "INVALID_FIELD",
            f"value of filter criterion for field '{f.name}' must be of type {word} and {quoting}",
        )

    def literal(self, f: Field, value: soql.Value) -> object:
        kind = value.kind
        if f.type in ID_TYPES:
            if kind != "string":
                raise self.type_error(f, value)
            text = str(value.value)
            if not ids.is_valid_id(text):
                raise _error(self.text, value.pos, "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {text}")
            return ids.to_18(text) if len(text) == 15 else text
        if f.type in STRING_TYPES:
            if kind != "string":
                raise self.type_error(f, value)
            return value.value
        if f.type in NUMBER_TYPES:
            if kind != "number":
                raise self.type_error(f, value)
            return value.value
        if f.type == "boolean":
            if kind != "boolean":
                raise self.type_error(f, value)
            return 1 if value.value else 0
        if f.type == "date":
            if kind != "date":
                raise self.type_error(f, value)
            try:
                return date.fromisoformat(str(value.value)).isoformat()
            except ValueError:
                raise _error(self.text, value.pos, "MALFORMED_QUERY", f"invalid date: {value.value}") from None
        if kind != "datetime":
            raise self.type_error(f, value)
        try:
            return timefmt.parse_iso(str(value.value))
        except ValueError:
            raise _error(self.text, value.pos, "MALFORMED_QUERY", f"invalid dateTime: {value.value}") from None

    def date_range(self, f: Field, op: str, value: soql.Value) -> str:
        if f.type not in ("date", "datetime"):
            raise self.type_error(f, value)
        name, n = value.value  # type: ignore[misc]
        bounds = _date_literal_range(name, n, self.today)
        if bounds is None:
            raise _error(self.text, value.pos, "MALFORMED_QUERY", f"unexpected token: {name}")
        start, end = (
            (timefmt.date_to_ms(b) for b in bounds) if f.type == "datetime" else (b.isoformat() for b in bounds)
        )
        col = f'"{f.name}"'
        not_null = f"{col} IS NOT NULL AND " if f.nillable else ""
        if op == "=":
            return f"{not_null}{col} >= {self.bind(start)} AND {col} < {self.bind(end)}"
        if op == "!=":
            return f"{col} IS NULL OR {col} < {self.bind(start)} OR {col} >= {self.bind(end)}"
        bound, cmp = {"<": (start, "<"), "<=": (end, "<"), ">": (end, ">="), ">=": (start, ">=")}[op]
        return f"{not_null}{col} {cmp} {self.bind(bound)}"

    # -- ordering ----------------------------------------------------------------------

    def order_by(self) -> str:
        terms = []
        for item in self.query.order_by:
            f = self.resolve(item.field)
            nulls_first = (not item.descending) if item.nulls_first is None else item.nulls_first
            terms.append(
                f"{self.column(f)} {'DESC' if item.descending else 'ASC'} NULLS {'FIRST' if nulls_first else 'LAST'}"
            )
        terms.append("rowid")
        return ", ".join(terms)


def _date_literal_range(name: str, n: int | None, today: date) -> tuple[date, date] | None:
    """[start, end) of a SOQL date literal, or None if `name` is not one."""
    day = timedelta(days=1)
    if n is not None:
        return {
            "LAST_N_DAYS": (today - n * day, today + day),
            "NEXT_N_DAYS": (today + day, today + (n + 1) * day),
            "N_DAYS_AGO": (today - n * day, today - (n - 1) * day),
        }.get(name)
    week_start = today - timedelta(days=(today.weekday() + 1) % 7)  # weeks start on Sunday
    month_start = today.replace(day=1)
    next_month = _add_months(month_start, 1)
    year_start = today.replace(month=1, day=1)
    return {
        "YESTERDAY": (today - day, today),
        "TODAY": (today, today + day),
        "TOMORROW": (today + day, today + 2 * day),
        "LAST_WEEK": (week_start - 7 * day, week_start),
        "THIS_WEEK": (week_start, week_start + 7 * day),
        "NEXT_WEEK": (week_start + 7 * day, week_start + 14 * day),
        "LAST_MONTH": (_add_months(month_start, -1), month_start),
        "THIS_MONTH": (month_start, next_month),
        "NEXT_MONTH": (next_month, _add_months(month_start, 2)),
        "LAST_90_DAYS": (today - 90 * day, today + day),
        "NEXT_90_DAYS": (today + day, today + 91 * day),
        "LAST_YEAR": (year_start.replace(year=year_start.year - 1), year_start),
        "THIS_YEAR": (year_start, year_start.replace(year=year_start.year + 1)),
        "NEXT_YEAR": (year_start.replace(year=year_start.year + 1), year_start.replace(year=year_start.year + 2)),
    }.get(name)


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
