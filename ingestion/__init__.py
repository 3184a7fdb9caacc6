"""Incremental change-data-capture from Salesforce, Harvest and NetSuite into the warehouse (dlt).

One sub-package per system holds its dlt source; the modules here are what every source
shares: configuration, the HTTP client with retries, the landing contract (metadata,
history, quarantine), key reconciliation for systems without tombstones, and the runner.
"""
