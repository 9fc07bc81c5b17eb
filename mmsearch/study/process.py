"""Telling a process apart from a later one that reuses its pid (after it ended, or after a reboot): its start time."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

PROC = Path("/proc")
BOOT_ID = PROC / "sys" / "kernel" / "random" / "boot_id"


def process_start(pid: int) -> str | None:
    """An opaque token of when process ``pid`` started, equal for the same process at every call and different for a
    later process with the same pid; None when no process ``pid`` exists or its start cannot be read.

    On Linux it is the boot id with the start time in clock ticks since boot (``/proc/<pid>/stat`` field 22), exact
    across reboots; elsewhere the start time that ``ps -o lstart=`` prints (to the second).
    """
    if pid <= 0:
        return None
    if PROC.joinpath("self", "stat").exists():
        return _proc_start(pid)
    return _ps_start(pid)


def is_running(pid: int, start: str | None) -> bool:
    """Whether the process ``pid`` that started at ``start`` (``process_start`` of it; None: unknown) still runs.

    A pid now held by a process that started at another time is not running; with ``start`` None the pid alone
    decides.
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    return start is None or process_start(pid) in (start, None)


def _proc_start(pid: int) -> str | None:
    try:
        stat = PROC.joinpath(str(pid), "stat").read_text()
        boot = BOOT_ID.read_text().strip() if BOOT_ID.exists() else ""
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name, in parentheses, may hold spaces
    return f"{boot}:{fields[19]}"  # field 22 of the whole line is the 20th after the name


def _ps_start(pid: int) -> str | None:
    try:
        printed = subprocess.run(["ps", "-o", "lstart=", "-p", str(pid)], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return " ".join(printed.stdout.split()) or None
