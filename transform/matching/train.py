"""Trains the customer model on a warehouse's customer records and writes `customer_model.json`.

Unsupervised, as on a real firm's data (no one has labelled which records are the same):
- the prior (how likely two random records are the same client) from the cross-references
  the systems already hold, which find most, not all, true pairs;
- u probabilities (how often two different clients agree by chance) from random pairs;
- m probabilities (how often the same client agrees) by expectation maximisation over pairs
  blocked on the tax id (which trains the name: an ERP customer keeps its tax id under a
  name typed again), then on the name's first word and country (which trains the tax id and
  the rest), so that each comparison is estimated from a block that does not use it.
The simulator's ground truth is only for evaluating the result (`bench/matching.py`), never for
training. Run on a built warehouse (the demo firm's, for the committed model):

    python -m transform.matching.train [--warehouse .concord/warehouse.duckdb]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import duckdb
from splink import DuckDBAPI, Linker, block_on

from core.settings import settings
from core.warehouse import Warehouse
from transform.matching.customers import RECORDS_RELATION
from transform.matching.model import MODEL_PATH, prepare_records_sql
from transform.matching.model import settings as model_settings

# How many of the true pairs the systems' own cross-references find (a judgement, as Splink's
# estimate asks for: duplicates and unlinked records carry none).
CROSS_REFERENCE_RECALL = 0.85
SEED = 42


def train(warehouse: Warehouse, path: Path = MODEL_PATH) -> dict:
    with warehouse.connect(read_only=warehouse.is_embedded) as connection:
        records = connection.arrow(f"select * from {RECORDS_RELATION}")
    local = duckdb.connect()
    local.register("input", records)
    local.execute(
        f"""create table records as
            select prepared.*, input.salesforce_account_id, input.harvest_client_id
            from ({prepare_records_sql("input")}) as prepared
            join input on input.record_key = prepared.unique_id"""
    )
    linker = Linker(DuckDBAPI(local).register("records"), model_settings(), log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [
            "l.salesforce_account_id = r.salesforce_account_id",
            "l.harvest_client_id = r.harvest_client_id",
        ],
        recall=CROSS_REFERENCE_RECALL,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=SEED)
    for blocking_rule in (block_on("tax_id"), block_on("first_token", "country_code")):
        linker.training.estimate_parameters_using_expectation_maximisation(blocking_rule, record_sample_proportion=1.0)
    linker.misc.save_model_to_json(str(path), overwrite=True)
    local.close()
    return json.loads(path.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, help="a DuckDB warehouse file (default: the configured warehouse)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    warehouse = settings().warehouse
    if args.warehouse:
        warehouse = Warehouse.configured("duckdb", args.warehouse, None)
    model = train(warehouse)
    print(f"wrote {MODEL_PATH} (prior {model['probability_two_random_records_match']:.2e})")


if __name__ == "__main__":
    main()
