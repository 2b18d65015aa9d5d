"""Officers edit the yearly rate schedule in the admin; every change is audited."""

from decimal import Decimal

import pytest

from core.models import AuditLog
from holdings.defaults import ensure_schedule
from holdings.models import RateHead

from .conftest import schedule_form_data

pytestmark = pytest.mark.django_db


def test_editing_a_rate_in_the_admin_is_audited_with_before_and_after(client, make_user):
    schedule = ensure_schedule("2026-27")
    client.force_login(make_user("administrator"))
    url = f"/admin/holdings/rateschedule/{schedule.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    heads = list(schedule.heads.order_by("pk"))
    rebates = list(schedule.rebates.order_by("pk"))
    data = schedule_form_data(schedule)
    data.update(
        {
            "heads-TOTAL_FORMS": len(heads),
            "heads-INITIAL_FORMS": len(heads),
            "rebates-TOTAL_FORMS": len(rebates),
            "rebates-INITIAL_FORMS": len(rebates),
            "extensions-TOTAL_FORMS": 0,
            "extensions-INITIAL_FORMS": 0,
        }
    )
    for i, head in enumerate(heads):
        target = head.use == "commercial" and head.head == "holding_tax"
        percent = "23.00" if target else head.percent
        data.update(
            {
                f"heads-{i}-id": head.pk,
                f"heads-{i}-schedule": schedule.pk,
                f"heads-{i}-head": head.head,
                f"heads-{i}-use": head.use,
                f"heads-{i}-percent": str(percent),
            }
        )
    for i, grade in enumerate(rebates):
        data.update(
            {
                f"rebates-{i}-id": grade.pk,
                f"rebates-{i}-schedule": schedule.pk,
                f"rebates-{i}-quarters": grade.quarters,
                f"rebates-{i}-percent": str(grade.percent),
            }
        )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = RateHead.objects.get(schedule=schedule, use="commercial", head="holding_tax")
    assert changed.percent == Decimal("23.00")
    entry = AuditLog.objects.filter(action="admin.change", object_type="holdings.ratehead").get()
    assert entry.before == {"percent": "7.00"} and entry.after == {"percent": "23.00"}
