"""IPN benchmark: N payment notifications settled through the real endpoint, each verified
and validated against the gateway simulator over HTTP, on a real server (gunicorn).

Baseline, same server, same run: a bare Django view doing one row update.
Last line: `ipn: n=N per_ipn_ms=… bare_view_ms=… ratio=…`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
N = int(os.environ.get("BENCH_IPN_N", "200"))


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
    raise RuntimeError("the benchmark server did not start")


def main() -> None:
    var_dir = ROOT / "var" / "bench"
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "KCC_VAR_DIR": str(var_dir),
        "SITE_URL": base,
        "SSLCOMMERZ_BASE_URL": base + "/gateway-simulator",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_healthy(base)
        payloads = _prepare(N, base)
        session = requests.Session()
        ipn_url = base + "/payments/sslcommerz/ipn/"
        bare_url = base + "/bench/bare/"
        for _ in range(20):  # warm both paths
            session.post(bare_url, timeout=30)
        started = time.perf_counter()
        for payload in payloads:
            response = session.post(ipn_url, data=payload, timeout=60)
            assert response.status_code == 200, response.text
        per_ipn = (time.perf_counter() - started) * 1000 / len(payloads)
        started = time.perf_counter()
        for _ in range(len(payloads)):
            session.post(bare_url, timeout=30)
        bare = (time.perf_counter() - started) * 1000 / len(payloads)
        _check_settled(payloads)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"ipn: n={len(payloads)} per_ipn_ms={per_ipn:.2f} bare_view_ms={bare:.2f} "
        f"ratio={per_ipn / bare:.2f}"
    )


def _prepare(n: int, base: str) -> list[dict[str, str]]:
    """Bills, payments and gateway sessions paid at the simulator without an IPN; returns
    the signed notifications the gateway would have sent."""
    import re
    import secrets
    from html import unescape

    from accounts.models import User
    from core.portal import ServiceSpec, register, spec_for
    from payments.models import ReceiptCounter
    from payments.services import LineSpec, bill_issue, payment_initiate_online

    if spec_for("bench") is None:  # the benchmark bills as a service of its own
        register(
            ServiceSpec(
                key="bench", title="Benchmark", revenue_heads=["holding_tax", "conservancy"]
            )
        )
    ReceiptCounter.objects.get_or_create(fiscal_year="bench")
    payer = User.objects.filter(mobile="01799000000").first() or User.objects.create_user(
        mobile="01799000000"
    )
    run = secrets.token_hex(4)  # each run bills dues of its own
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
        page = requests.post(
            payment.gateway_url, data={"action": "bkash", "no_ipn": "1"}, timeout=30
        ).text
        fields = {}
        for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", page):
            name = re.search(r'name="([^"]*)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                fields[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
        payloads.append(fields)
    return payloads


def _check_settled(payloads) -> None:
    from payments.ledger_checks import find_discrepancies
    from payments.models import Payment

    tran_ids = [p["tran_id"] for p in payloads]
    settled = Payment.objects.filter(tran_id__in=tran_ids, status="succeeded").count()
    if settled != len(tran_ids):
        raise SystemExit(f"only {settled} of {len(tran_ids)} payments settled")
    problems = find_discrepancies()
    if problems:
        raise SystemExit("ledger discrepancies: " + "; ".join(problems[:5]))


if __name__ == "__main__":
    main()
