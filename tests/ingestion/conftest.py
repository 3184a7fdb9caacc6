"""Ingestion tests use the shared `warehouse` and `postgres_dsn` fixtures (tests/conftest.py)."""
