"""Pages become typed Arrow tables: declared columns take their declared type whatever the
page holds, undeclared ones are inferred as dlt would, bad values name their rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from ingestion.arrow_pages import UTC_TIMESTAMP, PageTypeError, typed_page


def test_declared_columns_take_their_type_whatever_the_page_holds() -> None:
    page = typed_page(
        [
            {"Id": "001", "Amount": 5000, "CloseDate": "2026-03-01", "SystemModstamp": "2026-01-01T10:00:00.000+0000"},
            {"Id": "002", "Amount": 5000.5, "CloseDate": None, "SystemModstamp": "2026-01-01T11:00:00.000+0000"},
        ],
        {"Id": "text", "Amount": "double", "CloseDate": "date", "SystemModstamp": "timestamp"},
    )

    assert page.schema.names == ["id", "amount", "close_date", "system_modstamp"]
    assert page.schema.field("amount").type == pa.float64()
    assert page.column("close_date").to_pylist() == [date(2026, 3, 1), None]
    assert page.column("system_modstamp").to_pylist()[1] == datetime(2026, 1, 1, 11, tzinfo=UTC)


def test_numbers_sent_as_text_are_converted_and_a_time_without_zone_is_utc() -> None:
    page = typed_page(
        [{"amount": "12.5", "count": "3", "at": "2026-01-01 10:00:00"}],
        {"amount": "double", "count": "bigint", "at": "timestamp"},
    )

    assert page.to_pylist() == [{"amount": 12.5, "count": 3, "at": datetime(2026, 1, 1, 10, tzinfo=UTC)}]


@pytest.mark.parametrize(
    ("value", "data_type", "reason"),
    [
        ("abc", "bigint", "f is not a whole number: 'abc'"),
        (1.5, "bigint", "f is not a whole number: 1.5"),
        ("soon", "timestamp", "f is not a valid timestamp: 'soon'"),
        (True, "double", "f is not a number: True"),
        ("nan", "double", "f is not a number: 'nan'"),
        (float("inf"), "double", "f is not a number: inf"),
        ("yes", "bool", "f is not a boolean: 'yes'"),
        ("x", "date", "f is not a valid date: 'x'"),
    ],
)
def test_a_value_that_is_not_of_its_declared_type_names_its_row(value: object, data_type: str, reason: str) -> None:
    with pytest.raises(PageTypeError) as raised:
        typed_page([{"f": None}, {"f": value}], {"f": data_type})

    assert raised.value.bad_rows == {1: reason}


def test_booleans_sent_as_text_are_converted() -> None:
    page = typed_page([{"f": "T"}, {"f": "F"}, {"f": None}, {"f": "true"}], {"f": "bool"})

    assert page.column("f").to_pylist() == [True, False, None, True]


def test_undeclared_columns_are_inferred_like_dlt_infers_rows() -> None:
    page = typed_page(
        [
            {"n": 1, "x": 1, "flag": True, "at": "2026-01-01T00:00:00Z", "mixed": 1, "tags": ["a"], "empty": None},
            {"n": 2, "x": 2.5, "flag": None, "at": None, "mixed": "one", "tags": None, "empty": None},
        ],
        {},
    )

    assert page.schema == pa.schema(
        [
            ("n", pa.int64()),
            ("x", pa.float64()),
            ("flag", pa.bool_()),
            ("at", UTC_TIMESTAMP),
            ("mixed", pa.string()),
            ("tags", pa.string()),
        ]
    )
    assert page.column("mixed").to_pylist() == ["1", "one"]
    assert page.column("tags").to_pylist() == ['["a"]', None]


def test_not_null_columns_are_declared_so() -> None:
    page = typed_page([{"id": 1, "name": None}], {"id": "bigint", "name": "text"}, not_null=frozenset({"id"}))

    assert not page.schema.field("id").nullable
    assert page.schema.field("name").nullable
