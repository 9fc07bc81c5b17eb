import time

import pytest
import torch

from mmsearch.train.memory import PeakMemory, resident_bytes

CPU = torch.device("cpu")
CHUNK = 2**14  # 64 KiB of float32: below glibc's mmap threshold, so freed chunks stay in the heap unless trimmed

pytestmark = pytest.mark.skipif(resident_bytes() == 0, reason="needs /proc/self/statm")


def hold(mib: int) -> list[torch.Tensor]:
    """``mib`` MiB of touched memory in 64 KiB tensors, held long enough for the sampler to see it."""
    chunks = [torch.ones(CHUNK) for _ in range(16 * mib)]
    time.sleep(0.1)
    return chunks


def test_a_block_is_charged_its_own_growth_not_what_earlier_blocks_used():
    with PeakMemory(CPU) as big:
        chunks = hold(300)
        leftover = chunks[::64]  # a few chunks outlive the block and fragment the heap, as a cache would
        del chunks
    with PeakMemory(CPU) as small:
        tensor = torch.ones(2**18)  # 1 MiB
        time.sleep(0.1)
    process_mb = resident_bytes() / 2**20
    assert big.peak_mb >= 250
    assert small.peak_mb < 0.1 * big.peak_mb and small.peak_mb < 0.1 * process_mb
    with PeakMemory(CPU) as again:
        chunks = hold(200)
        assert again.used_mb() >= 150
    assert again.peak_mb >= 150  # memory the first block freed was returned, not silently reused
    assert again.peak_mb == pytest.approx(again.used_mb())
    del chunks, leftover, tensor
