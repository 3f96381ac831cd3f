"""Fewer runs of Python's cyclic garbage collector while a report is made.

Making a report (importing WeasyPrint, laying out, drawing) allocates millions of objects that
stay alive until the PDF is written, and makes little garbage: the collector, run every 700
allocations, walks the growing heap again and again, ≈10 % of a report's CPU time.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

__all__ = ["RENDER_GC_THRESHOLD", "collect_garbage", "fewer_collections"]

#: Python's default is a collection every 700 allocations
RENDER_GC_THRESHOLD = 100_000
_gc_lock = threading.Lock()
_gc_renders = 0
_gc_default: tuple[int, int, int] = gc.get_threshold()


def collect_garbage() -> None:
    """Collect now, in the calling thread (a report's worker), the cycles a report leaves: laying
    out two years' 自查报告 (95 pages) leaves ≈380,000 objects in reference cycles, and the first
    full collection after it ran in whichever thread next allocated, most often the window's,
    which froze for half a second at the user's next click. Here it is part of the report's own
    wait, behind its progress dialog. Nothing while another report is being made."""
    with _gc_lock:
        if _gc_renders:
            return
    gc.collect()


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """The collector runs 140 times less often while any report is being made, in whichever
    thread, and as before once none is."""
    global _gc_renders, _gc_default
    with _gc_lock:
        if _gc_renders == 0:
            _gc_default = gc.get_threshold()
            gc.set_threshold(RENDER_GC_THRESHOLD, *_gc_default[1:])
        _gc_renders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_renders -= 1
            if _gc_renders == 0:
                gc.set_threshold(*_gc_default)
