"""Harvest v2 (PSA) into `raw_harvest`: clients, projects, tasks, users, task and user
assignments, expense categories, time entries and expenses (see `source.py`)."""

from ingestion.harvest.source import source

__all__ = ["source"]
