"""A read replica for reports (core.db): report and export reads go to the replica, every
write and a user's own pages to the primary, and a user who has just written reads the
primary for a while; /healthz reports the replica's lag. The "replica" here is a second
connection to the test database, so which connection ran a query shows the routing."""

from __future__ import annotations

import copy

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.test.utils import CaptureQueriesContext

from core.db import (
    PIN_COOKIE,
    REPLICA,
    primary_pinned,
    read_alias,
    replica_configured,
    replica_lag_ms,
    replica_reads,
)
from payments.models import Allocation, Payment

URL = "/payments/revenue/collections/"


@pytest.fixture(scope="module")
def replica_alias(django_db_setup, django_db_blocker):
    """A "replica" alias: its own connection to the same (test) database, declared before
    the tests that use it ask for it (pytest.mark.django_db(databases=...))."""
    connections.settings[REPLICA] = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    yield
    with django_db_blocker.unblock():
        connection = connections[REPLICA]
        connection.close()
        if hasattr(connection, "close_pool"):
            connection.close_pool()
    del connections.settings[REPLICA]
    if hasattr(connections._connections, REPLICA):
        delattr(connections._connections, REPLICA)


@pytest.fixture
def replica(replica_alias):
    return connections[REPLICA]


WITH_REPLICA = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


def ledger_sql(queries) -> list[str]:
    return [q["sql"] for q in queries if "payments_allocation" in q["sql"] or "rollup" in q["sql"]]


def test_without_a_replica_everything_reads_the_primary(db):
    assert not replica_configured()
    with replica_reads():
        assert read_alias() == DEFAULT_DB_ALIAS
        assert router.db_for_read(Allocation) == DEFAULT_DB_ALIAS
    assert replica_lag_ms() is None


def test_healthz_without_a_replica_says_nothing_of_one(client, db):
    # (Before the tests that declare the replica: the alias lives for the rest of the module.)
    body = client.get("/healthz").json()
    assert "replica" not in body and "replica_lag_ms" not in body


@WITH_REPLICA
def test_reports_read_the_replica_writes_and_the_rest_the_primary(replica):
    assert router.db_for_read(Allocation) == DEFAULT_DB_ALIAS
    with replica_reads():
        assert router.db_for_read(Allocation) == REPLICA
        assert router.db_for_write(Payment) == DEFAULT_DB_ALIAS
        with primary_pinned():
            assert router.db_for_read(Allocation) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Allocation) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(REPLICA, "payments") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "payments") is True


@WITH_REPLICA
def test_a_report_page_reads_the_replica_and_a_citizens_own_page_the_primary(
    client, replica, make_user
):
    client.force_login(make_user("revenue_officer"))
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        assert client.get(URL).status_code == 200
    assert ledger_sql(on_replica.captured_queries), "the report's figures came from the replica"
    assert not ledger_sql(on_primary.captured_queries)

    citizen = make_user()
    client.force_login(citizen)
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get("/dashboard/").status_code == 200
        assert client.get("/payments/bills/").status_code == 200
    assert on_replica.captured_queries == []


@WITH_REPLICA
def test_after_a_write_the_user_reads_the_primary_for_a_while(client, replica, make_user):
    client.force_login(make_user("revenue_officer"))
    written = client.post("/payments/revenue/reconciliation/", {})  # a write (refused: no file)
    cookie = written.cookies[PIN_COOKIE]
    assert cookie["httponly"] and int(cookie["max-age"]) == 15
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        assert client.get(URL).status_code == 200
    assert on_replica.captured_queries == []
    assert ledger_sql(on_primary.captured_queries)

    client.cookies[PIN_COOKIE] = "0"  # the pin has run out
    with CaptureQueriesContext(replica) as on_replica:
        client.get(URL)
    assert ledger_sql(on_replica.captured_queries)


@WITH_REPLICA
def test_healthz_reports_the_replicas_lag(client, replica):
    if replica.vendor != "postgresql":
        pytest.skip("a replica's lag is PostgreSQL's (pg_is_in_recovery)")
    body = client.get("/healthz").json()
    assert body["replica"] == "ok" and body["replica_lag_ms"] == 0.0  # a primary: no lag
