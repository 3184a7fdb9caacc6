"""Customer matching: which CRM accounts, PSA clients and ERP customers are the same client.

dbt puts every customer record into one shape (`int_customer_records`); this package links
them (deterministic evidence first, then Splink's trained Fellegi-Sunter model), clusters them
without chaining weak links, applies the stewards' decisions, and writes two tables the dbt
models read as the `matching` source: `customer_pairs` and `customer_clusters`.
"""

from transform.matching.customers import MatchSummary, match_customers

__all__ = ["MatchSummary", "match_customers"]
