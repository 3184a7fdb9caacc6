"""SOQL parsing: an LALR grammar (lark) for the subset the sandbox serves, turned into a
small syntax tree. Meaning (fields, types, SQL) is `soql_sql`'s job, not this module's.

Subset: `SELECT f, … | COUNT() FROM Obj [WHERE …] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …]
[LIMIT n] [OFFSET n]`. Conditions: `= != <> < <= > >=`, `LIKE`, `IN (…)`, `NOT IN (…)`,
`NOT`, parentheses, and `AND`/`OR` chains, which SOQL (unlike SQL) refuses to mix without
parentheses. Literals: quoted strings with backslash escapes, numbers, true/false/null,
unquoted dates `2026-01-31`, datetimes `2026-01-31T10:00:00Z` (fraction and `±hh:mm`/
`±hhmm` offsets allowed) and date literals (`TODAY`, `LAST_N_DAYS:7`, …).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.exceptions import VisitError

GRAMMAR = r"""
?start: query

query: "SELECT"i select_list "FROM"i NAME where_clause? order_clause? limit_clause? offset_clause?

select_list: COUNT "(" ")"          -> count_all
           | field_path ("," field_path)*  -> field_list

field_path: NAME ("." NAME)*

where_clause: "WHERE"i condition

condition: unary
         | unary (AND unary)+       -> and_chain
         | unary (OR unary)+        -> or_chain

?unary: NOT unary                   -> negation
      | "(" condition ")"
      | predicate

predicate: field_path OPERATOR value             -> compare
         | field_path LIKE value                 -> like
         | field_path IN "(" value_list ")"      -> in_list
         | field_path NOT IN "(" value_list ")"  -> not_in_list

value_list: value ("," value)*

value: STRING            -> string
     | NUMBER            -> number
     | DATETIME          -> datetime
     | DATE              -> date
     | TRUE              -> true
     | FALSE             -> false
     | NULL              -> null
     | NAME ":" INT      -> date_literal_n
     | NAME              -> date_literal

order_clause: "ORDER"i "BY"i order_item ("," order_item)*
order_item: field_path direction? nulls?
direction: ASC | DESC
nulls: "NULLS"i (FIRST | LAST)

limit_clause: "LIMIT"i INT
offset_clause: "OFFSET"i INT

COUNT: "COUNT"i
AND: "AND"i
OR: "OR"i
NOT: "NOT"i
LIKE: "LIKE"i
IN: "IN"i
TRUE: "TRUE"i
FALSE: "FALSE"i
NULL: "NULL"i
ASC: "ASC"i
DESC: "DESC"i
FIRST: "FIRST"i
LAST: "LAST"i

OPERATOR: "!=" | "<>" | "<=" | ">=" | "=" | "<" | ">"
NAME: /[A-Za-z][A-Za-z0-9_]*/
STRING: /'(?:[^'\\]|\\.)*'/
DATETIME.3: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})/
DATE.2: /\d{4}-\d{2}-\d{2}/
NUMBER: /[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/
INT: /\d+/

%ignore /\s+/
"""

_PARSER = Lark(GRAMMAR, parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=False)

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


class SoqlSyntaxError(ValueError):
    """A query that does not parse: `message` is Salesforce's wording, `line`/`column` 1-based."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True)
class FieldPath:
    parts: tuple[str, ...]
    pos: Position

    @property
    def text(self) -> str:
        return ".".join(self.parts)


ValueKind = Literal["string", "number", "datetime", "date", "boolean", "null", "date_literal"]


@dataclass(frozen=True)
class Value:
    kind: ValueKind
    value: object  # str, int|float, str (raw literal), bool, None, (name, n|None)
    pos: Position
    like_pattern: str | None = None  # strings: the raw text with \% and \_ kept for LIKE


@dataclass(frozen=True)
class Compare:
    field: FieldPath
    op: str  # one of = != < <= > >=
    value: Value


@dataclass(frozen=True)
class Like:
    field: FieldPath
    value: Value


@dataclass(frozen=True)
class InList:
    field: FieldPath
    values: tuple[Value, ...]
    negated: bool


@dataclass(frozen=True)
class BoolOp:
    op: Literal["AND", "OR"]
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition = Compare | Like | InList | BoolOp | Not


@dataclass(frozen=True)
class OrderItem:
    field: FieldPath
    descending: bool
    nulls_first: bool | None  # None: Salesforce's default for the direction


@dataclass(frozen=True)
class Query:
    sobject: str
    sobject_pos: Position
    count_only: bool
    fields: tuple[FieldPath, ...]
    where: Condition | None
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None


def _pos(token: Token) -> Position:
    return Position(token.line or 1, token.column or 1)


def _unescape(body: str, token: Token) -> tuple[str, str]:
    """The string's value, and its LIKE pattern (where `\\%` and `\\_` stay escaped)."""
    out: list[str] = []
    pattern: list[str] = []
    chars = iter(body)
    for char in chars:
        if char != "\\":
            out.append(char)
            pattern.append(char)
            continue
        escaped = next(chars, "")
        if escaped in ("%", "_"):
            out.append("\\" + escaped)
            pattern.append("\\" + escaped)
        elif escaped in _ESCAPES:
            out.append(_ESCAPES[escaped])
            pattern.append("\\\\" if escaped == "\\" else _ESCAPES[escaped])
        else:
            raise SoqlSyntaxError(
                f"Invalid string literal '{token}'. Illegal character sequence '\\{escaped}' in string literal.",
                token.line or 1,
                token.column or 1,
            )
    return "".join(out), "".join(pattern)


class _ToTree(Transformer):
    def query(self, items: list) -> Query:
        select, name = items[0], items[1]
        where = order = limit = offset = None
        for item in items[2:]:
            kind, payload = item
            if kind == "where":
                where = payload
            elif kind == "order":
                order = payload
            elif kind == "limit":
                limit = payload
            else:
                offset = payload
        count_only, fields = select
        return Query(str(name), _pos(name), count_only, fields, where, tuple(order or ()), limit, offset)

    def count_all(self, _: list) -> tuple[bool, tuple]:
        return True, ()

    def field_list(self, items: list) -> tuple[bool, tuple]:
        return False, tuple(items)

    def field_path(self, items: list) -> FieldPath:
        return FieldPath(tuple(str(t) for t in items), _pos(items[0]))

    def where_clause(self, items: list) -> tuple[str, Condition]:
        return "where", items[0]

    def condition(self, items: list) -> Condition:
        return items[0]

    def and_chain(self, items: list) -> BoolOp:
        return BoolOp("AND", tuple(i for i in items if not isinstance(i, Token)))

    def or_chain(self, items: list) -> BoolOp:
        return BoolOp("OR", tuple(i for i in items if not isinstance(i, Token)))

    def negation(self, items: list) -> Not:
        return Not(items[1])

    def compare(self, items: list) -> Compare:
        field, op, value = items
        return Compare(field, "!=" if str(op) == "<>" else str(op), value)

    def like(self, items: list) -> Like:
        return Like(items[0], items[2])

    def in_list(self, items: list) -> InList:
        return InList(items[0], tuple(items[2]), False)

    def not_in_list(self, items: list) -> InList:
        return InList(items[0], tuple(items[3]), True)

    def value_list(self, items: list) -> list:
        return items

    def string(self, items: list) -> Value:
        token = items[0]
        value, pattern = _unescape(str(token)[1:-1], token)
        return Value("string", value, _pos(token), like_pattern=pattern)

    def number(self, items: list) -> Value:
        text = str(items[0])
        is_int = text.lstrip("+-").isdigit()
        return Value("number", int(text) if is_int else float(text), _pos(items[0]))

    def datetime(self, items: list) -> Value:
        return Value("datetime", str(items[0]), _pos(items[0]))

    def date(self, items: list) -> Value:
        return Value("date", str(items[0]), _pos(items[0]))

    def true(self, items: list) -> Value:
        return Value("boolean", True, _pos(items[0]))

    def false(self, items: list) -> Value:
        return Value("boolean", False, _pos(items[0]))

    def null(self, items: list) -> Value:
        return Value("null", None, _pos(items[0]))

    def date_literal(self, items: list) -> Value:
        return Value("date_literal", (str(items[0]).upper(), None), _pos(items[0]))

    def date_literal_n(self, items: list) -> Value:
        return Value("date_literal", (str(items[0]).upper(), int(items[1])), _pos(items[0]))

    def order_clause(self, items: list) -> tuple[str, list]:
        return "order", items

    def order_item(self, items: list) -> OrderItem:
        field, descending, nulls_first = items[0], False, None
        for item in items[1:]:
            if item[0] == "direction":
                descending = item[1]
            else:
                nulls_first = item[1]
        return OrderItem(field, descending, nulls_first)

    def direction(self, items: list) -> tuple[str, bool]:
        return "direction", str(items[0]).upper() == "DESC"

    def nulls(self, items: list) -> tuple[str, bool]:
        return "nulls", str(items[0]).upper() == "FIRST"

    def limit_clause(self, items: list) -> tuple[str, int]:
        return "limit", int(items[0])

    def offset_clause(self, items: list) -> tuple[str, int]:
        return "offset", int(items[0])


def parse(text: str) -> Query:
    """Parses one SOQL query; raises SoqlSyntaxError with Salesforce's wording."""
    try:
        tree = _PARSER.parse(text)
    except UnexpectedEOF as exc:
        raise SoqlSyntaxError("unexpected token: <EOF>", exc.line if exc.line > 0 else 1, max(exc.column, 1)) from None
    except UnexpectedToken as exc:
        token = exc.token
        if token.type == "$END":
            raise SoqlSyntaxError("unexpected token: <EOF>", _last_line(text), len(text.splitlines()[-1]) + 1) from None
        raise SoqlSyntaxError(f"unexpected token: {token}", token.line or 1, token.column or 1) from None
    except UnexpectedCharacters as exc:
        raise SoqlSyntaxError(f"unexpected token: {text[exc.pos_in_stream]}", exc.line, exc.column) from None
    except UnexpectedInput as exc:  # any other lark input error
        raise SoqlSyntaxError("unexpected token", getattr(exc, "line", 1), getattr(exc, "column", 1)) from None
    try:
        return _ToTree().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, SoqlSyntaxError):
            raise exc.orig_exc from None
        raise


def _last_line(text: str) -> int:
    return max(len(text.splitlines()), 1)
