"""The error types the CLI turns into a one-line message (no traceback)."""


class ConcordError(Exception):
    """A problem the user can fix (wrong option, missing credential, port in use...);
    the message says what to fix."""


class WarehouseBusy(ConcordError):
    """The embedded (DuckDB) warehouse is open for writing in another process, typically a run
    of the loop: DuckDB admits one process at a time."""
