"""Work over slices of a long list in forked worker processes (reading 10,000 files,
writing 10,000 pages): one pattern for every parallel stage.

The work and the list reach the workers by `fork`, not by pickling, so they may hold
anything (the whole `Site`, Jinja environments); only what the work returns for a slice
is pickled back to the parent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import TypeVar

from generator import progress

R = TypeVar("R")
SLICES_PER_WORKER = 4  # uneven slices (big files, long pages) even out

_JOB: tuple[Callable, Sequence] | None = None  # (work, items) for the forked workers


def fork_map(work: Callable[[Sequence], R], items: Sequence, jobs: int, parallel_from: int) -> list[R]:
    """`work(slice)` for consecutive slices of `items`, in order. In this process when
    there is one CPU or fewer than `parallel_from` items (forking costs more than it
    saves), else in `jobs` forked processes. Each finished slice counts as done in the
    current progress stage (`progress.advance`)."""
    global _JOB
    progress.expect(len(items))
    if jobs < 2 or len(items) < parallel_from:
        result = [work(items)]
        progress.advance(len(items))
        return result
    size = -(-len(items) // (jobs * SLICES_PER_WORKER))
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _JOB = (work, items)
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            with progress.DRAWING:  # no worker forked in the middle of a live line's write
                futures = {pool.submit(_run_slice, bound): index for index, bound in enumerate(bounds)}
            results: list = [None] * len(bounds)
            for future in as_completed(futures):  # as slices finish; kept in their order
                index = futures[future]
                results[index] = future.result()
                progress.advance(bounds[index][1] - bounds[index][0])
            return results
    finally:
        _JOB = None


def _run_slice(bounds: tuple[int, int]):
    assert _JOB is not None, "fork_map's work runs in a forked worker only"
    work, items = _JOB
    return work(items[bounds[0] : bounds[1]])
