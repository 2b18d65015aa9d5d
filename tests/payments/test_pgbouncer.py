"""PgBouncer in transaction mode as a supported setup (DATABASE_PGBOUNCER=true, see
kcc_portal/settings/base.py behind_pgbouncer): a real PgBouncer (Debian's package) in front
of the test database, and a child process of the portal talking through it — the time
limits come from PgBouncer's connect_query, a payment settled by two threads at once settles
once (row locks and transaction-level advisory locks through the pooler), and a report's
QuerySet.iterator() reads without server-side cursors."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import transaction

from payments.models import Payment, Receipt
from payments.services.online import create_payment

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"

pytestmark = [
    pytest.mark.skipif(not Path(PGBOUNCER).exists(), reason="PgBouncer is not installed"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only"
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def pgbouncer(child_process_env):
    """PgBouncer in transaction mode on a free port, in front of the test's database (its
    files in a folder of /tmp that the postgres user can reach when run as root)."""
    url = urlsplit(child_process_env()["DATABASE_URL"])
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="kcc-pgbouncer-"))
    folder.chmod(0o777)
    (folder / "userlist.txt").write_text(f'"{url.username}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        textwrap.dedent(
            f"""\
            [databases]
            * = host={url.hostname} port={url.port or 5432} connect_query='SET statement_timeout = 15000; SET lock_timeout = 5000'
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = trust
            auth_file = {folder}/userlist.txt
            pool_mode = transaction
            default_pool_size = 4
            max_client_conn = 50
            logfile = {folder}/pgbouncer.log
            pidfile = {folder}/pgbouncer.pid
            """  # noqa: E501
        )
    )
    for name in ("userlist.txt", "pgbouncer.ini"):
        (folder / name).chmod(0o644)
    command = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer will not run as root
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    else:
        process.kill()
        pytest.fail(
            f"PgBouncer did not start: {process.stdout.read().decode() if process.stdout else ''}"
        )
    netloc = f"{url.username}@127.0.0.1:{port}"
    yield urlunsplit((url.scheme, netloc, url.path, "", ""))
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(folder, ignore_errors=True)


CHILD = textwrap.dedent(
    """
    import json, sys, threading
    import django
    django.setup()
    from django.db import connection, connections
    from payments.models import Allocation, Receipt
    from payments.services import payment_settle

    payment_id = int(sys.argv[1])
    out = {"settings": {k: connection.settings_dict[k] for k in ("CONN_MAX_AGE",
           "DISABLE_SERVER_SIDE_CURSORS")}}
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        out["statement_timeout"] = cursor.fetchone()[0]
    barrier = threading.Barrier(2)
    results = []

    def settle():
        try:
            barrier.wait()
            results.append(payment_settle(payment_id=payment_id, reason="through PgBouncer").status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=settle) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    out["results"] = results
    out["receipts"] = Receipt.objects.filter(payment_id=payment_id).count()
    rows = Allocation.objects.filter(payment_id=payment_id)
    out["iterated"] = sum(1 for _ in rows.iterator(chunk_size=1))
    print(json.dumps(out))
    """
)


@pytest.mark.django_db(transaction=True)
def test_the_portal_runs_through_pgbouncer_in_transaction_mode(
    pgbouncer, child_process_env, citizen, make_bill
):
    bill = make_bill(citizen, "1500.00")
    with transaction.atomic():
        payment = create_payment(bills=[bill], channel=Payment.Channel.ONLINE, payer=citizen)
    env = child_process_env(DATABASE_URL=pgbouncer, DATABASE_PGBOUNCER="true")
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", CHILD, str(payment.pk)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["settings"] == {"CONN_MAX_AGE": 0, "DISABLE_SERVER_SIDE_CURSORS": True}
    assert out["statement_timeout"] == "15s"  # PgBouncer's connect_query, not startup options
    assert out["results"] == ["succeeded", "succeeded"]  # the second found it settled
    assert out["receipts"] == 1 and Receipt.objects.filter(payment=payment).count() == 1
    assert out["iterated"] == 2  # the two bill lines, read in chunks without a named cursor
    payment.refresh_from_db()
    assert payment.status == "succeeded" and payment.allocations.count() == 2


def test_compose_runs_the_app_behind_pgbouncer_in_transaction_mode(settings):
    """docker-compose.yml: web, workers and beat reach PostgreSQL through PgBouncer in
    transaction mode, with the app told so; migrate goes to PostgreSQL directly; and the
    per-request limits the app cannot send through PgBouncer are PostgreSQL's own."""
    import yaml

    compose = yaml.safe_load((Path(__file__).parents[2] / "docker-compose.yml").read_text())
    services = compose["services"]
    bouncer = services["pgbouncer"]["environment"]
    assert bouncer["POOL_MODE"] == "transaction" and bouncer["DB_HOST"] == "postgres"
    for name in ("web", "worker", "worker-gateway", "beat"):
        env = services[name]["environment"]
        assert urlsplit(env["DATABASE_URL"]).netloc.endswith(f"@pgbouncer:{bouncer['LISTEN_PORT']}")
        assert env["DATABASE_PGBOUNCER"] == "true"
        assert "pgbouncer" in services[name]["depends_on"]
    migrate = services["migrate"]["environment"]
    assert urlsplit(migrate["DATABASE_URL"]).hostname == "postgres"
    assert migrate["DATABASE_PGBOUNCER"] == "false"
    command = services["postgres"]["command"]
    assert f"statement_timeout={settings.DATABASE_STATEMENT_TIMEOUT_MS}" in command
    assert f"lock_timeout={settings.DATABASE_LOCK_TIMEOUT_MS}" in command
