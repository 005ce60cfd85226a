"""Python's garbage collector tuned for a server process, the gateway's and the back office's alike.

A full collection walks every tracked object and stalls every request in flight: at the
demo size, ~130,000 objects built at start-up made each one a 72 ms stall in the gateway,
and the back office's full collections (24 ms, one in 16 requests) were the whole cold p99
of the size run (bench/RESULTS.md, issue 11). What start-up built lives as long as the
process, so it is frozen out of the collector's sight; and young collections further apart
promote fewer of a request's short-lived objects, so full ones come rarer still.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["SERVER_GC_THRESHOLD", "tuned_collector"]

#: Net allocations between two young collections in a server (Python's own is 700).
SERVER_GC_THRESHOLD = 2_000


@contextmanager
def tuned_collector(threshold: int = SERVER_GC_THRESHOLD, *, freeze: bool = True) -> Iterator[None]:
    """Serve inside this: what exists now frozen (if `freeze`), young collections `threshold` apart.

    Python's own settings come back on leaving, for a process (a test) that goes on.
    """
    before = gc.get_threshold()
    if freeze:
        gc.freeze()
    gc.set_threshold(threshold, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if freeze:
            gc.unfreeze()
