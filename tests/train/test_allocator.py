import resource

import numpy as np

from mmsearch.train.allocator import keep_freed_memory

BLOCK = 16 * 2**20  # as large as a [2048, 2048] float32 score matrix


def page_faults_of_writing_a_fresh_block() -> int:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    block = np.empty(BLOCK, dtype=np.uint8)
    block.fill(1)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    del block
    return faults


def test_freed_blocks_are_reused_without_new_pages():
    assert keep_freed_memory()  # glibc accepted both thresholds
    page_faults_of_writing_a_fresh_block()
    again = page_faults_of_writing_a_fresh_block()
    assert again < BLOCK // 4096 // 100, again  # by default glibc maps such a block afresh: about 500 faults here
