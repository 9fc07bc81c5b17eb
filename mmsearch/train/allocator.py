"""glibc's allocator tuned for training on the CPU: large freed blocks are kept for reuse, not handed back."""

from __future__ import annotations

import ctypes
from collections.abc import Callable

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 2**20  # glibc's largest allowed value on 64-bit systems
TRIM_THRESHOLD_BYTES = 2**30


def _load_mallopt() -> Callable[[int, int], int] | None:
    try:
        return ctypes.CDLL(None).mallopt
    except (AttributeError, OSError, TypeError):  # not glibc, or no C library to open
        return None


_MALLOPT = _load_mallopt()


def keep_freed_memory() -> bool:
    """Make this process's heap serve blocks up to 32 MiB and keep up to 1 GiB of freed memory (glibc ``mallopt``).

    A training step allocates full-size temporaries ([n_users + n_items, d] tensors, sparse products, [B, B] score
    matrices) and frees them; by default glibc maps each of them afresh from the kernel and unmaps it when freed, so
    every step pays a page fault per 4 KiB written. Kept on the heap, they are reused. The resident set then stays
    at the step's peak until ``mmsearch.train.memory.release_freed_memory`` hands the free pages back (every trial's
    ``PeakMemory`` does so on entry). Returns whether the settings took effect (False without glibc).
    """
    if _MALLOPT is None:
        return False
    return bool(_MALLOPT(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        _MALLOPT(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )
