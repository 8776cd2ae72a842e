"""Wall and CPU time per import step (read, locate, normalise, validate, plan, scope, write).

The CLI's --json summary and bench/import_bench.py print them; several sheets add up per step.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator


class StepClock:
    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def step(self, key: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[key] = self.wall.get(key, 0.0) + time.perf_counter() - wall
            self.cpu[key] = self.cpu.get(key, 0.0) + time.process_time() - cpu
