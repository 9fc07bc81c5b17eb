"""glibc's allocator controls for training on the CPU: keep large freed blocks for reuse, or hand them back."""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 2**20  # glibc's largest allowed value on 64-bit systems
TRIM_THRESHOLD_BYTES = 2**30


def _libc_function(name: str) -> Callable[..., int] | None:
    """The C library's function ``name``, or None where it has none (not glibc, or no C library to open)."""
    try:
        return getattr(ctypes.CDLL(None), name)
    except (AttributeError, OSError, TypeError):
        return None


_MALLOPT = _libc_function("mallopt")
_MALLOC_TRIM = _libc_function("malloc_trim")


def keep_freed_memory() -> bool:
    """Make this process's heap serve blocks up to 32 MiB and keep up to 1 GiB of freed memory (glibc ``mallopt``).

    A training step allocates full-size temporaries ([n_users + n_items, d] tensors, sparse products, [B, B] score
    matrices) and frees them; by default glibc maps each of them afresh from the kernel and unmaps it when freed, so
    every step pays a page fault per 4 KiB written. Kept on the heap, they are reused. The resident set then stays
    at the step's peak until ``release_freed_memory`` hands the free pages back (every trial's ``PeakMemory`` does
    so on entry). Returns whether the settings took effect (False without glibc).
    """
    if _MALLOPT is None:
        return False
    return bool(_MALLOPT(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        _MALLOPT(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )


def release_freed_memory() -> None:
    """Collect garbage and, under glibc, return the heap's free pages to the OS (``malloc_trim(0)``)."""
    gc.collect()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
