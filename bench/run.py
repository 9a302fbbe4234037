"""`make bench`: the programme's reads under load, as a share of what a bare Flask app manages,
and the workers' job throughput, as a share of RQ's empty-job rate.

For each scale in BENCH_SCALES it loads a scratch PostgreSQL database (bench/load.py), serves
the app with gunicorn -w 2 on PostgreSQL and Redis, loads it with wrk -t2 -c16 (Locust where wrk
is missing, bench/locustfile.py) and prints each case's req/s, p50, p99 and ratio to the ceiling
(bench/ceiling.py, same gunicorn, same load tool, same run) beside issue 16's target; then two
workers' jobs per second (bench/jobs.py). The tables go to bench/results/ and README's bench
section. Everything it starts is stopped by its process id, and the scratch database is dropped,
also on failure or Ctrl-C. A case answering anything but 2xx/304 stops the run.
"""

from __future__ import annotations

import contextlib
import csv
import http.client
import itertools
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import redis
import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.jobs import JobResults, measure_jobs  # noqa: E402
from bench.load import PUBLIC_URL, SLUG, Loaded, load  # noqa: E402
from bench.processes import BenchError, children, free_port, peak_rss_mb, started  # noqa: E402
from innovationsweek import migrate  # noqa: E402
from innovationsweek.config import normalise_database_url  # noqa: E402
from innovationsweek.db import create_db_engine  # noqa: E402

SERVER = normalise_database_url(os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
# A Redis database of the bench's own (this one, or the first free one below it): emptied before
# and after each scale.
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
# The key by which test runs claim a Redis database (tests/conftest.py): the bench claims its own
# the same way, so that no test run takes it and the bench never empties one a test run holds.
CLAIM_KEY = "iw-test-run"
CLAIM_SECONDS = 3600
SCALES = [int(s) for s in os.environ.get("BENCH_SCALES", "1000 10000 100000").split()]
SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))
WRK_THREADS = 2
WRK = ["wrk", f"-t{WRK_THREADS}", "-c16", f"-d{SECONDS}s", "--timeout", "10s", "-s", str(HERE / "wrk.lua")]
# Spawned all at once (-r 16), so that the whole run is at full load, as wrk's is.
LOCUST = [
    str(Path(sys.executable).parent / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "-u", "16", "-r", "16",
    "-t", f"{SECONDS}s", "--stop-timeout", "10", "--only-summary", "--loglevel", "WARNING",
]
# wrk when it is on PATH, else Locust (make bench installs it then); BENCH_LOADER=wrk|locust chooses.
LOADER = os.environ.get("BENCH_LOADER") or ("wrk" if shutil.which("wrk") else "locust")
# How many jobs of each kind the job throughput is measured with (0: not measured).
JOBS = int(os.environ.get("BENCH_JOBS", "100"))
ICS_LIMIT = 10.0
FORMATS = ["lecture", "workshop", "webcast", "exhibition", "dialogue_meeting", "study_visit"]
API = f"/api/v1/editions/{SLUG}"
# Issue 16's targets: ratio to the ceiling at 100,000 activities.
TARGETS = {
    "programme, first page": 0.6, "one activity": 0.6, "statistics": 0.6,
    "filtered (format + language)": 0.4, "themed": 0.4, "searched (q)": 0.4, "deep cursor (page 21)": 0.4,
    "feed, middle page": 0.4, "304 revalidation": 0.85,
    "a different search each request": 0.05, "a different filter each request": 0.1,
}
# Issue 16's target for jobs: ratio to RQ's empty-job rate with the same workers.
JOB_TARGETS = {"checks (no links to check)": 0.3}


@dataclass
class Figure:
    case: str
    rps: float
    p50_ms: float
    p99_ms: float
    ratio: float | None = None

    def row(self) -> str:
        target = TARGETS.get(self.case)
        verdict = "" if target is None or self.ratio is None else f">= {target} {'met' if self.ratio >= target else 'not met'}"
        ratio = "" if self.ratio is None else f"{self.ratio:.3f}"
        return f"| {self.case} | {self.rps:,.0f} | {self.p50_ms:.1f} | {self.p99_ms:.1f} | {ratio} | {verdict} |"


def main() -> None:
    if LOADER not in LOADERS or (LOADER == "wrk" and shutil.which("wrk") is None):
        raise BenchError(f"no load tool {LOADER!r}: BENCH_LOADER is wrk (on PATH) or locust (pip install -e '.[bench]')")
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    tables = []
    began = time.perf_counter()
    for scale in SCALES:
        with own_redis_database() as store:
            table = measure_scale(scale, store)
        print(table, flush=True)
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        (results / f"{stamp}-{scale}.md").write_text(table + "\n", encoding="utf-8")
        tables.append(table)
    minutes, seconds = divmod(round(time.perf_counter() - began), 60)
    took = f"The whole run ({', '.join(f'{n:,}' for n in SCALES)} activities) took {minutes} min {seconds} s."
    print(took, flush=True)
    update_readme(HERE.parent / "README.md", "\n\n".join([*tables, took]))


def measure_scale(scale: int, store: RedisDatabase) -> str:
    with scratch_database() as url:
        engine = create_db_engine(url)
        migrate.upgrade(engine)
        began = time.perf_counter()
        loaded = load(engine, scale)
        load_seconds = time.perf_counter() - began
        engine.dispose()
        print(f"loaded {scale} published activities in {load_seconds:.1f} s", flush=True)
        store.flush()
        try:
            with gunicorn("wsgi:app", app_env(url, store.url)) as (port, master):
                first = fetch(port, f"{API}/programme")
                # Before the cases: a case that overruns (the ICS) may leave work behind in
                # PostgreSQL or a worker that would slow the ceiling down.
                with gunicorn("bench.ceiling:app", {"BENCH_CEILING_BYTES": str(len(first.body))}) as (bare, _):
                    ceiling = load_case(bare, "ceiling (bare Flask, same bytes)", ["/"])
                figures, extras = run_cases(port, loaded, first)
                extras.append(f"peak RSS of the gunicorn workers: {', '.join(f'{m} MB' for m in worker_peak_rss_mb(master))}")
            store.flush()
            jobs = measure_jobs(url, store.url, JOBS) if JOBS else None
        finally:
            store.flush()
    for figure in figures:
        figure.ratio = figure.rps / ceiling.rps
    table = render_table(scale, load_seconds, ceiling, figures, extras)
    return table if jobs is None else f"{table}\n\n{render_jobs(jobs)}"


def render_table(scale: int, load_seconds: float, ceiling: Figure, figures: list[Figure], extras: list[str]) -> str:
    lines = [
        f"### {scale:,} activities ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, loaded in {load_seconds:.1f} s)",
        "",
        f"gunicorn -w 2, {LOADERS[LOADER].described} on loopback, PostgreSQL + Redis. Targets are issue 16's, for 100,000.",
        "",
        "| read | req/s | p50 ms | p99 ms | ratio to ceiling | target |",
        "|---|---|---|---|---|---|",
        ceiling.row(),
        *(f.row() for f in figures),
        "",
        *(f"- {e}" for e in extras),
    ]
    return "\n".join(lines)


def render_jobs(jobs: JobResults) -> str:
    empty = jobs.empty
    rows = [f"| {empty.kind} | {empty.rate:,.1f} | {empty.seconds:.2f} | | | |"]
    for kind in jobs.kinds:
        ratio = kind.rate / empty.rate
        target = JOB_TARGETS.get(kind.kind)
        verdict = "" if target is None else f">= {target} {'met' if ratio >= target else 'not met'}"
        rows.append(f"| {kind.kind} | {kind.rate:,.1f} | {kind.seconds:.2f} | {kind.relayed_after or 0:.2f} | {ratio:.3f} | {verdict} |")
    return "\n".join([
        f"Jobs: 2 `innovationsweek worker` processes, {empty.count} jobs of each kind handed over at once (the product's "
        "through its outbox, in one commit), timed from the hand-over to the end of the last.",
        "",
        "| jobs | jobs/s | seconds | all relayed to RQ after s | ratio to empty RQ jobs | target |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        f"- peak RSS of the worker processes: {', '.join(f'{m} MB' for m in jobs.worker_peak_mb)}; "
        f"of a work horse (RQ forks one per job; sampled): {jobs.horse_peak_mb} MB",
    ])


# --- the cases -------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def run_cases(port: int, loaded: Loaded, first: Answer) -> tuple[list[Figure], list[str]]:
    words = loaded.words
    ids = loaded.activity_ids
    middle = loaded.count // 2
    cases: list[tuple[str, list[str], str]] = [
        ("programme, first page", [f"{API}/programme"], ""),
        ("filtered (format + language)", [f"{API}/programme?format=workshop&language=sv"], ""),
        ("themed", [f"{API}/programme?theme=digital"], ""),
        ("searched (q)", [f"{API}/programme?q={words[0]}"], ""),
        ("deep cursor (page 21)", [deep_cursor_path(port, pages=20)], ""),
        ("a different search each request", varied_searches(words), ""),
        ("a different filter each request", varied_filters(), ""),
        ("304 revalidation", [f"{API}/programme"], first.headers["etag"]),
        ("one activity", [f"/api/v1/programme/activities/{ids[len(ids) // 3]}"], ""),
        ("feed, middle page", [f"{API}/feed?afterChangeNumber={middle}"], ""),
        ("statistics", [f"{API}/statistics"], ""),
    ]
    figures = [load_case(port, name, paths, etag) for name, paths, etag in cases]
    return figures, [ics_timing(port)]


# Thousands of each, so that no request of a run repeats another's query: neither its answer
# nor its count (kept per filters, whatever the page size) can come from memory. Shuffled (the
# same way every run), as the queries of many people come: broad and narrow mixed.
def varied_searches(words: list[str]) -> list[str]:
    """Each word alone, then with each format and each language, at varying page sizes."""
    narrowing = ["", *(f"&format={f}" for f in FORMATS), *(f"&language={code}" for code in _languages())]
    return _shuffled([f"{API}/programme?q={word}{extra}&limit={10 + (i * 7) % 41}" for i, (extra, word) in enumerate(itertools.product(narrowing, words))])


def varied_filters() -> list[str]:
    """Every combination of a format with a place (a region, or a municipality in it), a
    language and a theme (or none of each), at varying page sizes."""
    from bench.load import PLACES, THEMES  # the loader's own values, so pages are not empty

    places = [[], *([f"region={region}"] + [f"municipality={m}"] * (m is not None) for region, towns, _ in PLACES for m in [None, *towns])]
    languages = [[], *([f"language={code}"] for code in _languages())]
    themes = [[], *([f"theme={theme}"] for theme in THEMES)]
    combinations = itertools.product(themes, languages, places, FORMATS)
    return _shuffled([
        f"{API}/programme?" + "&".join([f"format={format_}", f"limit={10 + (i * 7) % 41}", *place, *language, *theme])
        for i, (theme, language, place, format_) in enumerate(combinations)
    ])


def _shuffled(paths: list[str]) -> list[str]:
    return random.Random(2019).sample(paths, len(paths))


def _languages() -> list[str]:
    from bench.load import LANGUAGES

    return sorted({code for codes in LANGUAGES for code in codes})


def deep_cursor_path(port: int, pages: int) -> str:
    path = f"{API}/programme"
    for _ in range(pages):
        cursor = json.loads(fetch(port, path).body)["next_cursor"]
        if not cursor:
            break
        path = f"{API}/programme?cursor={cursor}"
    return path


def load_case(port: int, name: str, paths: list[str], etag: str = "") -> Figure:
    """req/s and latencies of one case; first checks each distinct path answers 2xx (or 304)."""
    for path in paths[:5]:
        fetch(port, path, etag)
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as listing:
        listing.write("\n".join(quote_path(p) for p in paths) + "\n")
    try:
        env = {**os.environ, "BENCH_PATHS": listing.name, "BENCH_ETAG": etag}
        measured = LOADERS[LOADER].run(f"http://127.0.0.1:{port}", env)
    finally:
        os.unlink(listing.name)
    if measured.failures:
        raise BenchError(f"{name}: {measured.failures}")
    figure = Figure(name, measured.rps, measured.p50_ms, measured.p99_ms)
    print(f"  {name}: {figure.rps:,.0f} req/s, p50 {figure.p50_ms:.1f} ms", flush=True)
    return figure


@dataclass(frozen=True)
class Measured:
    rps: float
    p50_ms: float
    p99_ms: float
    failures: str  # empty when every answer was 2xx or 304


def run_wrk(url: str, env: dict[str, str]) -> Measured:
    with started([*WRK, url], env={**env, "BENCH_THREADS": str(WRK_THREADS)}, stdout=subprocess.PIPE, text=True) as process:
        out, _ = process.communicate(timeout=SECONDS + 60)
    result = json.loads(out.strip().splitlines()[-1])
    failures = f"{result['bad_status']} answers were not 2xx/3xx ({result})" if result["bad_status"] or result["connect_errors"] else ""
    return Measured(result["requests"] / (result["duration_us"] / 1e6), result["p50_us"] / 1000, result["p99_us"] / 1000, failures)


def run_locust(url: str, env: dict[str, str]) -> Measured:
    """Locust's own figures for the whole case (its CSV's "Aggregated" row). It rounds response
    times above 100 ms to two significant digits."""
    with tempfile.TemporaryDirectory(prefix="iw-bench-locust-") as folder:
        command = [*LOCUST, "--host", url, "--csv", f"{folder}/case"]
        with started(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as process:
            _, err = process.communicate(timeout=SECONDS + 60)
        try:
            with open(f"{folder}/case_stats.csv", encoding="utf-8") as stats:
                row = next(r for r in csv.DictReader(stats) if r["Name"] == "Aggregated")
        except (OSError, StopIteration):
            raise BenchError(f"Locust wrote no figures (exit {process.returncode}): {err[-1000:]}") from None
    failed = int(row["Failure Count"])
    failures = f"{failed} of {row['Request Count']} answers were not 2xx/304" if failed or not int(row["Request Count"]) else ""
    return Measured(float(row["Requests/s"]), float(row["50%"]), float(row["99%"]), failures)


@dataclass(frozen=True)
class Loader:
    described: str
    run: Callable[[str, dict[str, str]], Measured]


LOADERS = {
    "wrk": Loader(f"wrk -t2 -c16 -d{SECONDS}s", run_wrk),
    "locust": Loader(f"Locust (16 users, FastHttpUser, one process) for {SECONDS} s", run_locust),
}


def quote_path(path: str) -> str:
    return quote(path, safe="/?&=%:-_.~")


def fetch(port: int, path: str, etag: str = "", timeout: float = 30) -> Answer:
    """One request; a status other than 2xx or 304 stops the bench (it would measure errors)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", quote_path(path), headers={"If-None-Match": etag} if etag else {})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if not (200 <= response.status < 300 or response.status == 304) or (etag and response.status != 304):
        raise BenchError(f"GET {path} answered {response.status}: {body[:300]!r}")
    return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


def ics_timing(port: int) -> str:
    """Time to first and last byte of the whole programme's calendar, bounded by ICS_LIMIT."""
    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=ICS_LIMIT)
    try:
        connection.request("GET", f"{API}/programme.ics")
        response = connection.getresponse()
        size = len(response.read(1))
        first = time.perf_counter() - began
        while chunk := response.read(1 << 16):
            size += len(chunk)
            if time.perf_counter() - began > ICS_LIMIT:  # the socket's timeout bounds one read, not all
                return f"programme.ics: first byte {first:.2f} s, {size / 1e6:.1f} MB after {ICS_LIMIT:.0f} s, not complete (target: within 10 s)"
        last = time.perf_counter() - began
    except (TimeoutError, socket.timeout):
        return f"programme.ics: not complete within {ICS_LIMIT:.0f} s (target: within 10 s)"
    except http.client.IncompleteRead as broken:
        return f"programme.ics: broken off after {len(broken.partial) / 1e6:.1f} MB (the server stopped; target: within 10 s)"
    finally:
        connection.close()
    verdict = "met" if last <= ICS_LIMIT and response.status == 200 else "not met"
    return f"programme.ics: status {response.status}, first byte {first:.2f} s, last byte {last:.2f} s, {size / 1e6:.1f} MB (within 10 s: {verdict})"


# --- processes and databases -----------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str]) -> Iterator[tuple[int, int]]:
    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", app]
    with started(command, env={**os.environ, **env}, cwd=HERE.parent) as process:
        wait_for_port(port, process)
        yield port, process.pid


def app_env(url: str, redis_url: str) -> dict[str, str]:
    return {"DATABASE_URL": url, "REDIS_URL": redis_url, "IW_SECRET_KEY": secrets.token_urlsafe(32), "IW_PUBLIC_URL": PUBLIC_URL}


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn stopped with {process.returncode} before serving")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not listen on {port} within {seconds} s")


def worker_peak_rss_mb(master: int) -> list[int]:
    """VmHWM of each gunicorn worker (the master's children)."""
    return sorted(peak for peak in map(peak_rss_mb, children(master)) if peak is not None)


@dataclass(frozen=True)
class RedisDatabase:
    url: str
    claim: str

    def flush(self) -> None:
        """Empty it, keeping the claim."""
        with redis.Redis.from_url(self.url) as connection:
            connection.flushdb()
            connection.set(CLAIM_KEY, self.claim, ex=CLAIM_SECONDS)


@contextlib.contextmanager
def own_redis_database() -> Iterator[RedisDatabase]:
    """REDIS's database or the first one below it that nobody claimed, claimed until the block
    ends, and emptied then."""
    parts = urlsplit(REDIS)
    claim = f"iw-bench-{uuid.uuid4().hex}"
    for number in range(int(parts.path.lstrip("/") or 12), 0, -1):
        url = urlunsplit(parts._replace(path=f"/{number}"))
        with redis.Redis.from_url(url) as connection:
            if connection.set(CLAIM_KEY, claim, nx=True, ex=CLAIM_SECONDS):
                break
    else:
        raise BenchError(f"every Redis database from {REDIS} down is claimed by a test run")
    try:
        yield RedisDatabase(url, claim)
    finally:
        with redis.Redis.from_url(url) as connection:
            if connection.get(CLAIM_KEY) == claim.encode():
                connection.flushdb()


@contextlib.contextmanager
def scratch_database() -> Iterator[str]:
    name = f"iw_bench_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


def update_readme(readme: Path, table: str) -> None:
    """Replace the README's section between the bench markers with the latest table."""
    text = readme.read_text(encoding="utf-8")
    marked = re.compile(r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)", re.S)
    if not marked.search(text):
        print("README has no <!-- bench:start --> / <!-- bench:end --> section; not updated", file=sys.stderr)
        return
    readme.write_text(marked.sub(lambda m: m.group(1) + table + "\n" + m.group(2), text), encoding="utf-8")


def interrupted(*_: object) -> None:
    """SIGTERM unwinds like Ctrl-C, through the finally blocks that stop and drop everything."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, interrupted)
    main()
