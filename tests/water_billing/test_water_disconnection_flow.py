"""Disconnection for arrears: listed (one grouped query), notice once, the order recorded,
the reconnection fee billed through payments, reconnected when the months and the fee are
paid; concurrent fee billings make one bill (PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as db

from accounts.models import SmsMessage
from core.models import AuditLog
from payments.models import Bill
from payments.services import counter_session_open, counter_take_cash
from water_billing.billing import generate_water_bills
from water_billing.models import Connection, Disconnection
from water_billing.services import disconnections as svc
from water_billing.services.billing import water_bill_issue

from .conftest import read
from .test_water_bills_concurrency import run_together


def billed_in_arrears(make_connection):
    from water_billing.defaults import ensure_default_tariff

    ensure_default_tariff()
    c = make_connection()
    for k, month in enumerate(("2026-07", "2026-08", "2026-09", "2026-10"), start=1):
        read(c, month, 1000 + 10 * k)
        y, m = (int(x) for x in month.split("-"))
        generate_water_bills(month, bill_date=date(y, m + 1, 1))
    return c


def pay(bills, make_user):
    clerk = make_user("counter_clerk")
    return counter_take_cash(session=counter_session_open(clerk=clerk), bills=bills, clerk=clerk)


@pytest.mark.django_db
def test_listed_noticed_once_disconnected_and_reconnected_when_all_is_paid(
    make_connection,
    officer,
    make_user,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    c = billed_in_arrears(make_connection)
    with django_assert_num_queries(1):
        rows = list(svc.in_arrears(today=date(2026, 12, 10), months=3))
    assert [(r.pk, r.months_unpaid, r.case_status) for r in rows] == [(c.pk, 4, None)]
    with django_capture_on_commit_callbacks(execute=True):
        case = svc.disconnection_notice(connection=c, actor=officer)
    assert SmsMessage.objects.filter(kind="water_case").count() == 1
    with pytest.raises(ValidationError):  # once
        svc.disconnection_notice(connection=c, actor=officer)
    with pytest.raises(ValidationError):  # a reason is needed
        svc.disconnection_order(case=case, actor=officer, reason=" ")
    svc.disconnection_order(case=case, actor=officer, reason="4 months unpaid after notice")
    case.refresh_from_db()
    c.refresh_from_db()
    assert c.status == Connection.Status.DISCONNECTED
    assert case.status == "disconnected" and case.ordered_by == officer
    fee = case.fee_bill
    assert fee.subject_type == "reconnection" and fee.total == case.reconnection_fee > 0
    assert svc.reconnection_fee_bill(case=case) == fee  # asked again: the same bill
    pay([fee], make_user)
    case.refresh_from_db()
    assert case.fee_paid and case.status == "disconnected"  # the months are still unpaid
    pay([water_bill_issue(connection=c)], make_user)
    case.refresh_from_db()
    c.refresh_from_db()
    assert case.status == "reconnected" and c.status == Connection.Status.ACTIVE
    actions = set(
        AuditLog.objects.filter(action__startswith="water.").values_list("action", flat=True)
    )
    assert {
        "water.disconnection_notice",
        "water.disconnection_order",
        "water.reconnection_fee_paid",
        "water.disconnection_reconnected",
    } <= actions
    # Whose cached figures a write for the fee drops: the connection's account's.
    from water_billing.registry_hooks import subject_users

    assert subject_users([fee]) == set()  # none linked
    c.user = make_user(mobile="01711999777")
    c.save(update_fields=["user"])
    assert subject_users([fee]) == {c.user.pk}
    assert subject_users([Bill(subject_type="meter", subject_id="1")]) is None  # not told apart


@pytest.mark.django_db
def test_paid_after_the_notice_settles_the_case(make_connection, officer, make_user):
    c = billed_in_arrears(make_connection)
    case = svc.disconnection_notice(connection=c, actor=officer)
    pay([water_bill_issue(connection=c)], make_user)
    case.refresh_from_db()
    assert case.status == "settled"
    assert svc.in_arrears(today=date(2026, 12, 10)).count() == 0


@pytest.mark.django_db
def test_too_few_months_get_no_notice(make_connection, officer):
    from water_billing.defaults import ensure_default_tariff

    ensure_default_tariff()
    c = make_connection()
    read(c, "2026-10", 1010)
    generate_water_bills("2026-10", bill_date=date(2026, 11, 1))
    with pytest.raises(ValidationError):
        svc.disconnection_notice(connection=c, actor=officer)
    assert not Disconnection.objects.exists()


@pytest.mark.django_db
def test_the_officer_pages(client, make_connection, officer):
    c = billed_in_arrears(make_connection)
    client.force_login(officer)
    assert client.get("/water/officer/arrears/").status_code == 200
    response = client.post(f"/water/officer/arrears/{c.pk}/notice/")
    case = Disconnection.objects.get()
    assert response["Location"] == f"/water/officer/disconnections/{case.pk}/"
    assert client.get(response["Location"]).status_code == 200
    client.post(response["Location"], {"reason": "unpaid"})  # no confirmation
    case.refresh_from_db()
    assert case.status == "noticed"
    client.post(response["Location"], {"reason": "unpaid", "confirm": "on"})
    case.refresh_from_db()
    assert case.status == "disconnected"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reconnection_fee_billings_at_once_make_one_bill(make_connection, officer, make_user):
    if db.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    c = billed_in_arrears(make_connection)
    case = svc.disconnection_notice(connection=c, actor=officer)
    svc.disconnection_order(case=case, actor=officer, reason="unpaid")
    Bill.objects.filter(subject_type="reconnection").update(status="cancelled")
    Disconnection.objects.filter(pk=case.pk).update(fee_bill=None)
    from payments.models import BillClaim

    BillClaim.objects.filter(due__startswith="water_billing:reconnection").update(live=False)
    results = run_together(*(lambda: svc.reconnection_fee_bill(case=case) for _ in range(3)))
    assert all(isinstance(r, Bill) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Bill.objects.filter(subject_type="reconnection", status="open").count() == 1
    # Paying the fee twice at once collects it once.
    fee = results[0]
    clerks = [make_user("counter_clerk") for _ in range(2)]
    sessions = [counter_session_open(clerk=k) for k in clerks]
    run_together(
        *(
            (lambda s=s, k=k: counter_take_cash(session=s, bills=[fee], clerk=k))
            for s, k in zip(sessions, clerks, strict=True)
        )
    )
    from django.db.models import Sum

    from payments.models import Allocation

    assert Allocation.objects.filter(bill=fee).aggregate(s=Sum("amount"))["s"] == fee.total
