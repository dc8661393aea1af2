"""Independent jobs on many files, in a process pool when there are enough of them.

Reading a return and building a unit workbook are pure Python and independent per file, so
two cores do them about twice as fast. Below `POOL_THRESHOLD` files the pool's start-up costs
more than it saves and the jobs run in this process. The shared context (a catalogue, a state)
goes to each worker once: inherited when the platform forks, pickled otherwise.
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
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(items) < POOL_THRESHOLD:
        results = []
        for item in items:
            if progress:
                progress(item)
            results.append(job(item, context))
        return results
    from concurrent.futures import ProcessPoolExecutor

    results = []
    chunk = max(1, len(items) // (workers * 8))
    with ProcessPoolExecutor(max_workers=min(workers, len(items)), initializer=_init,
                             initargs=(context,)) as pool:
        for item, result in zip(items, pool.map(partial(_call, job), items, chunksize=chunk)):
            if progress:
                progress(item)
            results.append(result)
    return results
