"""The transform tests use the demo firm landed and built once per session (tests/conftest.py)."""
