"""A citizen's figures (the dashboard's panels, "what I owe", an owner's holding statement,
their /api/bills/) are cached until a write they are worked out from commits
(core.citizen_cache): a second look costs a few queries; a payment drops the figures of
those who see it (payer, the holding's owners) and keeps everyone else's; any other write —
straight to a table, with no service or signal — drops everyone's; a transaction's own
uncommitted writes are never cached; a write committed while a page was being worked out is
not hidden by what that page stored."""

from __future__ import annotations

import datetime
import re
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import caches
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import citizen_cache, portal
from core.roles import Role
from holdings.demands import generate_demands
from holdings.models import Instalment
from holdings.selectors import statement
from holdings.services import (
    assessment_record,
    holding_bill,
    holding_create,
    holding_link_by_nid,
    owner_add,
)
from payments.dashboard_panels import owe
from payments.models import Payment
from payments.services import payment_settle
from payments.services.online import create_payment
from payments.views.citizen import owed

pytestmark = pytest.mark.django_db(transaction=True)

MID_OCTOBER = datetime.datetime(2025, 10, 15, 10, tzinfo=datetime.UTC)  # Q1 overdue
PAID = '<span class="badge">Paid</span>'  # an instalment's, on the holding's statement


@pytest.fixture(autouse=True)
def october():
    with time_machine.travel(MID_OCTOBER):
        yield


def _holding(number: str, *users):
    """A holding of FY 2025-26 (4,250 a quarter), each of `users` one of its owners."""
    holding = holding_create(ward=3, number=number, road="Sir Iqbal Road")
    nids = [f"1987654{n}{len(number):02d}" for n in range(len(users))]
    for n, nid in enumerate(nids):
        owner_add(holding=holding, name_en=f"Owner {n}", nid=nid, mobile="01819123456")
    assessment_record(holding=holding, effective_fy="2024-25", annual_rent="120000")
    generate_demands("2025-26")
    for user, nid in zip(users, nids, strict=True):
        holding_link_by_nid(user=user, holding=holding, nid=nid)
    return holding


def _signed_in(user) -> Client:
    """A browser of `user`'s (signing in drops their own figures: once)."""
    client = Client()
    client.force_login(user)
    client.cookies["kcc_language"] = "en"
    return client


def _look(client, path: str = "/payments/bills/") -> tuple[str, int]:
    """The page as the client's user sees it, and how many queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _pay(bill, payer):
    with transaction.atomic():
        payment = create_payment(bills=[bill], channel=Payment.Channel.ONLINE, payer=payer)
    return payment_settle(payment_id=payment.pk, facts={"bank_tran_id": f"B{payment.pk}"})


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('INSERT INTO "payments_bill" ("number") VALUES (%s)', {"payments_bill"}),
        ('UPDATE "holdings_instalment" SET "status" = %s', {"holdings_instalment"}),
        ('DELETE FROM "holdings_owner" WHERE id = 1', {"holdings_owner"}),
        ("WITH x AS (SELECT 1) INSERT INTO holdings_demand SELECT * FROM x", {"holdings_demand"}),
        ('SELECT * FROM "payments_bill" WHERE id = 1 FOR UPDATE', set()),
        ('SELECT * FROM "payments_bill" FOR UPDATE OF "payments_bill" SKIP LOCKED', set()),
        ('SELECT * FROM "payments_bill" FOR NO KEY UPDATE OF "payments_bill"', set()),
        ("INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = 2", {"t"}),
        ('TRUNCATE "django_session", "holdings_demand";', {"django_session", "holdings_demand"}),
        ("SELECT pg_advisory_xact_lock(1)", set()),
    ],
)
def test_the_tables_a_statement_writes_to(sql, tables):
    assert citizen_cache.written_tables(sql) == tables


def test_a_second_look_comes_from_the_cache_and_a_write_straight_to_a_table_drops_it(make_user):
    citizen = make_user(Role.CITIZEN, mobile="01711000001")
    holding = _holding("45/A", citizen)
    client = _signed_in(citizen)
    for path in ("/payments/bills/", "/dashboard/"):
        page, first = _look(client, path)
        assert "FY 2025-26, instalment 1" in page and "৳4,250.00" in page
        page, second = _look(client, path)
        assert "৳4,250.00" in page
        assert second <= first - 5, (path, first, second)
    # No service, no signal: a bulk UPDATE as a demand revision might run it.
    Instalment.objects.filter(demand__holding=holding, quarter=1).update(amount=Decimal("4300"))
    for path in ("/payments/bills/", "/dashboard/"):
        page, _n = _look(client, path)
        assert "৳4,300.00" in page, path  # the overdue first instalment, revised


def test_a_payment_drops_the_figures_of_those_who_see_it_and_keeps_everyone_elses(make_user):
    payer = make_user(Role.CITIZEN, mobile="01711000001")
    co_owner = make_user(Role.CITIZEN, mobile="01711000003")
    other = make_user(Role.CITIZEN, mobile="01711000004")
    holding = _holding("45/A", payer, co_owner)
    _holding("46/BC", other)
    clients = {user: _signed_in(user) for user in (payer, co_owner, other)}
    statement = reverse("holdings:statement", args=[holding.pk])
    for client in clients.values():
        page, _n = _look(client)
        assert "FY 2025-26, instalment 1" in page
    _page, cached = _look(clients[other])
    assert _look(clients[co_owner], statement)[0].count(PAID) == 0
    assert clients[payer].get("/api/bills/").json()["count"] == 0

    q1 = list(Instalment.objects.filter(demand__holding=holding, quarter=1))
    bill = holding_bill(holding=holding, instalments=q1, payer=payer)
    page, _n = _look(clients[co_owner])  # billed by the payer: no longer "not billed yet"
    assert "FY 2025-26, instalment 1" not in page
    assert clients[payer].get("/api/bills/").json()["results"][0]["status"] == "open"
    _pay(bill, payer)
    for user in (payer, co_owner):
        page, _n = _look(clients[user])
        assert bill.number not in page and "instalment 1" not in page
        assert "FY 2025-26, instalment 2" in page  # the next one, not yet due
        assert _look(clients[user], statement)[0].count(PAID) == 1
    assert clients[payer].get("/api/bills/").json()["results"][0]["status"] == "paid"
    page, queries = _look(clients[other])  # nobody of theirs: still from the cache
    assert "FY 2025-26, instalment 1" in page and queries == cached


def test_a_transactions_own_uncommitted_writes_are_never_cached(make_user):
    citizen = make_user(Role.CITIZEN, mobile="01711000001")
    holding = _holding("45/A", citizen)
    assert owe(citizen)["dues_total"] == Decimal("8500.00")  # Q1 overdue, Q2 next
    citizen_cache.figures(citizen, "owe", lambda: owe(citizen))
    with transaction.atomic():
        Instalment.objects.filter(demand__holding=holding, quarter=1).update(amount=Decimal("1"))
        inside = citizen_cache.figures(citizen, "owe", lambda: owe(citizen))
        assert inside["dues_total"] == Decimal("4251.00")  # its own write, seen, not stored
        transaction.set_rollback(True)
    after = citizen_cache.figures(citizen, "owe", lambda: owe(citizen))
    assert after["dues_total"] == Decimal("8500.00")


def test_a_lost_version_token_is_replaced_not_reset(make_user):
    """The cache dropped the city's token (memory pressure): a new one is made, so what
    was stored under an earlier token is never read again."""
    citizen = make_user(Role.CITIZEN, mobile="01711000001")
    holding = _holding("45/A", citizen)
    client = _signed_in(citizen)
    _look(client)
    cache = caches[citizen_cache.ALIAS]
    before = cache.get("cz:g")
    Instalment.objects.filter(demand__holding=holding, quarter=1).update(amount=Decimal("4300"))
    cache.delete("cz:g")
    page, _n = _look(client)
    assert "৳4,300.00" in page
    assert cache.get("cz:g") not in (None, before)


def test_a_write_committed_while_a_page_is_worked_out_is_not_hidden_by_it(make_user):
    """A reader works out the figures, a writer commits and drops them, then the reader
    stores what it had: stored under the tokens read before, which the commit replaced,
    so the next look works them out again."""
    citizen = make_user(Role.CITIZEN, mobile="01711000001")
    holding = _holding("45/A", citizen)
    computed, committed = threading.Barrier(2), threading.Barrier(2)
    seen = []

    def slow_owe():
        figures = owe(citizen)
        computed.wait(timeout=10)
        committed.wait(timeout=10)  # the writer commits before this is stored
        return figures

    def reader():
        try:
            seen.append(citizen_cache.figures(citizen, "owe", slow_owe)["dues_total"])
        finally:
            close_old_connections()

    thread = threading.Thread(target=reader)
    thread.start()
    computed.wait(timeout=10)
    Instalment.objects.filter(demand__holding=holding, quarter=1).update(amount=Decimal("4300"))
    committed.wait(timeout=10)
    thread.join(timeout=10)
    assert seen == [Decimal("8500.00")]  # what it read before the commit
    now = citizen_cache.figures(citizen, "owe", lambda: owe(citizen))
    assert now["dues_total"] == Decimal("8550.00")


TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)


def test_no_figure_is_worked_out_from_a_table_whose_writes_keep_the_cache(make_user):
    """IGNORED_TABLES are written often and kept out of invalidation: working out the
    cached figures (every dashboard panel, "what I owe", a holding's statement) for a
    citizen with a holding, a bill and a payment reads none of them."""
    citizen = make_user(Role.CITIZEN, mobile="01711000001")
    holding = _holding("45/A", citizen)
    q1 = list(Instalment.objects.filter(demand__holding=holding, quarter=1))
    _pay(holding_bill(holding=holding, instalments=q1, payer=citizen), citizen)
    with CaptureQueriesContext(connection) as queries:
        {panel.key: panel.context(citizen) for panel in portal.panels()}
        owed(citizen)
        statement(holding)
    read = {table for q in queries.captured_queries for table in TABLE.findall(q["sql"])}
    assert {"holdings_instalment", "payments_bill", "payments_payment"} <= read
    assert not read & citizen_cache.IGNORED_TABLES


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _as_fresh(client, path: str, settings) -> str:
    """The page as the cache serves it, checked against the page worked out afresh."""
    served, _n = _look(client, path)
    settings.CITIZEN_CACHE_SECONDS = 0
    fresh, _n = _look(client, path)
    settings.CITIZEN_CACHE_SECONDS = 300
    assert CSRF.sub("", served) == CSRF.sub("", fresh)
    return served


def test_a_holdings_statement_is_kept_for_anyone_until_a_bill_of_it_is_written(make_user, settings):
    """Quick pay without an account (by ward and number) and the owner's statement share
    the holding's cached statement: a payment by a stranger with no account — no citizen
    named — drops it all the same, through the holding's own token."""
    owner = make_user(Role.CITIZEN, mobile="01711000001")
    holding = _holding("45/A", owner)
    stranger = Client()
    stranger.cookies["kcc_language"] = "en"
    quick_pay = reverse("holdings:quick_pay") + "?ward=3&number=45/A"
    statement = reverse("holdings:statement", args=[holding.pk])
    signed_in = _signed_in(owner)
    before = _as_fresh(stranger, quick_pay, settings)
    assert 'name="what"' in before  # the pay choices
    _as_fresh(signed_in, statement, settings)
    _page, cached = _look(stranger, quick_pay)
    settings.CITIZEN_CACHE_SECONDS = 0
    _page, uncached = _look(stranger, quick_pay)
    settings.CITIZEN_CACHE_SECONDS = 300
    assert cached <= uncached - 5

    q1 = list(Instalment.objects.filter(demand__holding=holding, quarter=1))
    bill = holding_bill(holding=holding, instalments=q1, owner_contact=False)
    _pay(bill, None)
    after = _as_fresh(stranger, quick_pay, settings)
    assert CSRF.sub("", after) != CSRF.sub("", before)
    assert _as_fresh(signed_in, statement, settings).count(PAID) == 1


def test_a_cached_statement_is_in_the_language_it_was_asked_in(make_user):
    """The statement's table is rendered into the cache without the request: its Bengali
    page still leaves out the English rule under each line (the English page shows it)."""
    owner = make_user(Role.CITIZEN, mobile="01711000001")
    holding = _holding("45/A", owner)
    client = _signed_in(owner)
    statement = reverse("holdings:statement", args=[holding.pk])
    for _first_and_cached in range(2):
        assert 'class="rule"' in _look(client, statement)[0]
        client.cookies["kcc_language"] = "bn"
        assert 'class="rule"' not in _look(client, statement)[0]
        client.cookies["kcc_language"] = "en"


def test_a_write_for_a_service_that_cannot_name_its_people_drops_everyones(make_user):
    """Inside a scope (a holding's payment), a bill of a service that names nobody still
    drops everyone's figures, as does any write under citizen_cache.everyone()."""
    cache = caches[citizen_cache.ALIAS]
    citizen = make_user(Role.CITIZEN, mobile="01711000001")
    citizen_cache.figures(citizen, "owe", lambda: owe(citizen))
    before = cache.get("cz:g")
    with citizen_cache.scoped_to([citizen.pk]), citizen_cache.everyone():
        Instalment.objects.update(amount=Decimal("1"))
    assert cache.get("cz:g") != before


def test_figures_kept_by_other_code_are_not_read(make_user, monkeypatch):
    """A release reads only what its own code stored (a rolling deploy runs two)."""
    citizen = make_user(Role.CITIZEN, mobile="01711000001")
    worked_out = []
    monkeypatch.setattr(citizen_cache, "release", lambda: "earlier")
    citizen_cache.figures(citizen, "owe", lambda: worked_out.append(1))
    citizen_cache.figures(citizen, "owe", lambda: worked_out.append(2))
    monkeypatch.setattr(citizen_cache, "release", lambda: "later")
    citizen_cache.figures(citizen, "owe", lambda: worked_out.append(3))
    assert worked_out == [1, 3]


def test_the_watch_comes_first_among_a_connections_wrappers():
    """So that an execute_wrapper() block a connection was opened in pops its own."""

    class Opened:
        execute_wrappers = [print]

    citizen_cache.install(None, Opened)
    citizen_cache.install(None, Opened)
    assert Opened.execute_wrappers == [citizen_cache._watch, print]


def test_a_failed_checkout_drops_only_its_peoples_figures(make_user, figures_dropped, settings):
    """The gateway's FAILED notification changes the payment's status only: its payer's and
    the holding's owners' figures are dropped, a stranger's kept (payment_transition is
    scoped to the payment's people)."""
    from payments.gateways.sslcommerz.signature import sign_ipn_payload
    from payments.services.online import ipn_receive

    payer = make_user(Role.CITIZEN, mobile="01711000001")
    stranger = make_user(Role.CITIZEN, mobile="01711000004")
    holding = _holding("45/A", payer)
    q1 = list(Instalment.objects.filter(demand__holding=holding, quarter=1))
    bill = holding_bill(holding=holding, instalments=q1, payer=payer)
    with transaction.atomic():
        payment = create_payment(bills=[bill], channel=Payment.Channel.ONLINE, payer=payer)
    notice = sign_ipn_payload(
        {
            "tran_id": payment.tran_id,
            "val_id": "",
            "amount": str(payment.amount),
            "currency": "BDT",
            "status": "FAILED",
            "store_id": settings.SSLCOMMERZ_STORE_ID,
        },
        settings.SSLCOMMERZ_STORE_PASSWORD,
    )

    def fail():
        assert ipn_receive(payload=notice) == (200, "noted")

    assert figures_dropped([payer, stranger], fail) == {payer.pk}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
