"""Reverse-ETL assets: one per sync."""
