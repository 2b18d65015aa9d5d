"""Past one machine, proven on one (`make scale-check`).

Starts, on this machine, everything a scaled-out city runs, each part a process of its own
on a port of its own, in a temporary folder:

- PostgreSQL: a primary cluster (initdb) and a streaming replica made from it with
  pg_basebackup, each on a port of its own; the portal's database on the primary;
- PgBouncer in transaction mode in front of the primary (what the nodes connect to);
- Redis (cache, rate limits, broker) and moto's S3 server (the files' bucket);
- two web nodes (gunicorn, 2 workers × 4 threads each), each with a folder of its own,
  HAProxy in front (round robin, health checks on /healthz, retries on another node);
- two worker nodes (a worker for the default and PDF queues and a thread-pool worker
  for the gateway queue, as `manage.py serve` runs them) and one beat.

Then it proves, through the nodes' HTTP endpoints:

1. files: a document uploaded through node A downloads through node B (and only by
   its owner), from the bucket, not from either node's folder;
2. payments: a payment started on node A, its notification sent to A and B at the same
   moment and again later, settles once (one transition, one receipt);
3. reports: with the replica's replay paused, the collection register (a report) still
   reads the figures before the payment while the payer's own page on the primary shows
   it paid; after the replay resumes the register shows it — the report reads the
   replica, the payer's pages the primary;
4. rate limits: quick-pay look-ups spread over both nodes are refused after the one
   limit (QUICK_PAY_LOOKUPS), not twice it;
5. bulk jobs: each service's bulk job (a year's holding demand, a month's water bills, a
   month's shop rent, the e-bike licences' expiry, the late trade-licence bills), its
   task delivered twice at once to the two workers, runs once;
6. sizes per node: citizen pages' requests/s on one web node, settlements/s through the
   balancer, receipt PDFs/s on the two workers;
7. failover: a worker node stopped while receipt PDFs are queued loses no task; a web
   node stopped while citizens load pages through the balancer loses no request.

It stops everything it started (also when a check fails) and prints as its last line
``scale: nodes=2 workers=2 replica_lag_ms=… cross_node_files=ok settle_once=ok
failover_lost=0``.

    python -m bench.scale_check [--keep]   # --keep: leave it running, print how to reach it
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import requests

from bench.ipn import check_settled, pay_at_simulator, prepare_notifications

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "kcc_scale"
BUCKET = "kcc-scale-files"
S3_KEY, S3_SECRET = "kcc-scale", "kcc-scale-secret"  # noqa: S105 - moto accepts any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise CheckFailed(f"{what} did not open port {port}")


def wait_for(condition: Callable[[], object], what: str, timeout: float = 60.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise CheckFailed(f"timed out waiting for {what}")


class CheckFailed(Exception):
    pass


def say(message: str) -> None:
    print(f"scale: {message}", flush=True)


def pg_bin(name: str) -> str:
    pg_config = shutil.which("pg_config")
    bindir = (
        subprocess.run(  # noqa: S603
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if pg_config
        else ""
    )
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    for candidate in ([Path(bindir) / name] if bindir else []) + found:
        if candidate.exists():
            return str(candidate)
    raise CheckFailed(f"PostgreSQL's {name} is not installed (Debian: postgresql)")


def tool(name: str) -> str:
    """A program of the check, also where Debian puts daemons (/usr/sbin, not always on
    a user's PATH)."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if not found:
        raise CheckFailed(f"scale-check needs {name} (make scale-check installs it)")
    return found


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL and PgBouncer refuse to run as root: run them as the postgres user."""
    return [tool("runuser"), "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Stack:
    """The processes of the check, started in order and stopped in reverse."""

    folder: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    clusters: list[Path] = field(default_factory=list)
    ports: dict[str, int] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)

    def port(self, name: str) -> int:
        if name not in self.ports:
            self.ports[name] = free_port()
        return self.ports[name]

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port(name)}"

    def database_url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port(name)}/{DATABASE}"

    def start(
        self, name: str, command: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT
    ) -> None:
        log = self.folder / f"{name}.log"
        self.logs[name] = log
        with log.open("ab") as out:
            # A session (process group) of its own: what it starts (gunicorn's workers, the
            # pool's processes, PgBouncer under runuser) is stopped with it.
            self.procs[name] = subprocess.Popen(  # noqa: S603 - our own commands
                command,
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self, name: str, timeout: float = 40) -> None:
        """SIGTERM to the process itself (gunicorn and Celery then finish what they hold:
        a warm shutdown), SIGKILL after `timeout`; then whatever of its group is left."""
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop(name, timeout=20)
        for data in reversed(self.clusters):
            subprocess.run(  # noqa: S603
                as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                cwd=self.folder,
                capture_output=True,
                check=False,
            )
        self.clusters.clear()

    def cpu_seconds(self, names: list[str]) -> float:
        """CPU time used so far by these processes and their children (gunicorn's and the
        worker pool's processes): requests per CPU-second are requests per second per
        core, whatever else shares the machine."""
        parents: dict[int, int] = {}
        times: dict[int, float] = {}
        tick = os.sysconf("SC_CLK_TCK")
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(stat.parent.name)
            parents[pid] = int(fields[1])
            times[pid] = (int(fields[11]) + int(fields[12])) / tick
        wanted = {self.procs[n].pid for n in names if n in self.procs}
        grew = True
        while grew:
            more = {pid for pid, parent in parents.items() if parent in wanted} - wanted
            grew = bool(more)
            wanted |= more
        return sum(times.get(pid, 0.0) for pid in wanted)

    def tail(self, name: str, lines: int = 30) -> str:
        log = self.logs.get(name)
        if not log or not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    # --- PostgreSQL: a primary and its streaming replica ------------------------------

    def start_primary(self) -> None:
        data = self.folder / "primary"
        run(as_postgres([pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                         "-E", "UTF8", "--locale=C.UTF-8"]), cwd=self.folder)  # fmt: skip
        self._pg_ctl_start(
            data,
            "primary",
            "-c wal_level=replica -c max_wal_senders=4 -c wal_keep_size=512MB "
            "-c max_connections=200 -c fsync=off -c synchronous_commit=off",
        )
        run(["psql", "-h", "127.0.0.1", "-p", str(self.port("primary")), "-U", "postgres",
             "-qc", f"CREATE DATABASE {DATABASE}"])  # fmt: skip

    def start_replica(self) -> None:
        data = self.folder / "replica"
        run(as_postgres([pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p",
                         str(self.port("primary")), "-U", "postgres", "-D", str(data),
                         "-R", "-X", "stream", "-c", "fast"]), cwd=self.folder)  # fmt: skip
        self._pg_ctl_start(data, "replica", "-c hot_standby=on -c max_connections=200")

    def _pg_ctl_start(self, data: Path, name: str, options: str) -> None:
        port = self.port(name)
        self.clusters.append(data)
        log = self.folder / f"{name}.log"
        self.logs[name] = log
        run(as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
                         f"-p {port} -k {data} -c listen_addresses=127.0.0.1 {options}",
                         "start"]), cwd=self.folder)  # fmt: skip

    def psql(self, name: str, sql: str) -> str:
        out = subprocess.run(  # noqa: S603
            ["psql", "-h", "127.0.0.1", "-p", str(self.port(name)), "-U", "postgres",
             "-d", DATABASE, "-tAc", sql],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return out.stdout.strip()

    # --- PgBouncer, Redis, S3, HAProxy ----------------------------------------------------

    def start_pgbouncer(self) -> None:
        port = self.port("pgbouncer")
        (self.folder / "userlist.txt").write_text('"postgres" ""\n')
        (self.folder / "pgbouncer.ini").write_text(
            textwrap.dedent(
                f"""\
                [databases]
                * = host=127.0.0.1 port={self.port("primary")} connect_query='SET statement_timeout = 15000; SET lock_timeout = 5000'
                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = {port}
                unix_socket_dir =
                auth_type = trust
                auth_file = {self.folder}/userlist.txt
                pool_mode = transaction
                default_pool_size = 40
                max_client_conn = 500
                """  # noqa: E501
            )
        )
        self.start(
            "pgbouncer",
            as_postgres([tool("pgbouncer"), str(self.folder / "pgbouncer.ini")]),
            cwd=self.folder,  # the postgres user may not enter the checkout (under /root)
        )
        wait_port(port, "PgBouncer")

    def start_redis(self) -> None:
        port = self.port("redis")
        redis = [tool("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.folder)]  # fmt: skip
        self.start("redis", redis)
        wait_port(port, "Redis")

    def start_s3(self) -> None:
        port = self.port("s3")
        self.start("s3", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)])
        wait_port(port, "the S3 endpoint")
        import boto3

        boto3.client(
            "s3",
            endpoint_url=self.url("s3"),
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET,
            region_name="us-east-1",
        ).create_bucket(Bucket=BUCKET)

    def start_balancer(self) -> None:
        config = self.folder / "haproxy.cfg"
        config.write_text(
            textwrap.dedent(
                f"""\
                global
                    maxconn 1000
                defaults
                    mode http
                    timeout connect 2s
                    timeout client 60s
                    timeout server 60s
                    timeout queue 30s
                    timeout check 3s
                    option forwardfor
                    option http-server-close
                    # A request that did not reach a node, or got nothing back from one
                    # that was stopping, is sent again to the other node.
                    retries 3
                    option redispatch 1
                    retry-on conn-failure empty-response response-timeout
                frontend portal
                    bind 127.0.0.1:{self.port("balancer")}
                    http-response set-header X-Served-By %[srv_name]
                    default_backend nodes
                backend nodes
                    balance roundrobin
                    option httpchk GET /healthz
                    http-check expect status 200
                    server a 127.0.0.1:{self.port("web-a")} check inter 500ms fall 2 rise 2
                    server b 127.0.0.1:{self.port("web-b")} check inter 500ms fall 2 rise 2
                """
            )
        )
        self.start("balancer", [tool("haproxy"), "-f", str(config), "-db"])
        wait_port(self.port("balancer"), "HAProxy")

    # --- the portal's processes -------------------------------------------------------

    def node_env(self, name: str, **extra: str) -> dict[str, str]:
        var = self.folder / "nodes" / name
        var.mkdir(parents=True, exist_ok=True)
        site = self.url("balancer")
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.scale_settings",
            "KCC_VAR_DIR": str(var),  # each node a folder of its own: no file is shared there
            "DATABASE_URL": self.database_url("pgbouncer"),
            "DATABASE_PGBOUNCER": "true",
            "DATABASE_REPLICA_URL": self.database_url("replica"),
            "REDIS_URL": f"redis://127.0.0.1:{self.port('redis')}/0",
            "FILE_STORAGE": "s3",
            "S3_BUCKET": BUCKET,
            "S3_ENDPOINT_URL": self.url("s3"),
            "S3_ACCESS_KEY_ID": S3_KEY,
            "S3_SECRET_ACCESS_KEY": S3_SECRET,
            "S3_REGION": "us-east-1",
            "SITE_URL": site,
            "SSLCOMMERZ_BASE_URL": site + "/gateway-simulator",
            "TRUSTED_PROXY_COUNT": "1",  # HAProxy
            "PAYMENTS_CALLBACK_TRUSTED_IPS": "127.0.0.1",
            **extra,
        }

    def start_web(self, name: str) -> None:
        self.start(
            name,
            [sys.executable, "-m", "gunicorn", "kcc_portal.wsgi", "--bind",
             f"127.0.0.1:{self.port(name)}", "--workers", "2", "--threads", "4",
             "--worker-class", "gthread", "--graceful-timeout", "30", "--log-level", "warning"],
            self.node_env(name),
        )  # fmt: skip

    def start_worker_node(self, name: str) -> None:
        from django.conf import settings

        celery = [sys.executable, "-m", "celery", "-A", "kcc_portal", "worker", "--loglevel",
                  "INFO", "--without-mingle", "--without-gossip"]  # fmt: skip
        queues = f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.CELERY_PDF_QUEUE}"
        self.start(
            f"{name}",
            [*celery, "--concurrency", "2", "--hostname", f"{name}@%h", "-Q", queues],
            self.node_env(name),
        )
        self.start(
            f"{name}-gateway",
            [*celery, "--pool", "threads", "--concurrency", "8", "--hostname",
             f"{name}-gateway@%h", "-Q",
             f"{settings.CELERY_GATEWAY_QUEUE},{settings.CELERY_SMS_QUEUE}"],
            self.node_env(name, DATABASE_POOL_MAX="12"),
        )  # fmt: skip

    def start_beat(self) -> None:
        env = self.node_env("beat")
        self.start(
            "beat",
            [sys.executable, "-m", "celery", "-A", "kcc_portal", "beat", "--loglevel", "INFO",
             "--schedule", str(Path(env["KCC_VAR_DIR"]) / "celerybeat-schedule")],
            env,
        )  # fmt: skip


def run(command: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
    result = subprocess.run(  # noqa: S603 - our own commands
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise CheckFailed(f"{' '.join(command[:4])} … failed:\n{result.stdout}{result.stderr}")


# --- the orchestrator's own view of the data (on the primary, directly) -------------------


def django_on_primary(stack: Stack) -> None:
    os.environ.update(
        {
            **stack.node_env("check"),
            "DATABASE_URL": stack.database_url("primary"),
            "DATABASE_PGBOUNCER": "false",
            "DATABASE_REPLICA_URL": "",
            "DATABASE_POOL": "false",
            "CONN_MAX_AGE": "0",
        }
    )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def session_for(mobile: str) -> requests.Session:
    """A browser signed in as the user with this mobile number (a session made directly in
    the shared session store, as signing in would)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User

    user = User.objects.get(mobile=mobile)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    browser = requests.Session()
    browser.cookies.set(settings.SESSION_COOKIE_NAME, store.session_key or "")
    return browser


def csrf_token(browser: requests.Session, url: str) -> str:
    page = browser.get(url, timeout=30)
    if page.status_code != 200:
        raise CheckFailed(f"GET {url} answered {page.status_code}")
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not found:
        raise CheckFailed(f"no form on {url}")
    return found.group(1)


CITIZEN, TRADER, REVENUE_OFFICER = "01711000001", "01711000010", "01711000008"


# --- 1. files across nodes ----------------------------------------------------------------

PDF = b"%PDF-1.4\n% an NID scan uploaded through node A\n%%EOF\n"


def check_files(stack: Stack) -> str:
    from accounts.models import User
    from trade_licenses.models import ApplicationDocument
    from trade_licenses.services import application_create_draft, business_create

    trader = User.objects.get(mobile=TRADER)
    business = business_create(
        actor=trader,
        trader=trader,
        category_code="grocery",
        name_bn="স্কেল স্টোর",
        name_en="Scale Store",
        premises_address="1 Check Road",
        ward=5,
    )
    application = application_create_draft(
        business=business, filed_by=trader, trader_tin="123456789012"
    )
    a, b = stack.url("web-a"), stack.url("web-b")
    browser = session_for(TRADER)
    page = f"/licences/applications/{application.pk}/documents/"
    token = csrf_token(browser, a + page)
    posted = browser.post(
        a + page,
        data={"csrfmiddlewaretoken": token, "kind": "nid"},
        files={"file": ("nid.pdf", PDF, "application/pdf")},
        timeout=30,
        allow_redirects=False,
    )
    if posted.status_code not in (200, 302):
        raise CheckFailed(f"the upload through node A answered {posted.status_code}")
    document = ApplicationDocument.objects.filter(application=application, kind="nid").first()
    if document is None:
        raise CheckFailed("the upload through node A stored no document")
    url = f"/licences/documents/{document.pk}/"
    got = browser.get(b + url, timeout=30)
    if got.status_code != 200 or got.content != PDF:
        raise CheckFailed(f"node B did not give back the file uploaded on A ({got.status_code})")
    stranger = session_for(CITIZEN).get(b + url, timeout=30, allow_redirects=False)
    anonymous = requests.get(b + url, timeout=30, allow_redirects=False)
    if stranger.status_code != 404 or anonymous.status_code != 302:
        raise CheckFailed(
            f"node B served the document to others ({stranger.status_code}, "
            f"{anonymous.status_code})"
        )
    local = [p for p in (stack.folder / "nodes").rglob("*") if p.is_file() and "media" in p.parts]
    if local:
        raise CheckFailed(f"files were written to a node's own folder: {local[:3]}")
    return "ok"


# --- 2 and 3. one payment across nodes; the report on the replica ------------------------


def replica_lag_ms(stack: Stack, node: str = "web-a") -> float | None:
    health = requests.get(stack.url(node) + "/healthz", timeout=10).json()
    lag = health.get("replica_lag_ms")
    return None if lag is None else float(lag)


def register_csv(stack: Stack, browser: requests.Session) -> list[list[str]]:
    from django.utils import timezone

    today = timezone.localdate()
    url = f"{stack.url('balancer')}/payments/revenue/months/{today.year}/{today.month}/register/"
    response = browser.get(url, params={"format": "csv"}, timeout=60)
    if response.status_code != 200:
        raise CheckFailed(f"the collection register answered {response.status_code}")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def open_bill_of(mobile: str):
    from payments.models import Bill

    bill = (
        Bill.objects.filter(payer__mobile=mobile, status=Bill.Status.OPEN)
        .order_by("due_date", "pk")
        .first()
    )
    if bill is None:
        raise CheckFailed(f"the demo user {mobile} has no open bill")
    return bill


def settled_once(notifications: list[dict[str, str]]) -> None:
    """One transition to succeeded and one receipt per payment; the ledger check clean."""
    try:
        check_settled(notifications)
    except SystemExit as exc:
        raise CheckFailed(str(exc)) from None


def check_payment_and_replica(stack: Stack) -> dict[str, object]:
    from payments.models import Payment, PaymentEvent
    from payments.tasks import refresh_rollups

    officer = session_for(REVENUE_OFFICER)
    wait_for(lambda: replica_lag_ms(stack) == 0, "the replica to catch up")
    before = register_csv(stack, officer)

    stack.psql("replica", "SELECT pg_wal_replay_pause()")
    try:
        # Started on node A …
        bill = open_bill_of(CITIZEN)
        citizen = session_for(CITIZEN)
        a, b = stack.url("web-a"), stack.url("web-b")
        token = csrf_token(citizen, a + "/payments/bills/")
        started = citizen.post(
            a + "/payments/checkout/",
            data={"csrfmiddlewaretoken": token, "bills": bill.number},
            timeout=30,
            allow_redirects=False,
        )
        if started.status_code != 302 or "gateway-simulator" not in started.headers["Location"]:
            raise CheckFailed(f"the payment did not start on node A ({started.status_code})")
        notification = pay_at_simulator(started.headers["Location"])
        tran_id = notification["tran_id"]

        # … its notification to B and A at the same moment, and once more to B.
        barrier = threading.Barrier(2)
        answers: list[int] = []

        def notify(node: str) -> None:
            barrier.wait()
            answers.append(
                requests.post(
                    node + "/payments/sslcommerz/ipn/", data=notification, timeout=30
                ).status_code
            )

        threads = [threading.Thread(target=notify, args=(n,)) for n in (b, a)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wait_for(
            lambda: Payment.objects.filter(tran_id=tran_id, status="succeeded").exists(),
            "the payment to settle",
        )
        answers.append(
            requests.post(
                b + "/payments/sslcommerz/ipn/", data=notification, timeout=30
            ).status_code
        )
        # Every validation queued for it has run (the first payment of the check: the
        # gateway workers have run no other) before counting its settlements.
        queued = PaymentEvent.objects.filter(
            tran_id=tran_id, outcome__startswith="accepted"
        ).count()
        gateways = ["worker-1-gateway", "worker-2-gateway"]
        wait_for(lambda: len(task_outcomes(stack, gateways)) >= queued, "the validations")
        if answers != [200, 200, 200]:
            raise CheckFailed(f"the notifications were answered {answers}")
        settled_once([notification])

        # The payer's own page (primary) shows it paid; the report (replica) not yet.
        status = citizen.get(b + f"/payments/p/{tran_id}/", timeout=30)
        receipt = Payment.objects.get(tran_id=tran_id).receipt.number
        if receipt not in unescape(status.text):
            raise CheckFailed("the payer's page on node B does not show the receipt")
        refresh_rollups()
        lag_paused = replica_lag_ms(stack) or 0.0
        paused = register_csv(stack, session_for(REVENUE_OFFICER))
        if paused != before:
            raise CheckFailed("the register changed while the replica's replay was paused")
    finally:
        stack.psql("replica", "SELECT pg_wal_replay_resume()")
    wait_for(lambda: replica_lag_ms(stack) == 0, "the replica to catch up")
    after = register_csv(stack, session_for(REVENUE_OFFICER))
    if after == before:
        raise CheckFailed("the register did not show the payment once the replica caught up")
    return {"settle_once": "ok", "report_on_replica": "ok", "lag_paused_ms": lag_paused}


# --- 4. rate limits across nodes ----------------------------------------------------------


def check_rate_limit(stack: Stack) -> str:
    from django.conf import settings

    from holdings.models import Holding

    holding = Holding.objects.select_related("ward").order_by("pk").first()
    limit = settings.QUICK_PAY_LOOKUPS
    allowed, refused, nodes = 0, 0, set()
    browser = requests.Session()
    for _ in range(limit + 10):
        response = browser.get(
            stack.url("balancer") + "/holdings/quick-pay/",
            params={"ward": holding.ward.number, "number": holding.number},
            timeout=30,
        )
        nodes.add(response.headers.get("X-Served-By"))
        if response.status_code == 200:
            allowed += 1
        elif response.status_code == 429:
            refused += 1
    if nodes != {"a", "b"} or allowed != limit or refused != 10:
        raise CheckFailed(
            f"quick-pay look-ups: {allowed} allowed, {refused} refused on nodes {nodes} "
            f"(the limit is {limit})"
        )
    return "ok"


# --- 5. every service's bulk job, delivered twice, runs once ------------------------------


def check_bulk_jobs(stack: Stack) -> str:
    from django.utils import timezone

    from accounts.models import User
    from core.fiscal import fiscal_year
    from ezbike.models import Licence, LicenceStatusChange
    from ezbike.tasks import expire_licences
    from holdings.models import Demand, DemandRun
    from holdings.services import demand_run_start
    from holdings.tasks import run_demand_generation
    from market_leases.models import RentRun
    from market_leases.services.rent_runs import rent_run_start
    from market_leases.tasks import run_shop_rent
    from trade_licenses.tasks import refresh_late_renewal_bills
    from water_billing.models import BillingRun
    from water_billing.services.billing import billing_run_start
    from water_billing.tasks import run_water_billing

    today = timezone.localdate()
    admin = User.objects.get(mobile="01711000009")
    runs = []
    year = fiscal_year(date(today.year + 1, today.month, 1))  # next year's
    demand_run = demand_run_start(fiscal_year=year, actor=admin)
    run_demand_generation.delay(demand_run.pk)  # delivered a second time
    runs.append((DemandRun, demand_run.pk))
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    water_run = billing_run_start(period=last_month, actor=admin)  # a month is billed after it
    run_water_billing.delay(water_run.pk)
    runs.append((BillingRun, water_run.pk))
    rent_run = rent_run_start(period=today.replace(day=1), actor=admin)
    run_shop_rent.delay(rent_run.pk)
    runs.append((RentRun, rent_run.pk))
    # An e-bike licence past its deadline (the demo's run to next year's), so the expiry
    # sent twice at once has something to do.
    lapsed = Licence.objects.filter(status="active").order_by("pk").first()
    if lapsed is None:
        raise CheckFailed("the demo city has no active e-bike licence")
    Licence.objects.filter(pk=lapsed.pk).update(valid_until=today - timedelta(days=1))
    daily = {task.delay().id for task in (expire_licences, refresh_late_renewal_bills) * 2}

    def finished() -> bool:
        return all(model.objects.get(pk=pk).status in ("done", "failed") for model, pk in runs)

    wait_for(finished, "the bulk jobs", timeout=240)
    problems = [
        f"{model.__name__} {pk}: {model.objects.get(pk=pk).status}"
        for model, pk in runs
        if model.objects.get(pk=pk).status != "done"
    ]
    workers = ["worker-1", "worker-2"]
    wait_for(lambda: daily <= set(task_outcomes(stack, workers)), "the daily jobs", timeout=120)
    outcomes = task_outcomes(stack, workers)  # every task of the check so far
    problems += [f"task {t} raised" for t, outcome in outcomes.items() if outcome == "raised"]
    expiries = LicenceStatusChange.objects.filter(licence=lapsed, to_status="expired").count()
    if Licence.objects.get(pk=lapsed.pk).status != "expired" or expiries != 1:
        problems.append(f"the lapsed e-bike licence: {expiries} expiries")
    # The run that worked counted every demand of the year: nothing was left to another.
    made = DemandRun.objects.get(pk=demand_run.pk).created.get("demands")
    if made != Demand.objects.filter(fiscal_year=year).count() or not made:
        problems.append(f"the demand run counted {made} demands")
    if problems:
        raise CheckFailed(f"bulk jobs: {problems}")
    return "ok"


# --- 6. sizes per node ----------------------------------------------------------------------


@dataclass
class Load:
    answered: int = 0
    failures: list[str] = field(default_factory=list)
    served_by: dict[str, int] = field(default_factory=dict)  # HAProxy's X-Served-By


def load(
    urls: list[str], browser_for: Callable[[], requests.Session], clients: int, seconds: float
) -> Load:
    """`clients` browsers loading `urls` in turn for `seconds`: the answers (200), the
    failures (anything else, or no answer) and which node served them."""
    result = Load()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        browser = browser_for()
        n = 0
        while time.monotonic() < stop_at:
            url = urls[n % len(urls)]
            n += 1
            try:
                response = browser.get(url, timeout=30, allow_redirects=False)
            except requests.RequestException as exc:
                with lock:
                    result.failures.append(f"{url}: {type(exc).__name__}")
                continue
            with lock:
                if response.status_code != 200:
                    result.failures.append(f"{url}: {response.status_code}")
                else:
                    result.answered += 1
                node = response.headers.get("X-Served-By", "-")
                result.served_by[node] = result.served_by.get(node, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result


CITIZEN_PAGES = ["/", "/dashboard/", "/payments/bills/"]


def citizen_pages_per_s(stack: Stack, seconds: float = 8.0) -> tuple[float, float]:
    """Home, dashboard and "what I owe" loaded by 8 signed-in citizens from node A alone:
    pages per second, and pages per CPU-second of the node (per core)."""
    node = stack.url("web-a")
    cookie = session_for(CITIZEN).cookies

    def browser() -> requests.Session:
        s = requests.Session()
        s.cookies.update(cookie)
        return s

    cpu = stack.cpu_seconds(["web-a"])
    result = load([node + p for p in CITIZEN_PAGES], browser, 8, seconds)
    cpu = stack.cpu_seconds(["web-a"]) - cpu
    if result.failures:
        raise CheckFailed(f"citizen pages failed on node A: {result.failures[:3]}")
    return result.answered / seconds, result.answered / max(cpu, 0.01)


def settlements_per_s(stack: Stack, n: int = 60, senders: int = 10) -> float:
    """n payments paid at the simulator, their notifications sent through the balancer by
    `senders` at once: settlements per second, from the first send to the last settled."""
    from payments.models import Payment

    notifications = prepare_notifications(n, f"scale-{os.getpid()}")
    todo = list(notifications)
    lock = threading.Lock()
    failures: list[str] = []

    def send() -> None:
        session = requests.Session()
        while True:
            with lock:
                if not todo:
                    return
                payload = todo.pop()
            response = session.post(
                stack.url("balancer") + "/payments/sslcommerz/ipn/", data=payload, timeout=30
            )
            if response.status_code != 200:
                failures.append(str(response.status_code))

    tran_ids = [p["tran_id"] for p in notifications]
    started = time.monotonic()
    threads = [threading.Thread(target=send) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wait_for(
        lambda: (
            Payment.objects.filter(tran_id__in=tran_ids, status="succeeded").count()
            == len(tran_ids)
        ),
        "the notified payments to settle",
        timeout=120,
    )
    elapsed = time.monotonic() - started
    if failures:
        raise CheckFailed(f"the burst of notifications: {failures[:3]}")
    settled_once(notifications)
    return len(tran_ids) / elapsed


# --- 7. failover --------------------------------------------------------------------------


def task_outcomes(stack: Stack, names: list[str]) -> dict[str, str]:
    """What the workers' logs say of each task id: "succeeded" or "raised"."""
    found: dict[str, str] = {}
    for name in names:
        log = stack.logs.get(name)
        if log and log.exists():
            for task_id, outcome in re.findall(
                r"\[([0-9a-f-]{36})\] (succeeded|raised)", log.read_text()
            ):
                found[task_id] = outcome
    return found


def succeeded_tasks(stack: Stack, names: list[str]) -> set[str]:
    return {t for t, outcome in task_outcomes(stack, names).items() if outcome == "succeeded"}


def render_receipts(
    stack: Stack, receipts: list[int], stop_worker: bool
) -> tuple[float, float, int]:
    """Queue the receipts' PDFs; with stop_worker, stop worker node 1 once a few are done.
    Returns PDFs per second, PDFs per CPU-second of the workers, and how many tasks never
    succeeded."""
    from payments.tasks import render_receipt_pdf

    workers = ["worker-1", "worker-2"]
    cpu = stack.cpu_seconds(workers)
    started = time.monotonic()
    ids = {render_receipt_pdf.delay(pk).id for pk in receipts}
    if stop_worker:
        wait_for(lambda: len(ids & succeeded_tasks(stack, workers)) >= 3, "the first PDFs")
        left = len(ids - succeeded_tasks(stack, workers))
        stack.stop("worker-1")  # SIGTERM: a warm shutdown; what it had not started goes back
        stack.stop("worker-1-gateway")
        say(f"worker node 1 stopped with {left} of {len(ids)} PDFs not yet rendered")
    with contextlib.suppress(CheckFailed):  # counted below
        wait_for(lambda: ids <= succeeded_tasks(stack, workers), "the PDFs", timeout=180)
    lost = len(ids - succeeded_tasks(stack, workers))
    elapsed, cpu = time.monotonic() - started, stack.cpu_seconds(workers) - cpu
    return len(receipts) / elapsed, len(receipts) / max(cpu, 0.01), lost


def web_failover(stack: Stack) -> int:
    """Citizens load pages through the balancer while node A stops; requests lost."""
    cookie = session_for(CITIZEN).cookies

    def browser() -> requests.Session:
        s = requests.Session()
        s.cookies.update(cookie)
        return s

    balancer = stack.url("balancer")
    before = load([balancer + p for p in CITIZEN_PAGES], browser, 6, 2.0)
    if set(before.served_by) != {"a", "b"} or before.failures:
        raise CheckFailed(f"the balancer did not spread the pages: {before}")
    during: list[Load] = []
    storm = threading.Thread(
        target=lambda: during.append(load([balancer + p for p in CITIZEN_PAGES], browser, 6, 8.0))
    )
    storm.start()
    time.sleep(2)
    stack.stop("web-a")  # SIGTERM: gunicorn finishes what it holds and closes
    stopped = time.monotonic()
    storm.join()
    after = load([balancer + p for p in CITIZEN_PAGES], browser, 6, 2.0)
    say(
        f"pages through the balancer: before {before.served_by}, while node A stopped "
        f"{during[0].served_by} ({during[0].answered} answered), after {after.served_by} "
        f"({time.monotonic() - stopped:.0f} s after the stop)"
    )
    failures = during[0].failures + after.failures
    if failures:
        say(f"lost while node A stopped: {failures[:5]}")
    if after.served_by.get("a") or not after.answered:
        raise CheckFailed(f"node A still served, or nothing answered: {after}")
    return len(failures)


# --- the whole check ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="leave everything running")
    args = parser.parse_args(argv if argv is not None else [])
    for name in ("haproxy", "pgbouncer", "redis-server", "psql"):
        try:
            tool(name)
        except CheckFailed as exc:
            raise SystemExit(str(exc)) from None
    folder = Path(tempfile.mkdtemp(prefix="kcc-scale-"))
    folder.chmod(0o777)  # the postgres user writes its clusters here
    stack = Stack(folder)
    started = time.monotonic()

    def interrupted(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # stop what was started (below), then exit

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)
    try:
        result = check(stack)
    except BaseException as exc:
        if not isinstance(exc, KeyboardInterrupt):
            for name in stack.logs:
                tail = stack.tail(name, 15)
                if tail:
                    print(f"--- {name} ---\n{tail}", file=sys.stderr)
        stop(stack)
        if isinstance(exc, CheckFailed):
            raise SystemExit(f"scale-check failed: {exc}") from None
        raise
    if args.keep:
        say(f"left running in {folder}: balancer {stack.url('balancer')}, ports {stack.ports}")
    else:
        stop(stack)
    say(
        f"details took_s={time.monotonic() - started:.0f} "
        f"citizen_pages_per_s_node={result['pages_per_s']:.1f} "
        f"citizen_pages_per_core_s={result['pages_per_core_s']:.1f} "
        f"settlements_per_s={result['settlements_per_s']:.1f} "
        f"pdfs_per_s={result['pdfs_per_s']:.1f} pdfs_per_core_s={result['pdfs_per_core_s']:.1f} "
        f"load_1min={os.getloadavg()[0]:.1f} lag_paused_ms={result['lag_paused_ms']:.0f} "
        f"rate_limit={result['rate_limit']} bulk_jobs={result['bulk_jobs']} "
        f"report_on_replica={result['report_on_replica']} tasks_lost={result['tasks_lost']} "
        f"requests_lost={result['requests_lost']}"
    )
    failover_lost = result["tasks_lost"] + result["requests_lost"]
    print(
        f"scale: nodes=2 workers=2 replica_lag_ms={result['replica_lag_ms']:.0f} "
        f"cross_node_files={result['files']} settle_once={result['settle_once']} "
        f"failover_lost={failover_lost}"
    )
    if failover_lost:
        raise SystemExit(1)


def stop(stack: Stack) -> None:
    """Stop everything and remove the folder, not to be cut short by a second signal."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    stack.stop_all()
    shutil.rmtree(stack.folder, ignore_errors=True)


def check(stack: Stack) -> dict:
    say(f"starting in {stack.folder}")
    stack.start_primary()
    stack.start_replica()
    stack.start_pgbouncer()
    stack.start_redis()
    stack.start_s3()
    django_on_primary(stack)
    setup_env = stack.node_env("setup", DATABASE_URL=stack.database_url("primary"),
                               DATABASE_PGBOUNCER="false", DATABASE_REPLICA_URL="")  # fmt: skip
    say("migrating and loading the demo city on the primary (streamed to the replica)")
    run([sys.executable, "manage.py", "migrate", "--noinput"], setup_env)
    run([sys.executable, "manage.py", "seed_demo"], setup_env)
    for node in ("web-a", "web-b"):
        stack.start_web(node)
    stack.start_worker_node("worker-1")
    stack.start_worker_node("worker-2")
    stack.start_beat()
    stack.start_balancer()
    for node in ("web-a", "web-b", "balancer"):
        wait_for(lambda n=node: _healthy(stack.url(n)), f"{node} to answer /healthz", timeout=60)
    say("all up: 2 web nodes, 2 worker nodes, beat, HAProxy, PgBouncer, a replica, S3")
    result: dict = {}
    result["files"] = check_files(stack)
    say("a document uploaded through node A downloads through node B")
    result.update(check_payment_and_replica(stack))
    say("a payment started on A, notified to A and B, settled once; the report read the replica")
    result["rate_limit"] = check_rate_limit(stack)
    say("quick-pay's rate limit held across both nodes")
    result["bulk_jobs"] = check_bulk_jobs(stack)
    say("every service's bulk job, delivered twice, ran once")
    result["pages_per_s"], result["pages_per_core_s"] = citizen_pages_per_s(stack)
    result["settlements_per_s"] = settlements_per_s(stack)
    from payments.models import Receipt

    receipts = list(Receipt.objects.order_by("-pk").values_list("pk", flat=True)[:60])
    result["pdfs_per_s"], result["pdfs_per_core_s"], _ = render_receipts(
        stack, receipts[:30], stop_worker=False
    )
    say(
        f"sizes: {result['pages_per_s']:.1f} citizen pages/s on one node, "
        f"{result['settlements_per_s']:.1f} settlements/s, {result['pdfs_per_s']:.1f} PDFs/s"
    )
    *_, result["tasks_lost"] = render_receipts(stack, receipts[30:], stop_worker=True)
    say(f"worker node 1 stopped with PDFs queued: {result['tasks_lost']} tasks lost")
    result["requests_lost"] = web_failover(stack)
    say(f"web node A stopped under load: {result['requests_lost']} requests lost")
    wait_for(lambda: replica_lag_ms(stack, "web-b") is not None, "the replica's lag on /healthz")
    result["replica_lag_ms"] = replica_lag_ms(stack, "web-b")
    return result


def _healthy(url: str) -> bool:
    try:
        return requests.get(url + "/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


if __name__ == "__main__":
    main(sys.argv[1:])
