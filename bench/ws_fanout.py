"""WebSocket fan-out benchmark for live discussion (a script, not a test).

    .venv/bin/python bench/ws_fanout.py                 # 300 clients, 20 s
    .venv/bin/python bench/ws_fanout.py --clients 1000  # the large run
    .venv/bin/python bench/ws_fanout.py --clients 100 --seconds 5
    .venv/bin/python bench/ws_fanout.py --rounds 3      # medians over three rounds

What it does, in one run and on 127.0.0.1 only:

1. Prepares a PostgreSQL database: BENCH_DATABASE_URL (or --database-url), default
   postgres://postgres@127.0.0.1:5432/chaintable_bench. It is created if missing
   and migrated; a working group, its members' room and `clients + posters` members
   with sessions are made (and reused by later runs).
2. Starts daphne on a free port with the site's ASGI application and the Redis
   channel layer (BENCH_REDIS_URL or --redis-url, default redis://127.0.0.1:6379/14;
   a read timeout above channels-redis's 5 s blocking pop is added, see
   with_read_timeout).
3. Site phase: connects N clients to the members' room (/ws/threads/<id>/, origin
   check, session auth, permission checks, replay "hello", presence: everything
   the site does), then posts one message every 100 ms for --seconds through
   poster sockets ({"type": "post"}: the posting service, audit log, broadcast
   after commit). Posts rotate over --posters members so that each stays under the
   per-person rate limit, as real people would.
4. Bare phase: a fresh daphne, same layer, N clients on a Channels consumer that
   only relays each frame to a group (defined below), same posting schedule.
5. Prints, per phase: p50 / p99 latency of every delivery (post sent → frame read
   by a client), p50 / p99 of the full fan-out (post sent → read by the last
   client), delivered / expected, and daphne's peak RSS (VmHWM). The LAST line is
   the ratio of the two delivery p99s (site / bare); the issue's target is ≤ 1.25
   at 300 clients with nothing lost. With --rounds N both phases run N times,
   alternating which goes first, and the last line is the median of the N ratios.

Needs the `websockets` client library (in the `test` extra; not a dependency of
the site). Every wait is bounded; daphne is stopped at the end.
"""

import argparse
import asyncio
import json
import os
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE_GROUP = "bench.bare"
BARE_PATH = "/bench/bare/"


# --- the server side: loaded by daphne as bench.ws_fanout:application ---------------


def _build_application():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from channels.generic.websocket import AsyncWebsocketConsumer

    from config.asgi import application as site

    class BareRelayConsumer(AsyncWebsocketConsumer):
        """The baseline: no auth, no checks, no database; every frame to everyone."""

        async def connect(self):
            await self.channel_layer.group_add(BARE_GROUP, self.channel_name)
            await self.accept()

        async def disconnect(self, code):
            await self.channel_layer.group_discard(BARE_GROUP, self.channel_name)

        async def receive(self, text_data=None, bytes_data=None):
            await self.channel_layer.group_send(BARE_GROUP, {"type": "relay", "text": text_data})

        async def relay(self, event):
            await self.send(text_data=event["text"])

    bare = BareRelayConsumer.as_asgi()

    async def application(scope, receive, send):
        if scope["type"] == "websocket" and scope["path"] == BARE_PATH:
            return await bare(scope, receive, send)
        return await site(scope, receive, send)

    return application


def __getattr__(name):
    if name == "application":
        value = _build_application()
        globals()["application"] = value
        return value
    raise AttributeError(name)


# --- set-up -----------------------------------------------------------------------------------


def with_query(url: str, name: str, value) -> str:
    if f"{name}=" in url:
        return url
    return url + ("&" if "?" in url else "?") + f"{name}={value}"


def with_read_timeout(url: str) -> str:
    """redis-py 8 reads with a 5 s socket timeout by default, the same 5 s for which
    channels-redis blocks waiting for a message: idle consumers then die with 1011.
    A longer read timeout in the URL (parsed by redis-py) avoids it for this run."""
    return with_query(url, "socket_timeout", 30)


def configure(args) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            # One persistent connection for the worker's database thread (see --help).
            "DATABASE_URL": with_query(args.database_url, "conn_max_age", args.conn_max_age),
            "REDIS_URL": with_read_timeout(args.redis_url),
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-" + secrets.token_hex(8),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_MANIFEST": "0",
            "SECURE_SSL_REDIRECT": "0",
            "CHANNELS_PREFIX": "bench",
            "CACHE_PREFIX": "bench-" + secrets.token_hex(4),
            "LOG_LEVEL": "ERROR",
        }
    )
    sys.path.insert(0, str(ROOT))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))


def ensure_database(url: str) -> None:
    import psycopg
    from environ import Env

    conf = Env.db_url_config(url)
    if "postgresql" not in conf["ENGINE"]:
        sys.exit("The benchmark needs PostgreSQL (BENCH_DATABASE_URL).")
    params = {
        "host": conf.get("HOST") or "127.0.0.1",
        "port": conf.get("PORT") or 5432,
        "user": conf.get("USER") or "postgres",
        "password": conf.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [conf["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{conf["NAME"]}"')


def prepare(clients: int, posters: int):
    """Migrate; make the group, its room and members with sessions. Returns
    (thread id, listener session keys, poster session keys)."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from consultations.services import discussions
    from governance import permissions
    from governance.models import GroupRole, User, WorkingGroup, WorkingGroupRole

    call_command("migrate", verbosity=0, interactive=False)
    group, _ = WorkingGroup.objects.get_or_create(
        slug="bench-group", defaults={"name": "Benchmark group"}
    )
    thread = discussions.thread_for_group(group)

    def members(prefix: str, count: int) -> list:
        people = []
        for n in range(count):
            person, created = User.objects.get_or_create(
                username=f"{prefix}{n}",
                defaults={"display_name": f"{prefix.title()} {n}", "email_verified": True},
            )
            if created or not WorkingGroupRole.objects.filter(person=person).exists():
                WorkingGroupRole.objects.get_or_create(
                    person=person,
                    working_group=group,
                    role=GroupRole.MEMBER,
                    defaults={"start": timezone.localdate() - timezone.timedelta(days=1)},
                )
                permissions.sync_user_group(person, group)
            people.append(person)
        return people

    def session(person) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(person.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = person.get_session_auth_hash()
        store.create()
        return store.session_key

    listeners = members("bench-listener-", clients)
    speakers = members("bench-poster-", posters)
    for person in speakers:
        discussions.acknowledge_competition_notice(actor=person)
    thread.refresh_from_db()
    keys = [session(p) for p in listeners], [session(p) for p in speakers]
    from django.db import connections

    connections.close_all()
    return thread.pk, keys[0], keys[1]


def current_sequence(thread_id: int) -> int:
    """Where the thread's stream stands: clients say hello from there (no replay)."""
    from django.db import connections

    from consultations.models import Thread

    try:
        return Thread.objects.get(pk=thread_id).last_sequence
    finally:
        connections.close_all()


# --- the server process ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daphne:
    def __init__(self, name: str):
        self.port = free_port()
        self.log_path = Path(tempfile.gettempdir()) / f"ws_fanout-{name}-{self.port}.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                *(
                    ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"] + f".{name}"]
                    if os.environ.get("BENCH_PROFILE")
                    else []
                ),
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                # The default 5 s to accept a handshake is too short for a crowd
                # arriving at once on a small machine.
                "--websocket_connect_timeout",
                "60",
                "--verbosity",
                os.environ.get("BENCH_DAPHNE_VERBOSITY", "0"),
                "bench.ws_fanout:application",
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit("daphne exited while starting")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit("daphne did not start within 60 s")

    def peak_rss_mib(self) -> float | None:
        try:
            import psutil  # optional

            info = psutil.Process(self.process.pid).memory_full_info()
            if hasattr(info, "peak_wset"):
                return info.peak_wset / 2**20
        except Exception:
            pass
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log.close()
        errors = self.log_path.read_text().count("Traceback")
        if errors:
            print(f"  daphne logged {errors} tracebacks: see {self.log_path}", flush=True)


# --- the clients ---------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lower, upper = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (k - lower)


async def run_phase(
    *,
    name: str,
    port: int,
    path: str,
    listener_keys: list,
    poster_keys: list,
    site: bool,
    last_seq: int,
    seconds: float,
    interval: float,
    drain: float,
) -> dict:
    import websockets

    url = f"ws://127.0.0.1:{port}{path}"
    origin = f"http://127.0.0.1:{port}"
    tag = secrets.token_hex(3)
    total = int(round(seconds / interval))
    sent_at: dict[int, float] = {}
    delivered: list[list[float]] = [[] for _ in range(total)]
    counts = {"ready": 0, "frames": 0, "closed": 0}

    def parse(raw) -> int | None:
        if site:
            data = json.loads(raw)
            if data.get("type") != "message.created":
                return None
            body = data["message"]["body"]
        else:
            body = json.loads(raw)["body"]
        parts = body.split()
        if len(parts) == 3 and parts[0] == "bench" and parts[1] == tag:
            return int(parts[2])
        return None

    async def connect(key):
        headers = {"Cookie": f"sessionid={key}"} if key else {}
        return await websockets.connect(
            url,
            origin=origin,
            additional_headers=headers,
            open_timeout=60,
            ping_interval=None,
            max_queue=None,
            compression=None,
        )

    async def caught_up(ws):
        if site:
            await ws.send(json.dumps({"type": "hello", "last_seq": last_seq}))
            while True:
                data = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if data["type"] == "caught_up":
                    return

    async def listen(ws):
        try:
            async for raw in ws:
                now = time.perf_counter()
                counts["frames"] += 1
                n = parse(raw)
                if n is not None and n in sent_at:
                    delivered[n].append(now - sent_at[n])
        except websockets.ConnectionClosed:
            counts["closed"] += 1

    acked: list[float] = []

    async def drain_poster(ws):
        try:
            async for raw in ws:
                if site and '"ack"' in raw:
                    n = int(json.loads(raw)["key"].rsplit("-", 1)[1])
                    acked.append(time.perf_counter() - sent_at[n])
        except websockets.ConnectionClosed:
            pass

    limit = asyncio.Semaphore(10)

    async def open_listener(key):
        async with limit:
            ws = await connect(key)
            await caught_up(ws)
            counts["ready"] += 1
            return ws

    started = time.monotonic()
    listeners = await asyncio.gather(*(open_listener(k) for k in listener_keys))
    posters = [await connect(k if site else None) for k in poster_keys]
    connect_seconds = time.monotonic() - started
    tasks = [asyncio.create_task(listen(ws)) for ws in listeners]
    tasks += [asyncio.create_task(drain_poster(ws)) for ws in posters]
    await asyncio.sleep(2)  # let presence news settle

    t0 = time.perf_counter()
    for n in range(total):
        delay = t0 + n * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        body = f"bench {tag} {n}"
        frame = (
            {"type": "post", "body": body, "key": f"bench-{tag}-{n}"} if site else {"body": body}
        )
        sent_at[n] = time.perf_counter()
        await posters[n % len(posters)].send(json.dumps(frame))
    expected = total * len(listeners)
    deadline = time.monotonic() + drain
    while time.monotonic() < deadline and sum(map(len, delivered)) < expected:
        await asyncio.sleep(0.1)

    for ws in listeners + posters:
        await ws.close()
    await asyncio.wait(tasks, timeout=10)
    latencies = [x * 1000 for per_message in delivered for x in per_message]
    complete = [max(m) * 1000 for m in delivered if len(m) == len(listeners)]
    return {
        "name": name,
        "clients": len(listeners),
        "messages": total,
        "delivered": len(latencies),
        "expected": expected,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "mean": statistics.fmean(latencies) if latencies else float("nan"),
        "full_p50": percentile(complete, 50),
        "full_p99": percentile(complete, 99),
        "connect_seconds": connect_seconds,
        "closed_early": counts["closed"],
        "frames": counts["frames"],
        "ack_p50": percentile([x * 1000 for x in acked], 50),
        "ack_p99": percentile([x * 1000 for x in acked], 99),
    }


def report(result: dict, rss: float | None) -> None:
    share = 100 * result["delivered"] / result["expected"] if result["expected"] else 0
    print(
        f"{result['name']}: clients={result['clients']} messages={result['messages']} "
        f"delivered/expected={result['delivered']}/{result['expected']} ({share:.2f}%)"
    )
    print(
        f"  per delivery: p50={result['p50']:.1f} ms p99={result['p99']:.1f} ms "
        f"(mean {result['mean']:.1f} ms); full fan-out: p50={result['full_p50']:.1f} ms "
        f"p99={result['full_p99']:.1f} ms"
    )
    rss_text = f"{rss:.1f} MiB" if rss is not None else "unknown"
    print(
        f"  server peak RSS={rss_text}; connecting took {result['connect_seconds']:.1f} s; "
        f"sockets closed early: {result['closed_early']}; frames read: {result['frames']}",
        flush=True,
    )
    if result["ack_p50"] == result["ack_p50"]:  # not NaN: the site acknowledges posts
        print(
            f"  post acknowledged: p50={result['ack_p50']:.1f} ms p99={result['ack_p99']:.1f} ms",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=0.1, help="between posts (s)")
    parser.add_argument(
        "--posters", type=int, default=50, help="members taking turns to post (rate limit)"
    )
    parser.add_argument("--drain", type=float, default=15.0, help="wait for stragglers (s)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run both phases this many times (alternating which goes first) and print "
        "medians; the last line is then the median of the per-round ratios",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chaintable_bench"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="CONN_MAX_AGE for daphne unless the URL sets it: 0 (Django's default) opens "
        "a database connection for every sync call of a consumer",
    )
    args = parser.parse_args()
    if min(args.clients, args.posters, args.rounds) < 1 or min(args.seconds, args.interval) <= 0:
        parser.error("clients, seconds, interval, posters and rounds must be positive")

    configure(args)
    ensure_database(args.database_url)
    print(
        f"clients={args.clients} seconds={args.seconds} interval={args.interval}s "
        f"posters={args.posters} database={os.environ['DATABASE_URL']} "
        f"redis={os.environ['REDIS_URL']}",
        flush=True,
    )
    print(f"preparing {args.clients} members and {args.posters} posters…", flush=True)
    thread_id, listener_keys, poster_keys = prepare(args.clients, args.posters)
    common = {
        "listener_keys": listener_keys,
        "seconds": args.seconds,
        "interval": args.interval,
        "drain": args.drain,
    }
    phases = {
        "site": (f"site consumer (/ws/threads/{thread_id}/)", f"/ws/threads/{thread_id}/", True),
        "bare": (f"bare relay consumer ({BARE_PATH})", BARE_PATH, False),
    }
    runs: dict[str, list[dict]] = {"site": [], "bare": []}
    for round_number in range(args.rounds):
        # Alternate which phase goes first, so that drift on a shared machine
        # does not always favour the same one.
        order = ("site", "bare") if round_number % 2 == 0 else ("bare", "site")
        if args.rounds > 1:
            print(f"round {round_number + 1} of {args.rounds}", flush=True)
        for phase in order:
            name, path, site = phases[phase]
            server = Daphne(phase)
            try:
                result = asyncio.run(
                    run_phase(
                        name=name,
                        port=server.port,
                        path=path,
                        poster_keys=poster_keys,
                        site=site,
                        last_seq=current_sequence(thread_id),
                        **common,
                    )
                )
                result["rss"] = server.peak_rss_mib()
            finally:
                server.stop()
            report(result, result["rss"])
            runs[phase].append(result)
    ratios = [s["p99"] / b["p99"] for s, b in zip(runs["site"], runs["bare"], strict=True)]
    if args.rounds > 1:
        for phase in ("site", "bare"):
            results = runs[phase]
            print(
                f"{phase}, median of {args.rounds} rounds: "
                f"p50={statistics.median(r['p50'] for r in results):.1f} ms "
                f"p99={statistics.median(r['p99'] for r in results):.1f} ms; "
                f"delivered {sum(r['delivered'] for r in results)}/"
                f"{sum(r['expected'] for r in results)}; "
                f"peak RSS up to {max(r['rss'] or 0 for r in results):.1f} MiB",
                flush=True,
            )
        print("p99 ratio per round: " + ", ".join(f"{r:.2f}" for r in ratios), flush=True)
    label = "median " if args.rounds > 1 else ""
    print(f"{label}p99 ratio (site / bare): {statistics.median(ratios):.2f}", flush=True)


if __name__ == "__main__":
    main()
