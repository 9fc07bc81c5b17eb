"""Peak memory of a block of work: GPU allocator peak on CUDA, sampled resident-set growth on the CPU."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from types import TracebackType

import torch

from mmsearch.errors import MemoryCapError

from .allocator import release_freed_memory

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes() -> int:
    """Current resident set size of this process (0 where /proc is unavailable)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except OSError:
        return 0


class PeakMemory:
    """Context manager measuring the peak memory in MiB a block uses while it is open (``peak_mb`` afterwards).

    On entry freed memory is released (``release_freed_memory``), so that what earlier blocks left to the allocator
    is neither charged to this block nor silently reused by it. On CUDA: ``torch.cuda.max_memory_allocated`` after a
    reset. On the CPU: the growth of the process RSS over its level on entry, sampled every ``interval`` seconds by a
    daemon thread (a peak shorter than the interval can be missed). ``used_mb()`` reads the same measure while the
    block is open.
    """

    def __init__(self, device: torch.device, interval: float = 0.02) -> None:
        self.device = device
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._start_bytes = 0
        self._peak_bytes = 0
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakMemory:
        release_freed_memory()
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(self.device)
        else:
            self._start_bytes = self._peak_bytes = resident_bytes()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self._peak_bytes = max(self._peak_bytes, resident_bytes())

    def used_mb(self) -> float:
        """MiB used by the block so far: the allocator peak on CUDA, the peak RSS growth over the entry level on CPU."""
        if self.device.type == "cuda":
            return torch.cuda.max_memory_allocated(self.device) / 2**20
        return (max(self._peak_bytes, resident_bytes()) - self._start_bytes) / 2**20

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.device.type == "cuda":
            self.peak_mb = torch.cuda.max_memory_allocated(self.device) / 2**20
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak_mb = self.used_mb()


@dataclass(frozen=True)
class MemoryCap:
    """A limit on ``meter.used_mb()``, checked by the trainer while it trains and evaluates.

    Attributes:
        meter: the open ``PeakMemory`` of the trial.
        limit_mb: the most MiB the trial may use.
    """

    meter: PeakMemory
    limit_mb: float

    def check(self, where: str) -> None:
        """Raises ``MemoryCapError`` naming ``where`` (e.g. ``epoch 3, batch 7``) once the limit is passed."""
        used = self.meter.used_mb()
        if used > self.limit_mb:
            raise MemoryCapError(
                f"memory cap exceeded at {where}: used {used:.1f} MiB, allowed {self.limit_mb:g} MiB "
                f"({'allocator peak' if self.meter.device.type == 'cuda' else 'resident-set growth'})"
            )
