"""Mutation (নামজারি): an owner applies on a registered deed, the year's fee (৳500.00 by
default) is billed and paid, an assessor approves and the deed's owners replace those on
record (kept on the mutation), or rejects with a reason. One open mutation per holding,
also when two applications arrive at the same moment."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from core.models import AuditLog
from core.roles import Role
from holdings.models import Mutation
from holdings.services import holding_create, holding_link_by_nid, owner_add
from holdings.services.mutations import NewOwner, mutation_apply, mutation_decide
from payments.models import Bill
from payments.services import counter_session_open, counter_take_cash

NID = "1987654321"
BUYERS = [
    NewOwner("করিম মিয়া", "Karim Mia", "২৩৪৫৬৭৮৯০১", "০১৭১১০০০১০১", Decimal("60")),
    NewOwner("সালমা বেগম", "Salma Begum", "3456789012", "", Decimal("40")),
]


@pytest.fixture
def owner(make_user):
    return make_user(Role.CITIZEN)


@pytest.fixture
def holding(db, owner):
    h = holding_create(ward=3, number="45/A", use="residential")
    owner_add(holding=h, name_en="Rahim Uddin", nid=NID, mobile="01819123456")
    holding_link_by_nid(user=owner, holding=h, nid=NID)
    return h


def apply(holding, user, owners=BUYERS, **kw):
    return mutation_apply(
        holding=holding,
        applicant=user,
        deed_number=kw.get("deed_number", "DHK-2026-1234"),
        deed_date=kw.get("deed_date", date(2026, 11, 20)),
        owners=owners,
    )


def pay(bill, clerk):
    counter_take_cash(session=counter_session_open(clerk=clerk), bills=[bill], clerk=clerk)


def test_apply_pay_approve_replaces_the_owners(holding, owner, make_user):
    mutation = apply(holding, owner)
    bill = mutation.bill
    assert mutation.status == Mutation.Status.FEE_DUE
    assert [(line.head, line.amount) for line in bill.lines.all()] == [
        ("mutation_fee", Decimal("500.00"))
    ]
    assert bill.subject_label_en == "Mutation, holding 3/45/A" and bill.payer == owner
    pay(bill, make_user(Role.COUNTER_CLERK))
    mutation.refresh_from_db()
    assert mutation.status == Mutation.Status.SUBMITTED

    assessor = make_user(Role.ASSESSOR)
    mutation_decide(mutation=mutation, assessor=assessor, approve=True, reason="Deed checked")
    mutation.refresh_from_db()
    assert mutation.status == Mutation.Status.APPROVED
    assert [o["name_en"] for o in mutation.previous_owners] == ["Rahim Uddin"]
    owners = list(
        holding.owners.order_by("pk").values_list("name_en", "nid", "mobile", "share_percent")
    )
    assert owners == [
        ("Karim Mia", "2345678901", "01711000101", Decimal("60.00")),
        ("Salma Begum", "3456789012", "", Decimal("40.00")),
    ]
    assert AuditLog.objects.filter(action="holding.mutation_decided").count() == 1


def test_rejected_mutation_leaves_the_owners(holding, owner, make_user):
    mutation = apply(holding, owner)
    pay(mutation.bill, make_user(Role.COUNTER_CLERK))
    mutation_decide(
        mutation=mutation, assessor=make_user(Role.ASSESSOR), approve=False, reason="Forged"
    )
    assert list(holding.owners.values_list("name_en", flat=True)) == ["Rahim Uddin"]
    # a new application may follow once the last one is decided
    assert apply(holding, owner, deed_number="DHK-2026-9999").status == Mutation.Status.FEE_DUE


@pytest.mark.parametrize(
    ("owners", "kw", "message"),
    [
        ([BUYERS[0]], {}, "The owners' shares add up to 60%; they must add up to 100%."),
        ([NewOwner("", "", NID, "", Decimal("100"))], {}, "Owner 1: enter the name"),
        ([NewOwner("ক", "K", "12345", "", Decimal("100"))], {}, "Owner 1: "),
        (BUYERS, {"deed_number": "  "}, "Enter the deed's number."),
        (BUYERS, {"deed_date": date(2099, 1, 1)}, "cannot be in the future"),
        ([], {}, "Name at least one owner"),
    ],
)
def test_bad_applications_are_refused_and_nothing_is_billed(holding, owner, owners, kw, message):
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        apply(holding, owner, owners=owners, **kw)
    assert not Mutation.objects.exists() and not Bill.objects.exists()


def test_strangers_cannot_apply_and_nothing_is_decided_before_the_fee(holding, owner, make_user):
    with translation.override("en"):
        with pytest.raises(ValidationError, match="Only an owner of the holding"):
            apply(holding, make_user(Role.CITIZEN))
        mutation = apply(holding, owner)
        with pytest.raises(ValidationError, match="already in progress"):
            apply(holding, owner)
        with pytest.raises(ValidationError, match="fee is not paid yet"):
            mutation_decide(
                mutation=mutation, assessor=make_user(Role.ASSESSOR), approve=True, reason="x"
            )
        with pytest.raises(ValidationError, match="Only an assessor"):
            mutation_decide(mutation=mutation, assessor=owner, approve=True, reason="x")
    # the counter may file for the owner
    clerk = make_user(Role.COUNTER_CLERK)
    Mutation.objects.all().delete()
    Bill.objects.all().update(status=Bill.Status.CANCELLED)
    assert apply(holding, clerk, deed_number="C-1").applicant == clerk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_applications_at_the_same_moment_make_one_mutation_and_one_bill(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL concurrent connections")
    owner = make_user(Role.CITIZEN)
    holding = holding_create(ward=3, number="46", use="residential")
    owner_add(holding=holding, name_en="Rahim Uddin", nid=NID, mobile="01819123456")
    holding_link_by_nid(user=owner, holding=holding, nid=NID)
    barrier = threading.Barrier(2)

    def run(deed):
        barrier.wait()
        try:
            return apply(holding, owner, deed_number=deed).pk
        except ValidationError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [f.result() for f in [pool.submit(run, "A-1"), pool.submit(run, "A-2")]]
    assert "already_open" in results and any(isinstance(r, int) for r in results)
    assert Mutation.objects.count() == 1
    assert Bill.objects.filter(subject_type="mutation").count() == 1


# --- the pages -------------------------------------------------------------------------------


def owners_post(rows, **extra):
    data = {
        "owner-TOTAL_FORMS": str(len(rows)),
        "owner-INITIAL_FORMS": "0",
        "owner-MIN_NUM_FORMS": "0",
        "owner-MAX_NUM_FORMS": "10",
    }
    for n, (bn, en, nid, mobile, share) in enumerate(rows):
        data |= {
            f"owner-{n}-name_bn": bn,
            f"owner-{n}-name_en": en,
            f"owner-{n}-nid": nid,
            f"owner-{n}-mobile": mobile,
            f"owner-{n}-share_percent": share,
        }
    return data | extra


def test_owner_applies_on_the_page_and_the_assessor_approves(client, holding, owner, make_user):
    url = f"/holdings/{holding.pk}/mutation/"
    client.force_login(owner)
    client.cookies["kcc_language"] = "en"
    assert f'href="{url}"' in client.get(f"/holdings/{holding.pk}/").content.decode()
    bad = client.post(url, owners_post([("", "Karim", "২৩৪৫৬৭৮৯০১", "", "")], deed_number="D-1"))
    assert "This field is required." in bad.content.decode()  # the deed date
    response = client.post(
        url,
        owners_post(
            [("করিম মিয়া", "Karim Mia", "২৩৪৫৬৭৮৯০১", "", ""), ("", "", "", "", "")],
            deed_number="D-1",
            deed_date="2026-11-20",
        ),
    )
    assert response.status_code == 302 and response["Location"] == "/payments/bills/"
    mutation = Mutation.objects.get()
    assert mutation.new_owners[0]["share_percent"] == "100"  # one owner holds it all
    page = client.get(url).content.decode()
    assert "Waiting for the fee" in page and "Apply for mutation" not in page

    pay(mutation.bill, make_user(Role.COUNTER_CLERK))
    assessor = make_user(Role.ASSESSOR)
    client.force_login(assessor)
    queue = client.get("/holdings/officer/mutations/").content.decode()
    assert f"/holdings/officer/mutations/{mutation.pk}/" in queue
    detail = f"/holdings/officer/mutations/{mutation.pk}/"
    assert "Karim Mia" in client.get(detail).content.decode()
    response = client.post(detail, {"decision": "approve", "reason": "Deed seen", "confirm": "on"})
    assert response.status_code == 302
    assert list(holding.owners.values_list("name_en", flat=True)) == ["Karim Mia"]
    assert client.get(url).status_code == 404  # the old owner no longer owns it


def test_bengali_mutation_page(client, holding, owner):
    client.force_login(owner)
    client.cookies["kcc_language"] = "bn"
    page = client.get(f"/holdings/{holding.pk}/mutation/").content.decode()
    assert "নামজারি" in page and "দলিলে উল্লিখিত মালিক" in page
