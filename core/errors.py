"""The one error type the CLI turns into a one-line message (no traceback)."""


class ConcordError(Exception):
    """A problem the user can fix (wrong option, missing credential, port in use...);
    the message says what to fix."""
