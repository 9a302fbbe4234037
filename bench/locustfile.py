"""make bench's load where wrk is missing: Locust, headless, as wrk.lua does it.

Each user keeps one connection alive (FastHttpUser) and sends the next request as soon as the
last was answered; the users take the paths in BENCH_PATHS (one per line) in turn, and send
BENCH_ETAG as If-None-Match when set. An answer other than 2xx or 304 counts as a failure,
which stops the bench (bench/run.py reads the failures from Locust's CSV).
"""

import itertools
import os

from locust import FastHttpUser, constant, task

with open(os.environ["BENCH_PATHS"], encoding="utf-8") as listing:
    PATHS = itertools.cycle([line for line in listing.read().splitlines() if line])
HEADERS = {"If-None-Match": os.environ["BENCH_ETAG"]} if os.environ.get("BENCH_ETAG") else {}


class Reader(FastHttpUser):
    wait_time = constant(0)

    @task
    def read(self) -> None:
        # One name for every path: the figures are the case's, not each URL's.
        with self.client.get(next(PATHS), headers=HEADERS, name="case", catch_response=True) as response:
            if not (200 <= response.status_code < 300 or response.status_code == 304):
                response.failure(f"status {response.status_code}")
