"""The process a Dagster run runs in, named by the run's tags (host, pid and the process's
start time, so that a reused pid is not taken for the run's): set when a run's resources start
(`ConcordSettings`), read by the dead-run recovery (`automation/runs.py`)."""

from __future__ import annotations

import socket

import dagster as dg
import psutil

HOST_TAG, PID_TAG, PROCESS_STARTED_TAG = "concord/host", "concord/pid", "concord/process_started"
# Seconds in the tag; the run's process must have started within this of it to be the same one.
SAME_PROCESS_TOLERANCE = 1.0


def process_tags() -> dict[str, str]:
    """The tags by which a run names the process it runs in."""
    me = psutil.Process()
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(me.pid), PROCESS_STARTED_TAG: f"{me.create_time():.3f}"}


def process_alive(run: dg.DagsterRun) -> bool | None:
    """Whether the run's process still runs: None when it cannot be told (the run has not
    recorded its process yet, or runs on another host)."""
    tags = run.tags
    if PID_TAG not in tags or tags.get(HOST_TAG) != socket.gethostname():
        return None
    try:
        started = psutil.Process(int(tags[PID_TAG])).create_time()
    except psutil.NoSuchProcess:
        return False
    return abs(started - float(tags.get(PROCESS_STARTED_TAG, "0"))) < SAME_PROCESS_TOLERANCE
