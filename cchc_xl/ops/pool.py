"""Independent jobs on many files, in a process pool when there are enough of them.

Reading a return and building a unit workbook are pure Python and independent per file, so
two cores do them about twice as fast. Below `POOL_THRESHOLD` files the pool's start-up costs
more than it saves and the jobs run in this process. The shared context (a catalogue, a state)
goes to each worker once: inherited when the platform forks, pickled otherwise; a pool serves
several rounds of jobs (`Jobs`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
POOL_THRESHOLD = 24
_CONTEXT: dict[str, Any] = {}


def _init(context: dict[str, Any]) -> None:
    _CONTEXT.clear()
    _CONTEXT.update(context)


def _call(job: Callable[[T, dict[str, Any]], R], item: T) -> R:
    return job(item, _CONTEXT)


def run_all(job: Callable[[T, dict[str, Any]], R], items: Sequence[T], context: dict[str, Any],
            *, workers: int | None = None, progress: Callable[[T], None] | None = None) -> list[R]:
    """`[job(item, context) for item in items]`, in order; in a pool for many items.

    `job` must be a module-level function (workers import it by name).
    """
    with Jobs(context, len(items), workers=workers) as jobs:
        return jobs.map(job, items, progress=progress)


class Jobs:
    """Rounds of jobs sharing one context: in this process, or in one pool started for the first
    round and kept for the next ones (a merge identifies every file, then reads a few in full).

    Whether to use a pool is decided once, from the size of the first and largest round.
    """

    def __init__(self, context: dict[str, Any], size: int, *, workers: int | None = None) -> None:
        self.context = context
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.pooled = self.workers > 1 and size >= POOL_THRESHOLD
        self._pool: Any = None

    def __enter__(self) -> Jobs:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def map(self, job: Callable[[T, dict[str, Any]], R], items: Sequence[T],
            progress: Callable[[T], None] | None = None) -> list[R]:
        """`[job(item, context) for item in items]`, in order."""
        if not self.pooled or not items:
            results = []
            for item in items:
                if progress:
                    progress(item)
                results.append(job(item, self.context))
            return results
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_init,
                                             initargs=(self.context,))
        results = []
        chunk = max(1, len(items) // (self.workers * 8))
        for item, result in zip(items, self._pool.map(partial(_call, job), items,
                                                      chunksize=chunk)):
            if progress:
                progress(item)
            results.append(result)
        return results
