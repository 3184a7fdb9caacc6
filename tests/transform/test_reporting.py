"""The reporting marts on the demo firm: pipeline_to_revenue, project_margin and utilisation add
up to the canonical facts they summarise (per currency, never across), and the KPIs are all
there, plausible, and agree with figures computed here from the canonical tables and with the
simulator's ground truth."""

from __future__ import annotations

import calendar
from datetime import date

import pytest

from tests.firm import LandedFirm

KPIS = {
    "quote_to_project_days",
    "time_to_invoice_days",
    "approved_unposted_hours",
    "approved_unposted_amount",
    "invoices_blocked_by_master_data",
    "exception_rate",
}
MASTER_DATA_CHECKS = (
    "('customer_attribute_drift', 'customer_missing_cross_reference', 'duplicate_customer', 'wrong_legal_entity')"
)

# Approved, billable, live time that no ERP charge was posted from - written here from the
# canonical tables, independently of the models under test.
APPROVED_UNPOSTED_TIME = """
    SELECT te.time_entry_id, p.legal_entity_id, te.currency_code, te.hours, te.billable_amount
    FROM canonical.time_entries AS te
    LEFT JOIN canonical.projects AS p ON p.golden_project_id = te.golden_project_id
    WHERE NOT te.is_deleted AND te.approval_status = 'approved' AND te.is_billable
      AND te.time_entry_id NOT IN (
        SELECT psa_source_record_id FROM canonical.charges
        WHERE psa_source_object = 'time_entries' AND psa_source_record_id IS NOT NULL
      )
"""

# Each measure of pipeline_to_revenue and what it must total per currency, from its source.
PIPELINE_MEASURE_SOURCES = {
    "open_pipeline_amount": "SELECT currency_code, SUM(amount) FROM canonical.opportunities WHERE NOT is_closed GROUP BY 1",
    "weighted_pipeline_amount": (
        "SELECT currency_code, SUM(amount * probability / 100.0) FROM canonical.opportunities"
        " WHERE NOT is_closed GROUP BY 1"
    ),
    "won_amount": "SELECT currency_code, SUM(amount) FROM canonical.opportunities WHERE is_won GROUP BY 1",
    "won_count": "SELECT currency_code, COUNT(*) FROM canonical.opportunities WHERE is_won GROUP BY 1",
    "projects_started": "SELECT currency_code, COUNT(*) FROM canonical.projects WHERE starts_on IS NOT NULL GROUP BY 1",
    "approved_hours": (
        "SELECT currency_code, SUM(hours) FROM canonical.time_entries"
        " WHERE NOT is_deleted AND approval_status = 'approved' AND is_billable GROUP BY 1"
    ),
    "approved_amount": (
        "SELECT currency_code, SUM(billable_amount) FROM canonical.time_entries"
        " WHERE NOT is_deleted AND approval_status = 'approved' AND is_billable GROUP BY 1"
    ),
    "charged_amount": "SELECT currency_code, SUM(amount) FROM canonical.charges GROUP BY 1",
    "invoiced_amount": "SELECT currency_code, SUM(amount) FROM canonical.invoice_lines GROUP BY 1",
    "revenue_amount": "SELECT currency_code, SUM(revenue_amount) FROM canonical.revenue GROUP BY 1",
    "cost_amount": """
        SELECT currency_code, SUM(cost) FROM (
            SELECT currency_code, hours * cost_rate AS cost FROM canonical.time_entries WHERE NOT is_deleted
            UNION ALL
            SELECT currency_code, total_cost FROM canonical.expenses
        ) AS costs GROUP BY 1
    """,
}


def per_key(firm: LandedFirm, sql: str) -> dict[object, float]:
    return {key: float(value or 0) for key, value in firm.warehouse.query(sql)}


def kpi_values(firm: LandedFirm, kpi: str, dimension: str) -> dict[str, float]:
    return per_key(
        firm,
        f"SELECT dimension_value, value FROM marts.kpis WHERE kpi = '{kpi}' AND dimension = '{dimension}'",
    )


def weekdays_in(month: date) -> int:
    days = calendar.monthrange(month.year, month.month)[1]
    return sum(1 for day in range(1, days + 1) if date(month.year, month.month, day).weekday() < 5)


@pytest.mark.parametrize("measure", sorted(PIPELINE_MEASURE_SOURCES))
def test_each_pipeline_to_revenue_measure_totals_its_canonical_source_per_currency(
    built_demo_firm: LandedFirm, measure: str
) -> None:
    expected = per_key(built_demo_firm, PIPELINE_MEASURE_SOURCES[measure])
    reported = per_key(
        built_demo_firm, f"SELECT currency_code, SUM({measure}) FROM marts.pipeline_to_revenue GROUP BY 1"
    )

    assert expected, f"the demo firm has no {measure} to report"
    assert {code: value for code, value in reported.items() if value} == pytest.approx(
        {code: value for code, value in expected.items() if value}
    )


def test_pipeline_to_revenue_margin_is_revenue_minus_cost_and_no_row_is_all_zero(built_demo_firm: LandedFirm) -> None:
    rows = built_demo_firm.warehouse.query(
        """
        SELECT COUNT(*),
            SUM(CASE WHEN ABS(margin_amount - (revenue_amount - cost_amount)) > 0.005 THEN 1 ELSE 0 END),
            SUM(CASE WHEN open_pipeline_amount = 0 AND weighted_pipeline_amount = 0 AND won_amount = 0
                AND won_count = 0 AND projects_started = 0 AND approved_hours = 0 AND approved_amount = 0
                AND charged_amount = 0 AND invoiced_amount = 0 AND revenue_amount = 0 AND cost_amount = 0
                THEN 1 ELSE 0 END),
            SUM(CASE WHEN service_line IS NULL THEN 1 ELSE 0 END)
        FROM marts.pipeline_to_revenue
        """,
    )
    row_count, wrong_margins, all_zero_rows, without_service_line = rows[0]

    assert row_count > 0
    assert (wrong_margins, all_zero_rows, without_service_line) == (0, 0, 0)


def test_weighted_pipeline_uses_probability_as_a_percentage(built_demo_firm: LandedFirm) -> None:
    [(open_amount, weighted_amount)] = built_demo_firm.warehouse.query(
        "SELECT SUM(open_pipeline_amount), SUM(weighted_pipeline_amount) FROM marts.pipeline_to_revenue",
    )

    assert 0 < weighted_amount < open_amount


def test_project_margin_invoices_every_invoice_line_of_a_linked_project(built_demo_firm: LandedFirm) -> None:
    expected = per_key(
        built_demo_firm,
        """
        SELECT il.currency_code, SUM(il.amount) FROM canonical.invoice_lines AS il
        INNER JOIN canonical.projects AS p ON p.netsuite_project_id = il.project_id
        GROUP BY 1
        """,
    )
    reported = per_key(
        built_demo_firm, "SELECT currency_code, SUM(invoiced_amount) FROM marts.project_margin GROUP BY 1"
    )

    assert expected
    assert reported == pytest.approx(expected)


def test_project_margin_hours_and_cost_equal_the_projects_time_and_expenses(built_demo_firm: LandedFirm) -> None:
    expected_hours = per_key(
        built_demo_firm,
        "SELECT golden_project_id, SUM(hours) FROM canonical.time_entries"
        " WHERE NOT is_deleted AND golden_project_id IS NOT NULL GROUP BY 1",
    )
    reported_hours = per_key(
        built_demo_firm,
        "SELECT golden_project_id, SUM(hours) FROM marts.project_margin GROUP BY 1 HAVING SUM(hours) <> 0",
    )
    expected_cost = per_key(
        built_demo_firm,
        """
        SELECT currency_code, SUM(cost) FROM (
            SELECT currency_code, hours * cost_rate AS cost FROM canonical.time_entries
            WHERE NOT is_deleted AND golden_project_id IS NOT NULL
            UNION ALL
            SELECT currency_code, total_cost FROM canonical.expenses WHERE golden_project_id IS NOT NULL
        ) AS costs GROUP BY 1
        """,
    )
    reported_cost = per_key(
        built_demo_firm, "SELECT currency_code, SUM(cost_amount) FROM marts.project_margin GROUP BY 1"
    )

    assert reported_hours == pytest.approx(expected_hours)
    assert reported_cost == pytest.approx(expected_cost)


def test_project_margin_is_invoiced_minus_cost_with_a_ratio_only_where_something_was_invoiced(
    built_demo_firm: LandedFirm,
) -> None:
    [(wrong_margins, wrong_ratios, ratios)] = built_demo_firm.warehouse.query(
        """
        SELECT
            SUM(CASE WHEN ABS(margin_amount - (invoiced_amount - cost_amount)) > 0.005 THEN 1 ELSE 0 END),
            SUM(CASE
                WHEN invoiced_amount = 0 AND margin_pct IS NOT NULL THEN 1
                WHEN invoiced_amount <> 0 AND ABS(margin_pct - margin_amount / invoiced_amount) > 1e-9 THEN 1
                ELSE 0 END),
            COUNT(margin_pct)
        FROM marts.project_margin
        """,
    )

    assert (wrong_margins, wrong_ratios) == (0, 0)
    assert ratios > 0


def test_utilisation_hours_per_resource_equal_their_live_time_entries(built_demo_firm: LandedFirm) -> None:
    expected = per_key(
        built_demo_firm, "SELECT resource_id, SUM(hours) FROM canonical.time_entries WHERE NOT is_deleted GROUP BY 1"
    )
    reported = per_key(built_demo_firm, "SELECT resource_id, SUM(hours) FROM marts.utilisation GROUP BY 1")

    assert expected
    assert reported == pytest.approx(expected)


def test_utilisation_covers_each_resource_from_first_to_last_logged_month_without_gaps(
    built_demo_firm: LandedFirm,
) -> None:
    logged_spans = {
        resource_id: (first_day.replace(day=1), last_day.replace(day=1))
        for resource_id, first_day, last_day in built_demo_firm.warehouse.query(
            "SELECT resource_id, MIN(spent_date), MAX(spent_date) FROM canonical.time_entries"
            " WHERE NOT is_deleted GROUP BY 1",
        )
    }
    months_reported: dict[str, list[date]] = {}
    for resource_id, month in built_demo_firm.warehouse.query(
        "SELECT resource_id, month FROM marts.utilisation ORDER BY resource_id, month"
    ):
        months_reported.setdefault(resource_id, []).append(month)

    assert months_reported.keys() == logged_spans.keys()
    for resource_id, (first, last) in logged_spans.items():
        months = months_reported[resource_id]
        expected_count = (last.year - first.year) * 12 + last.month - first.month + 1
        assert (months[0], months[-1], len(months)) == (first, last, expected_count), resource_id


def test_utilisation_capacity_is_weekly_capacity_times_weekdays_over_five(built_demo_firm: LandedFirm) -> None:
    rows = built_demo_firm.warehouse.query(
        """
        SELECT u.month, r.weekly_capacity_hours, u.capacity_hours, u.billable_hours, u.utilisation_pct, u.logged_pct,
            u.hours
        FROM marts.utilisation AS u
        INNER JOIN canonical.resources AS r ON r.resource_id = u.resource_id
        """,
    )

    assert rows
    for month, weekly, capacity, billable, utilisation, logged, hours in rows:
        assert capacity == pytest.approx(weekly * weekdays_in(month) / 5), month
        assert utilisation == pytest.approx(billable / capacity)
        assert logged == pytest.approx(hours / capacity)


def test_kpis_include_every_kpi_with_plausible_values(built_demo_firm: LandedFirm) -> None:
    rows = built_demo_firm.warehouse.query(
        "SELECT kpi, month, dimension, unit, value, observation_count FROM marts.kpis"
    )
    kpis_found = {kpi for kpi, *_ in rows}

    assert kpis_found >= KPIS
    for kpi, month, dimension, unit, value, observation_count in rows:
        assert value is not None, (kpi, month, dimension)
        assert observation_count >= 0
        if unit == "days":
            assert month is not None and value >= 0, (kpi, month, dimension, value)
        if unit == "ratio":
            assert 0 <= value <= 1, (kpi, dimension, value)
        if kpi.startswith(("approved_unposted", "invoices_blocked", "exception_rate")):
            assert month is None, kpi
    firm_rows = {(kpi, dimension) for kpi, _, dimension, *_ in rows}
    for kpi in (
        "quote_to_project_days",
        "time_to_invoice_days",
        "approved_unposted_hours",
        "invoices_blocked_by_master_data",
    ):
        assert {(kpi, "firm"), (kpi, "legal_entity")} <= firm_rows, kpi


def test_median_kpis_count_every_won_deal_with_a_project_and_every_invoiced_time_entry(
    built_demo_firm: LandedFirm,
) -> None:
    [(won_with_project,)] = built_demo_firm.warehouse.query(
        """
        SELECT COUNT(DISTINCT o.opportunity_id) FROM canonical.opportunities AS o
        INNER JOIN canonical.projects AS p ON p.opportunity_id = o.opportunity_id
        WHERE o.is_won
        """,
    )
    [(invoiced_entries,)] = built_demo_firm.warehouse.query(
        """
        SELECT COUNT(DISTINCT te.time_entry_id) FROM canonical.time_entries AS te
        INNER JOIN canonical.charges AS c
            ON c.psa_source_object = 'time_entries' AND c.psa_source_record_id = te.time_entry_id
        INNER JOIN canonical.invoices AS i ON i.invoice_id = c.invoice_id
        WHERE NOT te.is_deleted
        """,
    )
    observations = per_key(
        built_demo_firm, "SELECT kpi, SUM(observation_count) FROM marts.kpis WHERE dimension = 'firm' GROUP BY 1"
    )

    assert observations["quote_to_project_days"] == won_with_project > 0
    assert observations["time_to_invoice_days"] == invoiced_entries > 0


def test_work_is_invoiced_and_projects_are_set_up_after_the_deal_is_won_not_the_same_day(
    built_demo_firm: LandedFirm,
) -> None:
    medians = per_key(
        built_demo_firm,
        """
        SELECT kpi, SUM(value * observation_count) / SUM(observation_count) FROM marts.kpis
        WHERE dimension = 'firm' AND kpi IN ('quote_to_project_days', 'time_to_invoice_days') GROUP BY 1
        """,
    )

    assert 0 < medians["quote_to_project_days"] < 120
    assert 7 < medians["time_to_invoice_days"] < 120


def test_approved_unposted_time_equals_the_unbilled_time_found_in_the_canonical_tables(
    built_demo_firm: LandedFirm,
) -> None:
    candidates = built_demo_firm.warehouse.query(APPROVED_UNPOSTED_TIME)
    hours_by_entity: dict[str, float] = {}
    amount_by_currency: dict[str, float] = {}
    for _, legal_entity_id, currency_code, hours, amount in candidates:
        hours_by_entity[legal_entity_id] = hours_by_entity.get(legal_entity_id, 0) + hours
        amount_by_currency[currency_code] = amount_by_currency.get(currency_code, 0) + amount

    assert candidates
    assert kpi_values(built_demo_firm, "approved_unposted_hours", "firm") == pytest.approx(
        {"all": sum(hours for *_, hours, _ in candidates)}
    )
    assert kpi_values(built_demo_firm, "approved_unposted_hours", "legal_entity") == pytest.approx(hours_by_entity)
    assert kpi_values(built_demo_firm, "approved_unposted_amount", "currency") == pytest.approx(amount_by_currency)


def test_approved_unposted_time_is_the_unbilled_time_the_simulator_injected(built_demo_firm: LandedFirm) -> None:
    injected = [drift for drift in built_demo_firm.truth["drift"] if drift["drift_type"] == "unbilled_time"]
    [(hours, entries)] = built_demo_firm.warehouse.query(
        "SELECT value, observation_count FROM marts.kpis WHERE kpi = 'approved_unposted_hours' AND dimension = 'firm'",
    )

    assert injected
    assert entries == len(injected)
    assert float(hours) == pytest.approx(sum(drift["detail"]["hours"] for drift in injected))


def test_invoices_blocked_by_master_data_are_unpaid_invoices_of_customers_with_open_master_data_exceptions(
    built_demo_firm: LandedFirm,
) -> None:
    expected = per_key(
        built_demo_firm,
        f"""
        SELECT legal_entity_id, SUM(CASE WHEN golden_customer_id IN (
            SELECT golden_customer_id FROM marts.exceptions
            WHERE is_open AND check_name IN {MASTER_DATA_CHECKS} AND golden_customer_id IS NOT NULL
        ) THEN 1 ELSE 0 END)
        FROM canonical.invoices WHERE NOT is_paid GROUP BY 1
        """,
    )

    assert sum(expected.values()) > 0
    assert kpi_values(built_demo_firm, "invoices_blocked_by_master_data", "legal_entity") == pytest.approx(expected)
    assert kpi_values(built_demo_firm, "invoices_blocked_by_master_data", "firm") == pytest.approx(
        {"all": sum(expected.values())}
    )


def test_exception_rate_is_the_share_of_a_regions_customers_with_an_open_exception_of_the_check(
    built_demo_firm: LandedFirm,
) -> None:
    customers_by_region = per_key(
        built_demo_firm, "SELECT COALESCE(region, 'unknown'), COUNT(*) FROM canonical.customers GROUP BY 1"
    )
    affected = per_key(
        built_demo_firm,
        """
        SELECT e.check_name || '|' || COALESCE(c.region, 'unknown'), COUNT(DISTINCT e.golden_customer_id)
        FROM marts.exceptions AS e
        INNER JOIN canonical.customers AS c ON c.golden_customer_id = e.golden_customer_id
        WHERE e.is_open GROUP BY 1
        """,
    )
    rates = built_demo_firm.warehouse.query(
        "SELECT dimension_value, value, observation_count FROM marts.kpis"
        " WHERE kpi = 'exception_rate' AND dimension = 'check_name_region'",
    )

    assert affected
    assert {key for key, _, _ in rates} >= affected.keys()
    for key, value, customers in rates:
        region = key.split("|")[1]
        if region != "unknown":
            assert customers == customers_by_region[region], key
            assert float(value) == pytest.approx(affected.get(key, 0) / customers, abs=1e-6), key
