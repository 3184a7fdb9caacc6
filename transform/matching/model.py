"""The Splink model of customer records: what is compared, how candidate pairs are found, and
where the trained parameters live.

The comparisons read the columns `prepare_records` derives from `int_customer_records`. Each
comparison's levels run from the strongest agreement to disagreement; Splink learns from the
data how much each level says (m and u probabilities), so a shared tax id counts for far more
than a shared country, and a different tax id counts against. The distinctive word of a name
carries a term-frequency adjustment: sharing "summit", which many clients' names start with,
says less than sharing "rheinwald". All comparisons run on Splink's DuckDB backend (see
`customers.py`), so their SQL is DuckDB's.

Candidate pairs come from several blocking rules, so that a record missed by one (a typo in
the first letters, words in another order, no website) is still met by another.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

MODEL_PATH = Path(__file__).with_name("customer_model.json")


def prepare_records_sql(source: str) -> str:
    """SELECT over `source` (rows shaped like `int_customer_records`) giving the records table
    Splink reads: the normalised name and the words blocking and comparisons use."""
    return f"""
        select
            record_key as unique_id,
            source_system,
            source_record_id,
            nullif(normalized_name, '') as name,
            nullif(split_part(normalized_name, ' ', 1), '') as first_token,
            nullif(split_part(normalized_name, ' ', 2), '') as second_token,
            nullif(trim(substr(normalized_name, length(split_part(normalized_name, ' ', 1)) + 1)), '') as name_rest,
            nullif(array_to_string(list_sort(string_split(normalized_name, ' ')), ' '), '') as name_sorted,
            country_code,
            web_domain,
            tax_id,
            phone,
            postal_code,
            city
        from {source}
    """


def _exact(column: str, description: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_description=description,
        comparison_levels=[cll.NullLevel(column), cll.ExactMatchLevel(column), cll.ElseLevel()],
    )


def _similar(column: str, threshold: float) -> str:
    """Both empty, or Jaro-Winkler similar (single-word names have no rest)."""
    left, right = f"coalesce({column}_l, '')", f"coalesce({column}_r, '')"
    return f"({left} = {right} or jaro_winkler_similarity({left}, {right}) >= {threshold})"


# The name, from the strongest agreement down. A company's name is its distinctive first word
# and the rest ("summit" + "logistics"): a typo may hit either, an abbreviation the rest, a
# person may type the words in another order; sharing only the first word ("Granite Retail",
# "Granite Telecom") is its own level, which the data shows to be weak evidence. The levels
# where the first words agree carry a term-frequency adjustment on it.
NAME = cl.CustomComparison(
    output_column_name="name",
    comparison_description="normalised legal name: its distinctive first word and the rest",
    comparison_levels=[
        cll.NullLevel("name"),
        cll.ExactMatchLevel("name").configure(tf_adjustment_column="first_token", label_for_charts="same name"),
        cll.ExactMatchLevel("name_sorted").configure(label_for_charts="same words in another order"),
        cll.CustomLevel(
            f"first_token_l = first_token_r and {_similar('name_rest', 0.88)}",
            label_for_charts="same first word, the rest alike",
        ).configure(tf_adjustment_column="first_token"),
        cll.CustomLevel(
            f"jaro_winkler_similarity(first_token_l, first_token_r) >= 0.88 and {_similar('name_rest', 0.88)}",
            label_for_charts="first word alike (a typo), the rest alike",
        ),
        cll.CustomLevel(
            "jaro_winkler_similarity(name_sorted_l, name_sorted_r) >= 0.92",
            label_for_charts="alike in another word order",
        ),
        cll.CustomLevel("first_token_l = first_token_r", label_for_charts="only the first word in common").configure(
            tf_adjustment_column="first_token"
        ),
        cll.ElseLevel(),
    ],
)

COMPARISONS = [
    NAME,
    _exact("country_code", "billing country"),
    _exact("web_domain", "web domain (free-mail domains excluded)"),
    _exact("tax_id", "tax or VAT registration number"),
    _exact("phone", "phone number (digits)"),
    _exact("postal_code", "postal code"),
    _exact("city", "city"),
]

BLOCKING_RULES = [
    block_on("first_token", "country_code"),
    block_on("name_sorted"),
    block_on("substr(first_token, 1, 3)", "second_token"),
    block_on("substr(first_token, -4)", "second_token"),
    block_on("web_domain"),
    block_on("tax_id"),
    block_on("phone"),
    block_on("postal_code", "country_code", "substr(first_token, 1, 1)"),
]


def settings(**trained: Any) -> SettingsCreator:
    """The model's settings; `trained` are the parameters training estimated."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=COMPARISONS,
        blocking_rules_to_generate_predictions=BLOCKING_RULES,
        retain_intermediate_calculation_columns=True,  # the gamma columns: the evidence stewards read
        retain_matching_columns=False,
        additional_columns_to_retain=["source_system"],
        **trained,
    )
