"""Anonymous public pages against a bare Django view (a script, not a test).

    .venv/bin/pip install -e ".[production]"      # gunicorn, once
    .venv/bin/python bench/pages.py                # 3 rounds, 4 s per page and side
    .venv/bin/python bench/pages.py --rounds 5 --seconds 8 --concurrency 16

What it does, on 127.0.0.1 only:

1. Makes a PostgreSQL database (BENCH_DATABASE_URL, default chaintable_bench),
   migrates it and loads the demo once (kept between runs: --fresh starts over).
2. Starts the site and a bare Django view (bench/bare_urls.py: one view, one small
   page, no database) under the same gunicorn settings (--workers sync workers,
   Redis as the cache).
3. For each public page of the demo (home, working groups, a group, the decision
   register, a decision, a content page, the standard, a consultation, the member
   directory, the chain map, the API's lists, the RSS feed), runs --rounds rounds,
   alternating which side goes first, each side for --seconds with --concurrency
   keep-alive clients, and prints per page the medians of requests/s, p50 and p99
   of both sides and their ratios; "cold" is the same with the page cache off
   (PAGE_CACHE=0), measured once per page.
4. Ends with one line: the worst page's throughput ratio (site / bare), warm.

The target is a warm ratio of at least 0.6 and a p99 at most twice the bare view's.
The load generator runs on the same 2 cores as both servers, as a crowd's requests
would share a small server with its proxy; quote ratios, not absolute figures.
"""

import argparse
import http.client
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def environment(args, *, page_cache: bool) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": args.database_url + "?conn_max_age=60",
            "REDIS_URL": args.redis_url,
            "SECRET_KEY": "bench-only-" + secrets.token_hex(8),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_MANIFEST": "0",
            "SECURE_SSL_REDIRECT": "0",
            "CACHE_PREFIX": "bench-pages",
            "PAGE_CACHE": "1" if page_cache else "0",
            "LOG_LEVEL": "ERROR",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def prepare(args) -> None:
    import psycopg
    from environ import Env

    conf = Env.db_url_config(args.database_url)
    with psycopg.connect(
        dbname="postgres",
        host=conf["HOST"] or "127.0.0.1",
        user=conf["USER"] or "postgres",
        port=conf["PORT"] or 5432,
        autocommit=True,
    ) as conn:
        if args.fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{conf["NAME"]}"')
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [conf["NAME"]]
        ).fetchone()
        if exists and not args.fresh:
            return
        conn.execute(f'CREATE DATABASE "{conf["NAME"]}"')
    env = environment(args, page_cache=False)
    for command in (["migrate", "--no-input", "-v0"], ["load_demo"]):
        subprocess.run(
            [PYTHON, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def demo_pages(args) -> list[str]:
    """Public paths of the demo, read from its database."""
    env = environment(args, page_cache=False)
    script = (
        "import django; django.setup()\n"
        "from governance.models import WorkingGroup\n"
        "from consultations.models import Consultation, Standard\n"
        "from cms.models import DecisionPage, ContentPage\n"
        "g = WorkingGroup.objects.order_by('pk').first()\n"
        "s = Standard.objects.order_by('pk').first()\n"
        "c = Consultation.objects.filter(audience='public').order_by('pk').first()\n"
        "d = DecisionPage.objects.live().order_by('pk').first()\n"
        "p = ContentPage.objects.live().order_by('pk').first()\n"
        "print('/'); print('/working-groups/'); print(f'/working-groups/{g.slug}/')\n"
        "print('/decisions/'); print(d.url if d else '/'); print(p.url if p else '/')\n"
        "print(f'/standards/{s.slug}/'); print(f'/consultations/{c.pk}/')\n"
        "print('/members/'); print('/chain/'); print('/api/v1/decisions')\n"
        "print('/api/v1/working-groups'); print('/feeds/decisions.rss')\n"
    )
    out = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return list(dict.fromkeys(line.strip() for line in out.splitlines() if line.strip()))


def start_gunicorn(args, port: int, *, bare: bool, page_cache: bool = True):
    env = environment(args, page_cache=page_cache)
    if bare:
        env["DJANGO_SETTINGS_MODULE"] = "bench.bare_settings"
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "sync",
        "--log-level",
        "error",
        "--keep-alive",
        "30",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/bare/" if bare else "/")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    sys.exit(f"gunicorn on port {port} did not answer")


def stop(process) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def hammer(port: int, path: str, seconds: float, concurrency: int) -> dict:
    """Keep-alive clients asking for `path` for `seconds`: requests/s, p50, p99 (ms)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept-Language": "en"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    if not latencies:
        return {"rps": 0.0, "p50": float("inf"), "p99": float("inf"), "errors": errors[0]}
    return {
        "rps": len(latencies) / seconds,
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chaintable_bench"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pages", nargs="*", help="paths (default: the demo's public pages)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cache-off pass")
    parser.add_argument("--fresh", action="store_true", help="rebuild the demo database")
    args = parser.parse_args()
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        sys.exit('gunicorn is needed: .venv/bin/pip install -e ".[production]"')

    prepare(args)
    paths = args.pages or demo_pages(args)
    bare = start_gunicorn(args, 8771, bare=True)
    site = start_gunicorn(args, 8772, bare=False)
    cold_site = None if args.no_cold else start_gunicorn(args, 8773, bare=False, page_cache=False)
    worst = None
    try:
        print(
            f"{'page':40} {'site r/s':>9} {'bare r/s':>9} {'ratio':>6} "
            f"{'site p99':>9} {'bare p99':>9} {'p99x':>6} {'cold ratio':>10}"
        )
        for path in paths:
            site_runs, bare_runs = [], []
            for round_number in range(args.rounds):
                order = [("site", 8772), ("bare", 8771)]
                if round_number % 2:
                    order.reverse()
                for side, port in order:
                    result = hammer(
                        port, "/bare/" if side == "bare" else path, args.seconds, args.concurrency
                    )
                    (site_runs if side == "site" else bare_runs).append(result)
            site_rps = statistics.median(r["rps"] for r in site_runs)
            bare_rps = statistics.median(r["rps"] for r in bare_runs)
            site_p99 = statistics.median(r["p99"] for r in site_runs)
            bare_p99 = statistics.median(r["p99"] for r in bare_runs)
            ratio = site_rps / bare_rps if bare_rps else 0.0
            cold = ""
            if cold_site is not None:
                cold_rps = hammer(8773, path, args.seconds, args.concurrency)["rps"]
                cold = f"{cold_rps / bare_rps:10.2f}" if bare_rps else "         -"
            errors = sum(r["errors"] for r in site_runs)
            print(
                f"{path[:40]:40} {site_rps:9.0f} {bare_rps:9.0f} {ratio:6.2f} "
                f"{site_p99:9.1f} {bare_p99:9.1f} {site_p99 / bare_p99:6.2f} {cold}"
                + (f"  ({errors} errors)" if errors else ""),
                flush=True,
            )
            if worst is None or ratio < worst[1]:
                worst = (path, ratio)
    finally:
        for process in (bare, site, cold_site):
            if process is not None:
                stop(process)
    print(f"worst page ratio (warm): {worst[1]:.2f} ({worst[0]})")


if __name__ == "__main__":
    main()
