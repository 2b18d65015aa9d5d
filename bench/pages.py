"""Citizen pages under load: each page a signed-in citizen opens, against a bare signed-in
Django view in the same run, with 20 concurrent clients on gunicorn (2 workers × 4 threads).

    python -m bench.pages [--clients 20] [--seconds 4]

Setup, not timed, in a database of its own made afresh on the PostgreSQL server of
DATABASE_URL (`kcc_bench_pages`, dropped at the end): a citizen owning one
holding with its demand and an open bill, a receipt to verify and a licence to search.
Then, for each page in turn, the clients load it in a loop for the given seconds; each
page's throughput is compared with the bare view's (`ratio` = bare requests per second
over the page's) and its p95 latency is reported. The same again after giving the citizen
50 holdings and 50 open bills (the growth the dashboard and "what I owe" must absorb).

The bare view (`bench/signed-in/`) runs the whole middleware stack with the signed-in
session and returns the user's id: what any page costs before its own work.

Last line: `pages: clients=20 worst_page=… worst_ratio=… worst_p95_ms=…` (over both runs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

import requests

from bench._db import drop_database, fresh_database, server_url
from bench.ipn import _free_port, _gunicorn, _p95, _wait_healthy

ROOT = Path(__file__).resolve().parent.parent
CITIZEN = "01799000003"
DB_NAME = os.environ.get("BENCH_PAGES_DB", "kcc_bench_pages")
FY = "2025-26"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args(argv if argv is not None else [])

    var_dir = ROOT / "var" / "bench"
    shutil.rmtree(var_dir / "broker", ignore_errors=True)
    var_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    web = f"http://127.0.0.1:{port}"
    # A database of its own each run: the first round must see one holding, not the 50 an
    # earlier run's second round made.
    server_db = server_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "KCC_VAR_DIR": str(var_dir),
        "SITE_URL": web,
        "DATABASE_URL": fresh_database(server_db, DB_NAME),
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    server = _gunicorn(port, env, workers=2, threads=4)
    try:
        _wait_healthy(web)
        cookie = _citizen_session()
        results = []
        for grown in (False, True):
            pages = _pages(grown=grown)
            results.append(_measure(web, cookie, pages, args.clients, args.seconds, grown))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except Exception:  # noqa: BLE001 - the benchmark is over either way
            server.kill()
        from django.db import connections

        connections.close_all()
        drop_database(server_db, DB_NAME)
    worst = max((row for rows in results for row in rows), key=lambda row: row["ratio"])
    worst_p95 = max(row["p95_ms"] for rows in results for row in rows)
    print(
        f"pages: clients={args.clients} worst_page={worst['page']} "
        f"worst_ratio={worst['ratio']:.1f} worst_p95_ms={worst_p95:.0f}"
    )


def _citizen_session() -> tuple[str, str]:
    """The benchmark's citizen (made once), signed in: a session cookie."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User

    user = User.objects.filter(mobile=CITIZEN).first()
    if user is None:
        user = User.objects.create_user(mobile=CITIZEN, mobile_verified=True)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return settings.SESSION_COOKIE_NAME, store.session_key or ""


def _pages(*, grown: bool) -> dict[str, str]:
    """The citizen's pages (URL paths), after making what they show."""
    from django.urls import reverse

    from accounts.models import User
    from holdings.demands import generate_demands
    from holdings.models import Holding, Instalment
    from holdings.services import assessment_record, holding_bill, holding_create, owner_add
    from payments.models import Receipt

    user = User.objects.get(mobile=CITIZEN)
    wanted = 50 if grown else 1
    have = Holding.objects.filter(owners__user=user).count()
    for n in range(have, wanted):
        holding = holding_create(ward=1 + n % 20, number=f"BENCH-{n}", use="residential")
        owner = owner_add(holding=holding, name_en=f"Bench owner {n}", mobile=CITIZEN)
        owner.user = user
        owner.save(update_fields=["user"])
        assessment_record(holding=holding, effective_fy=FY, annual_rent=str(60000 + 1000 * n))
    generate_demands(FY)
    for holding in Holding.objects.filter(owners__user=user).order_by("pk")[:wanted]:
        first = Instalment.objects.filter(demand__holding=holding).order_by("quarter")[:1]
        holding_bill(holding=holding, instalments=list(first), payer=user, today=date(2025, 9, 1))
    holding = Holding.objects.filter(owners__user=user).select_related("ward").first()
    assert holding is not None
    receipt = Receipt.objects.order_by("pk").first()
    pages = {
        "home": "/",
        "dashboard": reverse("dashboard"),
        "what_i_owe": reverse("payments:bills"),
        "holding_statement": reverse("holdings:statement", args=[holding.pk]),
        "quick_pay_lookup": reverse("holdings:quick_pay")
        + f"?ward={holding.ward.number}&number={holding.number}",
        "api_bills": "/api/bills/",
        "licence_search": reverse("trade_licenses:search") + "?q=store",
    }
    if receipt is not None:
        pages["verify"] = f"/verify/{receipt.verify_code}/"
    return pages


def _load(url: str, cookie: tuple[str, str], clients: int, seconds: float) -> dict:
    """`clients` threads loading `url` for `seconds`: requests per second and latencies."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        session = requests.Session()
        session.cookies.set(*cookie)
        mine, bad = [], []
        while time.monotonic() < stop:
            start = time.perf_counter()
            response = session.get(url, timeout=30, headers={"Accept-Encoding": "gzip"})
            mine.append(time.perf_counter() - start)
            if response.status_code != 200:
                bad.append(response.status_code)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    begun = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - begun
    if errors:
        raise SystemExit(f"{url} answered {sorted(set(errors))}")
    return {
        "rps": len(latencies) / elapsed,
        "p95_ms": _p95(latencies) * 1000,
        "median_ms": statistics.median(latencies) * 1000,
    }


def _measure(web: str, cookie, pages: dict[str, str], clients: int, seconds: float, grown: bool):
    bare = _load(web + "/bench/signed-in/", cookie, clients, seconds)
    label = "50 holdings, 50 bills" if grown else "1 holding, 1 bill"
    print(
        f"  pages ({label}): bare rps={bare['rps']:.0f} p95_ms={bare['p95_ms']:.0f}",
        flush=True,
    )
    rows = []
    for name, path in pages.items():
        got = _load(web + path, cookie, clients, seconds)
        ratio = bare["rps"] / got["rps"]
        rows.append({"page": f"{name}{'+growth' if grown else ''}", "ratio": ratio, **got})
        print(
            f"  pages ({label}): {name} rps={got['rps']:.0f} p95_ms={got['p95_ms']:.0f} "
            f"ratio={ratio:.1f}",
            flush=True,
        )
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
