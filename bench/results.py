"""Where the benchmarks' figures go: `bench/RESULTS.md`, one section per benchmark, replaced
each time that benchmark runs, with the date and the command line. Prose elsewhere points
here instead of quoting figures that go stale."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = (
    "# Benchmark results\n\n"
    "Written by the scripts in this folder (each replaces its own section when it runs); the\n"
    "figures are whole-process timings on the machine each section names. Compare figures within\n"
    "one section: they were measured in the same run.\n"
)


class _Tee(io.TextIOBase):
    def __init__(self, *streams: io.TextIOBase) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


@contextlib.contextmanager
def recorded(name: str) -> Iterator[io.StringIO]:
    """Prints as usual, and on success writes what was printed as the section `name`; yields
    what has been printed so far (a long benchmark may record its progress with it)."""
    captured = io.StringIO()
    with contextlib.redirect_stdout(_Tee(sys.stdout, captured)):  # type: ignore[type-var]
        yield captured
    write_section(name, captured.getvalue())


def write_section(name: str, output: str) -> None:
    command = " ".join(["python", *(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv))])
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = f"## {name}\n\n`{command}`, {stamp}\n\n```\n{output.strip()}\n```\n"
    text = RESULTS.read_text() if RESULTS.exists() else HEADER
    pattern = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    RESULTS.write_text(text.rstrip() + "\n")
