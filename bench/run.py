"""Benchmark the app as deployed: gunicorn, production settings, a heavy and a small user.

    .venv/bin/python bench/run.py                 # SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/trustrepair_bench .venv/bin/python bench/run.py
                                                  # ... and a second pass on that database

Every page is measured next to a floor view (the base template behind the same middleware,
logged in) in the same run, so the ratios hold on any machine. See bench/README.md for what
each figure means and docs/benchmarks.md for the latest results.
"""

import argparse
import http.client
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from journal import scoring  # noqa: E402  (pure: no Django needed)

HOST = "127.0.0.1"
USERS = {"heavy": "heavy@bench.invalid", "small": "small@bench.invalid"}
WRK_MISSING = (
    "wrk is not installed, so throughput is measured with a Python thread pool, which "
    "saturates sooner. For the figures in docs/benchmarks.md: apt-get install -y wrk (as root)."
)
TARGET_RATIO = 2.0
TARGET_THROUGHPUT = 0.5
MAX_QUERIES = 12
TIMELINE_SHARE = 0.1
TIMELINE_EVENTS = 2000
# Untimed requests first, enough to reach both gunicorn workers, whose caches are their own.
WARM_UP = 20


@dataclass
class Page:
    name: str
    path: str
    post: dict | None = None  # a write: the form fields
    undo: str | None = None  # for a write: the request that puts it back, run between timings
    target: bool = False  # held to the ratio and throughput targets
    # For a page seen right after a change: a click and its undo, made untimed before each
    # timed request, as the journal page makes them (its own data changed, nothing of it
    # rendered by them). Measured sequentially only.
    after_change: tuple[str, str] | None = None


FLOOR = Page("floor", "/bench/floor/")


@dataclass
class Result:
    """One page for one user: its timings and, interleaved with them, the floor's."""

    page: Page
    times: list = field(default_factory=list)  # server times (X-Server-Time)
    floor_times: list = field(default_factory=list)
    client_times: list = field(default_factory=list)  # the same requests, from the client
    floor_client_times: list = field(default_factory=list)
    floor_queries: list = field(default_factory=list)
    floor_size: int = 0
    queries: list = field(default_factory=list)
    size: int = 0
    throughputs: list = field(default_factory=list)  # req/s, one per round
    floor_throughputs: list = field(default_factory=list)  # the floor's, in the same rounds

    @property
    def throughput(self):
        return statistics.median(self.throughputs)

    @property
    def throughput_share(self):
        """The median of the rounds' shares: each round's page against the floor measured
        just before it, so that the machine's speed, which drifts from minute to minute
        here, is the same for both."""
        pairs = zip(self.throughputs, self.floor_throughputs, strict=True)
        return statistics.median(page / floor for page, floor in pairs)

    @property
    def median(self):
        return statistics.median(self.times)

    @property
    def p95(self):
        return statistics.quantiles(self.times, n=20)[-1]

    @property
    def client_median(self):
        return statistics.median(self.client_times)

    @property
    def usual_queries(self):
        """The count of most requests: the cached track record, where the page has one."""
        return statistics.mode(self.queries)


class Session:
    """A logged-in browser, reduced to its cookies; one new connection per request
    (gunicorn's sync workers close every connection)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, fields=None, htmx=False):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        if htmx:
            headers["HX-Request"] = "true"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for morsel in SimpleCookie(header).values():
                self.cookies[morsel.key] = morsel.value
        return response, content

    def log_in(self, email, password):
        _response, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        fields = {"login": email, "password": password, "csrfmiddlewaretoken": token}
        response, _content = self.request("POST", "/accounts/login/", fields)
        if response.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"Could not log in as {email} (HTTP {response.status}).")

    def cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def app_env(database_url, workdir):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_STATIC_ROOT": str(workdir / "static"),
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "BENCH": "1",
        "BENCH_QUERY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


DESCRIBE = """
import json
from django.contrib.auth import get_user_model
from django.db.models import Count
from guides.models import Lesson
from journal.models import Status
lesson = Lesson.objects.select_related("guide").order_by("guide__position", "position")[4]
out = {"lesson": f"/guides/{lesson.guide.slug}/{lesson.slug}/"}
for key, email in %r.items():
    user = get_user_model().objects.get(email=email)
    relationship = user.relationships.annotate(n=Count("promises")).order_by("-n").first()
    open_ids = list(relationship.promises.filter(status=Status.OPEN).values_list("pk", flat=True))
    out[key] = {"relationship": relationship.pk, "open": open_ids}
print(json.dumps(out))
"""


def prepare(env, passwords):
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    manage(env, "loaddata", *sorted(str(p) for p in (ROOT / "fixtures").glob("*.json")), "-v0")
    for key, email in USERS.items():
        manage(
            env,
            "seed_demo",
            "--scale",
            key,
            "--email",
            email,
            f"--password={passwords[key]}",
            "-v0",
        )
    described = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", DESCRIBE % USERS],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(described.stdout)


def start_server(env, port):
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "bench.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn exited at start; see its output above.") from None
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start listening within 30 s.")


def pages_for(described, key, clients):
    info = described[key]
    if len(info["open"]) < clients:
        raise SystemExit(f"The {key} user has fewer open promises than --clients.")
    dashboard = f"/dashboard/{info['relationship']}/"
    journal = f"/journal/relationships/{info['relationship']}/"
    promise = info["open"][0]
    status = f"/journal/promises/{promise}/status/"
    undo = f"/journal/promises/{promise}/undo/"
    return [
        *(
            Page(f"dashboard {label}", f"{dashboard}?range={key}", target=True)
            for key, label in (("30", "30 d"), ("90", "90 d"), ("365", "1 y"), ("all", "all"))
        ),
        Page(
            "mark kept (htmx)",
            f"/journal/promises/{promise}/status/",
            post={"from": "dashboard", "range": "30", "status": "kept"},
            undo=undo,
            target=True,
        ),
        # The same click with the whole timeline on the page (untargeted: the click is
        # on the dashboard as it opens, 30 days).
        Page(
            "mark kept, all (htmx)",
            f"/journal/promises/{promise}/status/",
            post={"from": "dashboard", "range": "all", "status": "kept"},
            undo=undo,
        ),
        # A page's first view after its data changed (untargeted: the cached pages above are
        # what the sequential requests see): a Kept and its Undo, made from the journal
        # page, before each request.
        Page("dashboard after a change", f"{dashboard}?range=30", after_change=(status, undo)),
        Page("journal list", "/journal/"),
        Page("relationship", journal),
        Page("relationship after a change", journal, after_change=(status, undo)),
        Page("lesson", described["lesson"]),
        Page("guides list", "/guides/"),
        Page("settings", "/journal/settings/"),
    ]


def fetch(session, page):
    """The page's request: a GET, or its write as the page's button makes it (HTMX)."""
    if page.post is None:
        return session.request("GET", page.path)
    return session.request("POST", page.path, page.post, htmx=True)


def untimed(session, page, path, fields):
    """A write made between timings (HTMX, as the page's buttons make it)."""
    response, _content = session.request("POST", path, fields, htmx=True)
    if response.status != 200:
        raise SystemExit(f"{page.name}: HTTP {response.status} for {path}")


def timed(session, page):
    """One request: its server time and the client's (seconds), queries, bytes. A write is
    put back afterwards, untimed; a page after a change has its change made first."""
    if page.after_change:
        status, undo = page.after_change
        untimed(session, page, status, {"status": "kept"})
        untimed(session, page, undo, {})
    started = time.perf_counter()
    response, content = fetch(session, page)
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise SystemExit(f"{page.name}: HTTP {response.status} for {page.path}")
    server = float(response.headers["X-Server-Time"])
    if page.undo:
        untimed(session, page, page.undo, {"from": "dashboard", "range": page.post["range"]})
    queries = int(response.headers.get("X-Query-Count", "-1"))
    return server, elapsed, queries, len(content)


def measure_latency(session, page, requests):
    """Sequential requests, each after a floor request, so both see the same machine."""
    result = Result(page)
    for _warm_up in range(WARM_UP):
        timed(session, FLOOR)
        timed(session, page)
    for _ in range(requests):
        server, client, queries, result.floor_size = timed(session, FLOOR)
        result.floor_times.append(server)
        result.floor_client_times.append(client)
        result.floor_queries.append(queries)
        server, client, queries, result.size = timed(session, page)
        result.times.append(server)
        result.client_times.append(client)
        result.queries.append(queries)
    return result


WRK_SCRIPT = """
local ids = {%(ids)s}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("promise", ids[next_id])
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["HX-Request"] = "true"
wrk.headers["X-CSRFToken"] = "%(token)s"
local kept = false
function request()
  kept = not kept
  if kept then
    return wrk.format(nil, "/journal/promises/" .. promise .. "/status/", nil,
                      "from=dashboard&range=%(range)s&status=kept")
  end
  return wrk.format(nil, "/journal/promises/" .. promise .. "/undo/", nil,
                    "from=dashboard&range=%(range)s")
end
"""


def throughput_wrk(session, page, port, clients, seconds, open_ids, workdir):
    """Requests per second with `clients` connections, each its own wrk thread, so a
    write's kept / undo alternate in order on that client's own promise."""
    command = ["wrk", f"-t{clients}", f"-c{clients}", f"-d{seconds}s"]
    command += ["-H", f"Cookie: {session.cookie_header()}"]
    if page.post is not None:
        script = workdir / "write.lua"
        ids = ", ".join(str(pk) for pk in open_ids[:clients])
        token, range_key = session.cookies["csrftoken"], page.post["range"]
        script.write_text(WRK_SCRIPT % {"ids": ids, "token": token, "range": range_key})
        command += ["-s", str(script)]
    command.append(f"http://{HOST}:{port}{page.path}")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise SystemExit(f"{page.name}: wrk saw errors:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def throughput_threads(session, page, port, clients, seconds, open_ids, workdir):
    """The same as throughput_wrk with a Python thread per client."""
    deadline = time.monotonic() + seconds
    done = [0] * clients

    def client(index):
        promise = open_ids[index]
        kept = False
        while time.monotonic() < deadline:
            if page.post is None:
                response, _content = fetch(session, page)
            else:
                kept = not kept
                action = "status" if kept else "undo"
                fields = {"from": "dashboard", "range": page.post["range"]}
                fields.update({"status": "kept"} if kept else {})
                path = f"/journal/promises/{promise}/{action}/"
                response, _content = session.request("POST", path, fields, htmx=True)
            if response.status != 200:
                raise SystemExit(f"{page.name}: HTTP {response.status}")
            done[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def create_postgres_database(database_url):
    """Create the PostgreSQL database of DATABASE_URL if it does not exist yet (through the
    server's `postgres` database, as the same user)."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    settings = dj_database_url.parse(database_url)
    if settings["ENGINE"] != "django.db.backends.postgresql":
        return
    server = {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
        name = settings["NAME"]
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"   created the database {name}", flush=True)


def run_pass(label, database_url, args, workdir):
    print(f"\n== {label}: preparing (migrate, collectstatic, lessons, demo users) ...", flush=True)
    create_postgres_database(database_url)
    env = app_env(database_url, workdir)
    passwords = {key: secrets.token_urlsafe(12) for key in USERS}
    described = prepare(env, passwords)
    port = free_port()
    server = start_server(env, port)
    measure_throughput = throughput_wrk if shutil.which("wrk") else throughput_threads

    def throughput(session, page, key):
        open_ids = described[key]["open"]
        return measure_throughput(
            session, page, port, args.clients, args.duration, open_ids, workdir
        )

    results = {}
    try:
        for key, email in USERS.items():
            session = Session(port)
            session.log_in(email, passwords[key])
            for page in pages_for(described, key, args.clients):
                print(f"   {key:5} {page.name:28}", end=" ", flush=True)
                result = measure_latency(session, page, args.requests)
                if key == "heavy" and not page.after_change:
                    for _round in range(args.rounds):
                        result.floor_throughputs.append(throughput(session, FLOOR, key))
                        result.throughputs.append(throughput(session, page, key))
                print(f"{result.median * 1000:6.1f} ms", flush=True)
                results[key, page.name] = result
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def timeline_inputs(events):
    """`events` promises over five years, as the benchmark's heavy user has them."""
    rng = random.Random(7)
    today = date.today()
    start = today - timedelta(days=5 * 365)
    promises = []
    for pk in range(events):
        due = start + timedelta(days=rng.randrange(5 * 365 + 14))
        status = "open" if due >= today else rng.choice(("kept", "kept", "kept", "broken"))
        promises.append(
            scoring.PromiseEvent(
                id=pk,
                text=f"Promise {pk}",
                size=rng.choice(scoring.SIZES),
                due=due,
                status=status,
                resolved_on=None if status == "open" else due,
            )
        )
    breaches = [scoring.BreachEvent(id=1, text="again", on=start + timedelta(days=600))]
    return {
        "start_score": 3,
        "start_date": start,
        "today": today,
        "promises": promises,
        "breaches": breaches,
    }


def median_seconds(function, repeat=20):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def time_timeline(events=TIMELINE_EVENTS, repeat=20):
    """compute_timeline on its own: `events` promises over five years, median seconds."""
    inputs = timeline_inputs(events)
    return median_seconds(lambda: scoring.compute_timeline(**inputs), repeat)


def time_resumed_timeline(events=TIMELINE_EVENTS, repeat=20):
    """compute_timeline as the dashboard runs it (journal.dashboard.compute_track_record):
    from the cached checkpoint at history_boundary(today), with only the promises that
    have an event after it."""
    inputs = timeline_inputs(events)
    boundary = scoring.history_boundary(inputs["today"])
    checkpoint = scoring.compute_timeline(**(inputs | {"today": boundary})).checkpoint(6)
    later = [
        promise
        for promise in inputs["promises"]
        if promise.due >= boundary or (promise.resolved_on or promise.due) > boundary
    ]
    resumed = inputs | {"promises": later, "since": checkpoint}
    return median_seconds(lambda: scoring.compute_timeline(**resumed), repeat)


def report(label, results, timeline_seconds, resumed_seconds):
    """The table; each page's ratio is to the floor's median over the whole run (sampled
    between that user's requests to every page). Times are the server's (X-Server-Time);
    the ratio of the times taken from the client, as rounds before the fifteenth measured
    them, beside them."""
    heavy = {name: r for (key, name), r in results.items() if key == "heavy"}
    small = {name: r for (key, name), r in results.items() if key == "small"}
    floor_times = [t for r in heavy.values() for t in r.floor_times]
    floor = statistics.median(floor_times)
    floor_client = statistics.median(t for r in heavy.values() for t in r.floor_client_times)
    small_floor = statistics.median(t for r in small.values() for t in r.floor_times)
    floor_throughput = statistics.median(t for r in heavy.values() for t in r.floor_throughputs)
    floor_queries = {
        key: statistics.mode([q for r in rows.values() for q in r.floor_queries])
        for key, rows in (("heavy", heavy), ("small", small))
    }
    floor_kb = heavy["journal list"].floor_size / 1024
    lines = [
        f"### {label}",
        "",
        "| page | median ms | p95 ms | × floor | × floor, from the client | req/s "
        "| % of floor req/s | KB | queries | small user: median ms | × floor | queries |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        f"| floor | {floor * 1000:.1f} "
        f"| {statistics.quantiles(floor_times, n=20)[-1] * 1000:.1f} | 1.00 | 1.00 "
        f"| {floor_throughput:.0f} | 100% | {floor_kb:.1f} | {floor_queries['heavy']} | | "
        f"| {floor_queries['small']} |",
    ]
    misses = []
    for name, result in heavy.items():
        ratio = result.median / floor
        other = small[name]
        if result.throughputs:
            share = result.throughput_share
            throughput = f"{result.throughput:.0f} | {share:.0%}"
        else:  # (a page after a change: sequential requests only)
            share, throughput = None, "– | –"
        lines.append(
            f"| {name} | {result.median * 1000:.1f} | {result.p95 * 1000:.1f} "
            f"| {ratio:.2f} | {result.client_median / floor_client:.2f} | {throughput} "
            f"| {result.size / 1024:.1f} | {queries_cell(result)} | {other.median * 1000:.1f} "
            f"| {other.median / small_floor:.2f} | {queries_cell(other)} |"
        )
        if result.page.target and ratio > TARGET_RATIO:
            misses.append(f"{name}: {ratio:.2f}× the floor's median (target ≤ 2×)")
        if result.page.target and share < TARGET_THROUGHPUT:
            misses.append(f"{name}: {share:.0%} of the floor's throughput (target ≥ 50%)")
        if max(result.queries + other.queries) > MAX_QUERIES:
            misses.append(f"{name}: more than {MAX_QUERIES} queries")
        if result.usual_queries != other.usual_queries:
            misses.append(f"{name}: {result.usual_queries} queries, {other.usual_queries} small")
    dashboard = heavy["dashboard 30 d"].median
    share = timeline_seconds / dashboard
    lines += [
        "",
        f"compute_timeline, {TIMELINE_EVENTS} events over five years: "
        f"{timeline_seconds * 1000:.1f} ms = {share:.2f} of the default dashboard's median "
        f"(target ≤ {TIMELINE_SHARE}); as the dashboard and 'mark kept' run it, from the "
        f"cached history: {resumed_seconds * 1000:.2f} ms = "
        f"{resumed_seconds / dashboard:.3f} of it.",
    ]
    if share > TIMELINE_SHARE:
        misses.append(f"compute_timeline: {share:.2f} of the dashboard's time")
    return "\n".join(lines), misses


def queries_cell(result):
    """The usual count, and the most seen when a worker computed the track record."""
    most = max(result.queries)
    return str(most) if most == result.usual_queries else f"{result.usual_queries} ({most})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="sequential, per page")
    parser.add_argument("--clients", type=int, default=4, help="concurrent, for throughput")
    parser.add_argument(
        "--rounds", type=int, default=3, help="of throughput, each the floor then the page"
    )
    parser.add_argument("--duration", type=int, default=3, help="seconds of each round, each")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print(WRK_MISSING)
    databases = [("SQLite", None)]
    if os.environ.get("DATABASE_URL"):
        databases.append(("PostgreSQL", os.environ["DATABASE_URL"]))
    python = platform.python_version()
    print(f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {python}.")
    timeline_seconds = [time_timeline()]
    resumed_seconds = time_resumed_timeline()
    sections, misses = [], []
    with tempfile.TemporaryDirectory(prefix="trustrepair-bench-") as temp:
        workdir = Path(temp)
        for label, url in databases:
            results = run_pass(label, url or f"sqlite:///{workdir / 'db.sqlite3'}", args, workdir)
            timeline_seconds.append(time_timeline())
            section, missed = report(label, results, min(timeline_seconds), resumed_seconds)
            sections.append(section)
            misses += [f"{label}: {miss}" for miss in missed]
    print()
    print("\n\n".join(sections))
    growth = " / ".join(f"{time_timeline(n) * 1000:.1f}" for n in (1000, 2000, 4000))
    print(f"\ncompute_timeline for 1000 / 2000 / 4000 events: {growth} ms")
    if misses:
        print("\nTargets missed:\n  " + "\n  ".join(misses))
        sys.exit(1)
    print("\nAll targets met.")


if __name__ == "__main__":
    main()
