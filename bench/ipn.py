"""IPN rush benchmark: N payment notifications posted by S concurrent senders to the real
endpoint on gunicorn, acknowledged by the web and validated and settled by the Celery
worker against the gateway simulator running on its own server, which answers each
validation after the given latency (the round trip to the real gateway).

    python -m bench.ipn --senders 10 --gateway-latency-ms 300 [--n 400]

Processes, all started here: the portal (gunicorn, 2 workers × 4 threads), the simulator
(gunicorn, 1 worker × 64 threads, validation answered after the latency), the gateway
worker (Celery, thread pool) and the default worker. Setup, not timed: bills, payments and
gateway sessions paid at the simulator with "no IPN" (the benchmark sends the signed
notifications itself). Each run bills dues of its own and uses queues of its own, so it
runs again on the same database.

Measured: each IPN's acknowledgement (the POST's round trip); each payment's settlement
(its ``settled_at`` minus the moment its notification was sent); settlements per second
(N over the first send to the last settlement); and the citizen dashboard's p95, loaded by
one browser every --page-interval-ms (200: a citizen reading the page; 0: back to back),
during the storm over its p95 before it. Afterwards every payment must have settled
exactly once (one transition to succeeded, one receipt) and the ledger check must be
clean.

Last line: `ipn_rush: n=… senders=… ack_p95_ms=… settled_p95_s=… settlements_per_s=…
pages_p95_ratio=…`.
"""

from __future__ import annotations

import argparse
import os
import queue
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the benchmark server at {url} did not start")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _gunicorn(
    port: int, env: dict[str, str], *, workers: int, threads: int, nice: int = 0
) -> subprocess.Popen:
    return subprocess.Popen(
        [
            *_nice(nice),
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "30",
            "--backlog",
            "512",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def _nice(level: int) -> list[str]:
    return ["nice", "-n", str(level)] if level else []


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_IPN_N", "400")))
    parser.add_argument("--senders", type=int, default=10)
    parser.add_argument("--gateway-latency-ms", type=int, default=300)
    parser.add_argument(
        "--gateway-threads", type=int, default=32, help="each gateway worker's thread pool"
    )
    parser.add_argument("--gateway-workers", type=int, default=1, help="gateway worker processes")
    parser.add_argument(
        "--page-interval-ms",
        type=int,
        default=200,
        help="the citizen's pause between dashboard loads (0: back to back, an extra load)",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=int(os.environ.get("BENCH_IPN_NICE", "10")),
        help="CPU niceness of the workers and the simulator (the web's requests first)",
    )
    args = parser.parse_args(argv if argv is not None else [])

    var_dir = ROOT / "var" / "bench"
    shutil.rmtree(var_dir / "broker", ignore_errors=True)
    var_dir.mkdir(parents=True, exist_ok=True)
    web_port, sim_port = _free_port(), _free_port()
    web, sim = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{sim_port}"
    run = secrets.token_hex(4)  # dues, queues and the like of this run only
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "KCC_VAR_DIR": str(var_dir),
        "SITE_URL": web,
        "SSLCOMMERZ_BASE_URL": sim + "/gateway-simulator",
        "CELERY_QUEUE": f"bench-{run}",
        # The senders stand in for the gateway's notification servers, which are trusted
        # (never rate-limited per address).
        "PAYMENTS_CALLBACK_TRUSTED_IPS": "127.0.0.1",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    procs = {
        "web": _gunicorn(web_port, env, workers=2, threads=4),
        "simulator": _gunicorn(
            sim_port,
            {**env, "SSLCOMMERZ_SIMULATOR_LATENCY_MS": str(args.gateway_latency_ms)},
            workers=1,
            threads=64,
            nice=args.nice,
        ),
    }
    celery = [
        *_nice(args.nice),
        sys.executable,
        "-m",
        "celery",
        "-A",
        "kcc_portal",
        "worker",
        "--loglevel",
        "WARNING",
    ]
    for i in range(args.gateway_workers):
        procs[f"gateway worker {i}"] = subprocess.Popen(
            [
                *celery,
                "--pool",
                "threads",
                "--concurrency",
                str(args.gateway_threads),
                "--hostname",
                f"gateway{i}-{run}@%h",
                "-Q",
                settings.CELERY_GATEWAY_QUEUE,
            ],
            cwd=ROOT,
            env={**env, "DATABASE_POOL_MAX": str(args.gateway_threads + 4)},
        )
    procs["worker"] = subprocess.Popen(
        [
            *celery,
            "--concurrency",
            "1",
            "--hostname",
            f"default-{run}@%h",
            "-Q",
            settings.CELERY_TASK_DEFAULT_QUEUE,
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_healthy(web)
        _wait_healthy(sim)
        payloads = prepare_notifications(args.n, run)
        cookie = _citizen_session()
        result = _storm(web, payloads, args.senders, cookie, args.page_interval_ms / 1000)
        check_settled(payloads)
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(
        f"ipn_rush: details gateway_latency_ms={args.gateway_latency_ms} nice={args.nice} "
        f"page_interval_ms={args.page_interval_ms} pages_during={result['pages_during']} "
        f"ack_p50_ms={result['ack_p50_ms']:.1f} page_p95_ms_before={result['page_before']:.1f} "
        f"page_p95_ms_during={result['page_during']:.1f} load_avg_1min={os.getloadavg()[0]:.2f}"
    )
    print(
        f"ipn_rush: n={len(payloads)} senders={args.senders} "
        f"ack_p95_ms={result['ack_p95_ms']:.1f} settled_p95_s={result['settled_p95_s']:.2f} "
        f"settlements_per_s={result['per_s']:.1f} "
        f"pages_p95_ratio={result['page_during'] / result['page_before']:.2f}"
    )


def _storm(
    web: str,
    payloads: list[dict[str, str]],
    senders: int,
    cookie: tuple[str, str],
    pause: float,
):
    from payments.models import Payment

    dashboard = web + "/dashboard/"
    browser = requests.Session()
    browser.cookies.set(*cookie)
    first = browser.get(dashboard, timeout=30, allow_redirects=False)
    if first.status_code != 200:
        raise SystemExit(f"the citizen dashboard answered {first.status_code}")

    def load_pages(until: threading.Event, into: list[float], count: int | None = None) -> None:
        while not until.is_set() and (count is None or len(into) < count):
            started = time.perf_counter()
            response = browser.get(dashboard, timeout=60, allow_redirects=False)
            took = time.perf_counter() - started
            into.append(took * 1000)
            assert response.status_code == 200, response.status_code
            until.wait(max(0.0, pause - took))  # a citizen reading the page, not a load test

    before: list[float] = []
    load_pages(threading.Event(), before, count=60)

    todo: queue.Queue[dict[str, str]] = queue.Queue()
    for payload in payloads:
        todo.put(payload)
    sent_at: dict[str, float] = {}
    acks: list[float] = []
    failures: list[str] = []

    def send() -> None:
        session = requests.Session()
        while True:
            try:
                payload = todo.get_nowait()
            except queue.Empty:
                return
            started = time.time()
            sent_at[payload["tran_id"]] = started
            try:
                response = session.post(web + "/payments/sslcommerz/ipn/", data=payload, timeout=10)
            except requests.RequestException as exc:
                failures.append(f"{payload['tran_id']}: {exc}")
                continue
            acks.append((time.time() - started) * 1000)
            if response.status_code != 200:
                failures.append(f"{payload['tran_id']}: HTTP {response.status_code}")

    during: list[float] = []
    storm_over = threading.Event()
    pages = threading.Thread(target=load_pages, args=(storm_over, during))
    threads = [threading.Thread(target=send) for _ in range(senders)]
    storm_started = time.time()
    pages.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tran_ids = [p["tran_id"] for p in payloads]
    if not failures:
        _wait_settled(tran_ids)
    storm_over.set()
    pages.join()
    if failures:
        raise SystemExit(f"{len(failures)} notifications failed, e.g. {failures[:3]}")
    settled = dict(
        Payment.objects.filter(tran_id__in=tran_ids, settled_at__isnull=False).values_list(
            "tran_id", "settled_at"
        )
    )
    if len(settled) != len(tran_ids):
        raise SystemExit(f"only {len(settled)} of {len(tran_ids)} payments settled in time")
    waits = [settled[t].timestamp() - sent_at[t] for t in tran_ids]
    last = max(s.timestamp() for s in settled.values())
    return {
        "ack_p95_ms": _p95(acks),
        "ack_p50_ms": sorted(acks)[len(acks) // 2],
        "settled_p95_s": _p95(waits),
        "per_s": len(tran_ids) / (last - storm_started),
        "page_before": _p95(before),
        "page_during": _p95(during or before),
        "pages_during": len(during),
    }


def _wait_settled(tran_ids: list[str], timeout: float = 300.0) -> None:
    from payments.models import Payment

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = Payment.objects.filter(tran_id__in=tran_ids, status="succeeded").count()
        if done == len(tran_ids):
            return
        time.sleep(0.1)


def _citizen_session() -> tuple[str, str]:
    """A signed-in citizen with a few open bills (made once), as a session cookie."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User
    from payments.services import LineSpec, bill_issue

    user = User.objects.filter(mobile="01799000002").first()
    if user is None:
        user = User.objects.create_user(mobile="01799000002", mobile_verified=True)
        for i in range(3):
            bill_issue(
                service="bench",
                subject_type="bench",
                subject_id=f"viewer-{i}",
                dues=[f"viewer:{i}"],
                fiscal_year_label="2025-26",
                due_date=date(2026, 6, 30),
                payer=user,
                lines=[LineSpec(head="holding_tax", amount=Decimal("800.00"))],
            )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return settings.SESSION_COOKIE_NAME, store.session_key or ""


def pay_at_simulator(gateway_url: str, session: requests.Session | None = None) -> dict[str, str]:
    """Pay a gateway session at the simulator without its own notification; returns the
    signed notification the gateway would have sent."""
    from payments.simulator.client import pay

    fields = pay(gateway_url, session=session, no_ipn=True)
    if "tran_id" not in fields:
        raise SystemExit("the simulator gave no notification to send")
    return fields


def prepare_notifications(n: int, run: str) -> list[dict[str, str]]:
    """Bills, payments and gateway sessions paid at the simulator without an IPN; returns
    the signed notifications the gateway would have sent."""
    from accounts.models import User
    from payments.models import ReceiptCounter
    from payments.services import LineSpec, bill_issue, payment_initiate_online

    ReceiptCounter.objects.get_or_create(fiscal_year="bench")
    payer = User.objects.filter(mobile="01799000000").first() or User.objects.create_user(
        mobile="01799000000"
    )
    checkout = requests.Session()
    payloads = []
    for i in range(n):
        bill = bill_issue(
            service="bench",
            subject_type="bench",
            subject_id=f"{run}-{i}",
            dues=[f"{run}:{i}"],
            fiscal_year_label="2025-26",
            due_date=date(2026, 6, 30),
            payer=payer,
            lines=[
                LineSpec(head="holding_tax", amount=Decimal("1200.00")),
                LineSpec(head="conservancy", amount=Decimal("300.00")),
            ],
        )
        payment = payment_initiate_online(bills=[bill], payer=payer)
        payloads.append(pay_at_simulator(payment.gateway_url, checkout))
    return payloads


def check_settled(payloads) -> None:
    """Every payment of these notifications settled exactly once (one transition to
    succeeded, one receipt), and the ledger check clean."""
    from django.db.models import Count, Q

    from payments.ledger_checks import find_discrepancies
    from payments.models import Payment

    tran_ids = [p["tran_id"] for p in payloads]
    rows = Payment.objects.filter(tran_id__in=tran_ids).annotate(
        settlements=Count("transitions", filter=Q(transitions__to_status="succeeded")),
    )
    wrong = [p.tran_id for p in rows if p.status != "succeeded" or p.settlements != 1]
    receipts = Payment.objects.filter(tran_id__in=tran_ids, receipt__isnull=False).count()
    if wrong or len(rows) != len(tran_ids) or receipts != len(tran_ids):
        raise SystemExit(f"not settled exactly once: {wrong[:5]} (receipts: {receipts})")
    problems = find_discrepancies()
    if problems:
        raise SystemExit("ledger discrepancies: " + "; ".join(problems[:5]))


if __name__ == "__main__":
    main(sys.argv[1:])
