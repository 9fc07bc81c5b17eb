"""Worker processes on one machine: start them (spawn), wait for them, forward Ctrl-C, report the ones that die."""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as EventType
from typing import TextIO


def run_processes(target: Callable[..., None], jobs: Sequence[tuple[object, ...]]) -> list[int]:
    """Run ``target(*job)`` in one spawned process per job, each in its own process group, and wait for all.

    Ctrl-C reaches only this process (the workers have their own process group), which forwards it once to every
    worker as SIGINT, waits for them to record their running trials, and re-raises ``KeyboardInterrupt``; a worker
    still starting then exits without running anything. A worker killed by a signal is reported on stderr when it
    dies; the others go on.

    Returns:
        The exit code of each job's process, in job order (negative: killed by that signal).
    """
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    pipes = [context.Pipe(duplex=False) for _ in jobs]
    processes = [
        context.Process(target=_worker_main, args=(target, reader, stop), name=f"mmsearch-worker-{index}")
        for index, (reader, _) in enumerate(pipes)
    ]
    with _sigint_ignored():  # inherited: a worker ignores SIGINT until it is ready
        for process in processes:
            process.start()  # quick: the job (the dataset, possibly large) follows through the pipe
    try:
        for (reader, writer), job in zip(pipes, jobs):
            reader.close()
            with contextlib.suppress(BrokenPipeError), writer:
                writer.send(job)
        _wait(processes)
    except KeyboardInterrupt:
        stop.set()
        for _, writer in pipes:
            writer.close()
        for process in processes:
            if process.exitcode is None:
                _interrupt(process.pid)
        for process in processes:
            process.join()
        raise
    return [int(process.exitcode) for process in processes]


class PrefixedStream:
    """A text stream that writes each line to ``stream`` behind ``prefix`` (never a terminal, so progress prints
    whole lines)."""

    def __init__(self, stream: TextIO, prefix: str) -> None:
        self.stream = stream
        self.prefix = prefix
        self._line_start = True

    def write(self, text: str) -> int:
        for piece in text.splitlines(keepends=True):
            self.stream.write((self.prefix if self._line_start else "") + piece)
            self._line_start = piece.endswith("\n")
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT in the block (only the main thread handles signals; elsewhere this does nothing)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    default = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, default)


def _worker_main(target: Callable[..., None], reader: Connection, stop: EventType) -> None:
    """Leave the parent's process group, take SIGINT again, receive the job and run it unless a stop came first."""
    os.setpgrp()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        job = reader.recv()
    except (EOFError, KeyboardInterrupt):
        return
    finally:
        reader.close()
    if not stop.is_set():
        target(*job)


def _wait(processes: list[multiprocessing.process.BaseProcess]) -> None:
    """Join the processes as they end (a dead worker is reaped at once, so the others see its pid gone)."""
    pending = {process.sentinel: (index, process) for index, process in enumerate(processes)}
    while pending:
        for sentinel in multiprocessing.connection.wait(list(pending)):
            index, process = pending.pop(sentinel)
            process.join()
            if process.exitcode is not None and process.exitcode < 0:
                name = signal.Signals(-process.exitcode).name
                print(
                    f"mmsearch: worker {index} (pid {process.pid}) was killed by {name}; the other workers fail "
                    "and retry its running trial",
                    file=sys.stderr,
                )


def _interrupt(pid: int | None) -> None:
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        pass
