"""Incremental change-data-capture from Salesforce, Harvest and NetSuite into the warehouse (dlt).

One sub-package per system holds its registry of landed tables and its dlt source; the
modules here are what every source shares: the registry's shape, the source skeleton
(window, cursor, reconciliation cadence, tombstones), configuration, the HTTP client with
retries, the landing contract (metadata, history, quarantine), key reconciliation for
systems without tombstones, and the runner.
"""
