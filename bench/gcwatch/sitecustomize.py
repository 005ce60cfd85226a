"""Imported at start-up by a process with `bench/gcwatch` on its PYTHONPATH: when
`BENCH_GC_LOG` names a file, each garbage collection's generation, pause and objects
collected are appended to it, one line each (`bench.sizes --gc-log`)."""

from __future__ import annotations

import gc
import os
import time
from typing import Any

_path = os.environ.get("BENCH_GC_LOG")
if _path:
    _log = open(_path, "a", buffering=1)  # noqa: SIM115 - open as long as the process
    _started = [0.0]

    def _watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            _started[0] = time.perf_counter()
            return
        pause = (time.perf_counter() - _started[0]) * 1000
        _log.write(f"{time.time():.6f} {info['generation']} {pause:.3f} {info['collected']}\n")

    gc.callbacks.append(_watch)
