"""RQ job functions: each loads what it needs, calls the service layer, and is safe to run twice."""

from __future__ import annotations

import time

# Periodic jobs may run for 300 s (queue.PeriodicJob.timeout); they take no new work after this
# long, and what is left waits for their next run.
PERIODIC_WORK_SECONDS = 200.0


class TimeBudget:
    """How long a periodic job keeps taking work."""

    def __init__(self, seconds: float = PERIODIC_WORK_SECONDS) -> None:
        self.ends = time.monotonic() + seconds

    @property
    def spent(self) -> bool:
        return time.monotonic() >= self.ends
