"""The simulator under gunicorn with one worker (threads): the IPN is delivered without
blocking the request that triggers it, and the notification settles the payment."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

from payments.models import Payment
from payments.services import payment_initiate_online

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def one_worker_server(settings, child_process_env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    # Its notifications are settled by this test's worker: same queue, same broker.
    env = child_process_env(
        SITE_URL=base, SSLCOMMERZ_BASE_URL=base + settings.SSLCOMMERZ_SIMULATOR_PATH
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kcc_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        settings.SITE_URL = base
        settings.SSLCOMMERZ_BASE_URL = base + settings.SSLCOMMERZ_SIMULATOR_PATH
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_payment_settles_under_gunicorn_with_one_worker(
    one_worker_server, celery_worker_thread, citizen, make_bill, gateway_pay, wait_until
):
    payment = payment_initiate_online(bills=[make_bill(citizen, "1500.00")], payer=citizen)
    assert payment.gateway_url.startswith(one_worker_server)
    started = time.monotonic()
    gateway_pay(payment, "bkash")
    assert time.monotonic() - started < 5  # the checkout did not wait for the IPN
    assert wait_until(lambda: Payment.objects.get(pk=payment.pk).status == "succeeded")
    assert settings.SSLCOMMERZ_SIMULATOR_ENABLED
